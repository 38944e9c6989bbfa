using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using SnapshotService.Log;
using SnapshotService.Storage;
using SnapshotService.Testing;

namespace SnapshotService.Scenarios;

/// <summary>What the scenario writer does besides its steady mix of changes.</summary>
/// <param name="SpikeFactor">Rate multiplier during the fault window (1 = no spike).</param>
/// <param name="SchemaChangeAtSecond">From this writer second on, documents carry <see cref="ScenarioDatabase.NewField"/>; null = never.</param>
/// <param name="PoisonPerMille">Upserts padded beyond the lowered MaxDocumentBytes, per mille.</param>
public sealed record WriterPlan(double SpikeFactor = 1, double? SchemaChangeAtSecond = null, int PoisonPerMille = 0);

/// <summary>
/// One scenario on a database source (MongoDB or Cosmos DB test server): a real host process
/// captures the server through a <see cref="TcpFaultProxy"/> while a writer task in the test
/// writes upserts and deletes at a rate (and keeps writing through every fault, straight to the
/// server); after the writer stops, the run waits until capture has caught up and compares the
/// export's live state with what the driver/SDK reads from the server, then runs a full
/// reconciliation (dry run).
/// </summary>
/// <remarks>
/// Lag is measured from outside, as in <see cref="ScenarioRun"/>: the writer numbers its changes
/// (field <c>w</c>) and notes when it made each; every 250 ms the run reads the export log's new
/// commits straight from the store and takes the highest <c>w</c> committed. The lag is the age of
/// the oldest change after that one (0 when there is none). GetSource's lag_seconds is not used:
/// while the source is cut off the service cannot know how much it has not seen. Deletes and dead
/// letters carry no <c>w</c> in the export; with a steady mix of upserts this only hides lag shorter
/// than the gap to the next upsert (milliseconds).
/// </remarks>
public sealed class DatabaseScenarioRun : IAsyncDisposable
{
    public const string SourceId = ScenarioRun.SourceId;
    private const int KeySpace = 2_000;
    private const int DeletePercent = 5;
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(250);
    private readonly TempDirectory _directory = new("db-scenario");
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly LagTrace _lag = new();
    private readonly List<double> _writtenAt = [0];
    private readonly Dictionary<long, long> _changeBySeq = [];
    private readonly CancellationTokenSource _stopWriting = new();
    private HostProcess? _host;
    private Task _writer = Task.CompletedTask;
    private double _writerStartedAt;
    private long _lastSeqRead;
    private long _committedChange;

    private DatabaseScenarioRun(ScenarioSize size, ScenarioDatabase database, WriterPlan plan)
    {
        Size = size;
        Database = database;
        Plan = plan;
        Proxy = TcpFaultProxy.Start(database.Port);
    }

    public ScenarioSize Size { get; }

    public ScenarioDatabase Database { get; }

    public WriterPlan Plan { get; }

    /// <summary>Between the host and the server: cut it for a network partition.</summary>
    public TcpFaultProxy Proxy { get; }

    public HostProcess Host => _host ?? throw new InvalidOperationException("not started");

    /// <summary>The writer's nominal rate: a fifth of the simulated scenarios' (every change is a real round trip to a test server on the same 2 cores).</summary>
    public double ChangesPerSecond => Size.ChangesPerSecond / 5;

    /// <summary>Seconds since the writer started.</summary>
    public double WriterSeconds => _clock.Elapsed.TotalSeconds - _writerStartedAt;

    /// <summary>Changes the writer made so far.</summary>
    public long Changes { get { lock (_writtenAt) { return _writtenAt.Count - 1; } } }

    /// <summary>Starts the database's test server, the proxy and one host, then the writer once the source runs.</summary>
    public static async Task<DatabaseScenarioRun> StartAsync(ScenarioSize size, string kind, WriterPlan plan, IReadOnlyDictionary<string, string>? extraSettings = null)
    {
        var database = await ScenarioDatabase.StartAsync(kind);
        var run = new DatabaseScenarioRun(size, database, plan);
        try
        {
            var settings = ScenarioRun.WithQuickRestarts(database.SourceSettings(SourceId, run.Proxy.Port));
            settings["SnapshotService:Export:Root"] = run._directory.Path;
            settings["SnapshotService:Capture:MaxCommitDelay"] = "00:00:00.100";
            settings["Logging:LogLevel:Default"] = "Warning";
            settings["Logging:LogLevel:SnapshotService"] = "Information";
            foreach (var (key, value) in extraSettings ?? new Dictionary<string, string>())
            {
                settings[key] = value;
            }
            run._host = HostProcess.Start(settings);
            await run._host.WaitForSourceAsync(SourceId, TimeSpan.FromSeconds(120));
            run._writerStartedAt = run._clock.Elapsed.TotalSeconds;
            run._writer = Task.Run(() => run.WriteAsync(run._stopWriting.Token));
            return run;
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }
    }

    /// <summary>Samples until the writer has run <paramref name="second"/> seconds.</summary>
    public Task SampleUntilWriterSecondAsync(double second) =>
        SampleUntilAsync(() => WriterSeconds >= second, TimeSpan.FromSeconds(second + 60), $"writer second {second}");

    /// <summary>
    /// Lets the writer run to the end of the run, writes a last marker change, and samples until
    /// the export has committed it (so every earlier change is committed or dead-lettered).
    /// </summary>
    public async Task SampleUntilCaughtUpAsync()
    {
        await SampleUntilWriterSecondAsync(Size.RunSeconds);
        await _stopWriting.CancelAsync();
        await _writer;
        var marker = NextChange();
        await Database.UpsertAsync(new WriterDocument("marker", marker, NewShape: false, Poison: false));
        await SampleUntilAsync(() => _committedChange >= marker, TimeSpan.FromSeconds(Size.RunSeconds + 180), $"capture of the marker change {marker}");
    }

    /// <summary>
    /// The figures: lag from the samples; lost = keys whose export state differs from the server's
    /// final state (read through the driver/SDK) unless a dead letter explains them; then a full
    /// dry-run reconciliation, whose drift outside dead-lettered keys is returned too.
    /// </summary>
    public async Task<(ScenarioResult Result, long Drift)> ResultAsync(string scenario, double? faultEndedAtWriterSecond, string note)
    {
        var store = new FileSystemObjectStore(_directory.Path);
        await ReadNewCommitsAsync(store);
        var source = await Database.ReadAllAsync();
        var truth = await ExportTruth.CompareWithSourceAsync(store, SourceId, source, _changeBySeq);
        var (drift, driftNote) = await ReconcileAsync(truth.DeadLetteredKeys);
        var details = new List<string> { $"{Size.Seconds(ChangesPerSecond)}/s writer", note, driftNote };
        if (truth.Examples.Count > 0)
        {
            details.Add("first problems: " + string.Join("; ", truth.Examples));
        }
        var recovery = _lag.RecoverySeconds(faultEndedAtWriterSecond is { } end ? end + _writerStartedAt : null);
        return (new ScenarioResult($"{Database.Kind}: {scenario}", Size.Name, Changes, _lag.MaxLagSeconds, recovery, truth.Lost, truth.DeadLetters, string.Join("; ", details)), drift);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopWriting.CancelAsync();
        try
        {
            await _writer;
        }
        catch (Exception)
        {
            // Reported by the test that awaited it; here only cleaning up.
        }
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        await Proxy.DisposeAsync();
        await Database.DisposeAsync();
        _stopWriting.Dispose();
        _directory.Dispose();
    }

    private long NextChange()
    {
        lock (_writtenAt)
        {
            _writtenAt.Add(_clock.Elapsed.TotalSeconds);
            return _writtenAt.Count - 1;
        }
    }

    /// <summary>Changes due after <paramref name="second"/> writer seconds: the nominal rate, times the spike factor during the fault window.</summary>
    private double DueAfter(double second)
    {
        var spike = Math.Clamp(second - Size.FaultAfterSeconds, 0, Size.FaultSeconds);
        return ChangesPerSecond * (second + (spike * (Plan.SpikeFactor - 1)));
    }

    private async Task WriteAsync(CancellationToken stop)
    {
        var random = new Random(2026);
        while (!stop.IsCancellationRequested)
        {
            if (Changes >= DueAfter(WriterSeconds))
            {
                await Task.Delay(5, CancellationToken.None);
                continue;
            }
            var key = "k" + random.Next(KeySpace).ToString("D5", CultureInfo.InvariantCulture);
            var roll = random.Next(1000);
            var change = NextChange();
            if (roll < DeletePercent * 10)
            {
                await Database.DeleteAsync(key);
            }
            else
            {
                var newShape = Plan.SchemaChangeAtSecond is { } at && WriterSeconds >= at;
                await Database.UpsertAsync(new WriterDocument(key, change, newShape, Poison: roll >= 1000 - Plan.PoisonPerMille));
            }
        }
    }

    private async Task SampleUntilAsync(Func<bool> done, TimeSpan timeout, string what)
    {
        var store = new FileSystemObjectStore(_directory.Path);
        var deadline = _clock.Elapsed + timeout;
        while (!done())
        {
            if (_clock.Elapsed > deadline)
            {
                throw new TimeoutException($"Waited {timeout} for {what}; committed change {_committedChange} of {Changes}.\n{_host?.Output}");
            }
            if (_writer.IsFaulted)
            {
                await _writer;
            }
            await ReadNewCommitsAsync(store);
            var now = _clock.Elapsed.TotalSeconds;
            lock (_writtenAt)
            {
                var oldestUncommitted = _committedChange + 1;
                _lag.Add(now, oldestUncommitted < _writtenAt.Count ? now - _writtenAt[(int)oldestUncommitted] : 0);
            }
            await Task.Delay(SampleEvery);
        }
    }

    /// <summary>Reads the commits since the last call from the store and notes each upsert's writer change number.</summary>
    private async Task ReadNewCommitsAsync(IObjectStore store)
    {
        var reader = new ExportLogReader(store, SourceId);
        LogHead head;
        try
        {
            head = await reader.ReadHeadAsync(default);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or JsonException)
        {
            return; // No head yet, or being replaced: next sample.
        }
        if (head.LastSeq <= _lastSeqRead)
        {
            return;
        }
        await foreach (var record in reader.ReadRecordsAsync(_lastSeqRead + 1, head.LastSeq, default))
        {
            if (record.Document.Length > 0 && ChangeOf(record.Document.Span) is { } change)
            {
                _changeBySeq[record.Seq] = change;
                _committedChange = Math.Max(_committedChange, change);
            }
        }
        _lastSeqRead = head.LastSeq;
    }

    private static long? ChangeOf(ReadOnlySpan<byte> document)
    {
        var reader = new Utf8JsonReader(document);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isChange = reader.ValueTextEquals("w"u8);
            reader.Read();
            if (isChange && reader.TokenType == JsonTokenType.String)
            {
                return long.Parse(reader.GetString()!, CultureInfo.InvariantCulture);
            }
            reader.Skip();
        }
        return null;
    }

    /// <summary>POST …/reconciliations full dry run; the drifted keys that are not dead-lettered.</summary>
    private async Task<(long Drift, string Note)> ReconcileAsync(IReadOnlySet<string> deadLettered)
    {
        using var response = await Host.Http.PostAsJsonAsync(new Uri($"/v1/sources/{SourceId}/reconciliations", UriKind.Relative), new { mode = "full", dryRun = true });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var report = JsonDocument.Parse(body).RootElement;
        Assert.True(report.GetProperty("status").GetString() == "succeeded", body);
        var reportId = report.GetProperty("reportId").GetString();
        var drift = 0L;
        var explained = 0L;
        foreach (var category in report.GetProperty("categories").EnumerateArray())
        {
            if (long.Parse(category.GetProperty("count").GetString() ?? "0", CultureInfo.InvariantCulture) == 0)
            {
                continue;
            }
            var name = category.GetProperty("category").GetString();
            string? pageToken = null;
            do
            {
                var uri = $"/v1/sources/{SourceId}/driftReports/{reportId}/keys?category={name}&pageSize=1000" + (pageToken is null ? "" : "&pageToken=" + Uri.EscapeDataString(pageToken));
                var page = JsonDocument.Parse(await Host.Http.GetStringAsync(new Uri(uri, UriKind.Relative))).RootElement;
                foreach (var key in page.GetProperty("keys").EnumerateArray())
                {
                    if (deadLettered.Contains(key.GetProperty("key").GetString()!))
                    {
                        explained++;
                    }
                    else
                    {
                        drift++;
                    }
                }
                pageToken = page.TryGetProperty("nextPageToken", out var next) && next.GetString() is { Length: > 0 } token ? token : null;
            }
            while (pageToken is not null);
        }
        return (drift, $"full reconciliation: {drift} drift outside dead letters ({explained} dead-lettered keys)");
    }
}
