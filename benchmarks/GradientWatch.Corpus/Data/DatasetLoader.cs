using System.Globalization;

namespace GradientWatch.Corpus.Data;

/// <summary>
/// Reads the corpus datasets from the CSVs that <c>scripts/ensure-datasets.sh</c> extracts from Debian's
/// python3-statsmodels and python3-sklearn packages, and turns them into standardized training data.
/// </summary>
internal static class DatasetLoader
{
    /// <summary>Environment variable naming the dataset folder (set by <c>scripts/ensure-datasets.sh</c>).</summary>
    public const string DirectoryVariable = "GRADIENTWATCH_DATASETS";

    /// <summary>Every dataset name the corpus knows: tabular sets first, then time series.</summary>
    public static readonly IReadOnlyList<string> Tabular = ["iris", "wine", "linnerud", "fair", "randhie", "star98", "modechoice", "macrodata"];

    /// <summary>Univariate time series, used as sliding windows.</summary>
    public static readonly IReadOnlyList<string> Series = ["co2", "sunspots", "elnino", "macrodata-infl"];

    private static readonly Dictionary<(string, int), (Dataset Train, Dataset Eval)> Cache = new();
    private static readonly object Gate = new();

    /// <summary>The folder with the CSVs: <c>$GRADIENTWATCH_DATASETS</c>, or the script's default under the user cache.</summary>
    public static string Folder
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable(DirectoryVariable);
            if (!string.IsNullOrWhiteSpace(env))
            {
                return env;
            }

            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string cache = string.IsNullOrWhiteSpace(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : xdg;
            return Path.Combine(cache, "gradientwatch", "datasets");
        }
    }

    /// <summary>Loads (once per process) the train and held-out split of a dataset; <paramref name="window"/> applies to series.</summary>
    public static (Dataset Train, Dataset Eval) Load(string name, int window = 0)
    {
        lock (Gate)
        {
            if (!Cache.TryGetValue((name, window), out var split))
            {
                split = Split(Read(name, window));
                Cache[(name, window)] = split;
            }

            return split;
        }
    }

    private static Dataset Read(string name, int window) => name switch
    {
        "iris" => Classification("iris", Numbers("iris.csv", ',', skipHeader: true), labelColumn: 4, classes: 3),
        "wine" => Classification("wine", Numbers("wine_data.csv", ',', skipHeader: true), labelColumn: 13, classes: 3),
        "linnerud" => Linnerud(),
        "fair" => Fair(),
        "randhie" => Regression("randhie", Numbers("randhie.csv", ',', skipHeader: true), target: 0, transform: v => Math.Log(1 + v)),
        "star98" => Star98(),
        "modechoice" => ModeChoice(),
        "macrodata" => Regression("macrodata", Numbers("macrodata.csv", ',', skipHeader: true).Select(r => r[2..]).ToList(), target: 8),
        "co2" => Windows("co2", ForwardFill(Numbers("co2.csv", ',', skipHeader: true).Select(r => r[1]).ToArray()), window),
        "sunspots" => Windows("sunspots", Numbers("sunspots.csv", ',', skipHeader: true).Select(r => r[1]).ToArray(), window),
        "elnino" => Windows("elnino", Numbers("elnino.csv", ',', skipHeader: true).SelectMany(r => r[1..]).ToArray(), window),
        "macrodata-infl" => Windows("macrodata-infl", Numbers("macrodata.csv", ',', skipHeader: true).Select(r => r[12]).ToArray(), window),
        _ => throw new ArgumentException($"unknown corpus dataset '{name}'", nameof(name)),
    };

    private static string PathOf(string file)
    {
        string path = Path.Combine(Folder, file);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"corpus dataset {file} not found in {Folder}; run `bash scripts/ensure-datasets.sh` (it extracts the Debian packages python3-statsmodels and python3-sklearn) or set {DirectoryVariable}.", path);
        }

        return path;
    }

    /// <summary>Rows of numbers; empty cells become NaN.</summary>
    private static List<double[]> Numbers(string file, char separator, bool skipHeader)
    {
        var rows = new List<double[]>();
        foreach (string line in File.ReadLines(PathOf(file)).Skip(skipHeader ? 1 : 0))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var cells = separator == ' '
                ? line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)
                : line.Split(separator);
            rows.Add(cells.Select(c => double.TryParse(c.Trim().Trim('"'), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN).ToArray());
        }

        return rows;
    }

    private static Dataset Classification(string name, List<double[]> rows, int labelColumn, int classes)
    {
        var features = rows.Select(r => r.Where((_, i) => i != labelColumn).ToArray()).ToList();
        var labels = rows.Select(r => r[labelColumn]).ToArray();
        return Build(name, features, labels.Select(v => new[] { v }).ToList(), classes);
    }

    private static Dataset Regression(string name, List<double[]> rows, int target, Func<double, double>? transform = null)
    {
        var features = rows.Select(r => r.Where((_, i) => i != target).ToArray()).ToList();
        var targets = rows.Select(r => new[] { transform is null ? r[target] : transform(r[target]) }).ToList();
        return Build(name, features, targets, classes: 0);
    }

    private static Dataset Linnerud()
    {
        var x = Numbers("linnerud_exercise.csv", ' ', skipHeader: true);
        var y = Numbers("linnerud_physiological.csv", ' ', skipHeader: true);
        return Build("linnerud", x, y, classes: 0);
    }

    private static Dataset Fair()
    {
        // Binary: any affair (the last column > 0) from the eight survey answers.
        var rows = Numbers("fair.csv", ',', skipHeader: true);
        return Build("fair", rows.Select(r => r[..8]).ToList(), rows.Select(r => new[] { r[8] > 0 ? 1.0 : 0.0 }).ToList(), classes: 2);
    }

    private static Dataset Star98()
    {
        // Share of students above the national math median, from the 20 school-district covariates.
        var rows = Numbers("star98.csv", ',', skipHeader: true);
        return Build("star98", rows.Select(r => r[2..]).ToList(), rows.Select(r => new[] { r[0] / (r[0] + r[1]) }).ToList(), classes: 0);
    }

    private static Dataset ModeChoice()
    {
        // One row per traveller: the four alternatives' times and costs plus income and party size → the chosen mode (4 classes).
        var rows = Numbers("modechoice.csv", ';', skipHeader: true);
        var features = new List<double[]>();
        var labels = new List<double[]>();
        foreach (var person in rows.GroupBy(r => r[0]))
        {
            var alts = person.OrderBy(r => r[1]).ToArray();
            if (alts.Length != 4)
            {
                continue;
            }

            var f = new List<double>();
            foreach (var a in alts)
            {
                f.AddRange([a[3], a[4], a[5], a[6]]);
            }

            f.AddRange([alts[0][7], alts[0][8]]);
            features.Add(f.ToArray());
            labels.Add([Array.FindIndex(alts, a => a[2] == 1)]);
        }

        return Build("modechoice", features, labels, classes: 4);
    }

    private static double[] ForwardFill(double[] values)
    {
        double last = values.First(double.IsFinite);
        for (int i = 0; i < values.Length; i++)
        {
            if (double.IsFinite(values[i]))
            {
                last = values[i];
            }
            else
            {
                values[i] = last;
            }
        }

        return values;
    }

    /// <summary>Sliding windows of <paramref name="window"/> standardized values; the target is the next value.</summary>
    private static Dataset Windows(string name, double[] series, int window)
    {
        if (window < 2 || window >= series.Length - 8)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, $"{name} has {series.Length} values; the window must be between 2 and {series.Length - 9}.");
        }

        var features = new List<double[]>();
        var targets = new List<double[]>();
        for (int i = 0; i + window < series.Length; i++)
        {
            features.Add(series[i..(i + window)]);
            targets.Add([series[i + window]]);
        }

        // One scale for inputs and target (a series, not independent columns).
        double mean = series.Average();
        double sd = Math.Sqrt(series.Select(v => (v - mean) * (v - mean)).Average());
        sd = sd > 0 ? sd : 1;
        return Pack($"{name}[{window}]", features.Select(r => r.Select(v => (v - mean) / sd).ToArray()).ToList(), targets.Select(r => r.Select(v => (v - mean) / sd).ToArray()).ToList(), classes: 0);
    }

    /// <summary>Standardizes each feature column (and regression targets) over all rows.</summary>
    private static Dataset Build(string name, List<double[]> features, List<double[]> targets, int classes)
    {
        var keep = Enumerable.Range(0, features.Count).Where(i => features[i].All(double.IsFinite) && targets[i].All(double.IsFinite)).ToArray();
        features = keep.Select(i => features[i]).ToList();
        targets = keep.Select(i => targets[i]).ToList();
        var fs = Standardize(features);
        var ts = classes > 0 ? targets : Standardize(targets);
        return Pack(name, fs, ts, classes);
    }

    private static List<double[]> Standardize(List<double[]> rows)
    {
        int d = rows[0].Length;
        var mean = new double[d];
        var sd = new double[d];
        for (int j = 0; j < d; j++)
        {
            mean[j] = rows.Average(r => r[j]);
            double s = Math.Sqrt(rows.Average(r => (r[j] - mean[j]) * (r[j] - mean[j])));
            sd[j] = s > 0 ? s : 1;
        }

        return rows.Select(r => r.Select((v, j) => (v - mean[j]) / sd[j]).ToArray()).ToList();
    }

    private static Dataset Pack(string name, List<double[]> features, List<double[]> targets, int classes)
    {
        int n = features.Count;
        int d = features[0].Length;
        int outputs = classes > 0 ? classes : targets[0].Length;
        var x = new float[n * d];
        var y = new float[n * targets[0].Length];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                x[(i * d) + j] = (float)features[i][j];
            }

            for (int j = 0; j < targets[i].Length; j++)
            {
                y[(i * targets[i].Length) + j] = (float)targets[i][j];
            }
        }

        return new Dataset(name, x, y, n, d, outputs, classes);
    }

    /// <summary>A fixed shuffle (seed 0): 80 % for training, the rest (at most 1,024 rows) held out.</summary>
    private static (Dataset Train, Dataset Eval) Split(Dataset all)
    {
        var order = Enumerable.Range(0, all.Rows).ToArray();
        new Random(0).Shuffle(order);
        int evalRows = Math.Clamp(all.Rows / 5, 2, 1024);
        int trainRows = all.Rows - evalRows;
        return (all.Select(order[..trainRows]), all.Select(order[trainRows..]));
    }

}
