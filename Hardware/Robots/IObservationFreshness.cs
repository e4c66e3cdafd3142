namespace Robotics.Hardware.Robots;

/// <summary>
/// A robot that can tell, after a read, whether each observation was fresh, not only the first stale one
/// <see cref="IRobotHardware.Read"/> reports: a stale fault clears by itself once its device is fresh again, which
/// the loop must see while another device may still be stale. A robot with a <see cref="StaleRecovery"/> that
/// clears by itself must have it; a robot from a config does.
/// </summary>
public interface IObservationFreshness
{
    /// <summary>Whether observation <paramref name="index"/>'s sample was within its max age at the latest read. Loop-safe: no allocation.</summary>
    bool IsFresh(int index);
}
