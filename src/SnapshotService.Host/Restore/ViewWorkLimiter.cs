using Microsoft.Extensions.Options;
using SnapshotService.Errors;

namespace SnapshotService.Host.Restore;

/// <summary>
/// Bounds the materializations and restores running on this host (<see cref="ViewWorkOptions"/>).
/// A call over the limit is refused at once with RESOURCE_EXHAUSTED: a queue would hold the
/// client's stream open without progress, and a retry finds the parts already written.
/// </summary>
internal sealed class ViewWorkLimiter(IOptions<ViewWorkOptions> options)
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentRuns, options.Value.MaxConcurrentRuns);

    /// <summary>Takes a slot for <paramref name="what"/> (e.g. "materialization"); dispose the result to free it.</summary>
    public IDisposable Enter(string what)
    {
        if (!_slots.Wait(0))
        {
            throw new SnapshotServiceException(
                ErrorKind.ResourceExhausted,
                $"this host already runs {options.Value.MaxConcurrentRuns} materializations or restores (SnapshotService:Views:MaxConcurrentRuns); retry the {what} in a moment: work already written is kept.");
        }
        return new Slot(_slots);
    }

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
