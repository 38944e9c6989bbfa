using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using SnapshotService.Api.V1;

namespace SnapshotService.Cli.Output;

/// <summary>How values look in tables and tab-separated output.</summary>
internal static class Formats
{
    public static string Time(Timestamp? timestamp) =>
        timestamp is null ? "-" : timestamp.ToDateTimeOffset().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    public static string Number(double value, int decimals) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Number(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    public static string State(SourceState state) => state switch
    {
        SourceState.Starting => "starting",
        SourceState.Running => "running",
        SourceState.Paused => "paused",
        SourceState.Failed => "failed",
        SourceState.Invalidated => "invalidated",
        SourceState.Degraded => "degraded",
        _ => "unspecified",
    };

    /// <summary>The colour of a state on a terminal (the word is always there too, so colour is never the only signal).</summary>
    public static Spectre.Console.Style? StateStyle(string state)
    {
        Spectre.Console.Color? colour = state switch
        {
            "running" => Spectre.Console.Color.Green,
            "degraded" or "paused" or "starting" => Spectre.Console.Color.Yellow,
            "failed" or "invalidated" => Spectre.Console.Color.Red,
            _ => null,
        };
        if (colour is not { } c)
        {
            return null;
        }
        return new Spectre.Console.Style(c);
    }

    public static string OrDash(string? value) => string.IsNullOrEmpty(value) ? "-" : value;
}
