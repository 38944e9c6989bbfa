using MongoDB.Bson;

namespace SnapshotService.Sources.Mongo.Tests;

public sealed class MongoPositionTests
{
    private static readonly long Time = (1_763_934_000L << 32) | 3;

    [Fact]
    public void the_start_position_is_empty()
    {
        Assert.Same(MongoPosition.Empty, MongoPosition.Parse(SourcePosition.Start));
        Assert.False(MongoPosition.Empty.HasStreamPoint);
    }

    [Fact]
    public void a_full_position_round_trips()
    {
        var position = new MongoPosition(
            new BsonDocument("_data", "82691F1B300000000300"), null, Time, 3,
            new BackfillProgress(3, true, null, "65a1b2c3d4e5f60718293a4b\0", 0, 12, 12_000),
            [new BackfillRequest(["a", "b"], false), new BackfillRequest(null, false)]);
        var token = position.ToSourcePosition();
        var back = MongoPosition.Parse(token);
        Assert.Equal(position.ResumeToken, back.ResumeToken);
        Assert.Equal(position.StreamTime, back.StreamTime);
        Assert.Equal(position.BackfillsStarted, back.BackfillsStarted);
        Assert.Equal(position.Backfill! with { Keys = null }, back.Backfill! with { Keys = null });
        Assert.Equal(2, back.Queued.Count);
        Assert.Equal(["a", "b"], back.Queued[0].Keys!);
        Assert.Null(back.Queued[1].Keys);
        Assert.Equal(token, back.ToSourcePosition());
    }

    [Fact]
    public void a_position_before_the_first_token_keeps_its_start_time()
    {
        var position = MongoPosition.Empty with { StartAtOperationTime = Time, StreamTime = Time };
        var back = MongoPosition.Parse(position.ToSourcePosition());
        Assert.Equal(Time, back.StartAtOperationTime);
        Assert.True(back.HasStreamPoint);
    }

    [Fact]
    public void the_token_is_small_versioned_json()
    {
        var token = new MongoPosition(new BsonDocument("_data", "82691F1B300000000300"), null, Time, 0, null, []).ToSourcePosition().Token;
        Assert.Equal($"{{\"v\":1,\"rt\":{{\"_data\":\"82691F1B300000000300\"}},\"st\":{Time}}}", token);
    }

    [Fact]
    public void other_formats_are_refused_with_a_reason()
    {
        var ex = Assert.Throws<FormatException>(() => MongoPosition.Parse(new SourcePosition("{\"v\":9}")));
        Assert.Contains("format 9", ex.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => MongoPosition.Parse(new SourcePosition("sim:17")));
    }

    [Fact]
    public void the_summary_reads_as_a_sentence()
    {
        var position = new MongoPosition(null, null, Time, 1, new BackfillProgress(1, false, null, "k42", 0, 4, 4000), []);
        Assert.Equal("stream at 2025-11-23T21:40:00Z #3; backfill #1: 4 chunks, 4,000 documents, next chunk from key 'k42'", position.Summary());
        Assert.Contains("not a MongoDB source position", MongoPosition.Summarize(new SourcePosition("nope")), StringComparison.Ordinal);
    }

    [Fact]
    public void resume_tokens_reveal_their_cluster_time()
    {
        Assert.Equal(Time, ClusterTime.FromResumeToken(new BsonDocument("_data", "82" + Time.ToString("X16", System.Globalization.CultureInfo.InvariantCulture) + "2B0229296E04")));
        Assert.Null(ClusterTime.FromResumeToken(new BsonDocument("_data", "zz")));
        Assert.Null(ClusterTime.FromResumeToken(null));
    }
}
