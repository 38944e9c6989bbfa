using System.Runtime.CompilerServices;
using System.Text;
using SnapshotService.Sources;

namespace SnapshotService.Core.Tests.Capture;

/// <summary>
/// An endless in-memory source whose change n is key "k{n % keys}" with version n; position "n".
/// Counts reads so tests can see backpressure.
/// </summary>
/// <remarks><paramref name="document"/> replaces the default document of change n (poison tests).</remarks>
internal sealed class CountingSource(int keys = 100, long limit = long.MaxValue, Func<long, byte[]>? document = null) : IChangeSource
{
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    public SourceDescriptor Describe() => new("counting", "test", "in-memory test source");

    public ValueTask<ChangeBatch> ReadChangesAsync(SourcePosition after, int maxChanges, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _reads);
        var start = after.IsStart ? 0 : long.Parse(after.Token, System.Globalization.CultureInfo.InvariantCulture);
        var end = Math.Min(limit, start + maxChanges);
        var changes = new List<SourceChange>();
        for (var n = start + 1; n <= end; n++)
        {
            changes.Add(ChangeAt(n));
        }
        return ValueTask.FromResult(new ChangeBatch(changes, new SourcePosition(end.ToString(System.Globalization.CultureInfo.InvariantCulture))));
    }

    public SourceChange ChangeAt(long n) => new(
        $"k{n % keys:D5}",
        null,
        ChangeOperation.Upsert,
        n,
        DateTimeOffset.UnixEpoch.AddSeconds(n),
        document?.Invoke(n) ?? Encoding.UTF8.GetBytes($$"""{"n":{{n}}}"""));

    public async IAsyncEnumerable<SourceDocument> ScanAsync(KeyRange range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        yield break;
    }

    public ValueTask<KeyReadResult> ReadKeysAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The counting source is for capture tests; it has no point reads.");

    public ValueTask<SourceWatermark> GetWatermarkAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(new SourceWatermark(new SourcePosition(limit.ToString(System.Globalization.CultureInfo.InvariantCulture)), null));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
