using System.Globalization;

namespace SnapshotService.Benchmarks;

/// <summary>The command line: a subcommand and a few <c>--name value</c> options.</summary>
internal sealed class BenchArguments
{
    public const string Usage = """
        usage: dotnet run -c Release --project bench/SnapshotService.Benchmarks -- <capture|anchor|materialize|reconcile|reconcile-memory|mongo|cosmos|all> [options]
          --runs N             measured runs per benchmark; medians are reported (default 3)
          --changes N          capture: changes per run (default 500000); mongo: inserts per run (at most 200000)
          --doc-bytes N        capture: document size in bytes (default 1024)
          --level N            capture: zstd level for segments and baseline (default: ExportLogOptions default)
          --anchor-sizes A,B   anchor: committed keys of the logs to anchor on (default 1000000,10000000)
          --anchors N          anchor: anchors per mode per run (default 200)
          --documents N        reconcile: documents in the source and export (default 1000000)
          --memory-sizes A,B   reconcile-memory: documents of the collections compared (default 1000000,5000000)
          --keys N             materialize: live keys of the views (default 1000000)
          --history-factor N   materialize: the long history has N × keys changes (default 10)
          --cosmos-docs N      cosmos: documents per container (default 20000; fewer and the fixed commit delay dominates)
          --cosmos-doc-bytes N cosmos: document size in bytes (default 512)
          --data DIR           scratch directory (default: a new folder under the system temp dir, deleted after)
          --quick              small sizes for a smoke run; implies --no-docs
          --no-docs            print only; leave docs/benchmarks.md alone
        """;

    public string Command { get; private set; } = "";

    public int Runs { get; private set; } = 3;

    public long CaptureChanges { get; private set; } = 500_000;

    public int DocumentBytes { get; private set; } = 1024;

    public int? CompressionLevel { get; private set; }

    public IReadOnlyList<long> AnchorSizes { get; private set; } = [1_000_000, 10_000_000];

    public int AnchorsPerMode { get; private set; } = 200;

    public long ReconcileDocuments { get; private set; } = 1_000_000;

    public IReadOnlyList<long> MemorySizes { get; private set; } = [1_000_000, 5_000_000];

    /// <summary>For the internal <c>reconcile-child</c> command: build or reconcile.</summary>
    public string ChildPhase { get; private set; } = "";

    public long MaterializeKeys { get; private set; } = 1_000_000;

    public int HistoryFactor { get; private set; } = 10;

    public int CosmosDocuments { get; private set; } = 20_000;

    public int CosmosDocumentBytes { get; private set; } = 512;

    public string? DataDirectory { get; private set; }

    public bool WriteDocs { get; private set; } = true;

    public bool Quick { get; private set; }

    /// <summary>The arguments exactly as given, for the "command line used" line of the report.</summary>
    public IReadOnlyList<string> Raw { get; private set; } = [];

    public static BenchArguments Parse(string[] args)
    {
        var parsed = new BenchArguments { Raw = args };
        if (args.Length == 0 || args[0] is not ("capture" or "anchor" or "materialize" or "reconcile" or "reconcile-memory" or "reconcile-child" or "mongo" or "cosmos" or "all"))
        {
            throw new ArgumentException($"Unknown or missing subcommand '{(args.Length == 0 ? "" : args[0])}'.");
        }
        parsed.Command = args[0];
        var first = 1;
        if (parsed.Command == "reconcile-child")
        {
            parsed.ChildPhase = args.Length > 1 && args[1] is "build" or "reconcile" ? args[1] : throw new ArgumentException("reconcile-child needs 'build' or 'reconcile'.");
            first = 2;
        }
        for (var i = first; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--runs": parsed.Runs = PositiveInt(Value(), "--runs"); break;
                case "--changes": parsed.CaptureChanges = PositiveInt(Value(), "--changes"); break;
                case "--doc-bytes": parsed.DocumentBytes = PositiveInt(Value(), "--doc-bytes"); break;
                case "--level": parsed.CompressionLevel = PositiveInt(Value(), "--level"); break;
                case "--anchor-sizes": parsed.AnchorSizes = Value().Split(',').Select(v => (long)PositiveInt(v, "--anchor-sizes")).ToArray(); break;
                case "--anchors": parsed.AnchorsPerMode = PositiveInt(Value(), "--anchors"); break;
                case "--documents": parsed.ReconcileDocuments = PositiveInt(Value(), "--documents"); break;
                case "--memory-sizes": parsed.MemorySizes = Value().Split(',').Select(v => (long)PositiveInt(v, "--memory-sizes")).ToArray(); break;
                case "--keys": parsed.MaterializeKeys = PositiveInt(Value(), "--keys"); break;
                case "--history-factor": parsed.HistoryFactor = PositiveInt(Value(), "--history-factor"); break;
                case "--cosmos-docs": parsed.CosmosDocuments = PositiveInt(Value(), "--cosmos-docs"); break;
                case "--cosmos-doc-bytes": parsed.CosmosDocumentBytes = PositiveInt(Value(), "--cosmos-doc-bytes"); break;
                case "--data": parsed.DataDirectory = Value(); break;
                case "--no-docs": parsed.WriteDocs = false; break;
                case "--quick":
                    parsed.Quick = true;
                    parsed.WriteDocs = false;
                    parsed.CaptureChanges = 50_000;
                    parsed.AnchorSizes = [20_000, 200_000];
                    parsed.AnchorsPerMode = 50;
                    parsed.ReconcileDocuments = 50_000;
                    parsed.MaterializeKeys = 50_000;
                    parsed.CosmosDocuments = 500;
                    parsed.Runs = 1;
                    break;
                default: throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }
        return parsed;
    }

    private static int PositiveInt(string text, string name) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name} must be a positive integer (was '{text}').");
}
