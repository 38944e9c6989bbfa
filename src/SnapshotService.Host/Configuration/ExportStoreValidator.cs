using System.Text.RegularExpressions;

namespace SnapshotService.Host.Configuration;

/// <summary>Checks <c>SnapshotService:Export</c>; messages name the setting and never echo a connection string.</summary>
internal static partial class ExportStoreValidator
{
    public static void Check(List<string> problems, ExportSettings export)
    {
        switch (export.Kind)
        {
            case ExportStoreKind.FileSystem:
                if (string.IsNullOrWhiteSpace(export.Root))
                {
                    problems.Add("SnapshotService:Export:Root is required (a directory for the export store, e.g. ./data).");
                }
                break;
            case ExportStoreKind.AzureBlob:
                var blob = export.AzureBlob;
                var hasUri = blob.ServiceUri.Length > 0;
                var hasConnection = blob.ConnectionString.Length > 0;
                if (hasUri == hasConnection)
                {
                    problems.Add("With SnapshotService:Export:Kind=AzureBlob set exactly one of SnapshotService:Export:AzureBlob:ServiceUri (managed identity, e.g. https://ACCOUNT.blob.core.windows.net) or SnapshotService:Export:AzureBlob:ConnectionString (Azurite, local).");
                }
                if (hasUri && (!Uri.TryCreate(blob.ServiceUri, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps))
                {
                    problems.Add($"SnapshotService:Export:AzureBlob:ServiceUri must be an https URL such as https://ACCOUNT.blob.core.windows.net (was '{blob.ServiceUri}').");
                }
                if (!ContainerName().IsMatch(blob.Container) || blob.Container.Contains("--", StringComparison.Ordinal))
                {
                    problems.Add($"SnapshotService:Export:AzureBlob:Container must be 3-63 characters of lowercase letters, digits and single hyphens, starting with a letter or digit (was '{blob.Container}').");
                }
                if (blob.Prefix.Length > 0 && Storage.StoreKeys.Check(blob.Prefix.Trim('/') + "/x") is { } problem)
                {
                    problems.Add($"SnapshotService:Export:AzureBlob:Prefix is not usable: {problem}");
                }
                if (blob.MaxRetries is < 0 or > 20)
                {
                    problems.Add($"SnapshotService:Export:AzureBlob:MaxRetries must be between 0 and 20 (was {blob.MaxRetries}).");
                }
                break;
            default:
                problems.Add($"SnapshotService:Export:Kind must be FileSystem or AzureBlob (was {export.Kind}).");
                break;
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex ContainerName();
}
