using System.Device.Gpio;
using Robotics.Hardware.Config;
using Robotics.Hardware.Robots;
using Robotics.Protos;
using Robotics.Tests.Support;
using Robotics.Tests.Support.Chips;

namespace Robotics.Tests.Hardware;

/// <summary>The loop's side of the on-board drivers (reading samples, checking stop inputs, reading the gamepad, handing over outputs) allocates nothing.</summary>
[Collection(AllocationMeasurements.Name)]
public sealed class OnBoardAllocationTests
{
    [Fact]
    public void Reading_and_writing_the_rover_allocates_nothing_with_the_stop_released_or_pressed()
    {
        var board = new SimulatedBoard(new SimulatedMpu6050(), new SimulatedIna219(0x41), new SimulatedPca9685(0x40));
        board.Gpio.Drive(17, PinValue.Low);
        using var directory = new TempDirectory();
        using var pad = new EventFifo(directory.File("pad"));
        using var robot = new ConfiguredRobot(RobotConfigLoader.Load(RoverSample.Write(directory.File("rover.json"), pad.Path)), board.Registry);
        robot.Start();
        var observation = new float[5];
        float[] action = [0.25f, -0.25f];
        Cycle(robot, observation, action, 100);

        long before = ThreadAllocations.StartWindow();
        var released = Cycle(robot, observation, action, 10_000);
        long releasedBytes = ThreadAllocations.Since(before);
        board.Gpio.Drive(17, null);
        Assert.True(SpinWait.SpinUntil(() => robot.Read(observation, MonotonicClock.NowNs(), out _) == ReadStatus.EmergencyStop, Waits.Patience));
        before = ThreadAllocations.StartWindow();
        var pressed = Cycle(robot, observation, action, 10_000);
        long pressedBytes = ThreadAllocations.Since(before);
        robot.Stop();

        Assert.Equal(ReadStatus.Ok, released);
        Assert.Equal(ReadStatus.EmergencyStop, pressed);
        Assert.Equal(0, releasedBytes);
        Assert.Equal(0, pressedBytes);
    }

    private static ReadStatus Cycle(ConfiguredRobot robot, float[] observation, float[] action, int ticks)
    {
        var status = ReadStatus.Ok;
        for (int i = 0; i < ticks; i++)
        {
            status = robot.Read(observation, MonotonicClock.NowNs(), out _);
            robot.TryReadTeleop(action);
            robot.Write(action, MonotonicClock.NowNs());
        }
        return status;
    }
}
