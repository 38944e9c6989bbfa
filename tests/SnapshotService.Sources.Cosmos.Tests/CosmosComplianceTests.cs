using SnapshotService.Compliance;
using Xunit.Abstractions;

namespace SnapshotService.Sources.Cosmos.Tests;

/// <summary>
/// A container as a compliance target in AllVersionsAndDeletes mode (every write is one event,
/// deletes included): on the gateway test server, or on the emulator or account of COSMOS_ENDPOINT
/// + COSMOS_KEY (which needs the mode enabled). The adapter starts at the watermark taken when
/// the empty container was created, which is what "start from now" gives a source configured
/// before its first write.
/// </summary>
internal sealed class CosmosComplianceTarget : IComplianceTarget
{
    private readonly CosmosSourceContext _context;
    private readonly SourcePosition _start;
    private readonly HashSet<string> _live = new(StringComparer.Ordinal);
    private readonly Random _random = new(17);
    private long _made;

    private CosmosComplianceTarget(CosmosSourceContext context, SourcePosition start)
    {
        _context = context;
        _start = start;
    }

    public string SourceId => "compliance-cosmos";

    public long ChangesMade => Interlocked.Read(ref _made);

    /// <summary>Where the target's container lives.</summary>
    public CosmosSourceContext Context => _context;

    /// <summary>A target on a new gateway test server.</summary>
    public static async Task<CosmosComplianceTarget> OnTestServerAsync() =>
        await CreateAsync(await CosmosSourceContext.StartAsync(ranges: 2, mode: CosmosFeedMode.AllVersionsAndDeletes));

    /// <summary>A target on the emulator or account of COSMOS_ENDPOINT + COSMOS_KEY, or null with the reason there is none.</summary>
    public static async Task<(CosmosComplianceTarget? Target, string? NotRunBecause)> OnRealAccountAsync()
    {
        if (CosmosSourceContext.RealAccount(out var reason) is not { } account)
        {
            return (null, reason);
        }
        return (await CreateAsync(await CosmosSourceContext.StartOnAccountAsync(account.Endpoint, account.Key, mode: CosmosFeedMode.AllVersionsAndDeletes)), null);
    }

    private static async Task<CosmosComplianceTarget> CreateAsync(CosmosSourceContext context)
    {
        await using var source = new CosmosChangeSource("compliance-cosmos", StartNow(context.Options), context.Client);
        var watermark = await source.GetWatermarkAsync(default);
        return new CosmosComplianceTarget(context, watermark.Position);
    }

    public async Task<int> MakeChangesAsync(int count, CancellationToken cancellationToken)
    {
        var deletes = 0;
        for (var i = 0; i < count; i++)
        {
            var id = $"k{_random.Next(60):D2}";
            if (_live.Contains(id) && _random.Next(100) < 20)
            {
                await _context.DeleteAsync(id);
                _live.Remove(id);
                deletes++;
            }
            else
            {
                await _context.UpsertAsync(id, _random.Next());
                _live.Add(id);
            }
            Interlocked.Increment(ref _made);
        }
        return deletes;
    }

    public IChangeSource CreateSource() => new StartingAt(new CosmosChangeSource(SourceId, StartNow(_context.Options), _context.Client), _start);

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    private static CosmosSourceOptions StartNow(CosmosSourceOptions options)
    {
        var copy = options.Clone();
        copy.StartFrom = CosmosStartFrom.Now;
        return copy;
    }

    /// <summary>The adapter, with the export's start mapped to the watermark taken before the first write.</summary>
    private sealed class StartingAt(CosmosChangeSource inner, SourcePosition start) : IChangeSource
    {
        public SourceDescriptor Describe() => inner.Describe();

        public ValueTask<ChangeBatch> ReadChangesAsync(SourcePosition after, int maxChanges, CancellationToken cancellationToken) =>
            inner.ReadChangesAsync(after.IsStart ? start : after, maxChanges, cancellationToken);

        public IAsyncEnumerable<SourceDocument> ScanAsync(KeyRange range, CancellationToken cancellationToken) => inner.ScanAsync(range, cancellationToken);

        public ValueTask<KeyReadResult> ReadKeysAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) => inner.ReadKeysAsync(keys, cancellationToken);

        public ValueTask<SourceWatermark> GetWatermarkAsync(CancellationToken cancellationToken) => inner.GetWatermarkAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

/// <summary>The compliance suite against the Cosmos DB gateway test server.</summary>
public sealed class CosmosComplianceOnTestServer : ChangeSourceComplianceTests
{
    protected override async Task<(IComplianceTarget?, string?)> CreateTargetAsync() => (await CosmosComplianceTarget.OnTestServerAsync(), null);
}

/// <summary>The compliance suite against the emulator or account of COSMOS_ENDPOINT + COSMOS_KEY; reported skipped with the reason when they are not set.</summary>
public sealed class CosmosComplianceOnRealAccount : ChangeSourceComplianceTests
{
    /// <summary>The target this suite instance runs against, or null when it is reported skipped.</summary>
    internal CosmosComplianceTarget? RunsAgainst { get; private set; }

    protected override async Task<(IComplianceTarget?, string?)> CreateTargetAsync()
    {
        (RunsAgainst, var notRunBecause) = await CosmosComplianceTarget.OnRealAccountAsync();
        return (RunsAgainst, notRunBecause);
    }
}

/// <summary>
/// Where the Cosmos DB compliance suite runs, checked rather than only printed: the test-server run
/// is on the gateway test server, and the real-account run is on COSMOS_ENDPOINT or else reported
/// skipped with the reason, never passed silently against something else.
/// </summary>
public sealed class WhereTheComplianceSuiteRuns(ITestOutputHelper output)
{
    [Fact]
    public async Task the_compliance_suite_reports_whether_it_ran_against_a_real_account()
    {
        await using (var onServer = await CosmosComplianceTarget.OnTestServerAsync())
        {
            Assert.NotNull(onServer.Context.Server);
            Assert.Equal(onServer.Context.Server.Endpoint.ToString(), onServer.Context.Options.Endpoint);
        }

        var real = new CosmosComplianceOnRealAccount();
        await real.InitializeAsync();
        try
        {
            if (CosmosSourceContext.RealAccount(out var reason) is { } account)
            {
                Report($"Cosmos DB compliance suite ran against {CosmosSourceContext.EndpointVariable}={account.Endpoint} (AllVersionsAndDeletes must be enabled there).");
                Assert.NotNull(real.RunsAgainst);
                Assert.Null(real.RunsAgainst.Context.Server);
                Assert.Equal(account.Endpoint, real.RunsAgainst.Context.Options.Endpoint);
            }
            else
            {
                Report($"Cosmos DB compliance suite ran against the gateway test server only; its real-account run is reported skipped: {reason}");
                Assert.Contains(CosmosSourceContext.EndpointVariable, reason, StringComparison.Ordinal);
                Assert.Null(real.RunsAgainst);
                // Every test of the real-account run reports the reason as its skip message.
                var skipped = await Assert.ThrowsAsync<SkipException>(real.every_change_is_captured_once_and_the_export_equals_the_collection);
                Assert.Equal(reason, skipped.Message);
            }
        }
        finally
        {
            await real.DisposeAsync();
        }
    }

    private void Report(string message)
    {
        output.WriteLine(message);
        Console.WriteLine(message);
    }
}
