namespace SnapshotService.Sources.Mongo;

/// <summary>
/// Retries transient MongoDB failures with exponential backoff and full jitter, a bounded number
/// of times; fatal failures become a <see cref="MongoSourceException"/> at once. The driver already
/// retries reads once and resumes change streams once; this covers longer outages (an election,
/// a restarting node) without failing the source, yet gives up and says why when it lasts.
/// </summary>
internal sealed class MongoRetry(MongoSourceOptions options, string sourceId, TimeProvider timeProvider)
{
    /// <summary>Runs <paramref name="operation"/>; HistoryLost and unknown exceptions pass through unchanged.</summary>
    public async Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await operation(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                switch (MongoErrors.Classify(ex))
                {
                    case MongoErrorKind.Fatal:
                        throw new MongoSourceException(MongoErrors.Explain(sourceId, options.Database!, options.Collection!, ex), ex);
                    case MongoErrorKind.Transient when attempt < options.MaxRetries:
                        await Task.Delay(DelayFor(attempt), timeProvider, cancellationToken).ConfigureAwait(false);
                        continue;
                    case MongoErrorKind.Transient:
                        throw new MongoSourceException($"{MongoErrors.Explain(sourceId, options.Database!, options.Collection!, ex)} ({what} still failing after {attempt + 1} attempts; capture resumes from the last committed position when the source is restarted).", ex);
                    default:
                        throw;
                }
            }
        }
    }

    /// <summary>Full jitter: a random delay up to base × 2^attempt, capped.</summary>
    public TimeSpan DelayFor(int attempt)
    {
        var ceiling = Math.Min(options.RetryMaxDelay.TotalMilliseconds, options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        return TimeSpan.FromMilliseconds(Math.Max(1, Random.Shared.NextDouble() * ceiling));
    }
}
