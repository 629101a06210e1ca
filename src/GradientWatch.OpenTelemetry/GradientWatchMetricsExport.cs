using System.Diagnostics;
using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace GradientWatch.OpenTelemetry;

/// <summary>
/// A running export of GradientWatch metrics for a console training program: an OpenTelemetry meter provider
/// with the GradientWatch instrumentation, a Prometheus scraping endpoint served by Kestrel, and optionally an
/// OTLP exporter. Dispose it to stop (a final OTLP export runs then). Failures to listen are logged as warnings
/// and never stop training.
/// </summary>
/// <example>
/// <code>
/// using var export = GradientWatchMetricsExport.Start(new GradientWatchExportOptions { Port = 9464 });
/// // ... train with one or more watchers; Prometheus scrapes http://127.0.0.1:9464/metrics
/// </code>
/// Or tie it to one watcher's lifetime: <c>model.WatchGradients(optimizer, w =&gt; w.ExportMetrics())</c>.
/// </example>
public sealed class GradientWatchMetricsExport : IDisposable
{
    private static readonly object SharedGate = new();
    private static readonly Dictionary<string, (GradientWatchMetricsExport Export, int Leases)> Shared = new(StringComparer.Ordinal);

    private readonly MeterProvider meterProvider;
    private readonly WebApplication? app;
    private readonly ILoggerFactory? ownedLoggerFactory;
    private readonly OtlpFailureLog? otlpFailures;
    private readonly TimeSpan shutdownTimeout;
    private int disposed;

    private GradientWatchMetricsExport(MeterProvider meterProvider, WebApplication? app, Uri? endpoint, ILoggerFactory? ownedLoggerFactory, OtlpFailureLog? otlpFailures, TimeSpan shutdownTimeout)
    {
        this.meterProvider = meterProvider;
        this.app = app;
        this.ownedLoggerFactory = ownedLoggerFactory;
        this.otlpFailures = otlpFailures;
        this.shutdownTimeout = shutdownTimeout;
        PrometheusEndpoint = endpoint;
    }

    /// <summary>OTLP export failures logged or counted so far (for tests).</summary>
    internal int OtlpFailures => otlpFailures?.Failures ?? 0;

    /// <summary>The scrape URL, or null when no endpoint is served (disabled, or the port could not be bound).</summary>
    public Uri? PrometheusEndpoint { get; }

    /// <summary>Starts exporting. Throws only for invalid options; a port that is in use is logged and skipped.</summary>
    /// <param name="options">What to export and where. Default: a Prometheus endpoint on 127.0.0.1:9464.</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public static GradientWatchMetricsExport Start(GradientWatchExportOptions? options = null) => Start(options, fallbackLogger: null);

    /// <summary>Starts exporting; warnings go to the options' logger factory, else <paramref name="fallbackLogger"/>, else the console.</summary>
    internal static GradientWatchMetricsExport Start(GradientWatchExportOptions? options, ILogger? fallbackLogger)
    {
        options = (options ?? new GradientWatchExportOptions()).Clone();
        options.Validate();
        ILoggerFactory? owned = null;
        ILogger logger;
        if (options.LoggerFactory is { } factory)
        {
            logger = factory.CreateLogger("GradientWatch.OpenTelemetry");
        }
        else if (fallbackLogger is not null && fallbackLogger is not Microsoft.Extensions.Logging.Abstractions.NullLogger)
        {
            logger = fallbackLogger;
        }
        else
        {
            owned = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddSimpleConsole(c => c.SingleLine = true));
            logger = owned.CreateLogger("GradientWatch.OpenTelemetry");
        }

        var otlpFailures = options.UseOtlpExporter ? new OtlpFailureLog(logger, options.OtlpEndpoint?.ToString() ?? Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") ?? "the default OTLP endpoint") : null;
        var meterProvider = BuildMeterProvider(options);
        WebApplication? app = null;
        Uri? endpoint = null;
        if (options.ServePrometheus)
        {
            (app, endpoint) = TryServe(options, meterProvider, logger);
        }

        return new GradientWatchMetricsExport(meterProvider, app, endpoint, owned, otlpFailures, options.ShutdownTimeout);
    }

    /// <summary>
    /// Like <see cref="Start(GradientWatchExportOptions?)"/>, but shares one export between every caller asking for the same fixed endpoint
    /// (same host, port and path, same OTLP settings), until the last one disposes its lease. Used by
    /// <c>ExportMetrics()</c>, so that several watchers in one process can each ask for port 9464.
    /// </summary>
    internal static IDisposable Acquire(GradientWatchExportOptions options, ILogger? fallbackLogger = null)
    {
        options.Validate();
        if (options.Port == 0 || !options.ServePrometheus)
        {
            return Start(options, fallbackLogger);
        }

        string key = string.Join('|', options.Host, options.Port, options.Path, options.UseOtlpExporter, options.OtlpEndpoint, options.OtlpProtocol, options.OtlpExportInterval, options.ServiceName, options.ServiceInstanceId);
        lock (SharedGate)
        {
            if (Shared.TryGetValue(key, out var entry))
            {
                Shared[key] = (entry.Export, entry.Leases + 1);
                return new Lease(key, entry.Export);
            }

            var export = Start(options, fallbackLogger);
            Shared[key] = (export, 1);
            return new Lease(key, export);
        }
    }

    /// <summary>Stops the endpoint, flushes the OTLP exporter and releases the meter provider.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        // Every part is released even when another one fails; each wait is bounded by ShutdownTimeout.
        if (app is not null)
        {
            Try(() =>
            {
                using var cts = new CancellationTokenSource(shutdownTimeout);
                app.StopAsync(cts.Token).GetAwaiter().GetResult();
            });
            Try(((IDisposable)app).Dispose);
        }

        // The final OTLP export gets ShutdownTimeout; a collector that never answers cannot hold Dispose longer.
        Try(() => meterProvider.Shutdown((int)shutdownTimeout.TotalMilliseconds));
        Try(meterProvider.Dispose);
        Try(() => otlpFailures?.Dispose());
        Try(() => ownedLoggerFactory?.Dispose());
    }

    private static void Try(Action release)
    {
        try
        {
            release();
        }
        catch (Exception)
        {
            // Stopping is best effort.
        }
    }

    private static MeterProvider BuildMeterProvider(GradientWatchExportOptions options)
    {
        var resource = ResourceBuilder.CreateDefault();
        string? serviceName = options.ServiceName
            ?? (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME")) ? Assembly.GetEntryAssembly()?.GetName().Name ?? "gradientwatch" : null);
        string instance = options.ServiceInstanceId ?? $"{Environment.MachineName}:{Environment.ProcessId}";
        if (serviceName is not null)
        {
            resource.AddService(serviceName, serviceInstanceId: instance, autoGenerateServiceInstanceId: false);
        }
        else
        {
            resource.AddAttributes([new("service.instance.id", instance)]);
        }

        var builder = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddGradientWatchInstrumentation();
        if (options.ServePrometheus)
        {
            builder.AddPrometheusExporter(o => o.ScrapeEndpointPath = options.Path);
        }

        if (options.UseOtlpExporter)
        {
            builder.AddOtlpExporter((exporter, reader) =>
            {
                if (options.OtlpEndpoint is { } e)
                {
                    exporter.Endpoint = e;
                }

                exporter.Protocol = options.OtlpProtocol;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.OtlpExportInterval.TotalMilliseconds;
            });
        }

        return builder.Build();
    }

    private static (WebApplication? App, Uri? Endpoint) TryServe(GradientWatchExportOptions options, MeterProvider meterProvider, ILogger logger)
    {
        string wanted = $"http://{options.Host}:{options.Port}{options.Path}";
        WebApplication? app = null;
        try
        {
            // An empty builder: no configuration files, no environment URLs, no console lifetime that would
            // steal Ctrl+C from the training program, no request logging.
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "GradientWatch.MetricsEndpoint" });
            builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
            {
                k.AddServerHeader = false;
                if (string.Equals(options.Host, "localhost", StringComparison.OrdinalIgnoreCase))
                {
                    k.ListenLocalhost(options.Port);
                }
                else
                {
                    k.Listen(IPAddress.Parse(options.Host), options.Port);
                }
            });
            builder.Services.AddSingleton<IHostLifetime, QuietHostLifetime>();
            app = builder.Build();

            // A read-only endpoint: anything but GET and HEAD is refused before it reaches the exporter.
            app.Use((context, next) =>
            {
                if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
                {
                    return next(context);
                }

                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                context.Response.Headers.Allow = "GET, HEAD";
                return Task.CompletedTask;
            });
            app.UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider, predicate: null, path: options.Path, configureBranchedPipeline: null, optionsName: null);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            app.StartAsync(cts.Token).GetAwaiter().GetResult();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            var endpoint = address is null ? new Uri(wanted) : new Uri(new Uri(address), options.Path);
            return (app, endpoint);
        }
        catch (Exception ex)
        {
            logger.LogWarning(
                "GradientWatch could not serve metrics on {Endpoint}: {Reason} Training continues without the endpoint; set GradientWatchExportOptions.Port to a free port (0 picks one).",
                wanted,
                ex is IOException io ? io.Message : ex.GetBaseException().Message);
            if (app is not null)
            {
                try
                {
                    ((IDisposable)app).Dispose();
                }
                catch (Exception)
                {
                    // Already failed; nothing more to release.
                }
            }

            return (null, null);
        }
    }

    /// <summary>One holder's share of an export started by <see cref="Acquire"/>.</summary>
    internal sealed class Lease(string key, GradientWatchMetricsExport export) : IDisposable
    {
        private int released;

        public GradientWatchMetricsExport Export => export;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) != 0)
            {
                return;
            }

            bool last;
            lock (SharedGate)
            {
                var entry = Shared[key];
                last = entry.Leases == 1;
                if (last)
                {
                    Shared.Remove(key);
                }
                else
                {
                    Shared[key] = (entry.Export, entry.Leases - 1);
                }
            }

            if (last)
            {
                export.Dispose();
            }
        }
    }
}
