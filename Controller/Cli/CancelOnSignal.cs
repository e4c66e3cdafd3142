using System.Runtime.InteropServices;
using Robotics.Controller.Loop;

namespace Robotics.Controller.Cli;

/// <summary>Ctrl+C and SIGTERM stop the loop cleanly (the robot is made safe and the log closed) instead of killing the process.</summary>
internal sealed class CancelOnSignal : IDisposable
{
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    public CancelOnSignal(ControlLoop loop)
    {
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            loop.RequestStop();
        }
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
    }
}
