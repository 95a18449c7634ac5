using YamlDotNet.Core;

namespace Pipeline.Jobs.Internal;

/// <summary>Where a reported problem is: a file position, or the override that set the value.</summary>
/// <param name="Line">1-based line; 0 when the value came from an override.</param>
/// <param name="Column">1-based column; 0 when the value came from an override.</param>
/// <param name="Override">The <c>path=value</c> override text that set the value, or null.</param>
internal readonly record struct Location(int Line, int Column, string? Override);

/// <summary>YAML positions of every key and value by field path, and which paths overrides replaced.</summary>
internal sealed class SourceMap
{
    private readonly Dictionary<string, Mark> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Mark> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _overrides = new(StringComparer.Ordinal);

    /// <summary>Records where the key (or list item) for <paramref name="path"/> starts; the first record wins.</summary>
    public void AddKey(string path, Mark mark) => _keys.TryAdd(path, mark);

    /// <summary>Records where the value at <paramref name="path"/> starts; the first record wins.</summary>
    public void AddValue(string path, Mark mark) => _values.TryAdd(path, mark);

    /// <summary>Notes that an override replaced (or removed) the value at <paramref name="path"/>; positions below it no longer apply.</summary>
    public void SetByOverride(string path, string overrideText)
    {
        RemoveAtAndBelow(_keys, path);
        RemoveAtAndBelow(_values, path);
        _overrides[path] = overrideText;
    }

    /// <summary>Finds the position for a problem at <paramref name="path"/>, walking up to the nearest node that has one.</summary>
    /// <param name="path">Field path of the problem.</param>
    /// <param name="atKey">Prefer the key's position over the value's (unknown fields, missing fields).</param>
    public Location Locate(string path, bool atKey)
    {
        var current = path;
        var self = true;
        while (true)
        {
            if (_overrides.TryGetValue(current, out var text))
            {
                return new Location(0, 0, text);
            }

            // The node itself: value errors point at the value. Ancestors: point at their key, where the reader looks.
            var preferKey = !self || atKey;
            if (TryGet(preferKey ? _keys : _values, current, out var mark) || TryGet(preferKey ? _values : _keys, current, out mark))
            {
                return new Location(checked((int)mark.Line), checked((int)mark.Column), null);
            }

            if (current.Length == 0)
            {
                return new Location(1, 1, null);
            }

            current = FieldPath.Parent(current);
            self = false;
        }
    }

    private static bool TryGet(Dictionary<string, Mark> marks, string path, out Mark mark) => marks.TryGetValue(path, out mark);

    private static void RemoveAtAndBelow(Dictionary<string, Mark> marks, string path)
    {
        List<string>? stale = null;
        foreach (var key in marks.Keys)
        {
            if (key == path || FieldPath.IsBelow(key, path))
            {
                (stale ??= []).Add(key);
            }
        }

        if (stale is null)
        {
            return;
        }

        foreach (var key in stale)
        {
            marks.Remove(key);
        }
    }
}
