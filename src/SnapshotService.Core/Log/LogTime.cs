using System.Globalization;

namespace SnapshotService.Log;

/// <summary>
/// Times in the log are UTC with millisecond precision (segment lines spell them
/// <c>2026-01-01T00:00:00.000Z</c>); values are truncated on append so that commit records,
/// segments and anchors agree exactly.
/// </summary>
internal static class LogTime
{
    /// <summary>Truncates to whole milliseconds in UTC.</summary>
    public static DateTimeOffset Normalize(DateTimeOffset value)
    {
        var ticks = value.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }

    /// <summary>The current time, normalised.</summary>
    public static DateTimeOffset Now() => Normalize(DateTimeOffset.UtcNow);

    /// <summary>Writes <c>yyyy-MM-ddTHH:mm:ss.fffZ</c> (24 bytes) for an already-normalised time.</summary>
    public static int FormatUtf8(DateTimeOffset value, Span<byte> destination)
    {
        value.UtcDateTime.TryFormat(destination, out var written, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'", CultureInfo.InvariantCulture);
        return written;
    }

    /// <summary>The later of two optional times.</summary>
    public static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : (a.Value >= b.Value ? a : b);
}
