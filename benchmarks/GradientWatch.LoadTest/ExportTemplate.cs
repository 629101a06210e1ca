using System.Globalization;
using System.Net;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.LoadTest;

/// <summary>
/// A real scrape of GradientWatch's Prometheus endpoint, taken from a watcher on a tiny model with the requested
/// number of layers, and replayed for many simulated processes: each gets its own run id, its gauges move, its step
/// counter grows, and one in five has exploding issues that keep coming.
/// </summary>
internal sealed class ExportTemplate
{
    private const string TemplateRun = "loadtest-template";
    private readonly (string Prefix, string Suffix, double Value, Kind Kind)[] lines;

    private ExportTemplate((string, string, double, Kind)[] lines, int bytes)
    {
        this.lines = lines;
        TemplateBytes = bytes;
    }

    private enum Kind
    {
        Constant,
        Gauge,
        Steps,
        ExplodingIssues,
        Comment,
    }

    /// <summary>Series in one scrape (sample lines).</summary>
    public int Series => lines.Count(l => l.Kind != Kind.Comment);

    /// <summary>Size of the captured scrape, in bytes.</summary>
    public int TemplateBytes { get; }

    /// <summary>Trains a tiny model for a few steps with a real watcher and export, and scrapes it once.</summary>
    public static ExportTemplate Capture(int layers)
    {
        torch.manual_seed(1);
        torch.set_num_threads(1);
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 0; i < layers; i++)
        {
            modules.Add(($"fc{i}", nn.Linear(4, 4)));
            modules.Add(($"act{i}", nn.Tanh()));
        }

        using var model = nn.Sequential(modules);
        using var optimizer = optim.SGD(model.parameters(), 1e-2);
        int port = Tools.FreePort();
        string text;
        using (var watch = model.WatchGradients(optimizer, w => w
            .Configure(o =>
            {
                o.RunId = TemplateRun;
                o.ModelName = "loadtest-mlp";
                o.FullStatisticsInterval = 1;
            })
            .ClipGlobalNorm(10)
            .ExportMetrics(e => e.Port = port)))
        {
            using var x = torch.randn(32, 4);
            for (int step = 0; step < 12; step++)
            {
                using var scope = torch.NewDisposeScope();
                optimizer.zero_grad();
                var loss = model.call(x).pow(2).mean();
                loss.backward();
                watch.Step(loss);
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            text = http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics")).GetAwaiter().GetResult();
        }

        return Parse(text);
    }

    /// <summary>The scrape of simulated process <paramref name="index"/>, <paramref name="seconds"/> into the test.</summary>
    public string Render(int index, double seconds)
    {
        string run = $"run_id=\"sim-{index:D4}\"";
        bool exploding = index % 5 == 0;
        var sb = new StringBuilder(TemplateBytes + 4096);
        for (int j = 0; j < lines.Length; j++)
        {
            var (prefix, suffix, value, kind) = lines[j];
            sb.Append(prefix.Replace($"run_id=\"{TemplateRun}\"", run, StringComparison.Ordinal));
            if (kind == Kind.Comment)
            {
                sb.Append('\n');
                continue;
            }

            double v = kind switch
            {
                Kind.Gauge => value * (1 + (0.2 * Math.Sin((seconds / 7) + index + j))),
                Kind.Steps => value + Math.Floor(seconds * 10),
                Kind.ExplodingIssues when exploding => value + Math.Floor(seconds * 2),
                _ => value,
            };
            sb.Append(' ').Append(v.ToString("R", CultureInfo.InvariantCulture)).Append(suffix).Append('\n');
        }

        return sb.ToString();
    }

    private static ExportTemplate Parse(string text)
    {
        var parsed = new List<(string, string, double, Kind)>();
        foreach (string line in text.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                parsed.Add((line, "", 0, Kind.Comment));
                continue;
            }

            int space = line.LastIndexOf(' ');
            string head = line[..space];
            double value = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
            Kind kind = head.StartsWith("gradientwatch_steps_total", StringComparison.Ordinal) ? Kind.Steps
                : head.StartsWith("gradientwatch_issues_total", StringComparison.Ordinal) && head.Contains("kind=\"exploding\"", StringComparison.Ordinal) && head.Contains("severity=\"error\"", StringComparison.Ordinal) ? Kind.ExplodingIssues
                : head.Contains("_total", StringComparison.Ordinal) || head.StartsWith("target_info", StringComparison.Ordinal) || !double.IsFinite(value) ? Kind.Constant
                : Kind.Gauge;
            parsed.Add((head, "", value, kind));
        }

        if (!parsed.Any(p => p.Item4 == Kind.Steps))
        {
            throw new InvalidOperationException("The captured scrape has no gradientwatch_steps_total: the exporter did not serve GradientWatch's metrics.");
        }

        return new ExportTemplate(parsed.ToArray(), Encoding.UTF8.GetByteCount(text));
    }
}
