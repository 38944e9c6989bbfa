using System.Text;
using SnapshotService.Capture;
using SnapshotService.Log;
using SnapshotService.Schemas;
using SnapshotService.Storage;
using SnapshotService.Testing;

namespace SnapshotService.Core.Tests.Schemas;

public sealed class SchemaInferenceTests
{
    [Fact]
    public void the_tracker_records_paths_types_presence_and_example_keys()
    {
        var tracker = new SchemaTracker();
        tracker.Observe(1, "a", Json("""{"id":"a","total":3,"tags":["x"],"customer":{"name":"n"}}"""));
        tracker.Observe(2, "b", Json("""{"id":"b","total":3.5,"tags":[],"customer":null}"""));
        tracker.Observe(3, "c", default); // a delete moves the seq only

        var schema = tracker.ToSchema();

        Assert.Equal(3, schema.ThroughSeq);
        Assert.Equal(2, schema.Documents);
        Assert.Equal(["customer", "customer.name", "id", "tags", "tags[]", "total"], schema.Fields.Select(f => f.Path));
        var total = schema.Find("total")!;
        Assert.Equal(["integer", "number"], total.Types.Select(t => t.Type));
        Assert.Equal(1.0, total.PresenceRatio(schema.Documents));
        Assert.Equal(["b"], total.Types.Single(t => t.Type == "number").ExampleKeys);
        Assert.Equal(0.5, schema.Find("customer.name")!.PresenceRatio(schema.Documents));
        Assert.Equal(["null", "object"], schema.Find("customer")!.Types.Select(t => t.Type));
    }

    [Fact]
    public void the_diff_names_added_removed_and_retyped_fields_with_counts_and_examples()
    {
        var tracker = new SchemaTracker();
        tracker.Observe(1, "k1", Json("""{"id":"k1","price":10,"legacy":true}"""));
        tracker.Observe(2, "k2", Json("""{"id":"k2","price":11,"legacy":false}"""));
        var before = tracker.ToSchema();
        tracker.Observe(3, "k3", Json("""{"id":"k3","price":"12.00","currency":"EUR"}"""));
        tracker.Observe(4, "k4", Json("""{"id":"k4","price":"13.00","currency":"USD"}"""));
        tracker.Observe(5, "k5", Json("""{"id":"k5","price":14}"""));
        var after = tracker.ToSchema();

        var diff = SchemaDiff.Between(before, after);

        Assert.Equal(3, diff.DocumentsBetween);
        var added = Assert.Single(diff.Added);
        Assert.Equal(("currency", 2L), (added.Path, added.Documents));
        Assert.Equal(["string"], added.TypesAfter);
        Assert.Equal(["k3", "k4"], added.ExampleKeys);
        var removed = Assert.Single(diff.Removed);
        Assert.Equal("legacy", removed.Path);
        Assert.Equal(["boolean"], removed.TypesBefore);
        var retyped = Assert.Single(diff.TypeChanged);
        Assert.Equal("price", retyped.Path);
        Assert.Equal(["integer"], retyped.TypesBefore);
        Assert.Equal(["integer", "string"], retyped.TypesAfter);
        Assert.Equal(3, retyped.Documents);
        Assert.Equal(["k3", "k4"], retyped.ExampleKeys);
        Assert.True(SchemaDiff.Between(after, after).IsEmpty);
        Assert.Throws<ArgumentException>(() => SchemaDiff.Between(after, before));
    }

    [Fact]
    public void the_first_document_sets_the_baseline_and_later_new_fields_count_as_changes()
    {
        var tracker = new SchemaTracker();
        Assert.Equal(0, tracker.Observe(1, "a", Json("""{"id":"a","n":1}""")));
        Assert.Equal(0, tracker.Observe(2, "b", Json("""{"id":"b","n":2}""")));
        Assert.Equal(2, tracker.Observe(3, "c", Json("""{"id":"c","n":"3","extra":true}""")));
    }

    [Fact]
    public async Task the_schema_at_a_seq_from_saved_state_plus_replay_equals_a_full_replay()
    {
        using var dir = new TempDirectory();
        var store = new FileSystemObjectStore(dir.Path);
        var source = new Capture.CountingSource(keys: 50, limit: 1_200, document: n =>
            Encoding.UTF8.GetBytes(n < 600 ? $$"""{"n":{{n}},"v":{{n}}}""" : $$$"""{"n":{{{n}}},"v":"{{{n}}}","late":{"x":true}}"""));
        var log = await ExportLog.OpenAsync(store, "schema", new ExportLogOptions(), default);
        var options = new CaptureOptions { ReadBatchSize = 100, MaxCommitChanges = 100, MaxCommitDelay = TimeSpan.FromMilliseconds(5), SchemaSaveInterval = 250 };
        await using (var pipeline = new CapturePipeline(source, log, options))
        {
            pipeline.Start();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (pipeline.Head.LastSeq < 1_200 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
            await pipeline.StopAsync(default);
            Assert.Equal(3, pipeline.SchemaChanges); // after the baseline: v as a string, late (object), late.x (boolean)
        }

        var schemas = new SchemaStore(store, "schema");
        foreach (var seq in new long[] { 1, 250, 599, 600, 777, 1_200 })
        {
            var fromSaved = await schemas.ComputeAtAsync(seq, default);
            var full = await FullReplayAsync(store, seq);
            Assert.Equal(Describe(full), Describe(fromSaved));
        }
        var diff = SchemaDiff.Between(await schemas.ComputeAtAsync(500, default), await schemas.ComputeAtAsync(1_200, default));
        Assert.Equal(["late", "late.x"], diff.Added.Select(a => a.Path));
        Assert.Equal("v", Assert.Single(diff.TypeChanged).Path);
    }

    private static async Task<SourceSchema> FullReplayAsync(IObjectStore store, long seq)
    {
        var tracker = new SchemaTracker();
        await foreach (var record in new ExportLogReader(store, "schema").ReadRecordsAsync(1, seq, default))
        {
            tracker.Observe(record.Seq, record.Key, record.Document.Span);
        }
        return tracker.ToSchema();
    }

    private static string Describe(SourceSchema schema) =>
        $"{schema.ThroughSeq} {schema.Documents} " + string.Join(" | ", schema.Fields.Select(f =>
            $"{f.Path}:{f.Documents}:" + string.Join(",", f.Types.Select(t => $"{t.Type}/{t.Documents}/{t.FirstSeenSeq}/{t.LastSeenSeq}/{string.Join("+", t.ExampleKeys)}"))));

    private static byte[] Json(string json) => Encoding.UTF8.GetBytes(json);
}
