using System.Buffers.Binary;
using Robotics.Controller.Benchmarks;
using Robotics.Hardware.Buses;
using Robotics.Hardware.Buses.Feetech;
using Robotics.Emulators;

namespace Robotics.Tests.Hardware;

/// <summary>Feetech STS framing against the Protocol 1.0 manual's example, then the bus over a pseudo-terminal with emulated STS3215 servos.</summary>
[Collection(SerialLines.Name)]
public sealed class FeetechBusTests : IDisposable
{
    private static readonly byte[] Arm = [1, 2, 3, 4, 5, 6];
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(100);

    private readonly PseudoTerminalPair _line = new();
    private readonly FeetechEmulator _servos;
    private readonly FeetechBus _bus;

    public FeetechBusTests()
    {
        _servos = new FeetechEmulator(_line.Device, Arm);
        _bus = new FeetechBus(_line.Driver, 1_000_000, Timeout);
    }

    public void Dispose()
    {
        _bus.Dispose();
        _servos.Dispose();
        _line.Dispose();
    }

    [Fact]
    public void Ping_packets_match_the_protocol_manuals_example_byte_for_byte()
    {
        // The Protocol 1.0 layout Feetech uses (ROBOTIS RX-64 manual, PING example): ID 1 → FF FF 01 02 01 FB,
        // and its status packet FF FF 01 02 00 FC.
        var packet = new byte[8];
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0x01, 0x02, 0x01, 0xFB }, packet[..FeetechPacket.Build(packet, 1, 0x01, [])]);
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0x01, 0x02, 0x00, 0xFC }, packet[..FeetechPacket.Build(packet, 1, 0x00, [])]);
    }

    [Fact]
    public void Ping_read_and_write_reach_one_servo()
    {
        _bus.Ping(2);
        var model = new byte[2];
        _bus.Read(2, 3, model);
        Assert.Equal(FeetechEmulator.Sts3215Model, BinaryPrimitives.ReadUInt16LittleEndian(model));

        _bus.Write(2, FeetechEmulator.TorqueEnable, [1]);
        _bus.Write(2, FeetechEmulator.GoalPosition, [0x00, 0x0C]);
        var present = new byte[2];
        _bus.Read(2, FeetechEmulator.PresentPosition, present);

        Assert.Equal(3072, BinaryPrimitives.ReadUInt16LittleEndian(present));
    }

    [Fact]
    public void Sync_write_and_sync_read_command_and_read_six_servos()
    {
        var goals = new byte[6 * 2];
        for (int i = 0; i < 6; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(goals.AsSpan(2 * i), (ushort)(1000 + 100 * i));
        }
        _bus.SyncWrite(FeetechEmulator.TorqueEnable, 1, Arm, [1, 1, 1, 1, 1, 1]);
        _bus.SyncWrite(FeetechEmulator.GoalPosition, 2, Arm, goals);
        var present = new byte[6 * 4];
        _bus.SyncRead(FeetechEmulator.PresentPosition, 4, Arm, present);

        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(1000 + 100 * i, BinaryPrimitives.ReadUInt16LittleEndian(present.AsSpan(4 * i)));
        }
        Assert.Equal(1 + _bus.RetriedTransactions, _servos.Received[ServoInstruction.SyncRead]);
    }

    [Fact]
    public void An_emulated_servos_eeprom_write_outlives_a_power_cycle_only_when_unlocked()
    {
        // Lock 1, as the servo powers up: the limit holds now but is lost at power-off.
        _bus.Write(1, FeetechEmulator.MinAngleLimit, [0x00, 0x04]);
        Assert.Equal(1024, _servos.ReadUInt16(1, FeetechEmulator.MinAngleLimit));
        _servos.PowerCycle(1);
        Assert.Equal(0, _servos.ReadUInt16(1, FeetechEmulator.MinAngleLimit));

        // Lock 0 for the write: saved.
        _bus.Write(1, FeetechEmulator.Lock, [0]);
        _bus.Write(1, FeetechEmulator.MinAngleLimit, [0x00, 0x04]);
        _bus.Write(1, FeetechEmulator.Lock, [1]);
        _servos.PowerCycle(1);
        Assert.Equal(1024, _servos.ReadUInt16(1, FeetechEmulator.MinAngleLimit));
        Assert.Equal(1, _servos.ReadByte(1, FeetechEmulator.Lock));
    }

    [Fact]
    public void An_emulated_servo_holds_a_goal_beyond_its_angle_limits_at_the_nearer_one()
    {
        _bus.Write(2, FeetechEmulator.MaxAngleLimit, [0xB8, 0x0B]);
        _bus.Write(2, FeetechEmulator.TorqueEnable, [1]);
        _bus.Write(2, FeetechEmulator.GoalPosition, [0xAC, 0x0D]);

        Assert.Equal(3500, _servos.ReadUInt16(2, FeetechEmulator.GoalPosition));
        Assert.Equal(3000, _servos.ReadUInt16(2, FeetechEmulator.PresentPosition));
    }

    [Fact]
    public void An_emulated_servo_at_response_status_level_0_answers_reads_and_pings_only()
    {
        _servos.WriteByte(3, FeetechEmulator.ResponseStatusLevel, 0);

        _bus.Ping(3);
        _bus.Read(3, FeetechEmulator.PresentPosition, new byte[2]);
        Assert.Equal(ServoBusFault.Timeout, Assert.Throws<ServoBusException>(() => _bus.Write(3, FeetechEmulator.GoalPosition, [0x00, 0x04])).Fault);
        Assert.Equal(1024, _servos.ReadUInt16(3, FeetechEmulator.GoalPosition));
    }

    [Fact]
    public void A_bad_checksum_is_retried_and_overload_bits_are_counted_not_failed()
    {
        _servos.CorruptAnswers = 1;
        _servos.ErrorBits[3] = 0x20;
        var present = new byte[6 * 4];

        _bus.SyncRead(FeetechEmulator.PresentPosition, 4, Arm, present);

        Assert.True(_bus.RetriedTransactions >= 1);
        Assert.Equal(0, _bus.FailedTransactions);
        Assert.True(_bus.HardwareAlerts >= 1);
        Assert.Equal(2048, BinaryPrimitives.ReadUInt16LittleEndian(present.AsSpan(8)));
    }

    [Fact]
    public void A_servo_that_stops_answering_fails_the_transaction_naming_it()
    {
        _servos.Silent.Add(4);

        var error = Assert.Throws<ServoBusException>(() => _bus.SyncRead(FeetechEmulator.PresentPosition, 4, Arm, new byte[6 * 4]));

        Assert.Contains(error.Fault, new[] { ServoBusFault.Timeout, ServoBusFault.Unexpected });
        Assert.Equal(4, error.Id);
    }
}
