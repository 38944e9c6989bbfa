using System.Net;
using Grpc.Core;
using SnapshotService.Api.V1;

namespace SnapshotService.Host.Tests;

/// <summary>Repairing runs over gRPC (streaming with progress) and HTTP: drift found is repaired, and the next run is aligned.</summary>
[Collection(DriftHostCollection.Name)]
public sealed class RepairApiTests(DriftHostFixture host)
{
    private const string Id = DriftHostFixture.RepairableSourceId;

    [Fact]
    public async Task a_streamed_repairing_run_repairs_every_dropped_key_and_the_next_run_finds_no_drift()
    {
        await host.WaitForCaptureToFinishAsync(Id);
        var before = await host.Reconciliation.RunReconciliationAsync(new RunReconciliationRequest { SourceId = Id, Mode = "full", DryRun = true });

        var updates = new List<ReconciliationUpdate>();
        using (var call = host.Reconciliation.RunReconciliationStream(new RunReconciliationRequest { SourceId = Id, Mode = "full", DryRun = false }))
        {
            await foreach (var update in call.ResponseStream.ReadAllAsync())
            {
                updates.Add(update);
            }
        }
        var repair = updates[^1].Report;
        var after = await host.Http.PostJsonAsync($"/v1/sources/{Id}/reconciliations", "{\"mode\":\"full\",\"dryRun\":true}");

        Assert.True(before.DriftTotal > 0, "the 5% dropped events leave drift to repair");
        Assert.All(updates[..^1], u => Assert.Equal(ReconciliationUpdate.UpdateOneofCase.Progress, u.UpdateCase));
        Assert.NotNull(repair);
        Assert.Equal(("succeeded", false), (repair.Status, repair.DryRun));
        Assert.Equal(before.DriftTotal, repair.DriftTotal);
        Assert.Equal(before.DriftTotal, repair.RepairedCount);
        Assert.Equal(repair.RepairedCount, repair.RepairLastSequence - repair.RepairFirstSequence + 1);
        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.Equal("0", after.Body.GetProperty("driftTotal").GetString());
    }
}
