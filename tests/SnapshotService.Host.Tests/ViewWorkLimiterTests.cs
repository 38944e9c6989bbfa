using Microsoft.Extensions.Options;
using SnapshotService.Errors;
using SnapshotService.Host.Restore;

namespace SnapshotService.Host.Tests;

public sealed class ViewWorkLimiterTests
{
    [Fact]
    public void a_run_over_the_limit_is_refused_as_resource_exhausted_naming_the_setting_until_a_slot_frees()
    {
        var limiter = new ViewWorkLimiter(Options.Create(new ViewWorkOptions { MaxConcurrentRuns = 1 }));
        var first = limiter.Enter("materialization");

        var refusal = Assert.Throws<SnapshotServiceException>(() => limiter.Enter("restore"));

        Assert.Equal(ErrorKind.ResourceExhausted, refusal.Kind);
        Assert.Contains("SnapshotService:Views:MaxConcurrentRuns", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("retry the restore", refusal.Message, StringComparison.Ordinal);
        first.Dispose();
        first.Dispose(); // idempotent: a double dispose must not create a second slot
        using var second = limiter.Enter("restore");
        Assert.Throws<SnapshotServiceException>(() => limiter.Enter("restore"));
    }
}
