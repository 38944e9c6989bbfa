using Grpc.Core;

namespace SnapshotService.Host.Tests;

public static class RpcAssert
{
    /// <summary>Asserts the call fails with <paramref name="code"/> and a message naming <paramref name="field"/>.</summary>
    public static async Task<RpcException> FailsAsync(StatusCode code, string field, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(ex.StatusCode == code, $"Expected {code}, got {ex.StatusCode}: {ex.Status.Detail}");
        Assert.Contains(field, ex.Status.Detail, StringComparison.Ordinal);
        return ex;
    }
}
