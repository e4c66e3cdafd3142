using Robotics.Controller.Safety;

namespace Robotics.Controller.Ticks;

/// <summary>
/// Why episodes end, as codes a tick record can carry (its header holds no references). The loop's own reasons
/// are registered up front; a task's reasons (a simulator's "target reached") are added the first time the loop
/// sees each, which stores a reference into a preallocated table: no allocation on the loop. Readers turn codes
/// back into text on their own threads. One writer (the loop); readers see a code only after the record that
/// carries it, which is published after the code was stored.
/// </summary>
public sealed class EndReasons
{
    // More distinct reasons than any task here has (a simulator has three); past this, reasons read as "other".
    private const int Capacity = 64;
    private readonly string[] _texts = new string[Capacity];
    private int _count;

    public EndReasons()
    {
        Add("");
        Add(Stopped);
        Add(OperatorReset);
        Add(RecordingFailed);
        foreach (var fault in Enum.GetValues<FaultKind>())
        {
            Add(FaultTexts.Of(fault));
        }
    }

    /// <summary>The loop stopped (its limits, a stop request, a signal).</summary>
    public const string Stopped = "stopped";

    /// <summary>An operator's ResetEpisode.</summary>
    public const string OperatorReset = "operator reset";

    /// <summary>The run stopped because its recording failed (<see cref="Recording.RecordingFailureAction.Stop"/>).</summary>
    public const string RecordingFailed = "recording failed";

    /// <summary>Reason text for codes past the table's end.</summary>
    public const string Other = "(reason not kept)";

    /// <summary>Writer (the loop): the code of <paramref name="reason"/>, registering it when new. Allocation-free.</summary>
    public ushort CodeOf(string reason)
    {
        int count = _count;
        for (int i = 0; i < count; i++)
        {
            if (ReferenceEquals(_texts[i], reason) || string.Equals(_texts[i], reason, StringComparison.Ordinal))
            {
                return (ushort)i;
            }
        }
        if (count == Capacity)
        {
            return Capacity;
        }
        Add(reason);
        return (ushort)count;
    }

    /// <summary>Reader (any thread): the text of a code taken from a published record.</summary>
    public string TextOf(ushort code) => code < Volatile.Read(ref _count) ? _texts[code] : Other;

    private void Add(string reason)
    {
        _texts[_count] = reason;
        Volatile.Write(ref _count, _count + 1);
    }
}
