using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;

namespace GradientWatch.OpenTelemetry.Tests.Support;

/// <summary>An Alertmanager webhook receiver on 127.0.0.1: keeps every notification it gets.</summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener listener = new();

    public WebhookReceiver(int port)
    {
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        _ = Task.Run(Receive);
    }

    public ConcurrentQueue<JsonObject> Notifications { get; } = new();

    /// <summary>Every alert of every notification so far.</summary>
    public IEnumerable<JsonNode> Alerts => Notifications.ToArray().SelectMany(n => n["alerts"]!.AsArray()).Select(a => a!);

    public static string? Label(JsonNode alert, string name) => alert["labels"]?[name]?.GetValue<string>();

    public void Dispose()
    {
        try
        {
            listener.Close();
        }
        catch (Exception)
        {
            // Never started.
        }
    }

    private async Task Receive()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception)
            {
                return;
            }

            try
            {
                using var reader = new StreamReader(context.Request.InputStream);
                if (JsonNode.Parse(await reader.ReadToEndAsync()) is JsonObject payload)
                {
                    Notifications.Enqueue(payload);
                }
            }
            catch (Exception)
            {
                // A malformed notification fails the test through its absence.
            }

            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }
}
