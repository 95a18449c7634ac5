using System.Globalization;
using System.Text.Json.Nodes;

namespace Pipeline.Jobs.Internal;

/// <summary>Applies <c>path=value</c> overrides (<c>--set</c>) to the job tree before validation.</summary>
internal static class JobOverrides
{
    /// <summary>Applies each override in order; problems become errors naming the override.</summary>
    /// <param name="root">The job tree; replaced when null (an empty job file).</param>
    /// <param name="overrides">Overrides as given on the command line.</param>
    /// <param name="map">Positions; overridden paths are marked so later errors name the override.</param>
    /// <param name="errors">Receives one error per bad override.</param>
    /// <returns>The (possibly new) root.</returns>
    public static JsonNode? Apply(JsonNode? root, IReadOnlyList<string> overrides, SourceMap map, List<JobError> errors)
    {
        foreach (var text in overrides)
        {
            var equals = text.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                errors.Add(Error(equals < 0 ? text.Trim() : string.Empty, text, "expected PATH=VALUE, e.g. pack.seq_len=4096"));
                continue;
            }

            var pathText = text[..equals].Trim();
            var segments = FieldPath.TryParse(pathText, out var pathError);
            if (segments is null)
            {
                errors.Add(Error(pathText, text, $"'{pathText}' is not a field path ({pathError}); write it like sources[0].uri"));
                continue;
            }

            if (!TryParseValue(text[(equals + 1)..], out var value, out var valueError))
            {
                errors.Add(Error(pathText, text, valueError));
                continue;
            }

            root ??= new JsonObject();
            if (TrySet(root, segments, value, out var setError))
            {
                map.SetByOverride(FieldPath.Format(segments, segments.Count), text);
            }
            else
            {
                errors.Add(Error(FieldPath.Format(segments, segments.Count), text, setError));
            }
        }

        return root;
    }

    // The value is YAML: 4096 is a number, o200k_base and x/*.jsonl are text, '007' is the text 007, {name: gpt2} is a mapping.
    // Text that is not valid YAML (e.g. *.jsonl, which YAML reads as an alias) is taken literally.
    private static bool TryParseValue(string text, out JsonNode? value, out string error)
    {
        var problems = new List<JobError>();
        var outcome = YamlJsonReader.Read(text, map: null, problems, out value);
        error = string.Empty;
        switch (outcome)
        {
            case YamlReadOutcome.Empty:
                value = null;
                return true;
            case YamlReadOutcome.SyntaxError:
                value = JsonValue.Create(text);
                return true;
            default:
                if (problems.Count > 0)
                {
                    error = "value: " + problems[0].Message;
                    return false;
                }

                return true;
        }
    }

    private static bool TrySet(JsonNode root, List<PathSegment> segments, JsonNode? value, out string error)
    {
        var current = root;
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            var last = i == segments.Count - 1;
            var here = FieldPath.Format(segments, i);
            var there = FieldPath.Format(segments, i + 1);
            if (segment.Key is { } key)
            {
                if (current is not JsonObject mapping)
                {
                    error = $"{Name(here)} is {Describe.Value(current)}, not a mapping, so it has no field '{key}'";
                    return false;
                }

                if (last)
                {
                    // A null value removes the field, so it takes its default (or is reported missing if required).
                    if (value is null)
                    {
                        mapping.Remove(key);
                    }
                    else
                    {
                        mapping[key] = value;
                    }

                    break;
                }

                var child = mapping[key];
                if (child is null)
                {
                    if (segments[i + 1].Key is null)
                    {
                        error = $"{there} does not exist, so it has no item [{Describe.Number(segments[i + 1].Index)}]";
                        return false;
                    }

                    child = new JsonObject();
                    mapping[key] = child;
                }

                current = child;
            }
            else
            {
                if (current is not JsonArray list)
                {
                    error = $"{Name(here)} is {Describe.Value(current)}, not a list, so it has no item [{Describe.Number(segment.Index)}]";
                    return false;
                }

                if (segment.Index >= list.Count)
                {
                    error = string.Create(
                        CultureInfo.InvariantCulture,
                        $"index [{segment.Index}] is out of range: {here} has {list.Count} item{(list.Count == 1 ? string.Empty : "s")}");
                    return false;
                }

                if (last)
                {
                    if (value is null)
                    {
                        error = "a list item cannot be removed with an override";
                        return false;
                    }

                    list[segment.Index] = value;
                    break;
                }

                var child = list[segment.Index];
                if (child is null)
                {
                    child = new JsonObject();
                    list[segment.Index] = child;
                }

                current = child;
            }
        }

        error = string.Empty;
        return true;
    }

    private static string Name(string path) => path.Length == 0 ? "the top level" : path;

    private static JobError Error(string path, string overrideText, string message) =>
        new(path, 0, 0, $"invalid override '--set {overrideText}': {message}");
}
