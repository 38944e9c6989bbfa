using System.Net;
using System.Text;
using System.Text.Json;

namespace SnapshotService.Host.Tests;

/// <summary>PUT and DELETE over JSON/HTTP, which the schedule routes use.</summary>
public static class ScheduleHttp
{
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

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
