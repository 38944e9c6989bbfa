using SnapshotService.Errors;

namespace SnapshotService.Reconciliation.Reports;

/// <summary>The snake_case names of <see cref="DriftCategory"/> used in files and the API.</summary>
public static class DriftCategoryNames
{
    /// <summary>All categories, in the order reports list them.</summary>
    public static IReadOnlyList<DriftCategory> All { get; } =
        [DriftCategory.MissingInExport, DriftCategory.ExtraInExport, DriftCategory.ContentMismatch, DriftCategory.VersionRegression];

    /// <summary>The file/API name of a category, e.g. <c>missing_in_export</c>.</summary>
    public static string NameOf(DriftCategory category) => category switch
    {
        DriftCategory.MissingInExport => "missing_in_export",
        DriftCategory.ExtraInExport => "extra_in_export",
        DriftCategory.ContentMismatch => "content_mismatch",
        DriftCategory.VersionRegression => "version_regression",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "Unknown drift category."),
    };

    /// <summary>Parses a name made by <see cref="NameOf"/>; null when unknown.</summary>
    public static DriftCategory? TryParse(string? name)
    {
        foreach (var category in All)
        {
            if (string.Equals(NameOf(category), name, StringComparison.Ordinal))
            {
                return category;
            }
        }
        return null;
    }

    /// <summary>Parses a name, or throws InvalidArgument naming <paramref name="field"/> and listing the valid names.</summary>
    public static DriftCategory Parse(string? name, string field = "category") =>
        TryParse(name) ?? throw SnapshotServiceException.InvalidArgument(field,
            $"{field} '{name}' is not a drift category; use one of {string.Join(", ", All.Select(NameOf))}.");
}
