using MongoDB.Bson;
using SnapshotService.Testing.Mongo.Commands;
using SnapshotService.Testing.Mongo.Storage;

namespace SnapshotService.Testing.Mongo;

/// <summary>
/// Fault injection, thread-safe. Faults are keyed by command name (case-insensitive, e.g. "getMore", "insert")
/// and consumed in order: a delay, an action run just before the command, then a connection close, then an error.
/// </summary>
public sealed class MongoFaults
{
    private readonly object _sync = new();
    private readonly List<PlannedFault> _planned = [];
    private ServerState? _state;
    private bool _changeStreamsDisabled;
    private bool _rejectAuthentication;
    private int _authenticationsRejected;

    /// <summary>When true, aggregate with $changeStream fails with 40573 as on a standalone server.</summary>
    public bool ChangeStreamsDisabled
    {
        get { lock (_sync) { return _changeStreamsDisabled; } }
        set { lock (_sync) { _changeStreamsDisabled = value; } }
    }

    /// <summary>When true, saslStart/saslContinue fail with 18 AuthenticationFailed (wrong credentials).</summary>
    public bool RejectAuthentication
    {
        get { lock (_sync) { return _rejectAuthentication; } }
        set { lock (_sync) { _rejectAuthentication = value; } }
    }

    /// <summary>Authentication attempts refused under <see cref="RejectAuthentication"/> so far (a test counts retries with it, not the clock).</summary>
    public int AuthenticationsRejected
    {
        get { lock (_sync) { return _authenticationsRejected; } }
    }

    /// <summary>Refuses one authentication attempt when <see cref="RejectAuthentication"/> is on, counting it; true when refused.</summary>
    internal bool TryRejectAuthentication()
    {
        lock (_sync)
        {
            if (_rejectAuthentication)
            {
                _authenticationsRejected++;
            }
            return _rejectAuthentication;
        }
    }

    /// <summary>Fails the next <paramref name="times"/> commands named <paramref name="commandName"/> with this error.</summary>
    public void FailCommand(string commandName, int times, int code, string codeName, string errorMessage, params string[] errorLabels) =>
        Plan(new PlannedFault(commandName, times) { Error = new CommandError(code, codeName, errorMessage, errorLabels) });

    /// <summary>getMore → 286 ChangeStreamHistoryLost (not resumable: the driver surfaces MongoCommandException 286).</summary>
    public void FailGetMoreWithHistoryLost(int times = 1) =>
        Plan(new PlannedFault("getMore", times) { Error = CommandError.HistoryLost() });

    /// <summary>
    /// 10107 NotWritablePrimary, labelled as a real primary stepping down labels it: RetryableWriteError on writes
    /// (insert/update/delete/findAndModify: the driver retries once), ResumableChangeStreamError on getMore and
    /// aggregate (the driver resumes a change stream), no label on other commands (retryable reads go by code).
    /// </summary>
    public void FailWithNotWritablePrimary(string commandName, int times = 1)
    {
        string[] labels = commandName.ToLowerInvariant() switch
        {
            "insert" or "update" or "delete" or "findandmodify" => ["RetryableWriteError"],
            "getmore" or "aggregate" => ["ResumableChangeStreamError"],
            _ => [],
        };
        FailCommand(commandName, times, 10107, "NotWritablePrimary", "not primary", labels);
    }

    /// <summary>
    /// Closes the connection on the next <paramref name="times"/> commands named <paramref name="commandName"/>
    /// without replying (a mid-stream network drop). With <paramref name="afterExecuting"/> the command runs first,
    /// so a retried write meets the server's retryable-write memory.
    /// </summary>
    public void CloseConnectionOnNext(string commandName, int times = 1, bool afterExecuting = false) =>
        Plan(new PlannedFault(commandName, times) { Close = afterExecuting ? CloseMode.AfterExecuting : CloseMode.BeforeExecuting });

    /// <summary>Delays the next <paramref name="times"/> commands named <paramref name="commandName"/> by <paramref name="delay"/>.</summary>
    public void Delay(string commandName, TimeSpan delay, int times = 1) =>
        Plan(new PlannedFault(commandName, times) { Delay = delay });

    /// <summary>
    /// Runs <paramref name="action"/> once, just before the next command named <paramref name="commandName"/>
    /// executes (outside the server lock, so it may write through <see cref="MongoServerData"/>): a test puts
    /// a write exactly between two commands of the client it watches.
    /// </summary>
    public void RunBeforeNext(string commandName, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Plan(new PlannedFault(commandName, 1) { Before = action });
    }

    /// <summary>Aborts every open client connection now (a network blip or failover as the driver sees it).</summary>
    public void DropAllConnections() => State.AbortConnections();

    /// <summary>Rolls the oplog window forward: drops entries older than <paramref name="timestamp"/>.</summary>
    public void TruncateOplogBefore(BsonTimestamp timestamp)
    {
        var state = State;
        lock (state.Sync)
        {
            state.Oplog.TruncateBefore(timestamp);
        }
    }

    /// <summary>Rolls the oplog window forward: keeps only the newest <paramref name="count"/> entries.</summary>
    public void KeepLastOplogEntries(int count)
    {
        var state = State;
        lock (state.Sync)
        {
            state.Oplog.KeepLast(count);
        }
    }

    /// <summary>Same as <see cref="MongoServerData.Drop"/>: drop + invalidate events.</summary>
    public bool Drop(string database, string collection) => new MongoServerData(State).Drop(database, collection);

    /// <summary>Same as <see cref="MongoServerData.Rename"/>: rename + invalidate events.</summary>
    public void Rename(string database, string collection, string toCollection, bool dropTarget = false) =>
        new MongoServerData(State).Rename(database, collection, toCollection, dropTarget);

    /// <summary>Removes every planned fault and switch.</summary>
    public void Clear()
    {
        lock (_sync)
        {
            _planned.Clear();
            _changeStreamsDisabled = false;
            _rejectAuthentication = false;
        }
    }

    internal void Attach(ServerState state) => _state = state;

    /// <summary>Consumes the faults planned for this command.</summary>
    internal FaultPlan Take(string commandName)
    {
        lock (_sync)
        {
            var plan = new FaultPlan();
            foreach (var fault in _planned.Where(f => f.Command.Equals(commandName, StringComparison.OrdinalIgnoreCase)).ToList())
            {
                if (fault.Before is { } before && plan.Before is null)
                {
                    plan = plan with { Before = before };
                }
                else if (fault.Delay is { } delay && plan.Delay == TimeSpan.Zero)
                {
                    plan = plan with { Delay = delay };
                }
                else if (fault.Close != CloseMode.None && plan.Close == CloseMode.None && plan.Error is null)
                {
                    plan = plan with { Close = fault.Close };
                }
                else if (fault.Error is not null && plan.Error is null && plan.Close == CloseMode.None)
                {
                    plan = plan with { Error = fault.Error };
                }
                else
                {
                    continue;
                }
                if (--fault.Remaining <= 0)
                {
                    _planned.Remove(fault);
                }
            }
            return plan;
        }
    }

    private ServerState State => _state ?? throw new InvalidOperationException("The server has not started.");

    private void Plan(PlannedFault fault)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fault.Remaining);
        lock (_sync)
        {
            _planned.Add(fault);
        }
    }

    private sealed class PlannedFault(string command, int times)
    {
        public string Command { get; } = command;
        public int Remaining { get; set; } = times;
        public TimeSpan? Delay { get; init; }
        public Action? Before { get; init; }
        public CloseMode Close { get; init; }
        public CommandError? Error { get; init; }
    }
}

internal enum CloseMode
{
    None,
    BeforeExecuting,
    AfterExecuting,
}

internal sealed record FaultPlan(TimeSpan Delay = default, CloseMode Close = CloseMode.None, CommandError? Error = null, Action? Before = null);
