namespace SnapshotService.Testing;

/// <summary>
/// Polls a condition until it holds; fails loudly with what was awaited when it never does. Tests
/// wait for what they need this way, never for a fixed time: on a busy machine things only take
/// longer, and the bound is there to end a test that would otherwise hang.
/// </summary>
public static class Eventually
{
    /// <summary>Long enough for a loaded 2-core CI machine; a condition that needs more says so with its own timeout.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, Func<Exception, bool>? retryOn = null) =>
        TrueAsync(condition, () => what, timeout, retryOn);

    /// <summary>
    /// Polls <paramref name="condition"/> every 50 ms until it returns true; after
    /// <paramref name="timeout"/> (default 60 s) throws <see cref="TimeoutException"/> naming
    /// <paramref name="what"/>. An exception for which <paramref name="retryOn"/> says yes (e.g. a
    /// call during start-up) counts as "not yet"; any other fails the wait at once.
    /// </summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, Func<string> what, TimeSpan? timeout = null, Func<Exception, bool>? retryOn = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(what);
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex) when (retryOn?.Invoke(ex) == true)
            {
                last = ex;
            }
            await Task.Delay(PollInterval);
        }
        throw new TimeoutException($"Gave up waiting until {what()}." + (last is null ? "" : $" Last error: {last.Message}"), last);
    }
}
