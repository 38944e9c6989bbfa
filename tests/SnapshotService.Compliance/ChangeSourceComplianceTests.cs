using SnapshotService.Log;
using SnapshotService.Sources;

namespace SnapshotService.Compliance;

/// <summary>
/// What every source adapter must do, whatever the database: capture each change exactly once,
/// deletes included, resume from the committed position after a restart with no gap and no
/// duplicate, and never hand out a position that replays committed changes. A test project
/// derives from this class once per target (simulated source; MongoDB test server, and a real
/// replica set when MONGODB_URI is set; Cosmos DB test server, and an emulator or account when
/// COSMOS_ENDPOINT and COSMOS_KEY are set).
/// </summary>
public abstract class ChangeSourceComplianceTests : IAsyncLifetime
{
    private IComplianceTarget? _target;
    private string? _notRunBecause;

    /// <summary>The target; a test whose target could not be had (e.g. no MONGODB_URI) is reported skipped with the reason.</summary>
    protected IComplianceTarget Target
    {
        get
        {
            Skip.If(_notRunBecause is not null, _notRunBecause);
            return _target ?? throw new InvalidOperationException("not initialized");
        }
    }

    /// <summary>
    /// True when every change made is one record (a database whose stream may merge changes —
    /// MongoDB's update lookup skips an update whose document was deleted before it was read —
    /// says false, and the suite then checks "at most once" plus equal state).
    /// </summary>
    protected virtual bool EveryChangeIsOneRecord => true;

    /// <summary>True when deletes appear in the stream (Cosmos DB's latest-version feed: false; reconciliation finds them).</summary>
    protected virtual bool DeletesAppearInTheStream => true;

    /// <summary>Creates a fresh, empty target, or returns null and the reason it cannot (the tests are then reported skipped with it).</summary>
    protected abstract Task<(IComplianceTarget? Target, string? NotRunBecause)> CreateTargetAsync();

    public async Task InitializeAsync() => (_target, _notRunBecause) = await CreateTargetAsync();

    public async Task DisposeAsync()
    {
        if (_target is not null)
        {
            await _target.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task every_change_is_captured_once_and_the_export_equals_the_collection()
    {
        await using var capture = new ComplianceCapture(Target);
        await capture.StartAsync();
        await Target.MakeChangesAsync(150, default);
        await capture.WaitUntilCaughtUpAsync();
        await Target.MakeChangesAsync(150, default);
        await capture.WaitUntilCaughtUpAsync();

        await AssertCapturedOnceAsync(capture);
    }

    [SkippableFact]
    public async Task deletes_are_captured()
    {
        await using var capture = new ComplianceCapture(Target);
        await capture.StartAsync();
        var deletes = await Target.MakeChangesAsync(300, default);
        await capture.WaitUntilCaughtUpAsync();

        Assert.True(deletes > 0, "the target made no deletes; the test needs some");
        var records = await capture.RecordsAsync();
        if (DeletesAppearInTheStream)
        {
            Assert.Contains(records, r => r.Operation == ChangeOperation.Delete);
        }
        Assert.Equal("", await capture.DifferenceAsync());
    }

    [SkippableFact]
    public async Task capture_resumes_from_the_committed_position_after_restarts_without_gap_or_duplicate()
    {
        await using var capture = new ComplianceCapture(Target);
        for (var round = 0; round < 3; round++)
        {
            await capture.StartAsync();
            await Target.MakeChangesAsync(80, default);
            await capture.WaitUntilCaughtUpAsync();
            await capture.StopAsync();
            // Changes made while capture is down must come through after the restart.
            await Target.MakeChangesAsync(40, default);
        }
        await capture.StartAsync();
        await capture.WaitUntilCaughtUpAsync();

        await AssertCapturedOnceAsync(capture);
    }

    [SkippableFact]
    public async Task reading_from_a_committed_position_never_replays_what_was_committed_before_it()
    {
        await using var capture = new ComplianceCapture(Target);
        await capture.StartAsync();
        for (var i = 0; i < 4; i++)
        {
            await Target.MakeChangesAsync(60, default);
            await capture.WaitUntilCaughtUpAsync();
        }
        await capture.StopAsync();
        var records = await capture.RecordsAsync();
        var reader = new ExportLogReader(capture.Store, Target.SourceId);
        var head = await reader.ReadHeadAsync(default);

        // From a few commits spread over those with changes after them: reading on from a commit's
        // position gives the changes committed after it, and none committed before it.
        var lastSeq = records.Max(r => r.Seq);
        var withLater = new List<CommitRecord>();
        for (long n = 1; n <= head.CommitNumber; n++)
        {
            var commit = (await reader.ReadCommitAsync(n, default))!;
            if (commit.LastSeq < lastSeq)
            {
                withLater.Add(commit);
            }
        }
        Assert.True(withLater.Count > 1, $"only {withLater.Count} commits have changes after them; the test needs several");
        foreach (var commit in Enumerable.Range(0, 5).Select(i => withLater[withLater.Count * i / 5]).Distinct())
        {
            var before = records.Where(r => r.Seq <= commit.LastSeq).Select(Identity).ToHashSet();
            var later = records.Where(r => r.Seq > commit.LastSeq).ToList();
            await using var source = Target.CreateSource();
            var read = await ReadOnUntilAsync(source, commit.Position, ExpectedAfter(later), before);

            var replayed = read.Where(c => c.Origin == ChangeOrigin.Capture && before.Contains((c.Key, c.SourceVersion, c.Operation))).ToList();
            Assert.True(replayed.Count == 0, $"reading from commit {commit.Number}'s position replayed {replayed.Count} changes committed before it, e.g. {Describe(replayed.FirstOrDefault(), records)}");
            var missing = Missing(ExpectedAfter(later), read).ToList();
            Assert.True(missing.Count == 0, $"reading from commit {commit.Number}'s position gave {read.Count} changes but not {missing.Count} of those committed after it, e.g. {missing.FirstOrDefault()}");
            if (EveryChangeIsOneRecord)
            {
                Assert.Equal(later.Select(Identity).Order(), read.Select(c => (c.Key, c.SourceVersion, c.Operation)).Order());
            }
        }
    }

    /// <summary>
    /// What reading on from a position must give of the changes committed after it: all of them
    /// when every change is one record; otherwise (a stream that may merge changes) at least each
    /// key's newest one, which is the key's current state.
    /// </summary>
    private HashSet<(string Key, long Version, ChangeOperation Operation)> ExpectedAfter(List<LogRecord> later)
    {
        var expected = EveryChangeIsOneRecord ? later : later.GroupBy(r => r.Key).Select(g => g.MaxBy(r => r.Seq)!).ToList();
        return [.. expected.Where(r => DeletesAppearInTheStream || r.Operation != ChangeOperation.Delete).Select(Identity)];
    }

    /// <summary>
    /// What of <paramref name="expected"/> <paramref name="read"/> lacks. Where every change is one
    /// record, each expected change exactly. Otherwise each key's state at its expected version or
    /// newer: a stream that merges changes may also deliver a key through a backfill read, whose
    /// version is the time of that read — a re-read from a position inside a backfill reads again,
    /// later, and gets a newer version than the first read did.
    /// </summary>
    private IEnumerable<(string Key, long Version, ChangeOperation Operation)> Missing(
        IEnumerable<(string Key, long Version, ChangeOperation Operation)> expected, IReadOnlyCollection<SourceChange> read)
    {
        if (EveryChangeIsOneRecord)
        {
            return expected.Except(read.Select(c => (c.Key, c.SourceVersion, c.Operation)));
        }
        var newestRead = read.GroupBy(c => c.Key).ToDictionary(g => g.Key, g => g.Max(c => c.SourceVersion), StringComparer.Ordinal);
        return expected.Where(e => !newestRead.TryGetValue(e.Key, out var version) || version < e.Version);
    }

    /// <summary>
    /// Reads batches on from <paramref name="position"/> until <paramref name="expected"/> has come,
    /// or a batch replays a captured change of <paramref name="committedBefore"/>, or a minute has passed; the
    /// caller reports what went wrong.
    /// </summary>
    private async Task<List<SourceChange>> ReadOnUntilAsync(
        IChangeSource source, SourcePosition position, HashSet<(string Key, long Version, ChangeOperation Operation)> expected, HashSet<(string Key, long Version, ChangeOperation Operation)> committedBefore)
    {
        var read = new List<SourceChange>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (Missing(expected, read).Any() && DateTime.UtcNow < deadline)
        {
            var batch = await source.ReadChangesAsync(position, 1000, default);
            read.AddRange(batch.Changes);
            if (batch.Changes.Any(c => c.Origin == ChangeOrigin.Capture && committedBefore.Contains((c.Key, c.SourceVersion, c.Operation))))
            {
                break;
            }
            position = batch.PositionAfter;
            if (batch.Changes.Count == 0)
            {
                await Task.Delay(20); // an adapter that answers an empty batch at once must not make this a busy loop
            }
        }
        return read;
    }

    private async Task AssertCapturedOnceAsync(ComplianceCapture capture)
    {
        var records = await capture.RecordsAsync();
        var captured = records.Where(r => r.Origin == ChangeOrigin.Capture).ToList();
        var duplicates = captured.GroupBy(Identity).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"{duplicates.Count} changes were captured twice, e.g. {duplicates.FirstOrDefault()}");
        if (EveryChangeIsOneRecord)
        {
            Assert.Equal(Target.ChangesMade, captured.Count);
        }
        else
        {
            Assert.InRange(captured.Count, 1, Target.ChangesMade);
        }
        Assert.Equal(records.Count, records.Select(r => r.Seq).Distinct().Count());
        Assert.Equal("", await capture.DifferenceAsync());
    }

    /// <summary>A replayed change and the committed records of its key (seq, origin, version), for the failure message.</summary>
    private static string Describe(SourceChange? change, IReadOnlyList<LogRecord> records) => change is null
        ? ""
        : $"{change.Key} {change.Operation} at {change.SourceVersion}; committed: "
            + string.Join(", ", records.Where(r => r.Key == change.Key).Select(r => $"seq {r.Seq} {r.Origin} {r.Operation} at {r.SourceVersion}"));

    private static (string Key, long Version, ChangeOperation Operation) Identity(LogRecord r) => (r.Key, r.SourceVersion, r.Operation);
}
