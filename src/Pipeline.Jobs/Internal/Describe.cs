using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Jobs.Internal;

/// <summary>Short, user-facing descriptions of values and "did you mean" suggestions.</summary>
internal static class Describe
{
    private const int MaxShown = 60;

    /// <summary>Describes a value for "got ..." phrases: <c>string 'abc'</c>, <c>number 2.5</c>, <c>a mapping</c>.</summary>
    public static string Value(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "a mapping",
        JsonArray => "a list",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string " + Quote(v.GetValue<string>()),
            JsonValueKind.True => "boolean true",
            JsonValueKind.False => "boolean false",
            JsonValueKind.Number => "number " + v.ToJsonString(),
            _ => v.ToJsonString(),
        },
        _ => node.ToJsonString(),
    };

    /// <summary>The raw value for "got ..." phrases about numbers and text: <c>4</c>, <c>'abc'</c>.</summary>
    public static string Raw(JsonNode? node) => node is JsonValue v
        ? v.GetValueKind() switch
        {
            JsonValueKind.String => Quote(v.GetValue<string>()),
            JsonValueKind.Number => v.ToJsonString(),
            _ => Value(node),
        }
        : Value(node);

    /// <summary>Names a JSON Schema type the way a YAML author thinks of it.</summary>
    public static string TypeName(string schemaType) => schemaType switch
    {
        "object" => "a mapping",
        "array" => "a list",
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "true or false",
        "null" => "null",
        _ => schemaType,
    };

    /// <summary>Single-quotes text, shortened when long.</summary>
    public static string Quote(string text) => text.Length <= MaxShown ? $"'{text}'" : $"'{text[..MaxShown]}...'";

    /// <summary>Joins names as <c>a, b or c</c>.</summary>
    public static string OneOfList(IReadOnlyList<string> names, string conjunction)
    {
        if (names.Count == 0)
        {
            return string.Empty;
        }

        if (names.Count == 1)
        {
            return names[0];
        }

        return string.Join(", ", names.Take(names.Count - 1)) + " " + conjunction + " " + names[^1];
    }

    /// <summary>The candidate closest to <paramref name="text"/> when it is close enough to be a likely typo, else null.</summary>
    public static string? Suggest(string text, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = string.Equals(candidate, text, StringComparison.OrdinalIgnoreCase) ? 0 : Distance(text, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        var allowed = Math.Max(1, Math.Min(3, text.Length / 3));
        return bestDistance <= allowed ? best : null;
    }

    /// <summary>Formats an integer for messages.</summary>
    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static int Distance(string a, string b)
    {
        // Optimal string alignment distance: transpositions count as one edit (seq_lne -> seq_len).
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                var value = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    value = Math.Min(value, d[i - 2, j - 2] + 1);
                }

                d[i, j] = value;
            }
        }

        return d[a.Length, b.Length];
    }
}
