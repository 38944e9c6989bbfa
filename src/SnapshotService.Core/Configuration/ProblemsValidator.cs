using Microsoft.Extensions.Options;

namespace SnapshotService.Configuration;

/// <summary>
/// Adapts an options class's own <c>Validate()</c> (a list of problems, each naming its
/// configuration key) to <see cref="IValidateOptions{TOptions}"/>, so start-up reports every
/// problem at once instead of a generic "options are invalid".
/// </summary>
public sealed class ProblemsValidator<TOptions>(Func<TOptions, IReadOnlyList<string>> problemsOf) : IValidateOptions<TOptions>
    where TOptions : class
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var problems = problemsOf(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
