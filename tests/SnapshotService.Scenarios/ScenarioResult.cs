using System.Globalization;
using System.Text;

namespace SnapshotService.Scenarios;

/// <summary>The figures of one scenario run.</summary>
/// <param name="Scenario">Its name.</param>
/// <param name="Size">reduced or full.</param>
/// <param name="Changes">Changes the source made.</param>
/// <param name="MaxLagSeconds">The largest capture lag seen (nominal seconds of changes not yet committed).</param>
/// <param name="RecoverySeconds">From the end of the fault until capture was back within 1 s of the source; null when it never fell behind.</param>
/// <param name="Lost">Source documents neither exported nor dead-lettered (must be 0).</param>
/// <param name="DeadLetters">Documents set aside.</param>
/// <param name="Note">What else the scenario observed.</param>
public sealed record ScenarioResult(string Scenario, string Size, long Changes, double MaxLagSeconds, double? RecoverySeconds, long Lost, long DeadLetters, string Note)
{
    public static string Table(IEnumerable<ScenarioResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("| scenario | size | changes | max lag (s) | recovery (s) | lost | dead letters | note |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---|");
        foreach (var r in results)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Scenario} | {r.Size} | {r.Changes:N0} | {r.MaxLagSeconds:0.0} | {(r.RecoverySeconds is { } s ? s.ToString("0.0", CultureInfo.InvariantCulture) : "—")} | {r.Lost} | {r.DeadLetters} | {r.Note} |"));
        }
        return text.ToString();
    }
}
