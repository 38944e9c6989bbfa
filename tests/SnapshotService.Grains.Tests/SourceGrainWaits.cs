namespace SnapshotService.Grains.Tests;

/// <summary>Waits on a source grain's status (capture runs on its own; tests wait for what they need, up to 30 s).</summary>
internal static class SourceGrainWaits
{
    /// <summary>Polls the status until <paramref name="condition"/> holds; throws <see cref="TimeoutException"/> with the last status after 30 s.</summary>
    public static async Task<SourceStatus> WaitUntilAsync(this ISourceGrain grain, Func<SourceStatus, bool> condition, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var status = await grain.EnsureStartedAsync();
            if (condition(status))
            {
                return status;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Condition not met within {seconds} s; last status: {status}; events: {string.Join(" | ", status.RecentEvents.Select(e => $"{e.Kind}: {e.Message}"))}");
            }
            await Task.Delay(50);
        }
    }
}
