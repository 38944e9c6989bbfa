using System.Runtime.CompilerServices;
using MongoDB.Bson;
using MongoDB.Driver;

namespace SnapshotService.Sources.Mongo;

/// <summary>A document a scan read, with its key and the operationTime of the batch it came in.</summary>
internal sealed record ScannedDocument(string Key, BsonDocument Document, long ReadVersion);

/// <summary>
/// Reads documents by export-key range in ordinal key order (see <see cref="MongoKeys"/>): one
/// indexed <c>_id</c> range query per key family, merged. Reads use majority read concern in an
/// explicit session, so each batch's operationTime is a version every returned document reflects.
/// </summary>
internal sealed class MongoRangeScanner(IMongoClient client, IMongoCollection<BsonDocument> collection, BsonDocument? userFilter, int batchSize)
{
    private static readonly BsonDocument ByIdAscending = new("_id", 1);

    /// <summary>
    /// Streams the documents whose keys fall in <paramref name="range"/>, ordinal key order, at most
    /// <paramref name="limit"/> of them. Family cursors are pulled lazily and killed when the scan stops.
    /// </summary>
    public async IAsyncEnumerable<ScannedDocument> ScanAsync(KeyRange range, int? limit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var session = await client.StartSessionAsync(new ClientSessionOptions { CausalConsistency = false }, cancellationToken).ConfigureAwait(false);
        var heads = new List<IAsyncEnumerator<ScannedDocument>>(3);
        try
        {
            foreach (var source in FamilySources(session, range, limit, cancellationToken))
            {
                var e = source.GetAsyncEnumerator(cancellationToken);
                if (await e.MoveNextAsync().ConfigureAwait(false))
                {
                    heads.Add(e);
                }
                else
                {
                    await e.DisposeAsync().ConfigureAwait(false);
                }
            }
            var emitted = 0;
            while (heads.Count > 0 && (limit is null || emitted < limit))
            {
                var best = 0;
                for (var i = 1; i < heads.Count; i++)
                {
                    if (string.CompareOrdinal(heads[i].Current.Key, heads[best].Current.Key) < 0)
                    {
                        best = i;
                    }
                }
                yield return heads[best].Current;
                emitted++;
                if (!await heads[best].MoveNextAsync().ConfigureAwait(false))
                {
                    await heads[best].DisposeAsync().ConfigureAwait(false);
                    heads.RemoveAt(best);
                }
            }
        }
        finally
        {
            foreach (var head in heads)
            {
                await head.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Point-reads documents by <c>_id</c> (<c>$in</c>); returns them with the read's operationTime.</summary>
    public async Task<(List<ScannedDocument> Documents, long ReadVersion)> ReadByIdsAsync(IReadOnlyList<BsonValue> ids, CancellationToken cancellationToken)
    {
        using var session = await client.StartSessionAsync(new ClientSessionOptions { CausalConsistency = false }, cancellationToken).ConfigureAwait(false);
        var found = new List<ScannedDocument>(ids.Count);
        long? readVersion = null;
        const int PerQuery = 1000;
        for (var start = 0; start < ids.Count; start += PerQuery)
        {
            var slice = new BsonArray(ids.Skip(start).Take(PerQuery));
            var filter = Combine(new BsonDocument("_id", new BsonDocument("$in", slice)));
            using var cursor = await collection.FindAsync(session, filter, new FindOptions<BsonDocument> { BatchSize = batchSize }, cancellationToken).ConfigureAwait(false);
            var first = true;
            while (await cursor.MoveNextAsync(cancellationToken).ConfigureAwait(false))
            {
                var version = OperationTime(session);
                if (first)
                {
                    // The earliest read bounds what every answer reflects (a later query saw at least as much).
                    readVersion = readVersion is { } v ? Math.Min(v, version) : version;
                    first = false;
                }
                foreach (var document in cursor.Current)
                {
                    found.Add(new ScannedDocument(MongoKeys.Encode(document["_id"]), document, version));
                }
            }
        }
        if (readVersion is null)
        {
            // Nothing to read: the server's current time still answers "absent as of when".
            await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(session, new BsonDocument("ping", 1), cancellationToken: cancellationToken).ConfigureAwait(false);
            readVersion = OperationTime(session);
        }
        return (found, readVersion.Value);
    }

    /// <summary>The operationTime the server reported for the session's last command, as a version.</summary>
    public static long OperationTime(IClientSessionHandle session) =>
        session.OperationTime is { } time
            ? ClusterTime.ToVersion(time)
            : throw new InvalidOperationException("the server reported no operationTime; a replica set member always does (is this a standalone server?).");

    private IEnumerable<IAsyncEnumerable<ScannedDocument>> FamilySources(IClientSessionHandle session, KeyRange range, int? limit, CancellationToken cancellationToken)
    {
        var start = range.StartInclusive;
        var end = range.EndExclusive;

        var oidLow = start is null ? new string('0', 24) : MongoKeys.HexCeiling(start);
        var oidHigh = end is null ? null : MongoKeys.HexCeiling(end);
        if (oidLow is not null && (oidHigh is null || string.CompareOrdinal(oidLow, oidHigh) < 0))
        {
            var bounds = new BsonDocument("$gte", ObjectId.Parse(oidLow));
            if (oidHigh is not null)
            {
                bounds.Add("$lt", ObjectId.Parse(oidHigh));
            }
            yield return QueryAsync(session, new BsonDocument("_id", bounds), range, MongoKeyFamily.ObjectId, limit, cancellationToken);
        }

        var stringLow = start is null ? "" : MongoKeys.StringLowerBound(start);
        var stringHigh = end is null ? null : MongoKeys.StringUpperBound(end);
        if (stringHigh is null || string.CompareOrdinal(stringLow, stringHigh) < 0)
        {
            var bounds = new BsonDocument("$gte", stringLow);
            if (stringHigh is not null)
            {
                bounds.Add("$lt", stringHigh);
            }
            yield return QueryAsync(session, new BsonDocument("_id", bounds), range, MongoKeyFamily.String, limit: null, cancellationToken);
        }

        if (MongoKeys.TouchesOther(range))
        {
            yield return OtherFamilyAsync(session, range, cancellationToken);
        }
    }

    private async IAsyncEnumerable<ScannedDocument> QueryAsync(IClientSessionHandle session, BsonDocument idFilter, KeyRange range, MongoKeyFamily family, int? limit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = new FindOptions<BsonDocument> { Sort = ByIdAscending, BatchSize = Math.Min(batchSize, limit ?? batchSize) };
        using var cursor = await collection.FindAsync(session, Combine(idFilter), options, cancellationToken).ConfigureAwait(false);
        while (await cursor.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            var version = OperationTime(session);
            foreach (var document in cursor.Current)
            {
                var key = MongoKeys.Encode(document["_id"]);
                // String bounds are conservative (escapes): the exact range test happens here.
                if (MongoKeys.FamilyOf(key) == family && range.Contains(key))
                {
                    yield return new ScannedDocument(key, document, version);
                }
            }
        }
    }

    /// <summary>
    /// Keys that are neither ObjectIds nor strings have no order an index range can follow: read
    /// them all (one type-bracketed range per BSON type), keep those in range, sort in memory.
    /// </summary>
    private async IAsyncEnumerable<ScannedDocument> OtherFamilyAsync(IClientSessionHandle session, KeyRange range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var brackets = new BsonArray
        {
            new BsonDocument("_id", new BsonDocument("$gte", double.NegativeInfinity)),
            new BsonDocument("_id", new BsonDocument("$gte", new BsonDateTime(long.MinValue))),
            new BsonDocument("_id", new BsonDocument("$gte", new BsonBinaryData([]))),
            new BsonDocument("_id", new BsonDocument("$gte", new BsonDocument())),
            new BsonDocument("_id", new BsonDocument("$gte", new BsonTimestamp(0))),
            new BsonDocument("_id", new BsonDocument("$in", new BsonArray { true, false, BsonNull.Value })),
        };
        var found = new List<ScannedDocument>();
        var options = new FindOptions<BsonDocument> { BatchSize = batchSize };
        using (var cursor = await collection.FindAsync(session, Combine(new BsonDocument("$or", brackets)), options, cancellationToken).ConfigureAwait(false))
        {
            while (await cursor.MoveNextAsync(cancellationToken).ConfigureAwait(false))
            {
                var version = OperationTime(session);
                foreach (var document in cursor.Current)
                {
                    var key = MongoKeys.Encode(document["_id"]);
                    if (MongoKeys.FamilyOf(key) == MongoKeyFamily.Other && range.Contains(key))
                    {
                        found.Add(new ScannedDocument(key, document, version));
                    }
                }
            }
        }
        found.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var document in found)
        {
            yield return document;
        }
    }

    private BsonDocument Combine(BsonDocument filter) =>
        userFilter is null ? filter : new BsonDocument("$and", new BsonArray { userFilter, filter });
}
