using SnapshotService.Hashing;
using SnapshotService.Log;
using SnapshotService.Simulated;
using SnapshotService.Sources;
using SnapshotService.State;
using SnapshotService.Storage;
using Xunit;

namespace SnapshotService.Testing;

/// <summary>
/// Checks a simulated source's export against the deterministic history it was generated from:
/// the log record by record (no gap, no duplicate, exact content) and a snapshot's live state.
/// </summary>
public static class SimulatedExportAssertions
{
    /// <summary>Record n of the log is change n of the fault-free history, for every committed n.</summary>
    public static async Task<long> AssertLogEqualsHistoryAsync(IObjectStore store, string sourceId, SimulatedSourceOptions simulated)
    {
        var reader = new ExportLogReader(store, sourceId);
        var head = await reader.ReadHeadAsync(default);
        var history = new SimulatedHistory(simulated, sourceId);
        long expectedSeq = 0;
        await foreach (var record in reader.ReadRecordsAsync(1, head.LastSeq, default))
        {
            expectedSeq++;
            Assert.Equal(expectedSeq, record.Seq);
            var change = history.ChangeAt(record.Seq); // no faults configured: emitted stream == history
            Assert.Equal(change.Key, record.Key);
            Assert.Equal(change.Operation, record.Operation);
            Assert.Equal(change.SourceVersion, record.SourceVersion);
            if (change.Operation == ChangeOperation.Upsert)
            {
                Assert.Equal(ContentHasher.Hash(change.Document.Span, ContentHashOptions.Default), record.ContentHash);
            }
        }
        Assert.Equal(head.LastSeq, expectedSeq);
        return head.LastSeq;
    }

    /// <summary>The export's live state at <paramref name="seq"/> equals the source's state after change <paramref name="seq"/>.</summary>
    public static async Task AssertStateAtEqualsHistoryAsync(IObjectStore store, string sourceId, SimulatedSourceOptions simulated, long seq)
    {
        var expected = new SimulatedHistory(simulated, sourceId).StateAfter(seq).Documents(KeyRange.All)
            .ToDictionary(document => document.Key, document => ContentHasher.HashValue(document.Document.Span, ContentHashOptions.Default), StringComparer.Ordinal);
        var reader = new ExportLogReader(store, sourceId);
        var exported = 0;
        await foreach (var entry in new LiveView(store, sourceId, reader).ReadAtAsync(seq, null, default))
        {
            exported++;
            Assert.True(expected.TryGetValue(entry.Key, out var hash), $"The export at seq {seq} has key {entry.Key}, which the source does not have then.");
            Assert.True(hash == entry.ContentHash, $"The export at seq {seq} has other content for key {entry.Key} than the source.");
        }
        Assert.Equal(expected.Count, exported);
    }
}
