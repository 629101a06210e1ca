using System.Buffers.Binary;
using System.Text.RegularExpressions;

namespace GradientWatch.Demo.Tests;

/// <summary>The HTML reports reference only files that exist, and the plots are real PNGs of a sensible size.</summary>
[Collection(DemoCollection.Name)]
public sealed partial class ReportTests
{
    private readonly DemoFixture demo;

    public ReportTests(DemoFixture demo) => this.demo = demo;

    [Fact]
    public void EveryReportReferencesOnlyFilesThatExist()
    {
        var pages = Directory.EnumerateFiles(demo.Output, "*.html", SearchOption.AllDirectories).ToArray();
        Assert.Equal(6, pages.Length);
        int references = 0;
        foreach (var page in pages)
        {
            string html = File.ReadAllText(page);
            foreach (Match m in Reference().Matches(html))
            {
                string target = System.Net.WebUtility.HtmlDecode(m.Groups["url"].Value);
                Assert.DoesNotContain("://", target);
                Assert.False(Path.IsPathRooted(target), target);
                string file = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, target));
                Assert.True(File.Exists(file), $"{page} references {target}, which does not exist");
                Assert.StartsWith(demo.Output, file, StringComparison.Ordinal);
                references++;
            }
        }

        Assert.True(references >= 20, $"{references} references");
    }

    [Fact]
    public void ReportsShowThePlotsTheIssueAsksFor()
    {
        string exploding = File.ReadAllText(Path.Combine(demo.Dir("exploding"), "report.html"));
        foreach (var plot in new[] { "layer-norms.png", "depth-profile.png", "loss-lr.png" })
        {
            Assert.Contains($"src=\"{plot}\"", exploding);
        }

        string compare = File.ReadAllText(Path.Combine(demo.Dir("compare"), "report.html"));
        Assert.Contains("src=\"compare-loss.png\"", compare);
        Assert.Contains("src=\"compare-global-norm.png\"", compare);
        Assert.Contains("src=\"compare-with-layer-norms.png\"", compare);
        Assert.Contains("src=\"compare-without-depth-profile.png\"", compare);
    }

    [Fact]
    public void ReportsShowTheGradientDistributionOfTheFirstMiddleAndLastLayers()
    {
        string vanishing = File.ReadAllText(Path.Combine(demo.Dir("vanishing"), "report.html"));
        foreach (var (file, layer) in new[] { ("distribution-1.png", "fc1"), ("distribution-6.png", "fc6"), ("distribution-12.png", "fc12") })
        {
            Assert.Contains($"src=\"{file}\"", vanishing);
            Assert.Contains($"Distribution of |g| in {layer} over time", System.Net.WebUtility.HtmlDecode(vanishing));
            Assert.True(File.Exists(Path.Combine(demo.Dir("vanishing"), file)));
        }

        string compare = File.ReadAllText(Path.Combine(demo.Dir("compare"), "report.html"));
        Assert.Contains("src=\"compare-with-distribution-1.png\"", compare);
    }

    [Fact]
    public void PlotsAreValidPngsOfASensibleSize()
    {
        var pngs = Directory.EnumerateFiles(demo.Output, "*.png", SearchOption.AllDirectories).ToArray();
        Assert.True(pngs.Length >= 17, $"{pngs.Length} plots");
        byte[] signature = { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };
        foreach (var png in pngs)
        {
            byte[] bytes = File.ReadAllBytes(png);
            Assert.True(bytes.Length > 10_000, $"{png}: {bytes.Length} bytes");
            Assert.Equal(signature, bytes[..8]);
            Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
            int width = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16));
            int height = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20));
            Assert.InRange(width, 600, 2000);
            Assert.InRange(height, 300, 1200);
            Assert.Equal("IEND", System.Text.Encoding.ASCII.GetString(bytes, bytes.Length - 8, 4));
        }
    }

    [Fact]
    public void TheStepStatisticsHaveOneColumnPerLayer()
    {
        var steps = demo.Steps("vanishing");
        Assert.Equal(new[] { "run", "step", "epoch", "loss", "global_norm", "global_norm_after_remedies", "learning_rate", "step_size_alpha", "skipped", "non_finite" }, steps.Header.Take(10));
        Assert.Equal(Enumerable.Range(1, 12).Select(i => $"norm_fc{i}"), steps.Header.Skip(10));
        var last = steps.Rows[^1];
        Assert.True(steps.Value(last, "norm_fc1") < 1e-3 * steps.Value(last, "norm_fc12"));
    }

    [GeneratedRegex("(?:src|href)=\"(?<url>[^\"#]+)\"")]
    private static partial Regex Reference();
}
