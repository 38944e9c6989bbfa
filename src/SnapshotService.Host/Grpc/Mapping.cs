using Google.Protobuf.WellKnownTypes;
using SnapshotService.Errors;
using SnapshotService.Grains;
using V1 = SnapshotService.Api.V1;

namespace SnapshotService.Host.Grpc;

/// <summary>Domain records ↔ API messages. Sequence numbers are int64 inside, uint64 on the wire.</summary>
internal static class Mapping
{
    public static V1.Source ToApi(this SourceStatus status)
    {
        var source = new V1.Source
        {
            SourceId = status.SourceId,
            Kind = status.Kind,
            State = status.State.ToApi(),
            FailureReason = status.FailureReason ?? string.Empty,
            CommittedSeq = ToUInt64(status.CommittedSeq),
            CommitCount = ToUInt64(status.CommitCount),
            PositionSummary = status.PositionSummary,
            LagSeconds = status.LagSeconds,
            ChangesPerSecond = status.ChangesPerSecond,
            Description = status.Description,
            Backfill = status.Backfill ?? string.Empty,
            Silo = status.Silo,
            WriterId = status.WriterId,
            PositionAgeSeconds = status.PositionAgeSeconds,
            LagBudgetSeconds = status.LagBudgetSeconds,
        };
        if (status.LastCommitTime is { } lastCommit)
        {
            source.LastCommitTime = Timestamp.FromDateTimeOffset(lastCommit);
        }
        if (status.HistoryHeadroomSeconds is { } headroom)
        {
            source.HistoryHeadroomSeconds = headroom;
        }
        foreach (var range in status.RangeLags)
        {
            source.RangeLags.Add(new V1.RangeLag { Range = range.Range, LagSeconds = range.LagSeconds });
        }
        foreach (var e in status.RecentEvents)
        {
            source.RecentEvents.Add(new V1.SourceEvent { Time = Timestamp.FromDateTimeOffset(e.At), Kind = e.Kind, Message = e.Message });
        }
        return source;
    }

    public static V1.SourceState ToApi(this SourceState state) => state switch
    {
        SourceState.Starting => V1.SourceState.Starting,
        SourceState.Running => V1.SourceState.Running,
        SourceState.Paused => V1.SourceState.Paused,
        SourceState.Failed => V1.SourceState.Failed,
        SourceState.Invalidated => V1.SourceState.Invalidated,
        SourceState.Degraded => V1.SourceState.Degraded,
        _ => V1.SourceState.Unspecified,
    };

    public static V1.Snapshot ToApi(this SnapshotAnchor anchor)
    {
        var snapshot = new V1.Snapshot
        {
            SnapshotId = anchor.Id,
            SourceId = anchor.SourceId,
            Sequence = ToUInt64(anchor.Seq),
            Label = anchor.Label ?? string.Empty,
            CreateTime = Timestamp.FromDateTimeOffset(anchor.CreatedAt),
            SourcePosition = anchor.Position.Token ?? string.Empty,
        };
        if (anchor.SourceTime is { } sourceTime)
        {
            snapshot.SourceTime = Timestamp.FromDateTimeOffset(sourceTime);
        }
        return snapshot;
    }

    public static V1.LogVerification ToApi(this LogVerificationReport report)
    {
        var verification = new V1.LogVerification
        {
            SourceId = report.SourceId,
            Ok = report.Ok,
            Commits = ToUInt64(report.Commits),
            FirstSeq = ToUInt64(report.FirstSeq),
            LastSeq = ToUInt64(report.LastSeq),
            Records = ToUInt64(report.Records),
        };
        verification.Gaps.AddRange(report.Gaps.Select(g => new V1.SeqRange { First = ToUInt64(g.First), Last = ToUInt64(g.Last) }));
        verification.DuplicateSeqs.AddRange(report.DuplicateSeqs.Select(ToUInt64));
        verification.ChecksumFailures.AddRange(report.ChecksumFailures);
        verification.OrphanFiles.AddRange(report.OrphanFiles);
        verification.Problems.AddRange(report.Problems);
        return verification;
    }

    /// <summary>
    /// Turns the request into a command. Only wire-level problems are checked here (values the
    /// domain types cannot hold); range checks against the log live in SnapshotAnchorStore.
    /// </summary>
    public static CreateSnapshotCommand ToCommand(this V1.CreateSnapshotRequest request)
    {
        long? atSequence = null;
        DateTimeOffset? atTime = null;
        switch (request.AtCase)
        {
            case V1.CreateSnapshotRequest.AtOneofCase.AtSequence:
                if (request.AtSequence > long.MaxValue)
                {
                    throw SnapshotServiceException.InvalidArgument("at_sequence", $"at_sequence {request.AtSequence} is out of range; it must be between 1 and the source's committed_seq.");
                }
                atSequence = (long)request.AtSequence;
                break;
            case V1.CreateSnapshotRequest.AtOneofCase.AtTime:
                atTime = ToDateTimeOffset(request.AtTime, "at_time");
                break;
            case V1.CreateSnapshotRequest.AtOneofCase.None:
            default:
                break;
        }
        return new CreateSnapshotCommand(string.IsNullOrEmpty(request.Label) ? null : request.Label, atSequence, atTime);
    }

    private static DateTimeOffset ToDateTimeOffset(Timestamp? timestamp, string field)
    {
        if (timestamp is null)
        {
            throw SnapshotServiceException.InvalidArgument(field, $"{field} is required.");
        }
        try
        {
            return timestamp.ToDateTimeOffset();
        }
        catch (InvalidOperationException)
        {
            throw SnapshotServiceException.InvalidArgument(field, $"{field} is not a valid timestamp (seconds {timestamp.Seconds}, nanos {timestamp.Nanos}); use a time between 0001-01-01 and 9999-12-31 UTC.");
        }
    }

    private static ulong ToUInt64(long value) => value < 0 ? 0UL : (ulong)value;
}
