namespace SnapshotService.Host.Tests;

/// <summary>Polls a condition; fails loudly with what was awaited when it never holds.</summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        TrueAsync(condition, () => what, timeout);

    public static async Task TrueAsync(Func<Task<bool>> condition, Func<string> what, TimeSpan? timeout = null)
    {
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
            catch (Exception ex) when (ex is HttpRequestException or global::Grpc.Core.RpcException or TaskCanceledException)
            {
                last = ex;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"Gave up waiting until {what()}." + (last is null ? "" : $" Last error: {last.Message}"), last);
    }
}
