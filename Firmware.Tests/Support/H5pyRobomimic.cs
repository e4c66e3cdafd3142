namespace Robotics.Tests.Support;

/// <summary>
/// make-robomimic.py of Firmware.Tests/datasets: h5py, an HDF5 writer that is not ours, writing robomimic-layout
/// fixtures at test time rather than binary files in git.
/// </summary>
public static class H5pyRobomimic
{
    /// <summary>A robomimic HDF5 file at <paramref name="path"/> (its options and values as the script's docstring says).</summary>
    public static void Make(string path, params string[] options) => PythonScripts.Run("h5py", "make-robomimic.py", [path, .. options]);

    /// <summary>The script's value of obs key <paramref name="key"/> (1 robot0_eef_pos, 2 robot0_gripper_qpos, 3 object), column <paramref name="column"/>.</summary>
    public static float Observation(int key, int demo, int frame, int column) => 100 * key + demo + frame / 64f + column / 4f;

    /// <summary>The script's value of action entry <paramref name="column"/>.</summary>
    public static float Action(int demo, int frame, int column) => column / 8f - demo / 16f + frame / 128f;
}
