namespace Robotics.Controller.Ticks;

/// <summary>
/// Who holds or held each override lease of a run, by lease number: the names behind the leases that tick records
/// carry (<see cref="TickHeader.OverrideLease"/>), which hold no references. Whoever grants a lease registers its
/// holder here before the loop can apply a command under it, so a reader always finds the name of a lease it reads in a
/// record. Names are kept for the whole run (one per take-over: a few hundred in a day of corrections), since a
/// recorder may read a lease's last ticks well after it ended. Never touched by the loop.
/// </summary>
public sealed class OverrideOperators
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, string> _names = [];

    /// <summary>Granter: <paramref name="lease"/> belongs to <paramref name="operator"/>.</summary>
    public void Register(long lease, string @operator)
    {
        lock (_gate)
        {
            _names[lease] = @operator;
        }
    }

    /// <summary>Reader: the holder of <paramref name="lease"/>; empty for lease 0 (no override operator drove) or one never registered.</summary>
    public string NameOf(long lease)
    {
        if (lease == 0)
        {
            return "";
        }
        lock (_gate)
        {
            return _names.GetValueOrDefault(lease, "");
        }
    }
}
