using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Athos.Simulator;

namespace Athos.Webhooks.Tests.Simulator;

/// <summary>Raw HTTP against a simulator, as a client that knows nothing but the contract would make it.</summary>
internal static class SimulatorHttp
{
    /// <summary>A client for the API: the base URL and the bearer key.</summary>
    public static HttpClient ApiClient(AthosSimulator simulator)
    {
        var http = new HttpClient { BaseAddress = new Uri(simulator.BaseUrl + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", simulator.ApiKey);
        return http;
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>The status and the <c>error</c> object of a refused request, after checking the envelope's request id.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Error)> GetErrorAsync(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var error = document.RootElement.GetProperty("error").Clone();
        Assert.Equal(response.Headers.GetValues("X-Athos-Request-Id").Single(), error.GetProperty("requestId").GetString());
        return (response.StatusCode, error);
    }

    /// <summary>Every row of a list query, following <c>nextCursor</c> to the last page.</summary>
    public static async Task<List<JsonElement>> ListAllAsync(this HttpClient http, string query)
    {
        var rows = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await http.GetJsonAsync(cursor is null ? query : $"{query}&cursor={Uri.EscapeDataString(cursor)}");
            rows.AddRange(page.GetProperty("data").EnumerateArray());
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        return rows;
    }

    public static string Id(this JsonElement row) => row.GetProperty("id").GetString()!;

    public static string Iso(DateTimeOffset time) => Uri.EscapeDataString(time.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A scored call of the simulator's contract with the given source and times, not yet added.</summary>
    public static SimulatedCall ScoredCall(AthosSimulator simulator, string source, DateTimeOffset startedAt, DateTimeOffset endedAt)
    {
        var call = simulator.Generator.Generate(endedAt);
        if (call.State != CallState.Scored)
        {
            call = simulator.Generator.Rescore(call, endedAt.AddMinutes(1));
        }

        return call with
        {
            Source = source,
            DrillKey = source == SimulatedCall.RealCallSource ? null : "ma-objection-handling",
            StartedAt = startedAt,
            EndedAt = endedAt,
            CreatedAt = startedAt,
        };
    }
}
