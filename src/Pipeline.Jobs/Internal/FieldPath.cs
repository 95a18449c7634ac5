using System.Globalization;

namespace Pipeline.Jobs.Internal;

/// <summary>One step of a field path: a mapping key or a list index.</summary>
/// <param name="Key">The key, or null for an index step.</param>
/// <param name="Index">The list index when <paramref name="Key"/> is null.</param>
internal readonly record struct PathSegment(string? Key, int Index);

/// <summary>Field paths in override syntax: <c>sources[1].uri</c>, <c>pack.seq_len</c>; the root is the empty string.</summary>
internal static class FieldPath
{
    /// <summary>Path of <paramref name="key"/> inside <paramref name="parent"/>.</summary>
    public static string Child(string parent, string key) => parent.Length == 0 ? key : string.Concat(parent, ".", key);

    /// <summary>Path of item <paramref name="index"/> of the list at <paramref name="parent"/>.</summary>
    public static string Item(string parent, int index) => string.Create(CultureInfo.InvariantCulture, $"{parent}[{index}]");

    /// <summary>Path of the node that holds <paramref name="path"/>; the root's parent is the root.</summary>
    public static string Parent(string path)
    {
        if (path.EndsWith(']'))
        {
            var open = path.LastIndexOf('[');
            if (open >= 0)
            {
                return path[..open];
            }
        }

        var dot = path.LastIndexOf('.');
        return dot < 0 ? string.Empty : path[..dot];
    }

    /// <summary>True when <paramref name="candidate"/> lies strictly below <paramref name="ancestor"/>.</summary>
    public static bool IsBelow(string candidate, string ancestor)
    {
        if (ancestor.Length == 0)
        {
            return candidate.Length > 0;
        }

        return candidate.Length > ancestor.Length
            && candidate.StartsWith(ancestor, StringComparison.Ordinal)
            && candidate[ancestor.Length] is '.' or '[';
    }

    /// <summary>Formats segments back to path text.</summary>
    public static string Format(IReadOnlyList<PathSegment> segments, int count)
    {
        var path = string.Empty;
        for (var i = 0; i < count; i++)
        {
            var s = segments[i];
            path = s.Key is null ? Item(path, s.Index) : Child(path, s.Key);
        }

        return path;
    }

    /// <summary>Parses <c>a.b[0].c</c>; keys are letters, digits, '_' and '-'.</summary>
    /// <returns>Null and an <paramref name="error"/> when the text is not a path.</returns>
    public static List<PathSegment>? TryParse(string text, out string error)
    {
        var segments = new List<PathSegment>();
        var i = 0;
        while (true)
        {
            var start = i;
            while (i < text.Length && IsKeyChar(text[i]))
            {
                i++;
            }

            if (i == start)
            {
                error = i < text.Length
                    ? string.Create(CultureInfo.InvariantCulture, $"expected a field name at character {i + 1}, found '{text[i]}'")
                    : "expected a field name at the end";
                return null;
            }

            segments.Add(new PathSegment(text[start..i], 0));
            while (i < text.Length && text[i] == '[')
            {
                var close = text.IndexOf(']', i);
                if (close < 0
                    || !int.TryParse(text.AsSpan(i + 1, close - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    error = string.Create(CultureInfo.InvariantCulture, $"expected a list index like [0] at character {i + 1}");
                    return null;
                }

                segments.Add(new PathSegment(null, index));
                i = close + 1;
            }

            if (i == text.Length)
            {
                error = string.Empty;
                return segments;
            }

            if (text[i] != '.')
            {
                error = string.Create(CultureInfo.InvariantCulture, $"unexpected '{text[i]}' at character {i + 1}");
                return null;
            }

            i++;
        }
    }

    private static bool IsKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';
}
