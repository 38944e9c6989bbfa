using Microsoft.Extensions.Options;

namespace SnapshotService.Capture;

/// <summary>Reports every invalid capture setting, each naming its configuration key.</summary>
public sealed class CaptureOptionsValidator : IValidateOptions<CaptureOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, CaptureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
