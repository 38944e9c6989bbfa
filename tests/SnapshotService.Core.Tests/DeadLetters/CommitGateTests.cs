using System.Text;
using SnapshotService.Capture;
using SnapshotService.Contracts;
using SnapshotService.DeadLetters;
using SnapshotService.Log;
using SnapshotService.Sources;
using SnapshotService.Storage;

namespace SnapshotService.Core.Tests.DeadLetters;

/// <summary>Invariant 8: poison documents go to deadletter/ with the reason, the rest is committed, nothing stalls.</summary>
public sealed class CommitGateTests
{
    private const string OrderContract = """
        {"type":"object","required":["id","total"],"properties":{"total":{"type":"number"},"id":{"type":"string"}}}
        """;

    [Fact]
    public async Task too_large_and_unparsable_documents_are_set_aside_and_the_rest_is_committed_in_order()
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, "gate", new ExportLogOptions(), default);
        var gate = new CommitGate(new DeadLetterStore(store, "gate"), maxDocumentBytes: 64);
        var changes = new[]
        {
            Upsert("a", 1, """{"id":"a"}"""),
            Upsert("big", 2, "{\"pad\":\"" + new string('x', 100) + "\"}"),
            Upsert("broken", 3, """{"id":"""),
            Delete("gone", 4),
            Upsert("b", 5, """{"id":"b"}"""),
        };

        var result = await gate.AppendAsync(log, changes, new SourcePosition("5"), default);

        Assert.Equal(["a", "gone", "b"], result.Written.Select(c => c.Key));
        Assert.Equal(new SourcePosition("5"), log.Head.Position);
        Assert.Equal(3, log.Head.LastSeq);
        var letters = await ListAsync(store, "gate");
        Assert.Equal(2, letters.Count);
        var big = Assert.Single(letters, l => l.Key == "big");
        Assert.Equal(DeadLetterReason.TooLarge, big.Reason);
        Assert.Contains("Capture:MaxDocumentBytes", big.Detail, StringComparison.Ordinal);
        var broken = Assert.Single(letters, l => l.Key == "broken");
        Assert.Equal(DeadLetterReason.Unparsable, broken.Reason);
        Assert.Equal("""{"id":""", Encoding.UTF8.GetString(broken.Payload.Span));
        Assert.Equal(3, broken.SourceVersion);
        Assert.Equal(new SourcePosition("5"), broken.Position);
        Assert.Equal(2, gate.DeadLetteredCount);
    }

    [Fact]
    public async Task a_contract_violation_is_dead_lettered_under_dead_letter_and_exported_under_flag()
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, "orders", new ExportLogOptions(), default);
        var gate = new CommitGate(new DeadLetterStore(store, "orders"), 1 << 20)
        {
            Contract = await ContractValidator.CompileAsync(new SourceContract(OrderContract, ContractPolicy.DeadLetter, DateTimeOffset.UnixEpoch)),
        };

        await gate.AppendAsync(log, [Upsert("o1", 1, """{"id":"o1","total":3.5}"""), Upsert("o2", 2, """{"id":"o2","total":"three"}""")], new SourcePosition("2"), default);

        var letter = Assert.Single(await ListAsync(store, "orders"));
        Assert.Equal("o2", letter.Key);
        Assert.Equal(DeadLetterReason.ContractViolation, letter.Reason);
        Assert.Contains("total", letter.Detail, StringComparison.Ordinal);
        Assert.Equal(1, log.Head.LastSeq);

        gate.Contract = await ContractValidator.CompileAsync(new SourceContract(OrderContract, ContractPolicy.Flag, DateTimeOffset.UnixEpoch));
        var flagged = await gate.AppendAsync(log, [Upsert("o3", 3, """{"id":"o3"}""")], new SourcePosition("3"), default);

        Assert.Equal(1, flagged.Flagged);
        Assert.Equal(2, log.Head.LastSeq);
        Assert.Single(await ListAsync(store, "orders"));
    }

    [Fact]
    public async Task the_same_change_set_aside_twice_is_one_dead_letter()
    {
        // A crash after the dead letter was written but before the commit re-reads the change.
        var store = new InMemoryObjectStore();
        var gate = new CommitGate(new DeadLetterStore(store, "again"), 16);
        var first = await ExportLog.OpenAsync(store, "again", new ExportLogOptions(), default);
        await gate.DeadLetters.WriteAsync(new DeadLetter(DeadLetterStore.IdFor("k", 7), "again", "k", null, 7, DateTimeOffset.UnixEpoch,
            ChangeOrigin.Capture, DeadLetterReason.TooLarge, "too large", 0, SourcePosition.Start, DateTimeOffset.UnixEpoch, Encoding.UTF8.GetBytes("{\"x\":\"0123456789abcdef\"}")), default);

        await gate.AppendAsync(first, [Upsert("k", 7, "{\"x\":\"0123456789abcdef\"}")], new SourcePosition("7"), default);

        Assert.Single(await ListAsync(store, "again"));
        Assert.Equal(0, gate.DeadLetteredCount);
        Assert.Equal(new SourcePosition("7"), first.Head.Position);
    }

    [Fact]
    public async Task a_dead_letter_keeps_its_payload_byte_for_byte()
    {
        var store = new InMemoryObjectStore();
        var letters = new DeadLetterStore(store, "raw");
        byte[] payload = [0x7b, 0xff, 0xfe, 0x00, 0x22];
        var letter = new DeadLetter(DeadLetterStore.IdFor("k/1", -3), "raw", "k/1", "pk", -3, DateTimeOffset.UnixEpoch, ChangeOrigin.Backfill,
            DeadLetterReason.Unparsable, "bad bytes", 12, new SourcePosition("tok"), DateTimeOffset.UnixEpoch, payload);

        Assert.True(await letters.WriteAsync(letter, default));
        var read = await letters.ReadAsync(letter.Id, default);

        Assert.NotNull(read);
        Assert.Equal(payload, read.Payload.ToArray());
        Assert.Equal(letter with { Payload = default }, read with { Payload = default });
        Assert.True(await letters.DeleteAsync(letter.Id, default));
        Assert.Null(await letters.ReadAsync(letter.Id, default));
    }

    [Theory]
    [InlineData("not-an-id")]
    [InlineData("../../log/00000000000000000001")]
    [InlineData("00000000000000000001-ABCDEF0123456789")]
    public async Task a_malformed_dead_letter_id_is_refused(string id)
    {
        var letters = new DeadLetterStore(new InMemoryObjectStore(), "ids");
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await letters.ReadAsync(id, default));
        Assert.Contains("dead-letter id", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"$ref":"https://example.invalid/schema.json"}""", "only references inside the schema")]
    [InlineData("""{"properties":{"a":{"$ref":"other.json#/x"}}}""", "only references inside the schema")]
    [InlineData("[1,2]", "must be a JSON Schema object")]
    [InlineData("{\"type\":", "not valid JSON")]
    public async Task a_contract_that_is_not_a_self_contained_schema_is_refused(string schema, string expected)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => ContractValidator.CompileAsync(new SourceContract(schema, ContractPolicy.Flag, DateTimeOffset.UnixEpoch)));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static async Task<List<DeadLetter>> ListAsync(IObjectStore store, string sourceId)
    {
        var letters = new List<DeadLetter>();
        await foreach (var letter in new DeadLetterStore(store, sourceId).ListAsync(null, default))
        {
            letters.Add(letter);
        }
        return letters;
    }

    private static SourceChange Upsert(string key, long version, string json) =>
        new(key, null, ChangeOperation.Upsert, version, DateTimeOffset.UnixEpoch.AddSeconds(version), Encoding.UTF8.GetBytes(json));

    private static SourceChange Delete(string key, long version) =>
        new(key, null, ChangeOperation.Delete, version, DateTimeOffset.UnixEpoch.AddSeconds(version), ReadOnlyMemory<byte>.Empty);
}
