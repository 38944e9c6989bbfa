namespace SnapshotService.Host.Configuration;

/// <summary>
/// Host settings bound from the <c>SnapshotService</c> section (sources and capture have their
/// own sections). Validated at start by <see cref="SnapshotServiceHostOptionsValidator"/>.
/// </summary>
public sealed class SnapshotServiceHostOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "SnapshotService";

    /// <summary>The HTTP/1.1 endpoint: JSON transcoding and <c>/healthz</c>.</summary>
    public EndpointSettings Http { get; set; } = new() { Url = "http://127.0.0.1:5080" };

    /// <summary>The HTTP/2 cleartext endpoint: gRPC, reflection, grpc.health.v1.</summary>
    public EndpointSettings Grpc { get; set; } = new() { Url = "http://127.0.0.1:5081" };

    /// <summary>Where the export layer lives.</summary>
    public ExportSettings Export { get; set; } = new();

    /// <summary>The silo's ports.</summary>
    public OrleansSettings Orleans { get; set; } = new();

    /// <summary>Embedded single silo, or a Redis-membership cluster of several.</summary>
    public ClusterSettings Cluster { get; set; } = new();

    /// <summary>Who may call the API (<c>SnapshotService:Auth</c>).</summary>
    public Auth.AuthSettings Auth { get; set; } = new();
}

/// <summary>One Kestrel endpoint.</summary>
public sealed class EndpointSettings
{
    /// <summary><c>http://HOST:PORT</c> where HOST is an IP address, <c>localhost</c>, or <c>*</c> / <c>0.0.0.0</c> for every interface.</summary>
    public string Url { get; set; } = string.Empty;
}

/// <summary>The export store.</summary>
public sealed class ExportSettings
{
    /// <summary>FileSystem (default: a directory, <see cref="Root"/>) or AzureBlob (a blob container, <see cref="AzureBlob"/>).</summary>
    public ExportStoreKind Kind { get; set; } = ExportStoreKind.FileSystem;

    /// <summary>Directory of the file-system export store; relative paths resolve against the working directory.</summary>
    public string Root { get; set; } = "./data";

    /// <summary>The blob container when <see cref="Kind"/> is AzureBlob (<c>SnapshotService:Export:AzureBlob</c>).</summary>
    public Storage.AzureBlob.AzureBlobStoreOptions AzureBlob { get; set; } = new();
}

/// <summary>Where the export layer is stored.</summary>
public enum ExportStoreKind
{
    /// <summary>A local or mounted directory.</summary>
    FileSystem = 0,

    /// <summary>An Azure Blob Storage container (or Azurite).</summary>
    AzureBlob = 1,
}

/// <summary>
/// The silo's ports: silo-to-silo traffic and the client gateway. Distinct ports let several hosts
/// run side by side on one machine (tests do this).
/// </summary>
public sealed class OrleansSettings
{
    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port.</summary>
    public int GatewayPort { get; set; } = 30000;
}
