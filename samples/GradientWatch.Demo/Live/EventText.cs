using System.Globalization;

namespace GradientWatch.Demo.Live;

/// <summary>Short, single-line descriptions of events for the console.</summary>
internal static class EventText
{
    /// <summary>For example <c>[  44] ERROR exploding: global gradient norm 11.7 above 5</c>.</summary>
    public static string Describe(GradientEvent e)
    {
        string what = e.Type == GradientEventType.Issue
            ? (e.Kind is { } k ? Reporting.DiagnosisBuilder.Name(k) : "issue")
            : e.Remedy ?? "remedy";
        string severity = e.Severity switch
        {
            GradientEventSeverity.Critical => "CRIT ",
            GradientEventSeverity.Error => "ERROR",
            GradientEventSeverity.Warning => "WARN ",
            _ => "fix  ",
        };
        return string.Create(CultureInfo.InvariantCulture, $"[{e.Step,5}] {severity} {what}: {Shorten(e.Message, 110)}");
    }

    /// <summary>Spectre markup colour for a severity.</summary>
    public static string Colour(GradientEventSeverity severity) => severity switch
    {
        GradientEventSeverity.Critical or GradientEventSeverity.Error => "red",
        GradientEventSeverity.Warning => "yellow",
        _ => "green",
    };

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
