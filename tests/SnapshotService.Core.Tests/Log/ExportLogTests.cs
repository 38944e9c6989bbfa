using System.Text;
using System.Text.Json;
using SnapshotService.Core.Tests.Storage;
using SnapshotService.Hashing;
using SnapshotService.Log;
using SnapshotService.Sources;
using SnapshotService.Storage;
using SnapshotService.Testing;

namespace SnapshotService.Core.Tests.Log;

public sealed class ExportLogTests
{
    private const string Source = "orders";

    private static ExportLogOptions Options(string writer = "writer-a", int checkpointEvery = 4) => new() { WriterId = writer, CheckpointEveryCommits = checkpointEvery };

    [Fact]
    public async Task append_assigns_gap_free_seqs_and_reopen_resumes_from_the_head()
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, Source, Options(), default);
        Assert.Equal(LogHead.Empty, log.Head);
        var c1 = await log.AppendAsync(TestChanges.Range(1, 10), TestChanges.PositionAfter(10), default);
        var c2 = await log.AppendAsync(TestChanges.Range(11, 5), TestChanges.PositionAfter(15), default);
        Assert.Equal((1L, 1L, 10L), (c1!.Number, c1.FirstSeq, c1.LastSeq));
        Assert.Equal((2L, 11L, 15L), (c2!.Number, c2.FirstSeq, c2.LastSeq));
        Assert.Equal("writer-a", c2.WriterId);

        var reopened = await ExportLog.OpenAsync(store, Source, Options("writer-b"), default);
        Assert.Equal(2, reopened.Head.CommitNumber);
        Assert.Equal(15, reopened.Head.LastSeq);
        Assert.Equal(TestChanges.PositionAfter(15), reopened.Head.Position);
        Assert.Equal(TestChanges.Epoch.AddMilliseconds(10), reopened.Head.FirstSourceTime);
        Assert.Equal(TestChanges.Epoch.AddMilliseconds(150), reopened.Head.LastSourceTime);

        var c3 = await reopened.AppendAsync(TestChanges.Range(16, 3), TestChanges.PositionAfter(18), default);
        Assert.Equal((3L, 16L, 18L), (c3!.Number, c3.FirstSeq, c3.LastSeq));
    }

    [Fact]
    public async Task records_read_back_equal_what_was_appended()
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, Source, Options(), default);
        for (var batch = 0; batch < 5; batch++)
        {
            await log.AppendAsync(TestChanges.Range((batch * 7) + 1, 7), TestChanges.PositionAfter((batch + 1) * 7), default);
        }
        var reader = new ExportLogReader(store, Source);
        var records = await reader.ReadRecordsAsync(1, long.MaxValue, default).ToListAsync();
        Assert.Equal(Enumerable.Range(1, 35).Select(i => (long)i), records.Select(r => r.Seq));
        foreach (var record in records)
        {
            var change = TestChanges.Change(record.Seq);
            Assert.Equal(change.Key, record.Key);
            Assert.Equal(change.PartitionKey, record.PartitionKey);
            Assert.Equal(change.Operation, record.Operation);
            Assert.Equal(change.SourceVersion, record.SourceVersion);
            Assert.Equal(change.Origin, record.Origin);
            Assert.Equal(change.SourceTime, record.SourceTime);
            if (change.Operation == ChangeOperation.Delete)
            {
                Assert.Null(record.ContentHash);
                Assert.True(record.Document.IsEmpty);
            }
            else
            {
                Assert.Equal(ContentHasher.Hash(change.Document.Span, ContentHashOptions.Default), record.ContentHash);
                Assert.Equal(change.Document.ToArray(), record.Document.ToArray());
            }
        }
        var middle = await reader.ReadRecordsAsync(9, 23, default).Select(r => r.Seq).ToListAsync();
        Assert.Equal(Enumerable.Range(9, 15).Select(i => (long)i), middle);
        Assert.Empty(await reader.ReadRecordsAsync(36, 40, default).ToListAsync());
    }

    [Fact]
    public async Task segment_lines_follow_the_documented_format()
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, Source, Options(), default);
        var changes = new[]
        {
            new SourceChange("k1", null, ChangeOperation.Upsert, 5, TestChanges.Epoch, """{"b":1,"a":"x"}"""u8.ToArray()),
            new SourceChange("k2", "p", ChangeOperation.Delete, 6, TestChanges.Epoch.AddTicks(12_345), ReadOnlyMemory<byte>.Empty, ChangeOrigin.Repair),
        };
        var commit = await log.AppendAsync(changes, new SourcePosition("p1"), default);
        var segment = Assert.Single(commit!.Segments);
        var bytes = await store.ReadAsync(StoreKeys.InSource(Source, segment.Name), default);
        var text = Encoding.UTF8.GetString(SegmentCodec.Decompress(segment.Name, bytes!));
        var hash = ContentHasher.Hash("""{"a":"x","b":1}"""u8, ContentHashOptions.Default);
        Assert.Equal(
            $$$"""{"seq":1,"op":"upsert","key":"k1","partition_key":null,"source_version":5,"content_hash":"{{{hash}}}","origin":"capture","source_time":"2026-01-01T00:00:00.000Z","document":{"b":1,"a":"x"}}""" + "\n" +
            """{"seq":2,"op":"delete","key":"k2","partition_key":"p","source_version":6,"content_hash":null,"origin":"repair","source_time":"2026-01-01T00:00:00.001Z","document":null}""" + "\n",
            text);
        Assert.Matches("^segments/00000000000000000001-[0-9a-z]{8}\\.jsonl\\.zst$", segment.Name);
    }

    [Fact]
    public async Task pretty_printed_documents_are_written_on_one_line()
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, Source, Options(), default);
        var doc = "{\n  \"a\": 1,\r\n  \"b\": [1, 2]\n}"u8.ToArray();
        await log.AppendAsync([new SourceChange("k", null, ChangeOperation.Upsert, 1, TestChanges.Epoch, doc)], new SourcePosition("p"), default);
        var record = Assert.Single(await new ExportLogReader(store, Source).ReadRecordsAsync(1, 1, default).ToListAsync());
        Assert.Equal("""{"a":1,"b":[1,2]}""", Encoding.UTF8.GetString(record.Document.Span));
        Assert.Equal(ContentHasher.Hash(doc, ContentHashOptions.Default), record.ContentHash);
    }

    [Fact]
    public async Task an_invalid_document_is_refused_before_anything_is_written()
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, Source, Options(), default);
        var changes = TestChanges.Range(1, 600).ToList();
        changes[421] = changes[421] with { Operation = ChangeOperation.Upsert, Document = "{\"a\":"u8.ToArray() };
        changes[500] = changes[500] with { Operation = ChangeOperation.Upsert, Document = "nope"u8.ToArray() };
        var e = await Assert.ThrowsAsync<InvalidDocumentException>(() => log.AppendAsync(changes, TestChanges.PositionAfter(600), default));
        Assert.Equal(421, e.Index);
        Assert.Equal(changes[421].Key, e.Key);
        Assert.Contains("orders", e.Message);
        Assert.Equal(0, store.Count);
        Assert.Equal(LogHead.Empty, log.Head);
    }

    [Fact]
    public async Task an_empty_batch_with_a_moved_position_writes_a_position_only_commit()
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, Source, Options(), default);
        Assert.Null(await log.AppendAsync([], SourcePosition.Start, default));
        var p0 = await log.AppendAsync([], new SourcePosition("token-0"), default);
        Assert.Equal((1L, 1L, 0L, 0L), (p0!.Number, p0.FirstSeq, p0.LastSeq, p0.RecordCount));
        Assert.Empty(p0.Segments);
        await log.AppendAsync(TestChanges.Range(1, 3), new SourcePosition("token-3"), default);
        Assert.Null(await log.AppendAsync([], new SourcePosition("token-3"), default));
        var p1 = await log.AppendAsync([], new SourcePosition("token-3b"), default);
        Assert.Equal((3L, 4L, 3L), (p1!.Number, p1.FirstSeq, p1.LastSeq));
        Assert.Equal(TestChanges.Epoch.AddMilliseconds(30), p1.LastSourceTime);

        var reopened = await ExportLog.OpenAsync(store, Source, Options(), default);
        Assert.Equal(new LogHead(3, 3, new SourcePosition("token-3b"), TestChanges.Epoch.AddMilliseconds(10), TestChanges.Epoch.AddMilliseconds(30), p1.CommittedAt), reopened.Head);
        var report = await LogVerifier.VerifyAsync(store, Source, default);
        Assert.True(report.Ok, string.Join("; ", report.Problems));
        Assert.Equal(3, report.Records);
    }

    [Fact]
    public async Task open_reads_only_the_checkpoint_and_the_commits_after_it()
    {
        var inner = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(inner, Source, Options(checkpointEvery: 8), default);
        for (var i = 1; i <= 21; i++)
        {
            await log.AppendAsync(TestChanges.Range(i, 1), TestChanges.PositionAfter(i), default);
        }
        Assert.Null(log.LastCheckpointError);
        var counting = new CountingObjectStore(inner);
        var reopened = await ExportLog.OpenAsync(counting, Source, Options(), default);
        Assert.Equal(21, reopened.Head.CommitNumber);
        Assert.Equal(TestChanges.Epoch.AddMilliseconds(10), reopened.Head.FirstSourceTime);
        Assert.Equal(
            new[] { StoreKeys.LatestCheckpoint(Source), StoreKeys.Checkpoint(Source, 16) }
                .Concat(Enumerable.Range(17, 6).Select(n => StoreKeys.Commit(Source, n))),
            counting.Reads);
        Assert.Equal(0, counting.Lists);
    }

    [Fact]
    public async Task a_damaged_latest_pointer_falls_back_to_listing_checkpoints()
    {
        var inner = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(inner, Source, Options(checkpointEvery: 5), default);
        for (var i = 1; i <= 12; i++)
        {
            await log.AppendAsync(TestChanges.Range(i, 1), TestChanges.PositionAfter(i), default);
        }
        await inner.PutAsync(StoreKeys.LatestCheckpoint(Source), "garbage"u8.ToArray(), default);
        await inner.PutAsync(StoreKeys.Checkpoint(Source, 10), "{}"u8.ToArray(), default);
        var counting = new CountingObjectStore(inner);
        var reopened = await ExportLog.OpenAsync(counting, Source, Options(), default);
        Assert.Equal(12, reopened.Head.CommitNumber);
        Assert.Equal(12, reopened.Head.LastSeq);
        Assert.Contains(StoreKeys.Checkpoint(Source, 5), counting.Reads);
        Assert.DoesNotContain(StoreKeys.Commit(Source, 5), counting.Reads);
    }

    [Fact]
    public async Task a_corrupt_commit_record_stops_open_with_its_key_named()
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, Source, Options(), default);
        await log.AppendAsync(TestChanges.Range(1, 2), TestChanges.PositionAfter(2), default);
        await log.AppendAsync(TestChanges.Range(3, 2), TestChanges.PositionAfter(4), default);
        await store.PutAsync(StoreKeys.Commit(Source, 2), "{not json"u8.ToArray(), default);
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ExportLog.OpenAsync(store, Source, Options(), default));
        Assert.Contains(StoreKeys.Commit(Source, 2), e.Message);
    }

    [Fact]
    public async Task orphan_segments_are_ignored_by_readers_and_collected_when_old_enough()
    {
        var store = new InMemoryObjectStore();
        var crashing = new CrashingObjectStore(store, writesBeforeCrash: 1); // the segment, not its commit
        var doomed = await ExportLog.OpenAsync(crashing, Source, Options("dies"), default);
        await Assert.ThrowsAsync<SimulatedCrashException>(() => doomed.AppendAsync(TestChanges.Range(1, 5), TestChanges.PositionAfter(5), default));
        var orphan = Assert.Single(await store.ListAsync(StoreKeys.SegmentsPrefix(Source), default).ToListAsync());

        var log = await ExportLog.OpenAsync(store, Source, Options("lives"), default);
        Assert.Equal(LogHead.Empty, log.Head);
        await log.AppendAsync(TestChanges.Range(1, 5), TestChanges.PositionAfter(5), default);
        var records = await new ExportLogReader(store, Source).ReadRecordsAsync(1, 100, default).ToListAsync();
        Assert.Equal([1L, 2, 3, 4, 5], records.Select(r => r.Seq));

        var report = await LogVerifier.VerifyAsync(store, Source, default);
        Assert.True(report.Ok);
        Assert.Equal([orphan.Key], report.OrphanFiles);

        Assert.Empty(await log.CollectGarbageAsync(TimeSpan.FromMinutes(10), default)); // too young: may be in flight
        store.SetLastModified(orphan.Key, DateTimeOffset.UtcNow.AddHours(-1));
        var live = (await store.ListAsync(StoreKeys.SegmentsPrefix(Source), default).ToListAsync()).Single(o => o.Key != orphan.Key);
        store.SetLastModified(live.Key, DateTimeOffset.UtcNow.AddHours(-1));
        Assert.Equal([orphan.Key], await log.CollectGarbageAsync(TimeSpan.FromMinutes(10), default));
        Assert.Empty((await LogVerifier.VerifyAsync(store, Source, default)).OrphanFiles);
        Assert.Equal(5, (await new ExportLogReader(store, Source).ReadRecordsAsync(1, 100, default).ToListAsync()).Count);
    }

    [Fact]
    public async Task garbage_collection_on_the_file_system_also_removes_stale_temp_files()
    {
        using var dir = new TempDirectory("gc");
        var store = new FileSystemObjectStore(dir.Path);
        var log = await ExportLog.OpenAsync(store, Source, Options(), default);
        await log.AppendAsync(TestChanges.Range(1, 3), TestChanges.PositionAfter(3), default);
        var temp = Path.Combine(dir.Path, ".tmp", "crashed.tmp");
        await File.WriteAllTextAsync(temp, "partial");
        File.SetLastWriteTimeUtc(temp, DateTime.UtcNow.AddHours(-1));
        Assert.Equal([".tmp/crashed.tmp"], await log.CollectGarbageAsync(TimeSpan.FromMinutes(10), default));
    }

    [Fact]
    public async Task a_retry_after_an_unknown_outcome_recognises_its_own_commit()
    {
        var store = new InMemoryObjectStore();
        var flaky = new FailAfterWriteStore(store, failOnKey: StoreKeys.Commit(Source, 1));
        var log = await ExportLog.OpenAsync(flaky, Source, Options(), default);
        await Assert.ThrowsAsync<IOException>(() => log.AppendAsync(TestChanges.Range(1, 4), TestChanges.PositionAfter(4), default));
        Assert.Equal(LogHead.Empty, log.Head); // outcome unknown to the writer
        var commit = await log.AppendAsync(TestChanges.Range(1, 4), TestChanges.PositionAfter(4), default);
        Assert.Equal(1, commit!.Number);
        Assert.Equal(4, log.Head.LastSeq);
        Assert.False(log.IsFenced);
        Assert.True((await LogVerifier.VerifyAsync(store, Source, default)).Ok);
    }

    [Fact]
    public async Task commit_records_are_snake_case_json_with_the_format_version()
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, Source, Options(), default);
        await log.AppendAsync(TestChanges.Range(1, 2), TestChanges.PositionAfter(2), default);
        using var json = JsonDocument.Parse((await store.ReadAsync(StoreKeys.Commit(Source, 1), default))!);
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("format").GetInt32());
        Assert.Equal("orders", root.GetProperty("source_id").GetString());
        Assert.Equal(2, root.GetProperty("last_seq").GetInt64());
        Assert.Equal("offset:2", root.GetProperty("position").GetString());
        Assert.Equal("writer-a", root.GetProperty("writer_id").GetString());
        Assert.Equal(32, root.GetProperty("segments")[0].GetProperty("checksum").GetString()!.Length);
        Assert.True(root.GetProperty("stats").GetProperty("uncompressed_bytes").GetInt64() > 0);
    }

    /// <summary>Writes the given key, then throws: the writer cannot know whether its commit landed.</summary>
    private sealed class FailAfterWriteStore(IObjectStore inner, string failOnKey) : IObjectStore
    {
        private bool _failed;

        public string Description => inner.Description;

        public async ValueTask<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            var result = await inner.PutIfAbsentAsync(key, content, cancellationToken);
            if (key == failOnKey && !_failed)
            {
                _failed = true;
                throw new IOException("connection reset after the write");
            }
            return result;
        }

        public ValueTask PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => inner.PutAsync(key, content, cancellationToken);

        public ValueTask<byte[]?> ReadAsync(string key, CancellationToken cancellationToken) => inner.ReadAsync(key, cancellationToken);

        public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken) => inner.ExistsAsync(key, cancellationToken);

        public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);
    }
}
