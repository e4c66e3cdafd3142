namespace Robotics.Tests.Support;

/// <summary>Where tests leave files for a person to look at after the run (screenshots): TestResults/artifacts at the top of the clone.</summary>
public static class TestArtifacts
{
    public static string Directory { get; } = System.IO.Directory.CreateDirectory(Path.Combine(RepoPaths.Root, "TestResults", "artifacts")).FullName;
}
