using Spectre.Console;

namespace SnapshotService.Cli.Output;

/// <summary>
/// Shows a long operation's progress on stderr (stdout stays for the result, so it can be piped):
/// a live bar with a status line on a terminal, plain <c>progress: …</c> lines otherwise (at most
/// one a second, so logs of scripted runs stay short).
/// </summary>
internal static class LiveProgress
{
    private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(1);

    /// <summary>Runs <paramref name="work"/>, which reports (done, total, status text) through the callback it is given.</summary>
    public static async Task<T> RunAsync<T>(CliConsole console, string title, Func<Action<double, double, string>, Task<T>> work)
    {
        if (!console.IsTerminal)
        {
            var lastLine = DateTime.MinValue;
            return await work((done, total, status) =>
            {
                if (DateTime.UtcNow - lastLine >= LineInterval)
                {
                    lastLine = DateTime.UtcNow;
                    console.Error.WriteLine($"progress: {title}: {status}");
                }
            });
        }
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console.Error) });
        T result = default!;
        await terminal.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(title), maxValue: 1);
                task.IsIndeterminate = true;
                result = await work((done, total, status) =>
                {
                    if (total > 0)
                    {
                        task.IsIndeterminate = false;
                        task.MaxValue = total;
                        task.Value = Math.Min(done, total);
                    }
                    task.Description = Markup.Escape($"{title}: {status}");
                });
                task.Value = task.MaxValue;
                task.StopTask();
            });
        return result;
    }
}
