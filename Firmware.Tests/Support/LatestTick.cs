using Robotics.Controller.Loop;
using Robotics.Controller.Ticks;

namespace Robotics.Tests.Support;

/// <summary>The newest step a running loop has published, read as any tick reader would, at a cursor of its own.</summary>
public sealed class LatestTick(ControlLoop loop)
{
    private TickCursor? _cursor;

    /// <summary>The newest step's header and action, once the loop has published one.</summary>
    public TickHeader Header { get; private set; }

    public float[] Action { get; private set; } = [];

    /// <summary>Reads up to the newest record; true when a step has been seen.</summary>
    public bool Refresh()
    {
        var ring = loop.Ticks;
        // A fresh cursor a few records back: episode records may sit between steps.
        _cursor = new TickCursor(ring, Math.Max(0, ring.Published - 8));
        bool seen = false;
        while (_cursor.TryRead())
        {
            if (_cursor.Header.Kind == TickKind.Step)
            {
                Header = _cursor.Header;
                Action = _cursor.Action.ToArray();
                seen = true;
            }
        }
        return seen;
    }
}
