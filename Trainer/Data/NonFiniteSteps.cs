using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;

namespace Robotics.Trainer.Data;

/// <summary>Where a skipped step with NaN or infinity was, so the warning can send the user to it.</summary>
public sealed record StepLocation(string File, ulong Episode, ulong Tick)
{
    public override string ToString() => $"{File}, episode {Episode}, tick {Tick}";
}

/// <summary>Counts the expert steps skipped for NaN or infinity and remembers the first.</summary>
internal sealed class NonFiniteSteps
{
    public long Count { get; private set; }

    public StepLocation? First { get; private set; }

    public void Add(TeleopEpisode episode, Step step)
    {
        Count++;
        First ??= new StepLocation(episode.SourcePath, episode.Id, step.Tick);
    }
}
