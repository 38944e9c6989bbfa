using SnapshotService.Simulated;

namespace SnapshotService.Core.Tests.Simulated;

public sealed class SimulatedSourceOptionsTests
{
    [Fact]
    public void the_defaults_are_valid()
    {
        Assert.Empty(new SimulatedSourceOptions().Validate("demo"));
    }

    public static TheoryData<Action<SimulatedSourceOptions>, string> InvalidSettings => new()
    {
        { o => o.KeySpace = 0, "Simulated:KeySpace must be between 1 and 100000000 (was 0)." },
        { o => o.KeySpace = 100_000_001, "Simulated:KeySpace must be between 1 and 100000000 (was 100000001)." },
        { o => o.DocumentBytes = 10, "Simulated:DocumentBytes must be between 64 and 4194304 (was 10)." },
        { o => o.DeletePercent = 101, "Simulated:DeletePercent must be between 0 and 100 (was 101)." },
        { o => o.DeletePercent = -1, "Simulated:DeletePercent must be between 0 and 100 (was -1)." },
        { o => o.ChangesPerSecond = -5, "Simulated:ChangesPerSecond must be 0 (unlimited) or a positive number up to 1000000000 (was -5)." },
        { o => o.ChangesPerSecond = double.NaN, "Simulated:ChangesPerSecond must be 0 (unlimited) or a positive number up to 1000000000 (was NaN)." },
        { o => o.MaxChanges = -1, "Simulated:MaxChanges must be 0 (never stop) or positive (was -1)." },
        { o => o.Faults.DropPerMille = 1_001, "Simulated:Faults:DropPerMille must be between 0 and 1000 (was 1001)." },
        { o => o.Faults.DuplicatePerMille = -2, "Simulated:Faults:DuplicatePerMille must be between 0 and 1000 (was -2)." },
        { o => o.Faults.ReorderWindow = 100_001, "Simulated:Faults:ReorderWindow must be between 0 and 100000 (0 or 1 = in order) (was 100001)." },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void an_invalid_setting_is_reported_with_the_source_and_the_setting(Action<SimulatedSourceOptions> breakIt, string problem)
    {
        var options = new SimulatedSourceOptions();
        breakIt(options);

        Assert.Equal([$"Configuration for source 'demo' is invalid: {problem}"], options.Validate("demo"));
    }

    [Fact]
    public void every_problem_is_reported_at_once_and_the_source_refuses_to_start()
    {
        var options = new SimulatedSourceOptions { KeySpace = 0, DocumentBytes = 0 };

        Assert.Equal(2, options.Validate("orders").Count);
        var error = Assert.Throws<ArgumentException>(() => new SimulatedSource("orders", options));
        Assert.Contains("Configuration for source 'orders' is invalid: Simulated:KeySpace must be between 1 and 100000000 (was 0).", error.Message);
        Assert.Contains("Configuration for source 'orders' is invalid: Simulated:DocumentBytes must be between 64 and 4194304 (was 0).", error.Message);
    }

    [Fact]
    public void an_invalid_source_id_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new SimulatedSource("../etc", new SimulatedSourceOptions()));
    }

    [Fact]
    public void a_source_keeps_its_own_copy_of_the_options()
    {
        var options = new SimulatedSourceOptions { Seed = 3 };
        var source = new SimulatedSource("demo", options);

        options.Seed = 4;
        options.Faults.DropPerMille = 500;

        Assert.Equal(3, source.History.Options.Seed);
        Assert.Equal(0, source.History.Options.Faults.DropPerMille);
    }
}
