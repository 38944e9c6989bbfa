using System.Net;
using System.Text.Json;
using Grpc.Core;
using SnapshotService.Api.V1;

namespace SnapshotService.Host.Tests;

[Collection(HostCollection.Name)]
public sealed class MaterializeApiTests(HostFixture host)
{
    private const string Id = HostFixture.SourceId;

    [Fact]
    public async Task materialize_streams_progress_and_ends_with_the_published_view()
    {
        var snapshot = await CreateSnapshotAsync();

        var messages = await ViewCalls.MaterializeAsync(host, Id, snapshot.SnapshotId, "jsonl");

        var final = messages[^1];
        Assert.All(messages.SkipLast(1), m => Assert.Null(m.View));
        Assert.NotNull(final.View);
        Assert.Equal("jsonl", final.View.Format);
        Assert.Equal(snapshot.Sequence, final.View.Sequence);
        Assert.InRange(final.View.Documents, 1UL, 1000UL);
        Assert.Equal(final.View.Documents, final.DocumentsDone);
        Assert.Equal(final.View.Documents, final.DocumentsTotal);
        Assert.Equal((ulong)final.View.Parts.Sum(p => (long)p.Rows), final.View.Documents);
        Assert.Equal((ulong)final.View.Parts.Sum(p => (long)p.Bytes), final.View.Bytes);
        Assert.Matches("^[0-9a-f]{32}$", final.View.ContentChecksum);
        Assert.Equal($"sources/{Id}/views/{snapshot.SnapshotId}/jsonl/", final.View.Path);
        Assert.EndsWith(final.View.Path, final.View.Location, StringComparison.Ordinal);
        foreach (var part in final.View.Parts)
        {
            Assert.True(File.Exists(Path.Combine(host.ExportRoot, final.View.Path, part.Name)), $"part {part.Name} exists in the export root");
        }
    }

    [Fact]
    public async Task materializing_a_published_view_answers_one_final_message_with_the_same_view()
    {
        var snapshot = await CreateSnapshotAsync();
        var first = (await ViewCalls.MaterializeAsync(host, Id, snapshot.SnapshotId, "parquet"))[^1];

        var again = await ViewCalls.MaterializeAsync(host, Id, snapshot.SnapshotId, "parquet");

        var only = Assert.Single(again);
        Assert.Equal(first.View, only.View);
    }

    [Fact]
    public async Task jsonl_and_parquet_views_of_one_snapshot_have_the_same_content_checksum()
    {
        var snapshot = await CreateSnapshotAsync();

        var jsonl = (await ViewCalls.MaterializeAsync(host, Id, snapshot.SnapshotId, "jsonl"))[^1].View;
        var parquet = (await ViewCalls.MaterializeAsync(host, Id, snapshot.SnapshotId, "parquet"))[^1].View;

        Assert.Equal(jsonl.ContentChecksum, parquet.ContentChecksum);
        Assert.Equal(jsonl.Documents, parquet.Documents);
        Assert.EndsWith(".parquet", Assert.Single(parquet.Parts).Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task get_and_list_show_the_published_views()
    {
        var snapshot = await CreateSnapshotAsync();
        var view = (await ViewCalls.MaterializeAsync(host, Id, snapshot.SnapshotId, "jsonl"))[^1].View;

        var read = await host.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SourceId = Id, SnapshotId = snapshot.SnapshotId });
        var listed = (await host.Snapshots.ListSnapshotsAsync(new ListSnapshotsRequest { SourceId = Id, PageSize = 1000 })).Snapshots.Single(s => s.SnapshotId == snapshot.SnapshotId);

        Assert.Equal(view, Assert.Single(read.Views));
        Assert.False(read.Deleted);
        var summary = Assert.Single(listed.Views);
        Assert.Equal(view.ContentChecksum, summary.ContentChecksum);
        Assert.Empty(summary.Parts);
    }

    [Fact]
    public async Task read_view_file_streams_the_bytes_of_a_part_and_the_manifest()
    {
        var snapshot = await CreateSnapshotAsync();
        var view = (await ViewCalls.MaterializeAsync(host, Id, snapshot.SnapshotId, "jsonl"))[^1].View;
        var part = view.Parts[0];

        var bytes = await ViewCalls.ReadViewFileAsync(host, Id, snapshot.SnapshotId, "jsonl", part.Name);
        var manifest = await ViewCalls.ReadViewFileAsync(host, Id, snapshot.SnapshotId, "jsonl", "manifest.json");

        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(host.ExportRoot, view.Path, part.Name)), bytes);
        using var json = JsonDocument.Parse(manifest);
        Assert.Equal(view.ContentChecksum, json.RootElement.GetProperty("content_checksum").GetString());
    }

    [Fact]
    public async Task read_view_file_refuses_a_name_the_manifest_does_not_list()
    {
        var snapshot = await CreateSnapshotAsync();
        await ViewCalls.MaterializeAsync(host, Id, snapshot.SnapshotId, "jsonl");

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "name", () => ViewCalls.ReadViewFileAsync(host, Id, snapshot.SnapshotId, "jsonl", "../../log/x.json"));
    }

    [Fact]
    public async Task read_view_file_of_an_unmaterialized_format_is_failed_precondition()
    {
        var snapshot = await CreateSnapshotAsync();

        var ex = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "format", () => ViewCalls.ReadViewFileAsync(host, Id, snapshot.SnapshotId, "parquet", "manifest.json"));
        Assert.Contains("MaterializeSnapshot", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("csv", "format 'csv' is not supported; use jsonl or parquet")]
    [InlineData("", "format is required")]
    public async Task bad_format_is_invalid_argument_naming_format(string format, string message)
    {
        var snapshot = await CreateSnapshotAsync();

        var ex = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "format", () => ViewCalls.MaterializeAsync(host, Id, snapshot.SnapshotId, format));
        Assert.Contains(message, ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task unknown_snapshot_is_not_found_naming_snapshot_id() =>
        await RpcAssert.FailsAsync(StatusCode.NotFound, "snapshot 'snap-00000000000000000000000000'", () => ViewCalls.MaterializeAsync(host, Id, ApiCalls.UnknownSnapshotId, "jsonl"));

    [Fact]
    public async Task malformed_snapshot_id_is_invalid_argument_naming_snapshot_id() =>
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "snapshot_id", () => ViewCalls.MaterializeAsync(host, Id, "snap-nope", "jsonl"));

    [Fact]
    public async Task materialize_over_http_returns_the_progress_messages_as_json()
    {
        var snapshot = await CreateSnapshotAsync();

        var (status, body) = await host.Http.PostJsonAsync($"/v1/sources/{Id}/snapshots/{snapshot.SnapshotId}:materialize", "{\"format\":\"jsonl\"}");

        Assert.True(status == HttpStatusCode.OK, $"HTTP {(int)status}: {body}");
        var final = FinalMessage(body);
        var view = final.GetProperty("view");
        Assert.Equal("jsonl", view.GetProperty("format").GetString());
        Assert.Equal(snapshot.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), view.GetProperty("sequence").GetString());
        Assert.Matches("^[0-9a-f]{32}$", view.GetProperty("contentChecksum").GetString());
    }

    [Fact]
    public async Task bad_format_over_http_is_400_naming_format()
    {
        var snapshot = await CreateSnapshotAsync();

        (await host.Http.PostJsonAsync($"/v1/sources/{Id}/snapshots/{snapshot.SnapshotId}:materialize", "{\"format\":\"xml\"}"))
            .AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "format");
    }

    [Fact]
    public async Task unknown_snapshot_over_http_is_404() =>
        (await host.Http.PostJsonAsync($"/v1/sources/{Id}/snapshots/{ApiCalls.UnknownSnapshotId}:materialize", "{\"format\":\"jsonl\"}"))
            .AssertError(HttpStatusCode.NotFound, StatusCode.NotFound, $"snapshot '{ApiCalls.UnknownSnapshotId}' of source '{Id}' does not exist");

    /// <summary>Transcoded server streaming writes one JSON message per line; the last one carries the view.</summary>
    private static JsonElement FinalMessage(JsonElement body)
    {
        Assert.True(body.TryGetProperty("raw", out var raw), $"expected newline-delimited messages, got {body}");
        var lines = raw.GetString()!.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return JsonDocument.Parse(lines[^1]).RootElement.Clone();
    }

    private async Task<Snapshot> CreateSnapshotAsync()
    {
        await host.WaitForCommittedAsync(Id, 10);
        return await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id });
    }
}
