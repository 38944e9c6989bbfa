using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using SnapshotService.Contracts;
using SnapshotService.DeadLetters;
using SnapshotService.Grains;
using SnapshotService.Schemas;
using V1 = SnapshotService.Api.V1;

namespace SnapshotService.Host.Grpc;

/// <summary>Schemas, contracts and dead letters to and from the API messages.</summary>
internal static class QualityMapping
{
    public static V1.Schema ToApi(this SourceSchema schema, string sourceId, string snapshotId)
    {
        var message = new V1.Schema
        {
            SourceId = sourceId,
            SnapshotId = snapshotId,
            ThroughSeq = (ulong)Math.Max(0, schema.ThroughSeq),
            Documents = (ulong)schema.Documents,
            TruncatedFields = (ulong)schema.TruncatedFields,
        };
        foreach (var field in schema.Fields)
        {
            var apiField = new V1.SchemaField { Path = field.Path, Documents = (ulong)field.Documents, PresenceRatio = field.PresenceRatio(schema.Documents) };
            foreach (var type in field.Types)
            {
                var apiType = new V1.SchemaFieldType { Type = type.Type, Documents = (ulong)type.Documents, FirstSeenSeq = (ulong)type.FirstSeenSeq, LastSeenSeq = (ulong)type.LastSeenSeq };
                apiType.ExampleKeys.AddRange(type.ExampleKeys);
                apiField.Types_.Add(apiType); // protoc names the "types" field Types_ (Types is reserved for nested types)
            }
            message.Fields.Add(apiField);
        }
        return message;
    }

    public static V1.SchemaDiff ToApi(this SchemaDiff diff, string sourceId)
    {
        var message = new V1.SchemaDiff { SourceId = sourceId, FromSeq = (ulong)diff.FromSeq, ToSeq = (ulong)diff.ToSeq, DocumentsBetween = (ulong)Math.Max(0, diff.DocumentsBetween) };
        message.Added.AddRange(diff.Added.Select(ToApi));
        message.Removed.AddRange(diff.Removed.Select(ToApi));
        message.TypeChanged.AddRange(diff.TypeChanged.Select(ToApi));
        return message;
    }

    public static V1.Contract ToApi(this SourceContract? contract, string sourceId) => contract is null
        ? new V1.Contract { SourceId = sourceId, Present = false }
        : new V1.Contract
        {
            SourceId = sourceId,
            Present = true,
            JsonSchema = contract.SchemaJson,
            Policy = ContractPolicies.Name(contract.Policy),
            UpdatedAt = Timestamp.FromDateTimeOffset(contract.UpdatedAt),
        };

    public static V1.DeadLetter ToApi(this DeadLetter letter, bool includePayload)
    {
        var message = new V1.DeadLetter
        {
            Id = letter.Id,
            Key = letter.Key,
            PartitionKey = letter.PartitionKey ?? "",
            SourceVersion = letter.SourceVersion,
            SourceTime = Timestamp.FromDateTimeOffset(letter.SourceTime),
            Origin = letter.Origin.ToString().ToLowerInvariant(),
            Reason = DeadLetterReasons.Name(letter.Reason),
            Detail = letter.Detail,
            LogSeq = (ulong)Math.Max(0, letter.LogSeq),
            DeadLetteredAt = Timestamp.FromDateTimeOffset(letter.DeadLetteredAt),
            PayloadBytes = (ulong)letter.Payload.Length,
        };
        if (includePayload)
        {
            message.Payload = ByteString.CopyFrom(letter.Payload.Span);
        }
        return message;
    }

    public static V1.RetryDeadLettersResponse ToApi(this IReadOnlyList<DeadLetterRetryResult> results)
    {
        var response = new V1.RetryDeadLettersResponse();
        foreach (var result in results)
        {
            response.Results.Add(new V1.RetryResult { Id = result.Id, Key = result.Key, Outcome = result.Outcome.ToApi(), Detail = result.Detail });
        }
        response.Written = (uint)results.Count(r => r.Outcome == DeadLetterRetryOutcome.Written);
        response.Superseded = (uint)results.Count(r => r.Outcome == DeadLetterRetryOutcome.Superseded);
        response.StillFailing = (uint)results.Count(r => r.Outcome == DeadLetterRetryOutcome.StillFailing);
        response.NotFound = (uint)results.Count(r => r.Outcome == DeadLetterRetryOutcome.NotFound);
        return response;
    }

    private static V1.RetryOutcome ToApi(this DeadLetterRetryOutcome outcome) => outcome switch
    {
        DeadLetterRetryOutcome.Written => V1.RetryOutcome.Written,
        DeadLetterRetryOutcome.Superseded => V1.RetryOutcome.Superseded,
        DeadLetterRetryOutcome.StillFailing => V1.RetryOutcome.StillFailing,
        _ => V1.RetryOutcome.NotFound,
    };

    private static V1.FieldChange ToApi(FieldChange change)
    {
        var message = new V1.FieldChange { Path = change.Path, Documents = (ulong)Math.Max(0, change.Documents) };
        message.TypesBefore.AddRange(change.TypesBefore);
        message.TypesAfter.AddRange(change.TypesAfter);
        message.ExampleKeys.AddRange(change.ExampleKeys);
        return message;
    }
}
