using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Formats.Manifests;

/// <summary>Deterministic JSON for manifests, plans and markers: snake_case, indented, nulls omitted, LF endings.</summary>
public static class JsonFiles
{
    /// <summary>The serializer options every pipeline JSON file uses.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Serializes a value to UTF-8 bytes with a trailing newline.</summary>
    public static byte[] Serialize<T>(T value)
    {
        var json = JsonSerializer.Serialize(value, Options).ReplaceLineEndings("\n") + "\n";
        return System.Text.Encoding.UTF8.GetBytes(json);
    }

    /// <summary>Deserializes a value; a malformed file is an <see cref="InvalidDataException"/> naming it.</summary>
    public static T Deserialize<T>(ReadOnlySpan<byte> utf8, string nameForErrors)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(utf8, Options) ?? throw new InvalidDataException($"{nameForErrors}: empty JSON");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{nameForErrors}: invalid JSON: {ex.Message}", ex);
        }
    }
}
