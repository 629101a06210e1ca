using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GradientWatch.Tests.Events;

/// <summary>Holds docs/events.md to the code: every table lists exactly what the serializer and the detectors and remedies write.</summary>
public sealed partial class EventSchemaDocTests
{
    private static readonly string Root = FindRoot();
    private static readonly string Doc = File.ReadAllText(Path.Combine(Root, "docs", "events.md"));

    [Fact]
    public void Fields_table_lists_every_serialized_property()
    {
        var fromType = typeof(GradientEvent).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name));
        using var json = JsonDocument.Parse(FullEvent(GradientIssueKind.Exploding).ToJson());
        var written = json.RootElement.EnumerateObject().Select(p => p.Name);

        Assert.Equal(Sorted(fromType), Sorted(Table("Fields")));
        Assert.Equal(Sorted(written), Sorted(Table("Fields")));
    }

    [Fact]
    public void Kinds_severities_and_types_tables_use_the_serializer_spellings()
    {
        Assert.Equal(Sorted(Enum.GetValues<GradientIssueKind>().Select(k => Written(FullEvent(k), "kind"))), Sorted(Table("Kinds")));
        Assert.Equal(Sorted(Enum.GetValues<GradientEventSeverity>().Select(s => Written(FullEvent(GradientIssueKind.Stalled) with { Severity = s }, "severity"))), Sorted(Table("Severities")));
        Assert.Equal(Sorted(Enum.GetValues<GradientEventType>().Select(t => Written(FullEvent(GradientIssueKind.Stalled) with { Type = t }, "type"))), Sorted(Table("Event types")));
        Assert.Contains("non_finite", Table("Kinds"));
    }

    [Fact]
    public void Remedies_table_lists_every_remedy_name_and_an_existing_builder_method()
    {
        string builder = File.ReadAllText(Path.Combine(Root, "src", "GradientWatch", "GradientWatchBuilder.cs"));
        var names = AddRemedy().Matches(builder).Select(m => m.Groups[1].Value);

        Assert.Equal(Sorted(names), Sorted(Table("Remedies")));
        Assert.Contains("skip_step", Table("Remedies"));
        var methods = typeof(GradientWatchBuilder).GetMethods(BindingFlags.Public | BindingFlags.Instance).Select(m => m.Name).ToHashSet();
        foreach (var method in Column("Remedies", 1))
        {
            Assert.Contains(method[..method.IndexOf('(')], methods);
        }
    }

    [Fact]
    public void Triggers_and_details_tables_list_every_value_the_detectors_and_remedies_write()
    {
        var triggers = new List<string>();
        var details = new List<string>();
        foreach (var folder in new[] { "Detection", "Remedies" })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(Root, "src", "GradientWatch", folder), "*.cs"))
            {
                foreach (var line in File.ReadLines(file))
                {
                    if (line.Contains("Trigger = ", StringComparison.Ordinal) || line.Contains("triggers.Add(", StringComparison.Ordinal))
                    {
                        triggers.AddRange(Literal().Matches(line).Select(m => m.Groups[1].Value));
                    }

                    details.AddRange(DetailKey().Matches(line).Select(m => m.Groups[1].Value));
                }
            }
        }

        Assert.Equal(Sorted(triggers.Distinct()), Sorted(Table("Triggers")));
        Assert.Equal(Sorted(details.Distinct()), Sorted(Table("Details")));
    }

    [Fact]
    public void Example_lines_parse_and_write_back_unchanged()
    {
        var block = Regex.Match(Doc, "```json\n(.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, "no ```json block in docs/events.md");
        var lines = block.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);

        foreach (var line in lines)
        {
            var e = GradientEvent.ParseJson(line);
            Assert.Equal(line, e.ToJson());
        }
    }

    [Fact]
    public void Non_finite_numbers_are_written_as_named_strings()
    {
        var e = FullEvent(GradientIssueKind.NonFinite) with { ObservedValue = double.NaN, Details = new Dictionary<string, double> { ["loss"] = double.PositiveInfinity } };

        string json = e.ToJson();

        Assert.Contains("\"observed_value\":\"NaN\"", json);
        Assert.Contains("\"loss\":\"Infinity\"", json);
        Assert.Contains("`\"NaN\"`", Doc);
    }

    private static GradientEvent FullEvent(GradientIssueKind kind) => new()
    {
        Type = GradientEventType.Issue,
        Step = 7,
        Time = new DateTimeOffset(2026, 12, 2, 6, 0, 0, TimeSpan.Zero),
        RunId = "run",
        Model = "model",
        Kind = kind,
        Trigger = "absolute",
        Severity = GradientEventSeverity.Error,
        Layers = ["fc1"],
        ObservedValue = 2,
        Threshold = 1,
        Remedy = "clip_global_norm",
        RemediesTaken = ["clip_global_norm"],
        Advice = "advice",
        Message = "message",
        Details = new Dictionary<string, double> { ["global_norm"] = 2 },
    };

    private static string Written(GradientEvent e, string property)
    {
        using var json = JsonDocument.Parse(e.ToJson());
        return json.RootElement.GetProperty(property).GetString()!;
    }

    /// <summary>The backticked first cell of every row of the table under the <c>## heading</c>.</summary>
    private static List<string> Table(string heading) => Column(heading, 0);

    private static List<string> Column(string heading, int column)
    {
        int start = Doc.IndexOf("\n## " + heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/events.md has no '## {heading}' section");
        int end = Doc.IndexOf("\n## ", start + 4, StringComparison.Ordinal);
        var section = Doc[start..(end < 0 ? Doc.Length : end)];
        var values = new List<string>();
        foreach (var line in section.Split('\n'))
        {
            if (!line.StartsWith("| `", StringComparison.Ordinal))
            {
                continue;
            }

            var cell = line.Split('|')[column + 1].Trim();
            values.Add(cell.Trim('`'));
        }

        Assert.NotEmpty(values);
        return values;
    }

    private static string[] Sorted(IEnumerable<string> values) => values.Order(StringComparer.Ordinal).ToArray();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "GradientWatch.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("GradientWatch.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("AddRemedy\\(\"([a-z0-9_]+)\"")]
    private static partial Regex AddRemedy();

    [GeneratedRegex("\"([a-z0-9_]+)\"")]
    private static partial Regex Literal();

    [GeneratedRegex("\\[\"([a-z0-9_]+)\"\\]\\s*=")]
    private static partial Regex DetailKey();
}
