using SnapshotService.Core.Tests.Views;
using SnapshotService.Grains;
using SnapshotService.Log;
using SnapshotService.Simulated;
using SnapshotService.Snapshots;
using SnapshotService.State;
using SnapshotService.Storage;
using SnapshotService.Views;

namespace SnapshotService.Core.Tests.Retention;

/// <summary>A simulated source's export in memory, with anchors, for retention tests.</summary>
public sealed class RetentionTestExport
{
    public const string Source = ViewTestSource.Source;

    private RetentionTestExport(InMemoryObjectStore store, ExportLog log, SimulatedHistory history)
    {
        Store = store;
        Log = log;
        History = history;
        Anchors = new SnapshotAnchorStore(store);
        Views = new SnapshotViews(store);
    }

    public InMemoryObjectStore Store { get; }

    public ExportLog Log { get; }

    public SimulatedHistory History { get; }

    public SnapshotAnchorStore Anchors { get; }

    public SnapshotViews Views { get; }

    public long Captured { get; private set; }

    /// <summary>Compaction's options; re-packing ones make retention meet packs as well as segments.</summary>
    public LiveStateOptions StateOptions { get; private init; } = new() { MaxKeysPerRange = 16 };

    public static async Task<RetentionTestExport> CreateAsync(long seed, int keySpace, long changes, bool repack = false)
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, Source, new ExportLogOptions(), default);
        return new RetentionTestExport(store, log, ViewTestSource.History(seed, keySpace, changes, documentBytes: 120))
        {
            StateOptions = repack ? ViewTestSource.Repacking(16) : new LiveStateOptions { MaxKeysPerRange = 16 },
        };
    }

    /// <summary>Captures <paramref name="count"/> more changes in commits of <paramref name="batch"/>, compacting after every <paramref name="compactEvery"/> commits.</summary>
    public async Task CaptureAsync(long count, int batch, int compactEvery)
    {
        var commits = 0;
        var to = Math.Min(History.Length, Captured + count);
        while (Captured < to)
        {
            var last = Math.Min(to, Captured + batch);
            await ViewTestSource.CaptureAsync(Store, Log, History, Captured, last, batch);
            Captured = last;
            if (++commits % compactEvery == 0)
            {
                await LiveStateCompactor.CompactAsync(Store, Source, StateOptions, default);
            }
        }
    }

    public Task<SnapshotAnchor> AnchorAsync(long seq) =>
        Anchors.CreateAsync(Source, new CreateSnapshotCommand(null, seq, null), Log.Head, new ExportLogReader(Store, Source), default);

    public Task<ViewManifest> MaterializeAsync(SnapshotAnchor anchor) =>
        Views.MaterializeAsync(anchor, ViewFormat.Jsonl, new ViewOptions { RowsPerPart = 25 }, null, default);

    /// <summary>Drops the published view and builds it again from the log.</summary>
    public async Task<ViewManifest> RematerializeAsync(SnapshotAnchor anchor)
    {
        await ViewRemover.RemoveAsync(Store, Source, anchor.Id, default);
        return await MaterializeAsync(anchor);
    }

    public async Task<long> SizeAsync()
    {
        long total = 0;
        await foreach (var item in Store.ListAsync(StoreKeys.SourceRoot(Source), default))
        {
            total += item.Size;
        }
        return total;
    }

    /// <summary>The content checksum the view at <paramref name="seq"/> must have: digest of the simulated state.</summary>
    public string ExpectedChecksum(long seq)
    {
        var digest = RangeDigest.Empty;
        foreach (var (key, hash) in ViewTestSource.ExpectedAt(History, seq))
        {
            digest = digest.Add(key, UInt128.Parse(hash, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));
        }
        return digest.SumHex;
    }
}
