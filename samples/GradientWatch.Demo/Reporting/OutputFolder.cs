namespace GradientWatch.Demo.Reporting;

/// <summary>Creates and checks the output folders.</summary>
internal static class OutputFolder
{
    /// <summary>Creates <paramref name="directory"/> and proves it is writable; throws a <see cref="DemoException"/> saying why not.</summary>
    public static string Prepare(string directory)
    {
        string full;
        try
        {
            full = Path.GetFullPath(directory);
            Directory.CreateDirectory(full);
            string probe = Path.Combine(full, $".gradientwatch-write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new DemoException($"Cannot write to the output directory '{directory}': {ex.Message}");
        }

        return full;
    }

    /// <summary>Creates a scenario's folder and removes the files an earlier demo run left there (the event file is append-only).</summary>
    public static void PrepareScenario(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var pattern in new[] { "*.png", "*.jsonl", "*.csv", "*.html" })
        {
            foreach (var file in Directory.EnumerateFiles(directory, pattern))
            {
                File.Delete(file);
            }
        }
    }
}
