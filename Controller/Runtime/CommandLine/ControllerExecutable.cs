using System.Diagnostics;

namespace Robotics.Controller.CommandLine;

/// <summary>
/// How to start the <c>controller</c> executable again, as a child: its apphost beside this program when there is one
/// (a build, a publish, the tests' output), else controller.dll through the dotnet host, else this very process's
/// executable (a single-file publish).
/// </summary>
public static class ControllerExecutable
{
    /// <param name="cpus">Keep every thread of the child on these CPUs (a taskset list such as "0" or "0-2"), set through taskset(1) so the runtime's threads inherit it from the start.</param>
    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments, string? cpus = null)
    {
        string apphost = Path.Combine(AppContext.BaseDirectory, "controller");
        string dll = Path.Combine(AppContext.BaseDirectory, "controller.dll");
        var (program, first) = File.Exists(apphost) ? (apphost, null)
            : File.Exists(dll) ? ("dotnet", dll)
            : (Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which executable is running"), (string?)null);
        var start = new ProcessStartInfo(cpus is null ? program : "taskset");
        if (cpus is not null)
        {
            start.ArgumentList.Add("--cpu-list");
            start.ArgumentList.Add(cpus);
            start.ArgumentList.Add(program);
        }
        if (first is not null)
        {
            start.ArgumentList.Add(first);
        }
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }
}
