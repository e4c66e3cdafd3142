using Grpc.Core;
using Robotics.Protos.Control;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Support;

namespace Robotics.Tests.Deploy;

/// <summary>What the deployment tests check every published build against: the jitted build's recording, and the token.</summary>
public static class PublishedRuns
{
    /// <summary>Three seeded sim:reach episodes with <paramref name="policy"/>, unpaced (add --record FILE).</summary>
    public static string[] SeededReach(string policy) =>
        ["run", "--robot", "sim:reach", "--policy", policy, "--episodes", "3", "--seed", "7", "--unpaced", "--no-realtime"];

    /// <summary>Both recordings hold the same steps with the same observations and actions, bit for bit.</summary>
    public static void AssertSameSteps(string expectedLog, string actualLog)
    {
        var expected = TeleopLogReader.Read(expectedLog).Episodes.SelectMany(e => e.Steps).ToList();
        var actual = TeleopLogReader.Read(actualLog).Episodes.SelectMany(e => e.Steps).ToList();
        Assert.True(expected.Count > 100, $"{expected.Count} steps");
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Observation, actual[i].Observation);
            Assert.Equal(expected[i].Action, actual[i].Action);
        }
    }

    /// <summary>The robot at <paramref name="port"/> answers GetStatus with the right token and refuses a wrong one.</summary>
    public static async Task<Robotics.Protos.Control.Status> AssertTokenCheckedAsync(int port)
    {
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var telemetry = new Telemetry.TelemetryClient(channel);
        var status = await telemetry.GetStatusAsync(new StatusRequest(), new Metadata { { "authorization", $"Bearer {RobotHarness.Token}" } });
        Assert.Equal("sim:reach", status.Robot);
        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await telemetry.GetStatusAsync(new StatusRequest(), new Metadata { { "authorization", "Bearer not-the-robots-token" } }));
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        return status;
    }
}
