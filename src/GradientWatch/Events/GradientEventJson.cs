using System.Text.Json;
using System.Text.Json.Serialization;

namespace GradientWatch.Events;

/// <summary>The JSON Lines form of events: snake_case names, enums as snake_case strings, NaN/Inf allowed.</summary>
internal static class GradientEventJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        WriteIndented = false,
    };
}
