using System.Diagnostics;
using System.Globalization;

namespace SnapshotService.Cli.Output;

/// <summary>
/// Progress of copying a view's parts: one line per part with bytes done, rate and ETA (on the
/// terminal as a dim note, piped on stderr as <c>download, part, bytes done, bytes total, MB/s, seconds left</c>).
/// </summary>
internal sealed class DownloadProgress(Printer printer, int parts, long totalBytes)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _bytes;
    private int _parts;

    public void FileCopied(string name, long bytes)
    {
        _bytes += bytes;
        _parts++;
        var seconds = Math.Max(0.001, _clock.Elapsed.TotalSeconds);
        var rate = _bytes / seconds;
        var left = rate > 0 ? (totalBytes - _bytes) / rate : 0;
        if (printer.Json)
        {
            return;
        }
        printer.Note(printer.Ansi is null
            ? string.Create(CultureInfo.InvariantCulture, $"download\t{name}\t{_bytes}\t{totalBytes}\t{rate / 1e6:F1}\t{left:F0}")
            : string.Create(CultureInfo.InvariantCulture, $"copied {name} ({_parts}/{parts})  {_bytes / 1e6:F1}/{totalBytes / 1e6:F1} MB  {rate / 1e6:F1} MB/s  ETA {TimeSpan.FromSeconds(left):h\\:mm\\:ss}"));
    }
}
