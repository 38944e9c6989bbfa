using System.Globalization;
using SnapshotService.Sources;

namespace SnapshotService.Simulated;

/// <summary>What underlying change n does, without its document.</summary>
/// <param name="N">The change's 1-based position in the underlying history (also its source version).</param>
/// <param name="KeyNumber">The key number, 1..KeySpace.</param>
/// <param name="Operation">Upsert or delete.</param>
public readonly record struct SimulatedChangeInfo(long N, int KeyNumber, ChangeOperation Operation);

/// <summary>
/// The simulated source's history as a pure function of its options: change n (1-based) is the
/// same on every machine, in every process, forever. This is what makes the simulated source a
/// test oracle — the state after any n changes is known exactly — and what lets a restarted
/// reader resume without a stored generator state.
/// </summary>
/// <remarks>
/// <para>Change n, for n ≤ KeySpace (the fill phase), inserts key n. After that, the key is drawn
/// uniformly from 1..KeySpace and the change is a delete with probability DeletePercent/100,
/// otherwise an upsert. A delete may hit a key that is already absent; it is emitted anyway (real
/// change feeds emit such deletes too, e.g. after a TTL race) and changes nothing in the state.</para>
/// <para>Keys are <c>k</c> + the key number zero-padded to the digit count of KeySpace (e.g.
/// <c>k00042</c> for KeySpace 10,000), so ordinal string order equals numeric order. The partition
/// key is <c>p{key number mod 16}</c>. SourceVersion is n; SourceTime is Origin + n × interval.</para>
/// <para>Randomness comes from SplitMix64 evaluated at (seed, stream, n) — see the source file —
/// never from System.Random, whose algorithm .NET does not promise to keep.</para>
/// </remarks>
public sealed class SimulatedHistory
{
    private readonly string[] _partitionKeys;
    private readonly SimulatedDocumentWriter _documents;
    private readonly ulong _keyStream;
    private readonly ulong _operationStream;
    private readonly ulong _dropStream;
    private readonly ulong _duplicateStream;
    private readonly ulong _reorderStream;
    private readonly double _intervalTicks;

    /// <summary>Creates the history; throws <see cref="ArgumentException"/> listing every invalid setting.</summary>
    /// <param name="options">The settings (copied: later changes to the object do not affect this history).</param>
    /// <param name="sourceId">The source id used in validation messages.</param>
    public SimulatedHistory(SimulatedSourceOptions options, string sourceId = "simulated")
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid(sourceId);
        Options = options.Clone();
        Length = Options.MaxChanges > 0 ? Options.MaxChanges : long.MaxValue;
        KeyWidth = SimulatedDocumentWriter.DigitCount((ulong)Options.KeySpace);
        ReorderWindow = Math.Max(1, Options.Faults.ReorderWindow);
        HasFaults = Options.Faults.Any;
        _partitionKeys = Enumerable.Range(0, 16).Select(i => string.Create(CultureInfo.InvariantCulture, $"p{i}")).ToArray();
        _documents = new SimulatedDocumentWriter(Options.Seed, KeyWidth, Options.DocumentBytes, Options.SchemaChangeAfter, Options.PoisonPerMille);
        _keyStream = DeterministicMix.StreamSeed(Options.Seed, DeterministicMix.Stream.Key);
        _operationStream = DeterministicMix.StreamSeed(Options.Seed, DeterministicMix.Stream.Operation);
        _dropStream = DeterministicMix.StreamSeed(Options.Seed, DeterministicMix.Stream.Drop);
        _duplicateStream = DeterministicMix.StreamSeed(Options.Seed, DeterministicMix.Stream.Duplicate);
        _reorderStream = DeterministicMix.StreamSeed(Options.Seed, DeterministicMix.Stream.Reorder);
        _intervalTicks = Options.IntervalTicks;
    }

    /// <summary>The settings this history was built from (a private copy).</summary>
    public SimulatedSourceOptions Options { get; }

    /// <summary>Number of underlying changes: MaxChanges, or <see cref="long.MaxValue"/> when unbounded.</summary>
    public long Length { get; }

    /// <summary>Digits in a key after the <c>k</c>.</summary>
    public int KeyWidth { get; }

    /// <summary>The effective reorder window: ReorderWindow, or 1 (in order).</summary>
    public int ReorderWindow { get; }

    /// <summary>True when any fault knob changes the emitted stream relative to the underlying history.</summary>
    public bool HasFaults { get; }

    /// <summary>The key string of key number <paramref name="keyNumber"/> (1..KeySpace).</summary>
    public string KeyOf(int keyNumber) => SimulatedDocumentWriter.FormatKey(keyNumber, KeyWidth);

    /// <summary>The partition key of key number <paramref name="keyNumber"/>: <c>p{keyNumber mod 16}</c>.</summary>
    public string PartitionKeyOf(int keyNumber) => _partitionKeys[keyNumber & 15];

    /// <summary>The key number of a key string, or null when the string is not a key of this history.</summary>
    public int? KeyNumberOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length != KeyWidth + 1 || key[0] != 'k' ||
            !int.TryParse(key.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var number) ||
            number < 1 || number > Options.KeySpace)
        {
            return null;
        }
        return number;
    }

    /// <summary>Source time of change <paramref name="n"/>: Origin + n × interval (n = 0 gives Origin).</summary>
    public DateTimeOffset SourceTimeOf(long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        return Options.Origin.AddTicks((long)(n * _intervalTicks));
    }

    /// <summary>What change <paramref name="n"/> does (1 ≤ n ≤ <see cref="Length"/>), without generating its document.</summary>
    public SimulatedChangeInfo InfoAt(long n)
    {
        CheckPosition(n);
        var keySpace = Options.KeySpace;
        if (n <= keySpace)
        {
            return new SimulatedChangeInfo(n, (int)n, ChangeOperation.Upsert);
        }
        var key = 1 + (int)DeterministicMix.Below(DeterministicMix.At(_keyStream, (ulong)n), (ulong)keySpace);
        var delete = DeterministicMix.Below(DeterministicMix.At(_operationStream, (ulong)n), 100) < (ulong)Options.DeletePercent;
        return new SimulatedChangeInfo(n, key, delete ? ChangeOperation.Delete : ChangeOperation.Upsert);
    }

    /// <summary>Change <paramref name="n"/> as the source emits it (document in its own array).</summary>
    public SourceChange ChangeAt(long n) => ChangeAt(n, arena: null);

    /// <summary>
    /// The document an upsert at change <paramref name="n"/> writes for <paramref name="keyNumber"/>.
    /// A live key's document is always <c>DocumentOf(version, key)</c>, which is how the state
    /// stores only versions and regenerates documents on demand.
    /// </summary>
    public byte[] DocumentOf(long n, int keyNumber)
    {
        var document = new byte[_documents.LengthOf(n, keyNumber)];
        _documents.Write(n, keyNumber, document);
        return document;
    }

    /// <summary>The exact state after the first <paramref name="n"/> underlying changes (the fault-free history).</summary>
    /// <remarks>Costs O(n) hashing (tens of millions of changes per second) plus 8 bytes per key of KeySpace.</remarks>
    public SimulatedState StateAfter(long n)
    {
        var state = new SimulatedState(this);
        state.AdvanceTo(n);
        return state;
    }

    /// <summary>True when the fault knobs drop change <paramref name="n"/> from the emitted stream.</summary>
    public bool IsDropped(long n) => DeterministicMix.Chance(DeterministicMix.At(_dropStream, (ulong)n), Options.Faults.DropPerMille);

    /// <summary>True when change <paramref name="n"/> is emitted twice in a row (unless it is dropped, which wins).</summary>
    public bool IsDuplicated(long n) => DeterministicMix.Chance(DeterministicMix.At(_duplicateStream, (ulong)n), Options.Faults.DuplicatePerMille);

    /// <summary>The size of the reorder window that starts after <paramref name="consumed"/> underlying changes (0 at the end).</summary>
    public int WindowSizeAt(long consumed) => (int)Math.Min(ReorderWindow, Length - consumed);

    /// <summary>
    /// The emission order of the window starting after <paramref name="consumed"/> changes (a
    /// multiple of <see cref="ReorderWindow"/>): element j is the offset (0-based) of the change
    /// emitted j-th, i.e. change <c>consumed + 1 + order[j]</c>. A Fisher-Yates shuffle driven
    /// by (seed, window number).
    /// </summary>
    public int[] WindowOrder(long consumed)
    {
        var size = WindowSizeAt(consumed);
        var order = new int[Math.Max(size, 0)];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        if (ReorderWindow <= 1)
        {
            return order;
        }
        var windowSeed = DeterministicMix.At(_reorderStream, (ulong)(consumed / ReorderWindow));
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = (int)DeterministicMix.Below(DeterministicMix.At(windowSeed, (ulong)i), (ulong)i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    internal SourceChange ChangeAt(long n, DocumentArena? arena)
    {
        var info = InfoAt(n);
        var key = KeyOf(info.KeyNumber);
        var time = SourceTimeOf(n);
        if (info.Operation == ChangeOperation.Delete)
        {
            return new SourceChange(key, PartitionKeyOf(info.KeyNumber), ChangeOperation.Delete, n, time, ReadOnlyMemory<byte>.Empty);
        }
        var length = _documents.LengthOf(n, info.KeyNumber);
        Memory<byte> document = arena is null ? new byte[length] : arena.Allocate(length);
        _documents.Write(n, info.KeyNumber, document.Span);
        return new SourceChange(key, PartitionKeyOf(info.KeyNumber), ChangeOperation.Upsert, n, time, document);
    }

    private void CheckPosition(long n)
    {
        if (n < 1 || n > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, $"Change positions run from 1 to {(Length == long.MaxValue ? "unbounded" : Length.ToString(CultureInfo.InvariantCulture))}.");
        }
    }
}
