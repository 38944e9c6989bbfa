namespace SnapshotService.Host.Tests;

/// <summary>
/// <see cref="Testing.Eventually"/> for calls to the test host: a failed HTTP or gRPC call (the
/// host starting, a call timing out on a busy machine) counts as "not yet", not as a failure.
/// </summary>
public static class Eventually
{
    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        Testing.Eventually.TrueAsync(condition, what, timeout, IsTransient);

    public static Task TrueAsync(Func<Task<bool>> condition, Func<string> what, TimeSpan? timeout = null) =>
        Testing.Eventually.TrueAsync(condition, what, timeout, IsTransient);

    private static bool IsTransient(Exception ex) =>
        ex is HttpRequestException or global::Grpc.Core.RpcException or TaskCanceledException;
}
