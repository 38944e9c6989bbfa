using SnapshotService.Compliance;
using SnapshotService.Simulated;
using SnapshotService.Sources;

namespace SnapshotService.Core.Tests.Compliance;

/// <summary>
/// The simulated source as a compliance target: its deterministic history is released change by
/// change, so "making a change" lets one more change of the history happen; the collection is the
/// simulated state after the released changes.
/// </summary>
internal sealed class SimulatedComplianceTarget : IComplianceTarget
{
    private readonly SimulatedSourceOptions _options = new() { Seed = 31, KeySpace = 120, DocumentBytes = 160, DeletePercent = 15, ChangesPerSecond = 0, MaxChanges = 100_000 };
    private readonly Lock _gate = new();
    private long _released;

    public string SourceId => "compliance-sim";

    public long ChangesMade
    {
        get
        {
            lock (_gate)
            {
                return _released;
            }
        }
    }

    public Task<int> MakeChangesAsync(int count, CancellationToken cancellationToken)
    {
        var history = new SimulatedHistory(_options, SourceId);
        var deletes = 0;
        lock (_gate)
        {
            for (var i = 1; i <= count; i++)
            {
                deletes += history.ChangeAt(_released + i).Operation == ChangeOperation.Delete ? 1 : 0;
            }
            _released += count;
        }
        return Task.FromResult(deletes);
    }

    public IChangeSource CreateSource() => new Released(new SimulatedSource(SourceId, _options), this);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The simulated source, seeing only the released part of its history.</summary>
    private sealed class Released(SimulatedSource inner, SimulatedComplianceTarget target) : IChangeSource
    {
        public SourceDescriptor Describe() => inner.Describe();

        public async ValueTask<ChangeBatch> ReadChangesAsync(SourcePosition after, int maxChanges, CancellationToken cancellationToken)
        {
            if (!inner.TryGetUnderlyingPosition(after, out var consumed))
            {
                throw new InvalidOperationException($"position {after} is inside a fault window; the compliance target uses no faults");
            }
            var released = target.ChangesMade;
            if (consumed >= released)
            {
                await Task.Delay(20, cancellationToken);
                return new ChangeBatch([], after);
            }
            return await inner.ReadChangesAsync(after, (int)Math.Min(maxChanges, released - consumed), cancellationToken);
        }

        public IAsyncEnumerable<SourceDocument> ScanAsync(KeyRange range, CancellationToken cancellationToken) => inner.ScanAtAsync(target.ChangesMade, range, cancellationToken);

        public ValueTask<KeyReadResult> ReadKeysAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
            ValueTask.FromResult(inner.ReadKeysAt(target.ChangesMade, keys, cancellationToken));

        public ValueTask<SourceWatermark> GetWatermarkAsync(CancellationToken cancellationToken) => inner.GetWatermarkAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

/// <summary>The compliance suite against the simulated source.</summary>
public sealed class SimulatedSourceComplianceTests : ChangeSourceComplianceTests
{
    protected override Task<(IComplianceTarget?, string?)> CreateTargetAsync() => Task.FromResult<(IComplianceTarget?, string?)>((new SimulatedComplianceTarget(), null));
}
