using System.Net;
using System.Text;
using System.Text.Json;
using Grpc.Core;

namespace SnapshotService.Host.Tests;

/// <summary>The JSON/HTTP side of the API as a client would use it.</summary>
public static class HttpApi
{
    public static async Task<(HttpStatusCode Status, JsonElement Body)> GetJsonAsync(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return (response.StatusCode, await ReadAsync(response));
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> PostJsonAsync(this HttpClient http, string path, string json = "{}")
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(path, content);
        return (response.StatusCode, await ReadAsync(response));
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> PutJsonAsync(this HttpClient http, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PutAsync(path, content);
        return (response.StatusCode, await ReadAsync(response));
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> DeleteJsonAsync(this HttpClient http, string path)
    {
        using var response = await http.DeleteAsync(path);
        return (response.StatusCode, await ReadAsync(response));
    }

    /// <summary>Asserts the transcoded error shape: the HTTP status, {"code": gRPC code, "message": …}, and that the message names <paramref name="field"/>.</summary>
    public static void AssertError(this (HttpStatusCode Status, JsonElement Body) response, HttpStatusCode status, StatusCode code, string field)
    {
        Assert.True(response.Status == status, $"Expected HTTP {(int)status}, got {(int)response.Status}: {response.Body}");
        Assert.Equal((int)code, response.Body.GetProperty("code").GetInt32());
        Assert.Contains(field, response.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    public static void AssertOk(this (HttpStatusCode Status, JsonElement Body) response) =>
        Assert.True(response.Status == HttpStatusCode.OK, $"Expected HTTP 200, got {(int)response.Status}: {response.Body}");

    /// <summary>Escapes a source id for a URL path segment ('/' becomes %2F so the route still matches).</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (text.Length == 0)
        {
            return default;
        }
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonDocument.Parse(JsonSerializer.Serialize(new { raw = text })).RootElement.Clone();
        }
    }
}
