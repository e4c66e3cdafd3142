namespace Robotics.Tests.Support;

/// <summary>Finds files of the repository from the test's output directory.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The built controller executable's entry assembly, copied next to the tests by the project reference.</summary>
    public static string ControllerDll => Path.Combine(AppContext.BaseDirectory, "controller.dll");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Robotics.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"no Robotics.sln above {AppContext.BaseDirectory}");
    }
}
