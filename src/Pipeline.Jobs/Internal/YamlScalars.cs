using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Pipeline.Jobs.Internal;

/// <summary>Types YAML scalars the YAML 1.2 core-schema way: plain scalars may be null, booleans or numbers; quoted ones are strings.</summary>
internal static partial class YamlScalars
{
    private const string TagPrefix = "tag:yaml.org,2002:";

    /// <summary>Converts a scalar event to a JSON value (null for a YAML null).</summary>
    public static JsonNode? ToNode(Scalar scalar)
    {
        var tag = scalar.Tag;
        if (!tag.IsEmpty && !tag.IsNonSpecific)
        {
            // Explicit tags: !!str forces text; !!int, !!float, !!bool, !!null resolve like plain scalars; other tags are kept as text.
            return tag.Value switch
            {
                TagPrefix + "int" or TagPrefix + "float" or TagPrefix + "bool" or TagPrefix + "null" => ResolvePlain(scalar.Value),
                _ => JsonValue.Create(scalar.Value),
            };
        }

        return scalar.Style == ScalarStyle.Plain ? ResolvePlain(scalar.Value) : JsonValue.Create(scalar.Value);
    }

    /// <summary>Resolves an untagged plain scalar: null, bool, integer (underscores allowed, 0x and 0o prefixes), float, else string.</summary>
    public static JsonNode? ResolvePlain(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (DecimalInteger().IsMatch(text))
        {
            var digits = text.Replace("_", string.Empty, StringComparison.Ordinal);
            if (long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            {
                return JsonValue.Create(l);
            }

            // Out of the 64-bit range: keep the magnitude so range checks can report it.
            return decimal.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var m)
                ? JsonValue.Create(m)
                : JsonValue.Create(double.Parse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
        }

        if (text.Length > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'o'))
        {
            var digits = text[2..].Replace("_", string.Empty, StringComparison.Ordinal);
            if (text[1] == 'x' && long.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
            {
                return JsonValue.Create(hex);
            }

            if (text[1] == 'o' && OctalDigits().IsMatch(digits) && digits.Length <= 21)
            {
                var value = 0L;
                foreach (var c in digits)
                {
                    value = checked((value * 8) + (c - '0'));
                }

                return JsonValue.Create(value);
            }

            return JsonValue.Create(text);
        }

        if (Float().IsMatch(text))
        {
            var d = double.Parse(text.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture);
            if (double.IsFinite(d))
            {
                return JsonValue.Create(d);
            }
        }

        return JsonValue.Create(text);
    }

    [GeneratedRegex("^[-+]?[0-9][0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalInteger();

    [GeneratedRegex("^[0-7]+$", RegexOptions.CultureInvariant)]
    private static partial Regex OctalDigits();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Float();
}
