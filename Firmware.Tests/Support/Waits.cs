namespace Robotics.Tests.Support;

/// <summary>How long a test waits for a condition before it fails.</summary>
public static class Waits
{
    /// <summary>
    /// A minute: a passing test never waits it out, and a 2-core machine with another CPU-heavy job beside the
    /// suite can hold a thread back for seconds. The test's subject is the condition, never how soon it came.
    /// </summary>
    public static TimeSpan Patience { get; } = TimeSpan.FromMinutes(1);
}
