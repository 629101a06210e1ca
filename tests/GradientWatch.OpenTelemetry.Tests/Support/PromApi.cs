using System.Text.Json.Nodes;

namespace GradientWatch.OpenTelemetry.Tests.Support;

/// <summary>The Prometheus HTTP query API, as Prometheus, VictoriaMetrics and vmalert serve it.</summary>
public sealed class PromApi(Uri baseUri) : IDisposable
{
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public Uri BaseUri { get; } = baseUri;

    /// <summary>Runs an instant PromQL query and returns its result vector.</summary>
    public JsonArray Query(string promql)
    {
        string? body = Get("api/v1/query?query=" + Uri.EscapeDataString(promql));
        Assert.True(body is not null, $"{BaseUri} did not answer the query {promql}");
        var json = JsonNode.Parse(body)!;
        Assert.Equal("success", json["status"]!.GetValue<string>());
        return json["data"]!["result"]!.AsArray();
    }

    /// <summary>Runs a PromQL range query from <paramref name="start"/> until now, as a Grafana panel does, and returns its result matrix.</summary>
    public JsonArray QueryRange(string promql, DateTimeOffset start, TimeSpan step)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        string? body = Get("api/v1/query_range?query=" + Uri.EscapeDataString(promql)
            + "&start=" + start.ToUnixTimeSeconds().ToString(c) + "&end=" + DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(c)
            + "&step=" + ((int)step.TotalSeconds).ToString(c));
        Assert.True(body is not null, $"{BaseUri} did not answer the range query {promql}");
        var json = JsonNode.Parse(body)!;
        Assert.Equal("success", json["status"]!.GetValue<string>());
        return json["data"]!["result"]!.AsArray();
    }

    /// <summary>Values of a label on series matching a selector (what Grafana's label_values() does).</summary>
    public string[] LabelValues(string label, string match)
    {
        string? body = Get($"api/v1/label/{label}/values?match[]=" + Uri.EscapeDataString(match));
        Assert.NotNull(body);
        return JsonNode.Parse(body)!["data"]!.AsArray().Select(v => v!.GetValue<string>()).ToArray();
    }

    /// <summary>GET a path under the base URI; null when the server is not (yet) answering or answers an error.</summary>
    public string? Get(string path)
    {
        try
        {
            using var response = http.GetAsync(new Uri(BaseUri, path)).GetAwaiter().GetResult();
            return response.IsSuccessStatusCode ? response.Content.ReadAsStringAsync().GetAwaiter().GetResult() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    public void Dispose() => http.Dispose();
}
