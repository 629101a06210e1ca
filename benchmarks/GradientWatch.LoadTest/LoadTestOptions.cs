using System.Globalization;

namespace GradientWatch.LoadTest;

/// <summary>Command-line settings of the load test.</summary>
internal sealed record LoadTestOptions
{
    public int[] Scales { get; init; } = [10, 40, 120];

    public double Seconds { get; init; } = 60;

    public int Layers { get; init; } = 64;

    public double ScrapeIntervalSeconds { get; init; } = 5;

    public string? JsonPath { get; init; }

    public bool WriteResults { get; init; }

    public const string Usage = """
        gradientwatch-loadtest [options]      # dotnet run -c Release --project benchmarks/GradientWatch.LoadTest -- [options]
          --scales <n,n,...>        simulated training processes per round (10,40,120)
          --seconds <s>             measured steady-state window per round (60)
          --layers <n>              layers of each simulated process's model (64)
          --scrape-interval <s>     Prometheus scrape and vmalert evaluation interval (5)
          --json <file>             also write the results as JSON
          --write-results           rewrite benchmarks/LOADTEST.md with this run's results
        """;

    public static LoadTestOptions Parse(string[] args)
    {
        var o = new LoadTestOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            o = args[i] switch
            {
                "--scales" => o with { Scales = Next().Split(',').Select(s => Positive("--scales", int.Parse(s, CultureInfo.InvariantCulture))).ToArray() },
                "--seconds" => o with { Seconds = Positive("--seconds", double.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--layers" => o with { Layers = Positive("--layers", int.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--scrape-interval" => o with { ScrapeIntervalSeconds = Positive("--scrape-interval", double.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--json" => o with { JsonPath = Next() },
                "--write-results" => o with { WriteResults = true },
                _ => throw new ArgumentException($"unknown option '{args[i]}'.\n{Usage}"),
            };
        }

        return o;
    }

    private static T Positive<T>(string name, T value)
        where T : System.Numerics.INumber<T> => value > T.Zero ? value : throw new ArgumentException($"{name} must be positive, was {value}.");
}
