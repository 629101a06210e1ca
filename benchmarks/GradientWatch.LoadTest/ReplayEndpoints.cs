using System.Diagnostics;
using System.Net;
using System.Text;

namespace GradientWatch.LoadTest;

/// <summary>N simulated training processes' metrics endpoints on 127.0.0.1, one port each, served by one listener.</summary>
internal sealed class ReplayEndpoints : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly ExportTemplate template;
    private readonly Dictionary<int, int> indexByPort = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private long scrapes;
    private long bytes;

    public ReplayEndpoints(ExportTemplate template, int count)
    {
        this.template = template;
        Ports = new int[count];
        for (int i = 0; i < count; i++)
        {
            // Probe a free port, then listen on it; retry on the rare race with another process.
            for (int attempt = 0; ; attempt++)
            {
                int port = Tools.FreePort();
                try
                {
                    listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                    Ports[i] = port;
                    indexByPort[port] = i;
                    break;
                }
                catch (HttpListenerException) when (attempt < 5)
                {
                }
            }
        }

        listener.Start();
        _ = Task.Run(Serve);
    }

    public int[] Ports { get; }

    public long Scrapes => Interlocked.Read(ref scrapes);

    public long Bytes => Interlocked.Read(ref bytes);

    public void Dispose() => listener.Close();

    private async Task Serve()
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

            _ = Task.Run(() => Answer(context));
        }
    }

    private void Answer(HttpListenerContext context)
    {
        try
        {
            int index = indexByPort[context.Request.Url!.Port];
            byte[] body = Encoding.UTF8.GetBytes(template.Render(index, clock.Elapsed.TotalSeconds));
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            context.Response.ContentLength64 = body.Length;
            context.Response.OutputStream.Write(body);
            context.Response.Close();
            Interlocked.Increment(ref scrapes);
            Interlocked.Add(ref bytes, body.Length);
        }
        catch (Exception)
        {
            // The scraper gave up on this request; the next scrape tries again.
        }
    }
}
