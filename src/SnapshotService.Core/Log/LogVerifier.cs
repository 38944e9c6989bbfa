using SnapshotService.Grains;
using SnapshotService.Storage;

namespace SnapshotService.Log;

/// <summary>Re-reads a whole export log from the store and reports what is wrong with it (an fsck).</summary>
/// <remarks>
/// Streaming: one segment is in memory at a time; what grows with the log is the set of segment
/// names (to find orphans) and the commit number listing. Each reported list is capped at
/// <see cref="MaxListedItems"/> entries, with a problem saying how many more there were.
/// </remarks>
public static class LogVerifier
{
    /// <summary>Longest list of gaps, duplicates, checksum failures or problems in a report.</summary>
    public const int MaxListedItems = 1000;

    /// <summary>Checks commits 1..N, every segment checksum, every record's seq (gaps, duplicates) and lists orphan files.</summary>
    public static async Task<LogVerificationReport> VerifyAsync(IObjectStore store, string sourceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        SourceIds.Validate(sourceId);
        var findings = new Findings();
        var sourceRoot = StoreKeys.SourceRoot(sourceId);

        // The commit numbers present: the walk must not stop at a hole if later commits exist.
        var present = new HashSet<long>();
        long highest = 0;
        await foreach (var item in store.ListAsync(StoreKeys.LogPrefix(sourceId), cancellationToken).ConfigureAwait(false))
        {
            if (StoreKeys.TryParseLeadingNumber(item.Key, out var number) && item.Key.EndsWith(".json", StringComparison.Ordinal))
            {
                present.Add(number);
                highest = Math.Max(highest, number);
            }
            else
            {
                findings.Problem($"Unexpected file '{item.Key}' in the log folder.");
            }
        }

        var reader = new ExportLogReader(store, sourceId);
        // Segments retention deleted are expected to be missing; see docs/export-format.md.
        var prunedThrough = (await Retention.RetentionMarker.ReadAsync(store, sourceId, cancellationToken).ConfigureAwait(false))?.FirstRetainedSeq ?? 0;
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        long commits = 0;
        long expectedSeq = 1; // the next seq the records should carry
        long commitEnd = 0;   // LastSeq of the last readable commit
        long records = 0;
        long lastSeqSeen = 0;
        for (long n = 1; n <= highest; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!present.Contains(n))
            {
                findings.Problem($"Commit {n} is missing although commits up to {highest} exist.");
                continue;
            }
            CommitRecord? commit;
            try
            {
                commit = await reader.ReadCommitAsync(n, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                findings.Problem($"Commit {n} is unreadable: {e.Message}");
                continue;
            }
            if (commit is null)
            {
                findings.Problem($"Commit {n} disappeared while the log was being verified.");
                continue;
            }
            commits++;
            if (commit.FirstSeq != commitEnd + 1)
            {
                findings.Problem($"Commit {n} declares seqs {commit.FirstSeq}..{commit.LastSeq} but the previous readable commit ends at seq {commitEnd}; commit ranges must be contiguous.");
            }
            commitEnd = Math.Max(commitEnd, commit.LastSeq);
            var segmentExpected = commit.FirstSeq;
            foreach (var segment in commit.Segments)
            {
                var key = sourceRoot + segment.Name;
                referenced.Add(key);
                if (segment.FirstSeq != segmentExpected || segment.LastSeq < segment.FirstSeq || segment.LastSeq > commit.LastSeq)
                {
                    findings.Problem($"Commit {n}: segment '{segment.Name}' declares seqs {segment.FirstSeq}..{segment.LastSeq}, expected to start at {segmentExpected} and end by {commit.LastSeq}.");
                }
                segmentExpected = segment.LastSeq + 1;
                if (segment.LastSeq <= prunedThrough && !await store.ExistsAsync(key, cancellationToken).ConfigureAwait(false))
                {
                    expectedSeq = Math.Max(expectedSeq, segment.LastSeq + 1); // pruned by retention: its commit record still proves the seqs
                    continue;
                }
                byte[] data;
                try
                {
                    data = await reader.ReadSegmentAsync(commit, segment, cancellationToken).ConfigureAwait(false);
                }
                catch (SegmentChecksumException)
                {
                    findings.ChecksumFailure(segment.Name);
                    expectedSeq = Math.Max(expectedSeq, segment.LastSeq + 1);
                    continue;
                }
                catch (InvalidDataException e)
                {
                    findings.Problem(e.Message);
                    expectedSeq = Math.Max(expectedSeq, segment.LastSeq + 1); // its records are reported through the segment, not as gaps
                    continue;
                }
                try
                {
                    foreach (var record in SegmentCodec.ParseLines(segment.Name, data))
                    {
                        records++;
                        if (record.Seq < commit.FirstSeq || record.Seq > commit.LastSeq || record.Seq < segment.FirstSeq || record.Seq > segment.LastSeq)
                        {
                            findings.Problem($"Segment '{segment.Name}' holds seq {record.Seq}, outside its declared range {segment.FirstSeq}..{segment.LastSeq} (commit {n}: {commit.FirstSeq}..{commit.LastSeq}).");
                        }
                        if (record.Seq < expectedSeq)
                        {
                            findings.Duplicate(record.Seq);
                        }
                        else
                        {
                            if (record.Seq > expectedSeq)
                            {
                                findings.Gap(expectedSeq, record.Seq - 1);
                            }
                            expectedSeq = record.Seq + 1;
                        }
                        lastSeqSeen = Math.Max(lastSeqSeen, record.Seq);
                    }
                }
                catch (InvalidDataException e)
                {
                    findings.Problem(e.Message);
                    expectedSeq = Math.Max(expectedSeq, segment.LastSeq + 1);
                }
            }
            if (segmentExpected != commit.LastSeq + 1)
            {
                findings.Problem($"Commit {n} declares seqs {commit.FirstSeq}..{commit.LastSeq} but its segments cover up to {segmentExpected - 1}.");
            }
            if (expectedSeq <= commit.LastSeq)
            {
                findings.Gap(expectedSeq, commit.LastSeq); // declared but not present in its segments
                expectedSeq = commit.LastSeq + 1;
            }
        }

        var orphans = new List<string>();
        await foreach (var item in store.ListAsync(StoreKeys.SegmentsPrefix(sourceId), cancellationToken).ConfigureAwait(false))
        {
            // A segment starting past the verified head may be a live writer's next commit in
            // flight: not an orphan (yet). Once a commit covers its seqs under another name, it is.
            var inFlight = StoreKeys.TryParseSegmentFirstSeq(item.Key, out var firstSeq) && firstSeq > commitEnd;
            if (!referenced.Contains(item.Key) && !inFlight)
            {
                orphans.Add(item.Key);
            }
        }
        var lastSeq = Math.Max(commitEnd, lastSeqSeen);
        return new LogVerificationReport(sourceId, commits, lastSeq > 0 ? 1 : 0, lastSeq, records, findings.Gaps, findings.Duplicates, findings.ChecksumFailures, orphans, findings.Problems);
    }

    private sealed class Findings
    {
        private long _moreGaps;
        private long _moreDuplicates;

        public List<SeqGap> Gaps { get; } = [];

        public List<long> Duplicates { get; } = [];

        public List<string> ChecksumFailures { get; } = [];

        public List<string> Problems { get; } = [];

        public void Gap(long first, long last)
        {
            if (Gaps.Count > 0 && Gaps[^1].Last + 1 == first)
            {
                Gaps[^1] = Gaps[^1] with { Last = last };
            }
            else if (Gaps.Count < MaxListedItems)
            {
                Gaps.Add(new SeqGap(first, last));
            }
            else if (_moreGaps++ == 0)
            {
                Problem($"More than {MaxListedItems} seq gaps; only the first are listed.");
            }
        }

        public void Duplicate(long seq)
        {
            if (Duplicates.Count < MaxListedItems)
            {
                Duplicates.Add(seq);
            }
            else if (_moreDuplicates++ == 0)
            {
                Problem($"More than {MaxListedItems} duplicate seqs; only the first are listed.");
            }
        }

        public void ChecksumFailure(string segmentName)
        {
            if (ChecksumFailures.Count < MaxListedItems)
            {
                ChecksumFailures.Add(segmentName);
            }
        }

        public void Problem(string problem)
        {
            if (Problems.Count < MaxListedItems)
            {
                Problems.Add(problem);
            }
        }
    }
}
