using SnapshotService.Core.Tests.Log;
using SnapshotService.Core.Tests.Storage;
using SnapshotService.Errors;
using SnapshotService.Grains;
using SnapshotService.Log;
using SnapshotService.Snapshots;
using SnapshotService.Sources;
using SnapshotService.Storage;

namespace SnapshotService.Core.Tests.Snapshots;

public sealed class SnapshotAnchorStoreTests
{
    private const string Source = "anchors";

    /// <summary>Commits of 10 changes each (change i at Epoch + 10·i ms), with a position-only commit after the second.</summary>
    private static async Task<(InMemoryObjectStore Store, ExportLog Log)> WriteLogAsync(int commits = 4)
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, Source, new ExportLogOptions { CheckpointEveryCommits = 3 }, default);
        for (var c = 0; c < commits; c++)
        {
            await log.AppendAsync(TestChanges.Range((c * 10) + 1, 10), TestChanges.PositionAfter((c + 1) * 10), default);
            if (c == 1)
            {
                await log.AppendAsync([], new SourcePosition("offset:20:idle"), default);
            }
        }
        return (store, log);
    }

    private static async Task<SnapshotServiceException> Refused(Func<Task> action) => await Assert.ThrowsAsync<SnapshotServiceException>(action);

    [Fact]
    public async Task latest_anchors_at_the_head_with_its_position_and_watermark()
    {
        var (store, log) = await WriteLogAsync();
        var anchors = new SnapshotAnchorStore(store);
        var anchor = await anchors.CreateAsync(Source, new CreateSnapshotCommand("nightly", null, null), log.Head, new ExportLogReader(store, Source), default);
        Assert.Equal(40, anchor.Seq);
        Assert.Equal(TestChanges.PositionAfter(40), anchor.Position);
        Assert.Equal(TestChanges.Epoch.AddMilliseconds(400), anchor.SourceTime);
        Assert.Equal("nightly", anchor.Label);
        Assert.Matches("^snap-[0-9a-hjkmnp-tv-z]{26}$", anchor.Id);
        Assert.Equal(anchor, await anchors.GetAsync(Source, anchor.Id, default));
    }

    [Fact]
    public async Task at_sequence_inside_a_commit_uses_the_previous_commits_position_and_the_records_time()
    {
        var (store, log) = await WriteLogAsync();
        var anchors = new SnapshotAnchorStore(store);
        var reader = new ExportLogReader(store, Source);
        var inside = await anchors.CreateAsync(Source, new CreateSnapshotCommand(null, 25, null), log.Head, reader, default);
        Assert.Equal(25, inside.Seq);
        Assert.Equal(new SourcePosition("offset:20:idle"), inside.Position); // last position fully covered at or before 25
        Assert.Equal(TestChanges.Epoch.AddMilliseconds(250), inside.SourceTime);

        var end = await anchors.CreateAsync(Source, new CreateSnapshotCommand(null, 10, null), log.Head, reader, default);
        Assert.Equal(TestChanges.PositionAfter(10), end.Position);
        Assert.Equal(TestChanges.Epoch.AddMilliseconds(100), end.SourceTime);

        var first = await anchors.CreateAsync(Source, new CreateSnapshotCommand(null, 1, null), log.Head, reader, default);
        Assert.Equal(SourcePosition.Start, first.Position);
        Assert.Equal(TestChanges.Epoch.AddMilliseconds(10), first.SourceTime);
    }

    [Fact]
    public async Task at_time_anchors_at_the_last_change_whose_watermark_is_not_later()
    {
        var (store, log) = await WriteLogAsync();
        var anchors = new SnapshotAnchorStore(store);
        var reader = new ExportLogReader(store, Source);
        var inside = await anchors.CreateAsync(Source, new CreateSnapshotCommand(null, null, TestChanges.Epoch.AddMilliseconds(295)), log.Head, reader, default);
        Assert.Equal(29, inside.Seq);
        Assert.Equal(TestChanges.Epoch.AddMilliseconds(290), inside.SourceTime);
        Assert.Equal(new SourcePosition("offset:20:idle"), inside.Position); // last position fully covered at or before 29
        var exact = await anchors.CreateAsync(Source, new CreateSnapshotCommand(null, null, TestChanges.Epoch.AddMilliseconds(300)), log.Head, reader, default);
        Assert.Equal(30, exact.Seq);
        Assert.Equal(TestChanges.PositionAfter(30), exact.Position);
        var inFirstCommit = await anchors.CreateAsync(Source, new CreateSnapshotCommand(null, null, TestChanges.Epoch.AddMilliseconds(55)), log.Head, reader, default);
        Assert.Equal(5, inFirstCommit.Seq);
        Assert.Equal(SourcePosition.Start, inFirstCommit.Position);
        var future = await anchors.CreateAsync(Source, new CreateSnapshotCommand(null, null, TestChanges.Epoch.AddYears(1)), log.Head, reader, default);
        Assert.Equal(40, future.Seq);
    }

    [Fact]
    public async Task anchor_creation_reads_logarithmically_many_commits()
    {
        var inner = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(inner, Source, new ExportLogOptions(), default);
        for (var c = 0; c < 1024; c++)
        {
            await log.AppendAsync(TestChanges.Range(c + 1, 1), TestChanges.PositionAfter(c + 1), default);
        }
        var counting = new CountingObjectStore(inner);
        var anchors = new SnapshotAnchorStore(counting);
        await anchors.CreateAsync(Source, new CreateSnapshotCommand(null, 517, null), log.Head, new ExportLogReader(counting, Source), default);
        Assert.InRange(counting.Reads.Count, 1, 12);
        counting.Reset();
        // Binary search over commits, then the next commit and its segment (the time may fall inside it).
        await anchors.CreateAsync(Source, new CreateSnapshotCommand(null, null, TestChanges.Epoch.AddMilliseconds(5175)), log.Head, new ExportLogReader(counting, Source), default);
        Assert.InRange(counting.Reads.Count, 1, 15);
    }

    [Fact]
    public async Task bad_requests_are_refused_naming_the_field()
    {
        var (store, log) = await WriteLogAsync();
        var anchors = new SnapshotAnchorStore(store);
        var reader = new ExportLogReader(store, Source);

        var e = await Refused(() => anchors.CreateAsync(Source, new CreateSnapshotCommand(null, 0, null), log.Head, reader, default));
        Assert.Equal((ErrorKind.InvalidArgument, "at_sequence"), (e.Kind, e.Field));
        Assert.Contains("1..40", e.Message);
        e = await Refused(() => anchors.CreateAsync(Source, new CreateSnapshotCommand(null, 41, null), log.Head, reader, default));
        Assert.Equal((ErrorKind.InvalidArgument, "at_sequence"), (e.Kind, e.Field));

        e = await Refused(() => anchors.CreateAsync(Source, new CreateSnapshotCommand(null, null, TestChanges.Epoch), log.Head, reader, default));
        Assert.Equal((ErrorKind.FailedPrecondition, "at_time"), (e.Kind, e.Field));
        Assert.Contains("2026-01-01T00:00:00.010Z", e.Message); // the first commit's source time

        e = await Refused(() => anchors.CreateAsync(Source, new CreateSnapshotCommand(new string('x', 201), null, null), log.Head, reader, default));
        Assert.Equal((ErrorKind.InvalidArgument, "label"), (e.Kind, e.Field));

        e = await Refused(() => anchors.CreateAsync(Source, new CreateSnapshotCommand(null, 3, TestChanges.Epoch), log.Head, reader, default));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);

        e = await Refused(() => anchors.GetAsync(Source, "snap-nope", default));
        Assert.Equal((ErrorKind.InvalidArgument, "snapshot_id"), (e.Kind, e.Field));
        e = await Refused(() => anchors.GetAsync(Source, SnapshotIds.NewId(), default));
        Assert.Equal((ErrorKind.NotFound, "snapshot_id"), (e.Kind, e.Field));

        e = await Refused(() => anchors.ListAsync(Source, 1001, null, default));
        Assert.Equal((ErrorKind.InvalidArgument, "page_size"), (e.Kind, e.Field));
        Assert.Contains("1..1000", e.Message);
        e = await Refused(() => anchors.ListAsync(Source, -1, null, default));
        Assert.Equal("page_size", e.Field);
        e = await Refused(() => anchors.ListAsync(Source, 10, "not-a-token!", default));
        Assert.Equal((ErrorKind.InvalidArgument, "page_token"), (e.Kind, e.Field));
    }

    [Fact]
    public async Task an_empty_log_refuses_with_a_failed_precondition()
    {
        var store = new InMemoryObjectStore();
        var e = await Refused(() => new SnapshotAnchorStore(store).CreateAsync(Source, new CreateSnapshotCommand(null, null, null), LogHead.Empty, new ExportLogReader(store, Source), default));
        Assert.Equal(ErrorKind.FailedPrecondition, e.Kind);
        Assert.Contains("has no committed changes yet", e.Message);
    }

    [Fact]
    public async Task list_pages_newest_first_with_an_opaque_token()
    {
        var (store, log) = await WriteLogAsync();
        var anchors = new SnapshotAnchorStore(store);
        var reader = new ExportLogReader(store, Source);
        var created = new List<SnapshotAnchor>();
        for (var i = 1; i <= 7; i++)
        {
            created.Add(await anchors.CreateAsync(Source, new CreateSnapshotCommand($"n{i}", i, null), log.Head, reader, default));
        }
        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var (page, next) = await anchors.ListAsync(Source, 3, token, default);
            seen.AddRange(page.Select(a => a.Id));
            token = next;
            pages++;
        }
        while (token is not null);
        Assert.Equal(created.Select(a => a.Id).Reverse(), seen);
        Assert.Equal(3, pages);
        var (all, none) = await anchors.ListAsync(Source, 0, null, default);
        Assert.Equal(7, all.Count);
        Assert.Null(none);
    }

    [Fact]
    public void ids_sort_in_creation_order_and_encode_their_time()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => SnapshotIds.NewId()).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(1000, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Null(SnapshotIds.Check(id)));
        var t = new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
        var early = SnapshotIds.Format(t.ToUnixTimeMilliseconds(), UInt128.MaxValue);
        var later = SnapshotIds.Format(t.ToUnixTimeMilliseconds() + 1, UInt128.Zero);
        Assert.Equal(t, SnapshotIds.TimeOf(early));
        Assert.True(string.CompareOrdinal(early, later) < 0);
        Assert.Null(SnapshotIds.Check(early));
        Assert.NotNull(SnapshotIds.Check("snap-" + new string('i', 26)));
        Assert.NotNull(SnapshotIds.Check("snap-8" + new string('0', 25)));
    }

    [Fact]
    public async Task anchor_files_are_immutable_json_under_snapshots()
    {
        var (inner, log) = await WriteLogAsync(1);
        var store = new OneAnchorKeyStore(inner);
        var anchors = new SnapshotAnchorStore(store);
        var reader = new ExportLogReader(inner, Source);
        var anchor = await anchors.CreateAsync(Source, new CreateSnapshotCommand("x", null, null), log.Head, reader, default);

        var key = StoreKeys.Snapshot(Source, anchor.Id);
        Assert.Equal($"sources/{Source}/snapshots/{anchor.Id}.json", key);
        var written = (await inner.ReadAsync(key, default))!;
        var json = System.Text.Encoding.UTF8.GetString(written);
        Assert.StartsWith($$"""{"format":1,"id":"{{anchor.Id}}","source_id":"anchors","seq":10,"label":"x",""", json);
        Assert.Contains("\"position\":\"offset:10\"", json);
        Assert.Equal(anchor, await anchors.GetAsync(Source, anchor.Id, default));

        // Another create that lands on the same file (as if it drew the same id) is refused and
        // changes nothing: a snapshot that was handed out keeps meaning the same data.
        var again = await Refused(() => anchors.CreateAsync(Source, new CreateSnapshotCommand("y", 3, null), log.Head, reader, default));
        Assert.Equal(ErrorKind.AlreadyExists, again.Kind);
        Assert.Equal("snapshot_id", again.Field);
        Assert.Equal(written, await inner.ReadAsync(key, default));
        Assert.Equal(anchor, await anchors.GetAsync(Source, anchor.Id, default));
        // Both creates reached the store: the refusal comes from the file existing, not from an earlier check.
        Assert.Equal(2, store.AnchorWrites);
    }

    /// <summary>Sends every anchor write to the key of the first anchor written, so a test can make two creates meet on one file.</summary>
    private sealed class OneAnchorKeyStore(IObjectStore inner) : IObjectStore
    {
        private string? _firstAnchorKey;

        public int AnchorWrites { get; private set; }

        public string Description => inner.Description;

        public ValueTask<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
            inner.PutIfAbsentAsync(Redirect(key), content, cancellationToken);

        public ValueTask PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
            inner.PutAsync(Redirect(key), content, cancellationToken);

        public ValueTask<byte[]?> ReadAsync(string key, CancellationToken cancellationToken) => inner.ReadAsync(key, cancellationToken);

        public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken) => inner.ExistsAsync(key, cancellationToken);

        public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

        private string Redirect(string key)
        {
            if (!key.StartsWith(StoreKeys.SnapshotsPrefix(Source), StringComparison.Ordinal))
            {
                return key;
            }
            AnchorWrites++;
            return _firstAnchorKey ??= key;
        }
    }
}
