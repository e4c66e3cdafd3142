using System.Buffers.Binary;
using Robotics.Hardware.Buses;
using Robotics.Hardware.Buses.Dynamixel;
using Robotics.Controller.Benchmarks;
using Robotics.Tests.Support;
using Robotics.Emulators;

namespace Robotics.Tests.Hardware;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialLines
{
    /// <summary>
    /// Tests with an emulator thread on the far end of a pseudo-terminal: they run alone, since on a loaded
    /// two-core machine the emulator can be scheduled later than any timeout a real servo would be held to.
    /// </summary>
    public const string Name = "serial lines";
}

/// <summary>Dynamixel Protocol 2.0: the framing against the e-Manual's examples, then the bus over a real pseudo-terminal pair with emulated servos.</summary>
[Collection(SerialLines.Name)]
public sealed class DynamixelBusTests : IDisposable
{
    private static readonly byte[] Arm = [1, 2, 3, 4, 5, 6];
    // Generous for an emulator thread on a shared machine; a real servo answers within a millisecond.
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(100);

    private readonly PseudoTerminalPair _line = new();
    private readonly DynamixelEmulator _servos;
    private readonly DynamixelBus _bus;

    public DynamixelBusTests()
    {
        _servos = new DynamixelEmulator(_line.Device, Arm);
        _bus = new DynamixelBus(_line.Driver, 1_000_000, Timeout);
    }

    public void Dispose()
    {
        _bus.Dispose();
        _servos.Dispose();
        _line.Dispose();
    }

    [Fact]
    public void A_ping_packet_matches_the_e_manuals_example_byte_for_byte()
    {
        // e-Manual, Protocol 2.0, Ping, example 1: ID 1 → FF FF FD 00 01 03 00 01 19 4E (CRC 0x4E19).
        var packet = new byte[16];
        int length = DynamixelPacket.Build(packet, 1, DynamixelInstruction.Ping, []);

        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFD, 0x00, 0x01, 0x03, 0x00, 0x01, 0x19, 0x4E }, packet[..length]);
    }

    [Fact]
    public void A_header_inside_the_parameters_is_stuffed_and_unstuffed()
    {
        var packet = new byte[32];
        int length = DynamixelPacket.Build(packet, 1, DynamixelInstruction.Write, [0x74, 0x00, 0xFF, 0xFF, 0xFD, 0x00]);

        // INST, 6 parameters and one stuffed FD, then the CRC: LEN = 1 + 7 + 2.
        Assert.Equal(10, BinaryPrimitives.ReadUInt16LittleEndian(packet.AsSpan(5)));
        Assert.Equal(new byte[] { 0x03, 0x74, 0x00, 0xFF, 0xFF, 0xFD, 0xFD, 0x00 }, packet[7..(length - 2)]);
        var body = packet[7..(length - 2)];
        int unstuffed = DynamixelPacket.Unstuff(body);
        Assert.Equal(new byte[] { 0x03, 0x74, 0x00, 0xFF, 0xFF, 0xFD, 0x00 }, body[..unstuffed]);
    }

    [Fact]
    public void Ping_read_and_write_reach_one_servo()
    {
        var (model, firmware) = _bus.Ping(3);
        Assert.Equal(DynamixelEmulator.Xl330Model, model);
        Assert.Equal(DynamixelEmulator.Firmware, firmware);

        _bus.Write(3, DynamixelEmulator.TorqueEnable, [1]);
        _bus.Write(3, DynamixelEmulator.GoalPosition, BitConverter.GetBytes(3000));
        var present = new byte[4];
        _bus.Read(3, DynamixelEmulator.PresentPosition, present);

        Assert.Equal(1, _servos.ReadByte(3, DynamixelEmulator.TorqueEnable));
        Assert.Equal(3000, BinaryPrimitives.ReadInt32LittleEndian(present));
        Assert.Equal(0, _bus.RetriedTransactions);
    }

    [Fact]
    public void Sync_write_and_sync_read_command_and_read_six_servos_in_one_transaction_each()
    {
        var goals = new byte[6 * 4];
        for (int i = 0; i < 6; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(goals.AsSpan(4 * i), 1000 + 100 * i);
        }
        _bus.SyncWrite(DynamixelEmulator.TorqueEnable, 1, Arm, [1, 1, 1, 1, 1, 1]);
        _bus.SyncWrite(DynamixelEmulator.GoalPosition, 4, Arm, goals);
        var present = new byte[6 * 4];
        _bus.SyncRead(DynamixelEmulator.PresentPosition, 4, Arm, present);

        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(1000 + 100 * i, BinaryPrimitives.ReadInt32LittleEndian(present.AsSpan(4 * i)));
        }
        Assert.Equal(2, _servos.Received[ServoInstruction.SyncWrite]);
        Assert.Equal(1 + _bus.RetriedTransactions, _servos.Received[ServoInstruction.SyncRead]);
    }

    [Fact]
    public void The_emulated_servo_refuses_an_eeprom_item_with_torque_on_and_a_goal_outside_its_position_limits()
    {
        // e-Manual: EEPROM items are written only with Torque Enable(64) cleared (Access Error otherwise).
        _bus.Write(2, DynamixelEmulator.TorqueEnable, [1]);
        var eeprom = Assert.Throws<ServoBusException>(() => _bus.Write(2, DynamixelEmulator.ReturnDelayTime, [0]));
        Assert.Contains("access error", eeprom.Message, StringComparison.Ordinal);
        Assert.Equal(250, _servos.ReadByte(2, DynamixelEmulator.ReturnDelayTime));

        // Goal Position(116) ranges from Min to Max Position Limit(52, 48): beyond, Data Limit Error, the goal kept.
        _bus.Write(2, DynamixelEmulator.TorqueEnable, [0]);
        _bus.Write(2, DynamixelEmulator.MaxPositionLimit, BitConverter.GetBytes(3000));
        _bus.Write(2, DynamixelEmulator.TorqueEnable, [1]);
        _bus.Write(2, DynamixelEmulator.GoalPosition, BitConverter.GetBytes(2500));
        var beyond = Assert.Throws<ServoBusException>(() => _bus.Write(2, DynamixelEmulator.GoalPosition, BitConverter.GetBytes(3001)));
        Assert.Contains("data limit error", beyond.Message, StringComparison.Ordinal);
        Assert.Equal(2500, _servos.ReadInt32(2, DynamixelEmulator.GoalPosition));
        Assert.Equal(2500, _servos.ReadInt32(2, DynamixelEmulator.PresentPosition));
    }

    [Fact]
    public void The_emulated_servo_answers_as_its_status_return_level_says()
    {
        // 1: pings and reads answered, a write taken but not acknowledged.
        _servos.WriteByte(3, DynamixelEmulator.StatusReturnLevel, 1);
        _bus.Read(3, DynamixelEmulator.PresentPosition, new byte[4]);
        Assert.Equal(ServoBusFault.Timeout, Assert.Throws<ServoBusException>(() => _bus.Write(3, DynamixelEmulator.GoalPosition, BitConverter.GetBytes(1000))).Fault);
        Assert.Equal(1000, _servos.ReadInt32(3, DynamixelEmulator.GoalPosition));

        // 0: pings only.
        _servos.WriteByte(3, DynamixelEmulator.StatusReturnLevel, 0);
        Assert.Equal(DynamixelEmulator.Xl330Model, _bus.Ping(3).Model);
        Assert.Equal(ServoBusFault.Timeout, Assert.Throws<ServoBusException>(() => _bus.Read(3, DynamixelEmulator.PresentPosition, new byte[4])).Fault);
    }

    [Fact]
    public void A_corrupt_or_lost_answer_is_retried_and_counted()
    {
        var present = new byte[6 * 4];
        _servos.CorruptAnswers = 1;
        _bus.SyncRead(DynamixelEmulator.PresentPosition, 4, Arm, present);
        _servos.DropAnswers = 1;
        _bus.SyncRead(DynamixelEmulator.PresentPosition, 4, Arm, present);

        // At least one retry per fault (a busy machine can delay the emulator into one more).
        Assert.True(_bus.RetriedTransactions >= 2, $"{_bus.RetriedTransactions} retries");
        Assert.Equal(0, _bus.FailedTransactions);
        Assert.Equal(2048, BinaryPrimitives.ReadInt32LittleEndian(present.AsSpan(20)));
    }

    [Fact]
    public void Error_bits_fail_the_transaction_after_its_retries_and_name_the_error()
    {
        _servos.ErrorBits[4] = 0x07;

        var error = Assert.Throws<ServoBusException>(() => _bus.Read(4, DynamixelEmulator.PresentPosition, new byte[4]));

        Assert.Equal(ServoBusFault.StatusError, error.Fault);
        Assert.Equal(4, error.Id);
        Assert.Contains("access error", error.Message);
        Assert.Equal(2, _bus.RetriedTransactions);
        Assert.Equal(1, _bus.FailedTransactions);
    }

    [Fact]
    public void A_hardware_alert_is_counted_but_the_data_still_arrives()
    {
        _servos.ErrorBits[2] = 0x80;
        var present = new byte[4];

        _bus.Read(2, DynamixelEmulator.PresentPosition, present);

        Assert.Equal(2048, BinaryPrimitives.ReadInt32LittleEndian(present));
        Assert.Equal(1, _bus.HardwareAlerts);
    }

    [Fact]
    public void A_late_answer_times_out_and_is_never_taken_for_a_later_ones()
    {
        _servos.AnswerDelay = Timeout * 1.5;

        var error = Assert.Throws<ServoBusException>(() => _bus.Read(1, DynamixelEmulator.PresentPosition, new byte[4]));
        Assert.Equal(ServoBusFault.Timeout, error.Fault);
        Assert.Equal(1, error.Id);

        // The late answers (model number and all) arrive after the timeout; the next read must get its own.
        _servos.AnswerDelay = TimeSpan.Zero;
        var firmware = new byte[1];
        _bus.Read(1, 6, firmware);
        Assert.Equal(DynamixelEmulator.Firmware, firmware[0]);
    }

    [Fact]
    public void A_servo_that_stops_answering_times_out_a_sync_read()
    {
        _servos.Silent.Add(5);

        var error = Assert.Throws<ServoBusException>(() => _bus.SyncRead(DynamixelEmulator.PresentPosition, 4, Arm, new byte[6 * 4]));

        // Servo 6 answers where servo 5 should have: the transaction fails naming the servo that is missing.
        Assert.Contains(error.Fault, new[] { ServoBusFault.Timeout, ServoBusFault.Unexpected });
        Assert.Equal(5, error.Id);
        Assert.Equal(1, _bus.FailedTransactions);
    }

    [Fact]
    public void An_unplugged_adapter_fails_with_a_port_or_timeout_fault()
    {
        _line.Unplug();

        var error = Assert.Throws<ServoBusException>(() => _bus.Ping(1));

        Assert.Contains(error.Fault, new[] { ServoBusFault.Port, ServoBusFault.Timeout });
    }

    [Fact]
    public void A_port_that_does_not_exist_is_refused_with_its_name()
    {
        var error = Assert.Throws<ServoBusException>(() => new DynamixelBus("/dev/ttyNOPE9", 1_000_000, Timeout));

        Assert.Equal(ServoBusFault.Port, error.Fault);
        Assert.Contains("/dev/ttyNOPE9", error.Message);
    }
}
