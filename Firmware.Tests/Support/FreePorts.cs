namespace Robotics.Tests.Support;

/// <summary>A loopback TCP port free at the moment of asking, for a server a test must name the port of in advance.</summary>
public static class FreePorts
{
    public static int Next()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }
}
