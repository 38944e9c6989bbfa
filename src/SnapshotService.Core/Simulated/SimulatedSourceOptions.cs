using System.Globalization;

namespace SnapshotService.Simulated;

/// <summary>
/// Settings of the deterministic simulated source (the demo source and the benchmark load
/// generator). Bound from <c>SnapshotService:Sources:{id}:Simulated</c>.
/// </summary>
/// <remarks>
/// Every setting except <see cref="ChangesPerSecond"/> (and the clock) shapes the history itself:
/// change the seed, key space, document size, delete mix or fault knobs of a source that already
/// has an export log and the log no longer matches the source, which reconciliation then reports
/// as drift. <see cref="ChangesPerSecond"/> also sets the simulated source times.
/// </remarks>
public sealed class SimulatedSourceOptions
{
    /// <summary>Largest <see cref="KeySpace"/>; keys are at most 9 digits wide.</summary>
    public const int MaxKeySpace = 100_000_000;

    /// <summary>Smallest <see cref="DocumentBytes"/>; documents never come out smaller than their fixed fields (~70 bytes).</summary>
    public const int MinDocumentBytes = 64;

    /// <summary>Largest <see cref="DocumentBytes"/> (4 MiB, above Cosmos DB's 2 MB item limit on purpose, for stress tests).</summary>
    public const int MaxDocumentBytes = 4 * 1024 * 1024;

    /// <summary>Largest <see cref="ChangesPerSecond"/> that is not unlimited.</summary>
    public const double MaxChangesPerSecond = 1_000_000_000;

    /// <summary>Largest <see cref="SimulatedFaultOptions.ReorderWindow"/>.</summary>
    public const int MaxReorderWindow = 100_000;

    /// <summary>The default <see cref="Origin"/>: 2026-01-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset DefaultOrigin = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Generator seed: the same seed gives the same history.</summary>
    public long Seed { get; set; } = 1;

    /// <summary>Number of distinct keys (1..100,000,000). Keys are <c>k</c> + the key number zero-padded to the digits of this value.</summary>
    public int KeySpace { get; set; } = 10_000;

    /// <summary>
    /// Document size in bytes of JSON (64..4 MiB). Documents have exactly this size unless their
    /// fixed fields alone are longer (then they are that long, ~70-100 bytes).
    /// </summary>
    public int DocumentBytes { get; set; } = 1024;

    /// <summary>Percent of changes after the initial fill that are deletes (0-100).</summary>
    public int DeletePercent { get; set; } = 5;

    /// <summary>
    /// Changes per second the source lets a reader take (0 = unlimited). Also spaces the simulated
    /// source times: change n happens at <see cref="Origin"/> + n / rate (1 ms apart when unlimited).
    /// </summary>
    public double ChangesPerSecond { get; set; } = 1000;

    /// <summary>Stop producing after this many changes (0 = never).</summary>
    public long MaxChanges { get; set; }

    /// <summary>Source time of change 0 (the empty history); change n happens at Origin + n × interval.</summary>
    public DateTimeOffset Origin { get; set; } = DefaultOrigin;

    /// <summary>
    /// Documents written by changes after this one have a new shape (0 = never): a new field
    /// <c>v2</c> (boolean) and <c>version</c> as a string instead of a number. A schema change
    /// mid-stream, for schema-drift and contract tests.
    /// </summary>
    public long SchemaChangeAfter { get; set; }

    /// <summary>Per mille of changes whose document is not valid JSON (0-1000): poison for dead-letter tests. Part of the source's true state.</summary>
    public int PoisonPerMille { get; set; }

    /// <summary>A traffic spike: the rate multiplied for a while (scenario tests).</summary>
    public SimulatedSpikeOptions Spike { get; set; } = new();

    /// <summary>Fault knobs for reconciliation tests.</summary>
    public SimulatedFaultOptions Faults { get; set; } = new();

    /// <summary>The time between two consecutive changes: 1 s / <see cref="ChangesPerSecond"/>, or 1 ms when unlimited.</summary>
    public double IntervalTicks => ChangesPerSecond > 0 ? TimeSpan.TicksPerSecond / ChangesPerSecond : TimeSpan.TicksPerMillisecond;

    /// <summary>
    /// Checks every setting and returns one message per problem (empty when valid). Each message
    /// names the source and the setting as it appears in configuration, e.g.
    /// <c>Configuration for source 'demo' is invalid: Simulated:KeySpace must be between 1 and 100000000 (was 0).</c>
    /// </summary>
    public IReadOnlyList<string> Validate(string sourceId)
    {
        var problems = new List<string>();
        void Problem(string setting, string rule, string was) =>
            problems.Add($"Configuration for source '{sourceId}' is invalid: Simulated:{setting} {rule} (was {was}).");
        string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        if (KeySpace is < 1 or > MaxKeySpace)
        {
            Problem(nameof(KeySpace), $"must be between 1 and {MaxKeySpace}", KeySpace.ToString(CultureInfo.InvariantCulture));
        }
        if (DocumentBytes is < MinDocumentBytes or > MaxDocumentBytes)
        {
            Problem(nameof(DocumentBytes), $"must be between {MinDocumentBytes} and {MaxDocumentBytes}", DocumentBytes.ToString(CultureInfo.InvariantCulture));
        }
        if (DeletePercent is < 0 or > 100)
        {
            Problem(nameof(DeletePercent), "must be between 0 and 100", DeletePercent.ToString(CultureInfo.InvariantCulture));
        }
        if (!double.IsFinite(ChangesPerSecond) || ChangesPerSecond < 0 || ChangesPerSecond > MaxChangesPerSecond)
        {
            Problem(nameof(ChangesPerSecond), $"must be 0 (unlimited) or a positive number up to {MaxChangesPerSecond:0}", Show(ChangesPerSecond));
        }
        if (MaxChanges < 0)
        {
            Problem(nameof(MaxChanges), "must be 0 (never stop) or positive", MaxChanges.ToString(CultureInfo.InvariantCulture));
        }
        if (SchemaChangeAfter < 0)
        {
            Problem(nameof(SchemaChangeAfter), "must be 0 (never) or positive", SchemaChangeAfter.ToString(CultureInfo.InvariantCulture));
        }
        if (PoisonPerMille is < 0 or > 1000)
        {
            Problem(nameof(PoisonPerMille), "must be between 0 and 1000", PoisonPerMille.ToString(CultureInfo.InvariantCulture));
        }
        if (Spike is null || !double.IsFinite(Spike.AfterSeconds) || Spike.AfterSeconds < 0 || !double.IsFinite(Spike.Seconds) || Spike.Seconds < 0
            || !double.IsFinite(Spike.Factor) || Spike.Factor is < 1 or > 100)
        {
            problems.Add($"Configuration for source '{sourceId}' is invalid: Simulated:Spike needs AfterSeconds >= 0, Seconds >= 0 and Factor between 1 and 100.");
        }
        if (Faults is null)
        {
            problems.Add($"Configuration for source '{sourceId}' is invalid: Simulated:Faults must not be null.");
            return problems;
        }
        if (Faults.DropPerMille is < 0 or > 1000)
        {
            Problem("Faults:DropPerMille", "must be between 0 and 1000", Faults.DropPerMille.ToString(CultureInfo.InvariantCulture));
        }
        if (Faults.DuplicatePerMille is < 0 or > 1000)
        {
            Problem("Faults:DuplicatePerMille", "must be between 0 and 1000", Faults.DuplicatePerMille.ToString(CultureInfo.InvariantCulture));
        }
        if (Faults.ReorderWindow is < 0 or > MaxReorderWindow)
        {
            Problem("Faults:ReorderWindow", $"must be between 0 and {MaxReorderWindow} (0 or 1 = in order)", Faults.ReorderWindow.ToString(CultureInfo.InvariantCulture));
        }
        if (Faults.DisconnectAfterChanges < 0 || Faults.DisconnectSeconds is < 0 or > 86_400 || double.IsNaN(Faults.DisconnectSeconds))
        {
            Problem("Faults:DisconnectAfterChanges/DisconnectSeconds", "must be >= 0 and seconds at most 86400", $"{Faults.DisconnectAfterChanges}/{Faults.DisconnectSeconds}");
        }
        if (Faults.StallAfterChanges < 0)
        {
            Problem("Faults:StallAfterChanges", "must not be negative", Faults.StallAfterChanges.ToString(CultureInfo.InvariantCulture));
        }
        if (Faults.StallSeconds is < 0 or > 86_400 || double.IsNaN(Faults.StallSeconds))
        {
            Problem("Faults:StallSeconds", "must be between 0 and 86400", Faults.StallSeconds.ToString(CultureInfo.InvariantCulture));
        }
        return problems;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem <see cref="Validate"/> finds.</summary>
    public void ThrowIfInvalid(string sourceId)
    {
        var problems = Validate(sourceId);
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, problems), "options");
        }
    }

    /// <summary>
    /// One line for status pages and logs, e.g. <c>deterministic demo/benchmark source: seed=1,
    /// keyspace=10000, docsize=1024 B, rate=1000/s, deletes=5%, max=unbounded, faults=none</c>.
    /// </summary>
    public string Describe()
    {
        var rate = ChangesPerSecond > 0 ? ChangesPerSecond.ToString("0.###", CultureInfo.InvariantCulture) + "/s" : "unlimited";
        var max = MaxChanges > 0 ? MaxChanges.ToString(CultureInfo.InvariantCulture) : "unbounded";
        var faults = Faults is { DropPerMille: 0, DuplicatePerMille: 0, ReorderWindow: <= 1 }
            ? "none"
            : string.Create(CultureInfo.InvariantCulture, $"drop={Faults.DropPerMille}‰ duplicate={Faults.DuplicatePerMille}‰ reorder-window={Faults.ReorderWindow}");
        if (Faults.StallAfterChanges > 0 && Faults.StallSeconds > 0)
        {
            faults += string.Create(CultureInfo.InvariantCulture, $", stall={Faults.StallSeconds}s after {Faults.StallAfterChanges} changes");
        }
        var shape = (SchemaChangeAfter > 0 ? string.Create(CultureInfo.InvariantCulture, $", schema change after {SchemaChangeAfter}") : "")
            + (PoisonPerMille > 0 ? string.Create(CultureInfo.InvariantCulture, $", poison={PoisonPerMille}‰") : "");
        return string.Create(CultureInfo.InvariantCulture,
            $"deterministic demo/benchmark source: seed={Seed}, keyspace={KeySpace}, docsize={DocumentBytes} B, rate={rate}, deletes={DeletePercent}%, max={max}, faults={faults}{shape}");
    }

    /// <summary>A deep copy, so a running source is not affected by later changes to the options object.</summary>
    public SimulatedSourceOptions Clone() => new()
    {
        Seed = Seed,
        KeySpace = KeySpace,
        DocumentBytes = DocumentBytes,
        DeletePercent = DeletePercent,
        ChangesPerSecond = ChangesPerSecond,
        MaxChanges = MaxChanges,
        Origin = Origin,
        SchemaChangeAfter = SchemaChangeAfter,
        PoisonPerMille = PoisonPerMille,
        Spike = new SimulatedSpikeOptions { AfterSeconds = Spike.AfterSeconds, Seconds = Spike.Seconds, Factor = Spike.Factor },
        Faults = new SimulatedFaultOptions
        {
            DropPerMille = Faults.DropPerMille,
            DuplicatePerMille = Faults.DuplicatePerMille,
            ReorderWindow = Faults.ReorderWindow,
            StallAfterChanges = Faults.StallAfterChanges,
            StallSeconds = Faults.StallSeconds,
            DisconnectAfterChanges = Faults.DisconnectAfterChanges,
            DisconnectSeconds = Faults.DisconnectSeconds,
        },
    };
}

/// <summary>A period of faster traffic: <c>SnapshotService:Sources:{id}:Simulated:Spike</c>.</summary>
public sealed class SimulatedSpikeOptions
{
    /// <summary>Seconds after the first read that the spike starts.</summary>
    public double AfterSeconds { get; set; }

    /// <summary>How long it lasts (0 = no spike).</summary>
    public double Seconds { get; set; }

    /// <summary>The rate multiplier during the spike (1-100).</summary>
    public double Factor { get; set; } = 2;
}

/// <summary>
/// Deterministic faults the simulated source can inject into its change stream, bound from
/// <c>SnapshotService:Sources:{id}:Simulated:Faults</c>. They change only what is emitted, never
/// the source's true state, so reconciliation can find the resulting drift.
/// </summary>
public sealed class SimulatedFaultOptions
{
    /// <summary>Per mille of changes never emitted (0-1000).</summary>
    public int DropPerMille { get; set; }

    /// <summary>Per mille of changes emitted twice in a row (0-1000).</summary>
    public int DuplicatePerMille { get; set; }

    /// <summary>Shuffle changes within consecutive windows of this many underlying changes (0 or 1 = in order).</summary>
    public int ReorderWindow { get; set; }

    /// <summary>
    /// Once reads have consumed this many changes (0 = never), the source stops answering reads for
    /// <see cref="StallSeconds"/> while its clock — and so its watermark — moves on, as a slow or
    /// hung source does: capture lag and position age grow, then capture catches up. Once per start
    /// of the source. It delays the stream; it changes nothing in it.
    /// </summary>
    public long StallAfterChanges { get; set; }

    /// <summary>How long the stall of <see cref="StallAfterChanges"/> lasts (seconds).</summary>
    public double StallSeconds { get; set; }

    /// <summary>
    /// Once reads have consumed this many changes (0 = never), every read fails for
    /// <see cref="DisconnectSeconds"/>, as when the database is unreachable; capture fails and
    /// restarts with backoff, then resumes from its committed position. Once per host run.
    /// </summary>
    public long DisconnectAfterChanges { get; set; }

    /// <summary>How long the disconnect of <see cref="DisconnectAfterChanges"/> lasts (seconds).</summary>
    public double DisconnectSeconds { get; set; }

    /// <summary>True when any knob changes the emitted stream (a stall only delays it).</summary>
    public bool Any => DropPerMille > 0 || DuplicatePerMille > 0 || ReorderWindow > 1;
}
