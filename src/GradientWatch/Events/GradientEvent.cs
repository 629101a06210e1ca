using System.Text.Json;
using GradientWatch.Events;

namespace GradientWatch;

/// <summary>
/// One detected issue or remedy action. Events reach users through <c>GradientWatcher.Events</c>,
/// callbacks, logging, the bounded in-memory history, the JSON Lines event file and metrics.
/// </summary>
public sealed record GradientEvent
{
    /// <summary>Issue or remedy.</summary>
    public required GradientEventType Type { get; init; }

    /// <summary>Training step the event belongs to.</summary>
    public required long Step { get; init; }

    /// <summary>Wall-clock time of the event.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Run identifier of the watcher that raised it.</summary>
    public required string RunId { get; init; }

    /// <summary>Model name of the watcher that raised it.</summary>
    public required string Model { get; init; }

    /// <summary>The issue kind, for issue events; for remedy events, the issue that triggered the remedy, if any.</summary>
    public GradientIssueKind? Kind { get; init; }

    /// <summary>Which rule fired, for example <c>absolute</c>, <c>zscore</c> or <c>jump</c> for exploding gradients.</summary>
    public string? Trigger { get; init; }

    /// <summary>Severity.</summary>
    public required GradientEventSeverity Severity { get; init; }

    /// <summary>Layers concerned, in layer order; empty when the event concerns the whole model.</summary>
    public IReadOnlyList<string> Layers { get; init; } = Array.Empty<string>();

    /// <summary>The value that was observed (a norm, a z-score, a ratio, a count...).</summary>
    public double? ObservedValue { get; init; }

    /// <summary>The threshold it was compared with.</summary>
    public double? Threshold { get; init; }

    /// <summary>For remedy events, the remedy's name (for example <c>clip_global_norm</c>).</summary>
    public string? Remedy { get; init; }

    /// <summary>For issue events, the remedies that acted on the same step.</summary>
    public IReadOnlyList<string> RemediesTaken { get; init; } = Array.Empty<string>();

    /// <summary>Short, specific advice, based on the model's structure, when the issue persists.</summary>
    public string? Advice { get; init; }

    /// <summary>Human-readable description.</summary>
    public required string Message { get; init; }

    /// <summary>Extra numeric details (for example <c>depth_profile</c>, <c>nan_count</c>, <c>scale</c>).</summary>
    public IReadOnlyDictionary<string, double> Details { get; init; } = EmptyDetails;

    internal static readonly IReadOnlyDictionary<string, double> EmptyDetails = new Dictionary<string, double>();

    /// <summary>This event as one line of JSON, in the format of the event file.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, GradientEventJson.Options);

    /// <summary>Parses one line of an event file written by GradientWatch.</summary>
    /// <exception cref="JsonException">The line is not a GradientWatch event.</exception>
    public static GradientEvent ParseJson(string json)
        => JsonSerializer.Deserialize<GradientEvent>(json, GradientEventJson.Options) ?? throw new JsonException("The JSON holds no event.");

    /// <inheritdoc/>
    public override string ToString() => $"[{Step}] {Severity} {(Type == GradientEventType.Issue ? Kind?.ToString() : Remedy)}: {Message}";
}
