namespace SnapshotService.Grains;

/// <summary>The newest events of a source's stream, kept in memory for GetSource (they are also logged).</summary>
internal sealed class RecentSourceEvents(TimeProvider time)
{
    private const int Capacity = 20;
    private readonly LinkedList<SourceEvent> _events = new();

    public void Add(string kind, string message)
    {
        _events.AddFirst(new SourceEvent(time.GetUtcNow(), kind, message));
        if (_events.Count > Capacity)
        {
            _events.RemoveLast();
        }
    }

    public IReadOnlyList<SourceEvent> Newest() => [.. _events];
}
