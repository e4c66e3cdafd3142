using Robotics.Protos.Log;
using Robotics.Tests.Support;
using Robotics.Trainer.Data;
using Robotics.Trainer.Datasets;

namespace Robotics.Tests.Datasets;

/// <summary>robomimic HDF5 files written by h5py (an independent HDF5 writer) in the layout robomimic's conversion writes, read back.</summary>
public sealed class RobomimicFileTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Every_frame_of_every_demo_is_read_in_the_order_of_N_with_the_values_h5py_wrote()
    {
        string path = _directory.File("lift.hdf5");
        // 12 demos, created demo_11 first: HDF5 lists them demo_0, demo_1, demo_10, demo_11, demo_2...
        H5pyRobomimic.Make(path, "--demos", "12", "--frames", "30");

        var file = RobomimicFile.Read(path, null);
        var episodes = RobomimicEpisodes.From(file);

        Assert.Equal(Enumerable.Range(0, 12).Select(i => (ulong)i), episodes.Select(e => e.Id));
        var start = episodes[0].Start;
        Assert.Equal("Lift", start.Robot);
        Assert.Equal(20, start.ControlRateHz);
        // Every low-dimensional key, sorted by name: object [T,10], robot0_eef_pos [T,3], robot0_gripper_qpos [T,2].
        string[] names = [.. Enumerable.Range(0, 10).Select(i => $"object_{i}"), "robot0_eef_pos_0", "robot0_eef_pos_1", "robot0_eef_pos_2", "robot0_gripper_qpos_0", "robot0_gripper_qpos_1"];
        Assert.Equal(names, start.Observations.Select(s => s.Name));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"action_{i}"), start.Actions.Select(s => s.Name));
        Assert.Equal([$"{path}: the observation is obs keys object, robot0_eef_pos, robot0_gripper_qpos (every low-dimensional one, by name; --obs-keys chooses)"], file.Warnings);
        foreach (var (demo, frame) in new[] { (0, 0), (10, 17), (11, 29) })
        {
            var step = episodes[demo].Steps[frame];
            float[] expected = [.. Enumerable.Range(0, 10).Select(j => H5pyRobomimic.Observation(3, demo, frame, j)),
                .. Enumerable.Range(0, 3).Select(j => H5pyRobomimic.Observation(1, demo, frame, j)),
                .. Enumerable.Range(0, 2).Select(j => H5pyRobomimic.Observation(2, demo, frame, j))];
            Assert.Equal(expected, step.Observation);
            Assert.Equal(Enumerable.Range(0, 7).Select(j => H5pyRobomimic.Action(demo, frame, j)), step.Action);
            Assert.Equal(ActionSource.Teleop, step.Source);
            Assert.Equal((ulong)frame, step.Tick);
        }
        Assert.All(episodes, e => Assert.Equal(30, e.Steps.Count));
    }

    [Fact]
    public void Obs_keys_make_the_observation_in_the_order_named()
    {
        string path = _directory.File("scalar.hdf5");
        H5pyRobomimic.Make(path, "--demos", "2", "--frames", "8", "--scalar");

        var file = RobomimicFile.Read(path, ["robot0_gripper_qpos", "progress", "robot0_eef_pos"]);
        var step = RobomimicEpisodes.From(file)[1].Steps[4];

        Assert.Equal(["robot0_gripper_qpos_0", "robot0_gripper_qpos_1", "progress", "robot0_eef_pos_0", "robot0_eef_pos_1", "robot0_eef_pos_2"],
            RobomimicEpisodes.From(file)[0].Start.Observations.Select(s => s.Name));
        Assert.Equal([H5pyRobomimic.Observation(2, 1, 4, 0), H5pyRobomimic.Observation(2, 1, 4, 1), 4 / 8f,
            H5pyRobomimic.Observation(1, 1, 4, 0), H5pyRobomimic.Observation(1, 1, 4, 1), H5pyRobomimic.Observation(1, 1, 4, 2)], step.Observation);
        Assert.Empty(file.Warnings);
    }

    [Fact]
    public void An_image_obs_key_is_left_out_with_a_warning_naming_it_and_refused_when_named()
    {
        string path = _directory.File("image.hdf5");
        H5pyRobomimic.Make(path, "--demos", "2", "--frames", "6", "--image");

        var file = RobomimicFile.Read(path, null);
        var error = Assert.Throws<InvalidDataException>(() => RobomimicFile.Read(path, ["robot0_eef_pos", "agentview_image"]));

        Assert.DoesNotContain(file.ObsKeys, k => k.Name == "agentview_image");
        Assert.Contains($"{path}: obs/agentview_image (uint8 [T, 84, 84, 3]) left out: the trainer learns from low-dimensional obs keys (float [T] or [T, d])", file.Warnings);
        Assert.Equal($"--obs-keys: {path}: obs/agentview_image is uint8 [T, 84, 84, 3], not low-dimensional: the trainer learns from float [T] or [T, d] keys", error.Message);
    }

    [Fact]
    public void A_demo_whose_reward_reaches_1_succeeded_and_its_last_done_alone_says_nothing()
    {
        string path = _directory.File("outcomes.hdf5");
        // Every demo's last done is 1 (done_mode 2); demos 1 and 3 never reach the success reward.
        H5pyRobomimic.Make(path, "--demos", "4", "--frames", "5", "--failed", "1,3");

        var episodes = RobomimicEpisodes.From(RobomimicFile.Read(path, null));

        Assert.Equal([EpisodeOutcome.Success, EpisodeOutcome.Unspecified, EpisodeOutcome.Success, EpisodeOutcome.Unspecified], episodes.Select(e => e.Outcome));
    }

    [Fact]
    public void The_control_rate_is_env_kwargs_control_freq_or_robosuites_default_with_a_warning()
    {
        string given = _directory.File("ten.hdf5");
        string absent = _directory.File("absent.hdf5");
        H5pyRobomimic.Make(given, "--demos", "1", "--frames", "3", "--control-freq", "10");
        H5pyRobomimic.Make(absent, "--demos", "1", "--frames", "3", "--no-control-freq");

        var ten = RobomimicFile.Read(given, ["object"]);
        var assumed = RobomimicFile.Read(absent, ["object"]);

        Assert.Equal(10, RobomimicEpisodes.From(ten)[0].Start.ControlRateHz);
        Assert.Empty(ten.Warnings);
        Assert.Equal(20, RobomimicEpisodes.From(assumed)[0].Start.ControlRateHz);
        Assert.Equal([$"{absent}: env_args has no env_kwargs.control_freq: taken as robosuite's default, 20 Hz"], assumed.Warnings);
    }

    [Fact]
    public void The_masks_give_each_demo_its_side_and_a_demo_in_neither_is_left_out_with_a_warning()
    {
        string path = _directory.File("masks.hdf5");
        // Validation: demo_3, demo_7; demo_8 and demo_9 are in neither mask.
        H5pyRobomimic.Make(path, "--demos", "10", "--frames", "4", "--masks", "--unmasked", "2");

        var file = RobomimicFile.Read(path, ["object"]);

        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), file.Demos.Select(d => d.Index));
        Assert.Equal([3L, 7L], file.Demos.Where(d => d.Split == SplitSide.Validation).Select(d => d.Index));
        Assert.All(file.Demos.Where(d => d.Index is not (3 or 7)), d => Assert.Equal(SplitSide.Train, d.Split));
        Assert.Equal([$"{path}: left out 2 demos in neither mask/train nor mask/valid (robomimic trains on neither): demo_8, demo_9"], file.Warnings);
    }

    [Fact]
    public void A_demo_without_actions_is_refused_naming_the_file_and_the_demo()
    {
        string path = _directory.File("no-actions.hdf5");
        H5pyRobomimic.Make(path, "--demos", "3", "--frames", "4", "--no-actions");

        var error = Assert.Throws<InvalidDataException>(() => RobomimicFile.Read(path, null));

        Assert.Equal($"{path}: data/demo_2 has no actions: the trainer learns a demo's actions [T, a]", error.Message);
    }

    [Fact]
    public void An_obs_key_of_another_length_than_the_actions_is_refused_naming_the_demo_the_key_and_both_lengths()
    {
        string path = _directory.File("short.hdf5");
        H5pyRobomimic.Make(path, "--demos", "3", "--frames", "9", "--short-obs", "robot0_eef_pos");

        var error = Assert.Throws<InvalidDataException>(() => RobomimicFile.Read(path, null));

        Assert.Equal($"{path}: data/demo_2/obs/robot0_eef_pos has 8 frames but actions has 9: every obs key needs one entry per action", error.Message);
    }

    [Fact]
    public void A_num_samples_other_than_the_actions_length_is_refused_naming_the_demo()
    {
        string path = _directory.File("num-samples.hdf5");
        H5pyRobomimic.Make(path, "--demos", "2", "--frames", "6", "--wrong-num-samples");

        var error = Assert.Throws<InvalidDataException>(() => RobomimicFile.Read(path, null));

        Assert.Equal($"{path}: data/demo_1: attrs[\"num_samples\"] is 7 but actions has 6 frames", error.Message);
    }

    [Fact]
    public void An_unknown_obs_key_is_refused_listing_the_keys_the_file_has()
    {
        string path = _directory.File("keys.hdf5");
        H5pyRobomimic.Make(path, "--demos", "1", "--frames", "3", "--image");

        var error = Assert.Throws<InvalidDataException>(() => RobomimicFile.Read(path, ["robot0_eef_pos", "robot0_joint_pos"]));

        Assert.Equal($"--obs-keys: {path} has no obs key robot0_joint_pos; its obs keys: agentview_image (uint8 [T, 84, 84, 3]), object (float64 [T, 10]), " +
            "robot0_eef_pos (float64 [T, 3]), robot0_gripper_qpos (float64 [T, 2])", error.Message);
    }

    [Fact]
    public void A_file_without_a_data_group_is_refused_naming_it()
    {
        string path = _directory.File("no-data.hdf5");
        H5pyRobomimic.Make(path, "--no-data");

        var error = Assert.Throws<InvalidDataException>(() => RobomimicFile.Read(path, null));

        Assert.Equal($"{path}: no data group: a robomimic file keeps its demos in data/demo_N", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_hdf5_or_is_cut_short_is_refused_naming_it()
    {
        string text = _directory.File("notes.hdf5");
        File.WriteAllText(text, string.Concat(Enumerable.Repeat("not an HDF5 file\n", 1000)));
        string whole = _directory.File("whole.hdf5");
        H5pyRobomimic.Make(whole, "--demos", "3", "--frames", "20");
        string truncated = _directory.File("truncated.hdf5");
        var bytes = File.ReadAllBytes(whole);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);

        var notHdf5 = Assert.Throws<InvalidDataException>(() => RobomimicFile.Read(text, null));
        var cut = Assert.Throws<InvalidDataException>(() => RobomimicFile.Read(truncated, null));

        Assert.StartsWith($"{text}: not a readable HDF5 file: ", notHdf5.Message);
        Assert.StartsWith($"{truncated}: not a readable HDF5 file: ", cut.Message);
    }

    [Fact]
    public void Sirius_intervention_labels_make_each_frames_source()
    {
        string path = _directory.File("sirius.hdf5");
        H5pyRobomimic.Make(path, "--demos", "2", "--frames", "8", "--intv-labels");

        var episodes = RobomimicEpisodes.From(RobomimicFile.Read(path, null));

        // -1 a demonstration, 0 the robot's, 1 an intervention, -10 the robot's before one.
        ActionSource[] cycle = [ActionSource.Teleop, ActionSource.Policy, ActionSource.Override, ActionSource.Policy];
        Assert.All(episodes, e => Assert.Equal([.. cycle, .. cycle], e.Steps.Select(s => s.Source)));
    }
}
