using System.Net;
using Grpc.Core;
using SnapshotService.Api.V1;

namespace SnapshotService.Host.Tests;

/// <summary>Schema inference and diff over gRPC and HTTP, on a source whose documents change shape at a known change.</summary>
[Collection(QualityHostCollection.Name)]
public sealed class SchemaApiTests(QualityHostFixture host)
{
    private const string Id = QualityHostFixture.ShapesSourceId;

    [Fact]
    public async Task the_diff_between_snapshots_before_and_after_the_shape_change_names_exactly_the_changes()
    {
        await host.WaitForCaptureToFinishAsync(Id);
        var before = await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id, AtSequence = 900 });
        var after = await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id });

        var diff = await host.Schemas.DiffSchemasAsync(new DiffSchemasRequest { SourceId = Id, FromSnapshotId = before.SnapshotId, ToSnapshotId = after.SnapshotId });

        Assert.Equal((900UL, (ulong)QualityHostFixture.MaxChanges), (diff.FromSeq, diff.ToSeq));
        var added = Assert.Single(diff.Added);
        Assert.Equal("v2", added.Path);
        Assert.Equal(["boolean"], added.TypesAfter);
        Assert.InRange(added.Documents, 1UL, (ulong)(QualityHostFixture.MaxChanges - QualityHostFixture.SchemaChangeAfter));
        Assert.NotEmpty(added.ExampleKeys);
        var retyped = Assert.Single(diff.TypeChanged);
        Assert.Equal("version", retyped.Path);
        Assert.Equal(["integer"], retyped.TypesBefore);
        Assert.Contains("string", retyped.TypesAfter);
        Assert.Equal(diff.DocumentsBetween, retyped.Documents); // every document has a version
        Assert.Empty(diff.Removed);
    }

    [Fact]
    public async Task the_schema_at_a_snapshot_and_now_show_paths_types_and_presence()
    {
        await host.WaitForCaptureToFinishAsync(Id);
        var early = await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id, AtSequence = 500 });

        var then = await host.Schemas.GetSchemaAsync(new GetSchemaRequest { SourceId = Id, SnapshotId = early.SnapshotId });
        var now = await host.Http.GetJsonAsync($"/v1/sources/{Id}/schema");
        var thenOverHttp = await host.Http.GetJsonAsync($"/v1/sources/{Id}/schema?snapshot_id={early.SnapshotId}");

        Assert.Equal(500UL, then.ThroughSeq);
        Assert.Equal(["id", "n", "name", "payload", "tags", "tags[]", "version"], then.Fields.Select(f => f.Path));
        Assert.All(then.Fields.Where(f => f.Path != "tags[]"), f => Assert.Equal(1.0, f.PresenceRatio));
        Assert.Equal(["integer"], then.Fields.Single(f => f.Path == "version").Types_.Select(t => t.Type));
        Assert.Equal("500", thenOverHttp.Body.GetProperty("throughSeq").GetString());
        Assert.Equal(HttpStatusCode.OK, now.Status);
        var paths = now.Body.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("path").GetString()).ToList();
        Assert.Contains("v2", paths);
        Assert.Equal(QualityHostFixture.MaxChanges.ToString(System.Globalization.CultureInfo.InvariantCulture), now.Body.GetProperty("throughSeq").GetString());
    }

    [Fact]
    public async Task a_reconciliation_report_names_the_schema_changes_since_the_previous_report()
    {
        await host.WaitForCaptureToFinishAsync(Id);

        var report = await host.Reconciliation.RunReconciliationAsync(new RunReconciliationRequest { SourceId = Id, Mode = "full", DryRun = true });
        var fetched = await host.Http.GetJsonAsync($"/v1/sources/{Id}/driftReports/{report.ReportId}");

        Assert.NotNull(report.DataQuality);
        Assert.Contains("v2", report.DataQuality.FieldsAdded); // the first report compares from the empty log
        Assert.Equal(0UL, report.DataQuality.OpenDeadLetters);
        Assert.Equal(HttpStatusCode.OK, fetched.Status);
        Assert.Contains("version", fetched.Body.GetProperty("dataQuality").GetProperty("fieldsAdded").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task schema_requests_with_bad_input_are_refused_with_the_field_named()
    {
        await host.WaitForCommittedAsync(Id, 20); // the snapshots below anchor at seq 10 and 20
        await RpcAssert.FailsAsync(StatusCode.NotFound, "snapshot", () => host.Schemas.GetSchemaAsync(new GetSchemaRequest { SourceId = Id, SnapshotId = ApiCalls.UnknownSnapshotId }).ResponseAsync);
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "from_snapshot_id", () => host.Schemas.DiffSchemasAsync(new DiffSchemasRequest { SourceId = Id }).ResponseAsync);
        var later = await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id, AtSequence = 20 });
        var earlier = await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id, AtSequence = 10 });
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "swap them", () => host.Schemas.DiffSchemasAsync(new DiffSchemasRequest { SourceId = Id, FromSnapshotId = later.SnapshotId, ToSnapshotId = earlier.SnapshotId }).ResponseAsync);
    }
}
