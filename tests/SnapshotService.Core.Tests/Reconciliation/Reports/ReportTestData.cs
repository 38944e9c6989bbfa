using SnapshotService.Reconciliation;
using SnapshotService.Reconciliation.Reports;
using SnapshotService.Storage;

namespace SnapshotService.Core.Tests.Reconciliation.Reports;

/// <summary>Drift items and engine results for report tests, without running the engine.</summary>
internal static class ReportTestData
{
    public const string Source = "orders";

    public static DriftItem Item(string key, DriftCategory category, int range = 0) => new(
        key, category, range,
        category == DriftCategory.MissingInExport ? null : 7, category == DriftCategory.MissingInExport ? null : 3,
        category == DriftCategory.MissingInExport ? null : (UInt128.MaxValue - 5), null,
        category == DriftCategory.ExtraInExport ? null : 4, category == DriftCategory.ExtraInExport ? null : (UInt128)12345, "pk");

    public static ReconciliationResult Result(IEnumerable<DriftItem> items, ReconciliationStatus status = ReconciliationStatus.Succeeded, string? reason = null)
    {
        var list = items.ToList();
        long Count(DriftCategory c) => list.Count(i => i.Category == c);
        var counts = new DriftCounts(Count(DriftCategory.MissingInExport), Count(DriftCategory.ExtraInExport), Count(DriftCategory.ContentMismatch), Count(DriftCategory.VersionRegression));
        return new ReconciliationResult(Source, ReconciliationMode.Full, 42, status, reason, 5, 8, 1000, 1100, 990, 30, counts,
            [.. list.Take(100)], list.Count > 100, [], DateTimeOffset.UtcNow, TimeSpan.FromSeconds(3));
    }

    /// <summary>Runs a writer over <paramref name="items"/> the way the reconciler's callback would, then completes it.</summary>
    public static async Task<DriftReport> WriteAsync(IObjectStore store, IEnumerable<DriftItem> items, int keysPerPart = DriftReportWriter.DefaultKeysPerPart,
        DriftRepairSummary? repair = null, TimeProvider? time = null, ReconciliationStatus status = ReconciliationStatus.Succeeded, string? reason = null)
    {
        var list = items.ToList();
        var writer = new DriftReportWriter(store, Source, ReconciliationMode.Full, dryRun: repair is null, keysPerPart, time);
        foreach (var item in list)
        {
            await writer.OnDriftAsync(item, default);
        }
        return await writer.CompleteAsync(Result(list, status, reason), repair, default);
    }

    public static IEnumerable<DriftItem> Keys(string prefix, int count, DriftCategory category) =>
        Enumerable.Range(0, count).Select(i => Item($"{prefix}{i:D6}", category, i / 100));
}

/// <summary>A clock tests move by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Fails every put of a key matching <see cref="FailWhen"/>: a crash at that point of a write.</summary>
internal sealed class CrashingStore(IObjectStore inner) : IObjectStore
{
    public Func<string, bool> FailWhen { get; set; } = _ => false;

    public string Description => "crashing:" + inner.Description;

    public ValueTask<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        FailWhen(key) ? throw new IOException($"simulated crash writing '{key}'") : inner.PutIfAbsentAsync(key, content, cancellationToken);

    public ValueTask PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        FailWhen(key) ? throw new IOException($"simulated crash writing '{key}'") : inner.PutAsync(key, content, cancellationToken);

    public ValueTask<byte[]?> ReadAsync(string key, CancellationToken cancellationToken) => inner.ReadAsync(key, cancellationToken);

    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken) => inner.ExistsAsync(key, cancellationToken);

    public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);
}
