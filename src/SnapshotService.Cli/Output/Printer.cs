using Google.Protobuf;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SnapshotService.Cli.Output;

/// <summary>
/// Writes results as proto3 JSON (--json), as tables (stdout is a terminal), or as tab-separated
/// lines without a header (anything else), so the same command reads well and pipes well.
/// </summary>
internal sealed class Printer
{
    private static readonly JsonFormatter JsonFormatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithIndentation("  "));
    private static readonly JsonFormatter LineFormatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));
    private readonly CliConsole _console;
    private readonly IAnsiConsole? _ansi;

    /// <param name="console">Where to write.</param>
    /// <param name="json">--json: proto3 JSON only.</param>
    /// <param name="noColor">--no-color or NO_COLOR: tables and bars without colour (still drawn on a terminal).</param>
    public Printer(CliConsole console, bool json, bool noColor = false)
    {
        _console = console;
        Json = json;
        if (console.IsTerminal && !json)
        {
            _ansi = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(console.Out),
                // Colour only on a terminal and unless turned off; the 16 standard colours read on any terminal.
                ColorSystem = noColor ? ColorSystemSupport.NoColors : ColorSystemSupport.Standard,
            });
        }
    }

    public bool Json { get; }

    /// <summary>The terminal console for live widgets (progress bars), or null when output is piped or JSON.</summary>
    public IAnsiConsole? Ansi => _ansi;

    public void Message(IMessage message) => _console.Out.WriteLine(JsonFormatter.Format(message));

    /// <summary>One message as a single JSON line (streams of updates: JSON lines).</summary>
    public void MessageLine(IMessage message) => _console.Out.WriteLine(LineFormatter.Format(message));

    /// <summary>Prints <paramref name="message"/> as JSON with --json, else as <paramref name="fields"/>.</summary>
    public void Record(IMessage message, Func<IEnumerable<(string Name, string Value)>> fields)
    {
        if (Json)
        {
            Message(message);
        }
        else
        {
            Fields(fields());
        }
    }

    /// <summary>Prints <paramref name="message"/> as JSON with --json, else its rows as a table.</summary>
    public void Table<T>(IMessage message, IReadOnlyList<string> headers, IEnumerable<T> items, Func<T, IReadOnlyList<string>> row)
    {
        if (Json)
        {
            Message(message);
        }
        else
        {
            Rows(headers, items.Select(row));
        }
    }

    /// <summary>One record: a two-column grid, or "name\tvalue" lines.</summary>
    public void Fields(IEnumerable<(string Name, string Value)> fields)
    {
        if (_ansi is null)
        {
            foreach (var (name, value) in fields)
            {
                _console.Out.WriteLine($"{name}\t{value}");
            }
            return;
        }
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var (name, value) in fields)
        {
            grid.AddRow(new Text(name, new Style(decoration: Decoration.Bold)), new Text(value));
        }
        _ansi.Write(grid);
    }

    /// <summary>Many records: a table with headers, or one tab-separated line per row (columns as in <paramref name="headers"/>).</summary>
    public void Rows(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows) => Rows(headers, rows, null);

    /// <summary>As <see cref="Rows(IReadOnlyList{string}, IEnumerable{IReadOnlyList{string}})"/>; <paramref name="style"/> colours cells on a terminal (column index, text → style or null).</summary>
    public void Rows(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, Func<int, string, Style?>? style)
    {
        if (_ansi is null)
        {
            foreach (var row in rows)
            {
                _console.Out.WriteLine(string.Join('\t', row));
            }
            return;
        }
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(new Text(header, new Style(decoration: Decoration.Bold))));
        }
        foreach (var row in rows)
        {
            table.AddRow(row.Select((cell, column) => (IRenderable)new Text(cell, style?.Invoke(column, cell))));
        }
        _ansi.Write(table);
    }

    /// <summary>A hint for humans: stdout on a terminal, stderr otherwise (so piped output stays pure data).</summary>
    public void Note(string text)
    {
        if (_ansi is null)
        {
            _console.Error.WriteLine(text);
        }
        else
        {
            _ansi.Write(new Text(text + Environment.NewLine, new Style(decoration: Decoration.Dim)));
        }
    }
}
