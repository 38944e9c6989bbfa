using System.Globalization;

namespace SnapshotService.Scenarios;

/// <summary>
/// How big the scenarios run: reduced (the test command: seconds-long faults, a few thousand
/// changes per second) or full (SNAPSHOT_SCENARIOS=full: the 30 s faults the reliability figures
/// in docs/reliability.md were measured with).
/// </summary>
public sealed record ScenarioSize(string Name, double ChangesPerSecond, double RunSeconds, double FaultAfterSeconds, double FaultSeconds)
{
    public static ScenarioSize Current { get; } =
        string.Equals(Environment.GetEnvironmentVariable("SNAPSHOT_SCENARIOS"), "full", StringComparison.OrdinalIgnoreCase)
            ? new ScenarioSize("full", 2_000, 120, 20, 30)
            : new ScenarioSize("reduced", 500, 16, 4, 4);

    /// <summary>Changes the simulated source makes in a run at the nominal rate.</summary>
    public long MaxChanges => (long)(ChangesPerSecond * RunSeconds);

    /// <summary>The change at which a fault that counts changes starts.</summary>
    public long FaultAfterChanges => (long)(ChangesPerSecond * FaultAfterSeconds);

    public string Seconds(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
