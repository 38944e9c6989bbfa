using System.Globalization;
using System.Text.Json;
using SnapshotService.Api.V1;

namespace SnapshotService.Host.Tests;

[Collection(HostCollection.Name)]
public sealed class SnapshotsApiTests(HostFixture host)
{
    private const string Id = HostFixture.SourceId;

    [Fact]
    public async Task create_latest_anchors_at_or_after_what_was_committed_before_the_call()
    {
        var before = await host.WaitForCommittedAsync(Id, 1);

        var snapshot = await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id, Label = "nightly" });

        var after = await host.Sources.GetSourceAsync(new GetSourceRequest { SourceId = Id });
        Assert.StartsWith("snap-", snapshot.SnapshotId, StringComparison.Ordinal);
        Assert.Equal(Id, snapshot.SourceId);
        Assert.Equal("nightly", snapshot.Label);
        Assert.InRange(snapshot.Sequence, before.CommittedSeq, after.CommittedSeq);
        Assert.NotNull(snapshot.CreateTime);
        Assert.NotNull(snapshot.SourceTime);
        Assert.False(string.IsNullOrEmpty(snapshot.SourcePosition));
    }

    [Fact]
    public async Task create_at_sequence_anchors_exactly_there()
    {
        await host.WaitForCommittedAsync(Id, 5);

        var snapshot = await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id, AtSequence = 3 });

        Assert.Equal(3UL, snapshot.Sequence);
    }

    [Fact]
    public async Task create_at_time_anchors_at_the_last_commit_not_after_that_time()
    {
        await host.WaitForCommittedAsync(Id, 1);
        var latest = await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id });

        var atTime = await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id, AtTime = latest.SourceTime });

        Assert.InRange(atTime.Sequence, 1UL, latest.Sequence);
        Assert.True(atTime.SourceTime.ToDateTimeOffset() <= latest.SourceTime.ToDateTimeOffset());
    }

    [Fact]
    public async Task get_returns_the_created_snapshot()
    {
        await host.WaitForCommittedAsync(Id, 1);
        var created = await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id, Label = "get-me" });

        var read = await host.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SourceId = Id, SnapshotId = created.SnapshotId });

        Assert.Equal(created, read);
    }

    [Fact]
    public async Task list_pages_through_every_snapshot_newest_first()
    {
        await host.WaitForCommittedAsync(Id, 1);
        var created = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            created.Add((await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id, Label = $"page-{i}" })).SnapshotId);
        }

        var seen = new List<Snapshot>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await host.Snapshots.ListSnapshotsAsync(new ListSnapshotsRequest { SourceId = Id, PageSize = 2, PageToken = token });
            Assert.InRange(page.Snapshots.Count, 0, 2);
            seen.AddRange(page.Snapshots);
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0 && pages < 1000);

        Assert.True(pages >= 2, "three or more snapshots in pages of two take at least two pages");
        Assert.Subset(seen.Select(s => s.SnapshotId).ToHashSet(), created.ToHashSet());
        Assert.Equal(seen.Count, seen.Select(s => s.SnapshotId).Distinct().Count());
        // Newest first: ids sort by creation time.
        Assert.Equal(seen.Select(s => s.SnapshotId).OrderDescending(StringComparer.Ordinal), seen.Select(s => s.SnapshotId));
    }

    [Fact]
    public async Task create_get_and_list_over_http()
    {
        await host.WaitForCommittedAsync(Id, 3);

        var created = await host.Http.PostJsonAsync($"/v1/sources/{Id}/snapshots", """{"label":"over-http","atSequence":"2"}""");
        created.AssertOk();
        Assert.Equal("2", created.Body.GetProperty("sequence").GetString());
        var snapshotId = created.Body.GetProperty("snapshotId").GetString()!;

        var read = await host.Http.GetJsonAsync($"/v1/sources/{Id}/snapshots/{snapshotId}");
        read.AssertOk();
        Assert.Equal("over-http", read.Body.GetProperty("label").GetString());

        var listed = await host.Http.GetJsonAsync($"/v1/sources/{Id}/snapshots?pageSize=1");
        listed.AssertOk();
        Assert.Equal(1, listed.Body.GetProperty("snapshots").GetArrayLength());
        Assert.False(string.IsNullOrEmpty(listed.Body.GetProperty("nextPageToken").GetString()));
    }

    [Fact]
    public async Task create_at_time_over_http_takes_an_rfc3339_string()
    {
        await host.WaitForCommittedAsync(Id, 1);
        var latest = await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id });
        var time = latest.SourceTime.ToDateTimeOffset().ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

        var created = await host.Http.PostJsonAsync($"/v1/sources/{Id}/snapshots", JsonSerializer.Serialize(new { atTime = time }));

        created.AssertOk();
        // The anchor is the newest commit whose source time is not after at_time: later commits
        // with the very same source time qualify too, so compare times, not sequence numbers.
        var anchoredAt = DateTimeOffset.Parse(created.Body.GetProperty("sourceTime").GetString()!, CultureInfo.InvariantCulture);
        Assert.True(anchoredAt <= latest.SourceTime.ToDateTimeOffset(), $"anchored at {anchoredAt:O}, after at_time {time}");
    }
}
