using System.Text.Json;

namespace SnapshotService.Host.Tests;

/// <summary>
/// The parts of a Chromium network log (<c>--log-net-log</c>) the browser test checks: every URL
/// request with the site it was made for, every TCP connection attempt, and whether any DNS
/// query was made.
/// </summary>
public sealed class NetLog
{
    private NetLog(IReadOnlyList<NetLogRequest> requests, IReadOnlyList<string> connectAddresses, int dnsTasks)
    {
        Requests = requests;
        ConnectAddresses = connectAddresses;
        DnsTasks = dnsTasks;
    }

    /// <summary>URL requests the browser started (page loads, fetches, and the browser's own services).</summary>
    public IReadOnlyList<NetLogRequest> Requests { get; }

    /// <summary>The "host:port" of every TCP connection attempt.</summary>
    public IReadOnlyList<string> ConnectAddresses { get; }

    /// <summary>DNS lookups the browser ran (0 when every name was answered by the resolver rules).</summary>
    public int DnsTasks { get; }

    public static NetLog Read(string path)
    {
        Assert.True(File.Exists(path), $"Chromium wrote no network log to {path}.");
        var text = File.ReadAllText(path).TrimEnd();
        // A log cut short by the browser's exit lacks its closing brackets; the events are complete lines.
        if (!text.EndsWith('}'))
        {
            text = text.TrimEnd(',') + "]}";
        }
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        var types = root.GetProperty("constants").GetProperty("logEventTypes").EnumerateObject()
            .ToDictionary(p => p.Value.GetInt32(), p => p.Name);
        var requests = new List<NetLogRequest>();
        var connects = new List<string>();
        var dnsTasks = 0;
        foreach (var entry in root.GetProperty("events").EnumerateArray())
        {
            var type = types.GetValueOrDefault(entry.GetProperty("type").GetInt32(), "");
            var hasParams = entry.TryGetProperty("params", out var parameters);
            switch (type)
            {
                case "URL_REQUEST_START_JOB" when hasParams && parameters.TryGetProperty("url", out var url):
                    requests.Add(new NetLogRequest(
                        url.GetString() ?? "",
                        parameters.TryGetProperty("network_isolation_key", out var key) ? key.GetString() ?? "" : ""));
                    break;
                case "TCP_CONNECT_ATTEMPT" when hasParams && parameters.TryGetProperty("address", out var address):
                    connects.Add(address.GetString() ?? "");
                    break;
                case "HOST_RESOLVER_DNS_TASK":
                    dnsTasks++;
                    break;
            }
        }
        return new NetLog(requests, connects, dnsTasks);
    }
}

/// <summary>One URL request: its URL and the network isolation key, which names the site a page's own requests were made for.</summary>
public sealed record NetLogRequest(string Url, string NetworkIsolationKey)
{
    /// <summary>True for requests a page on 127.0.0.1 made (its document, scripts, styles, fetches).</summary>
    public bool IsFromLoopbackPage => NetworkIsolationKey.StartsWith("http://127.0.0.1 ", StringComparison.Ordinal);

    public bool TargetsLoopback => Uri.TryCreate(Url, UriKind.Absolute, out var uri) && uri.Host == "127.0.0.1";
}
