using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Pipeline.Jobs.Internal;

/// <summary>How reading a YAML text ended.</summary>
internal enum YamlReadOutcome
{
    /// <summary>One document was read (problems such as duplicate keys may still have been reported).</summary>
    Read,

    /// <summary>The text holds no document at all.</summary>
    Empty,

    /// <summary>The text is not valid YAML; one error with the parser's position was reported.</summary>
    SyntaxError,
}

/// <summary>Reads YAML parser events into a <see cref="JsonNode"/> tree, recording every key's and value's position by field path.</summary>
internal sealed class YamlJsonReader
{
    private const int MaxDepth = 64;
    private const int MaxNodes = 100_000;

    private readonly Parser _parser;
    private readonly SourceMap? _map;
    private readonly List<JobError> _errors;
    private readonly Dictionary<string, (JsonNode? Node, int Count)> _anchors = new(StringComparer.Ordinal);
    private int _nodes;
    private Mark _lastEnd = Mark.Empty;

    private YamlJsonReader(string text, SourceMap? map, List<JobError> errors)
    {
        _parser = new Parser(new StringReader(text));
        _map = map;
        _errors = errors;
    }

    /// <summary>Reads the single YAML document in <paramref name="text"/>.</summary>
    /// <param name="text">YAML text.</param>
    /// <param name="map">Receives positions; null to skip recording (override values).</param>
    /// <param name="errors">Receives syntax errors, duplicate keys and other structural problems.</param>
    /// <param name="root">The document as JSON (null for an empty or null document).</param>
    public static YamlReadOutcome Read(string text, SourceMap? map, List<JobError> errors, out JsonNode? root)
    {
        var reader = new YamlJsonReader(text, map, errors);
        return reader.ReadStream(out root);
    }

    private YamlReadOutcome ReadStream(out JsonNode? root)
    {
        root = null;
        try
        {
            Next(); // StreamStart
            Next();
            if (Current is StreamEnd)
            {
                return YamlReadOutcome.Empty;
            }

            if (Current is DocumentStart)
            {
                Next();
            }

            root = ReadNode(string.Empty, 0, record: true);
            if (Current is DocumentEnd)
            {
                Next();
            }

            if (Current is DocumentStart second)
            {
                _errors.Add(Error(string.Empty, second.Start, "a job file holds one YAML document; remove the second '---' document"));
            }

            return YamlReadOutcome.Read;
        }
        catch (YamlException ex)
        {
            root = null;
            _errors.Add(new JobError(string.Empty, Math.Max(1, ToInt(ex.Start.Line)), Math.Max(1, ToInt(ex.Start.Column)), "invalid YAML: " + ex.Message));
            return YamlReadOutcome.SyntaxError;
        }
    }

    private ParsingEvent Current => _parser.Current ?? throw new YamlException(_lastEnd, _lastEnd, "unexpected end of the YAML stream");

    private void Next()
    {
        if (_parser.Current is { } consumed)
        {
            _lastEnd = consumed.End;
        }

        bool moved;
        try
        {
            moved = _parser.MoveNext();
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's scanner sometimes fails with a bare InvalidOperationException instead of a YamlException
            // (e.g. a flow mapping left open across lines: aaubry/YamlDotNet#541); report it as a syntax error.
            throw new YamlException(_lastEnd, _lastEnd, "the YAML parser cannot read past this point; look for an unclosed '{', '[' or quote", ex);
        }

        if (!moved)
        {
            throw new YamlException(_lastEnd, _lastEnd, "unexpected end of the YAML stream");
        }
    }

    private JsonNode? ReadNode(string path, int depth, bool record)
    {
        var ev = Current;
        if (depth > MaxDepth)
        {
            throw new YamlException(ev.Start, ev.End, string.Create(CultureInfo.InvariantCulture, $"nesting is deeper than {MaxDepth} levels"));
        }

        Count(ev, 1);
        switch (ev)
        {
            case Scalar scalar:
            {
                Next();
                var node = YamlScalars.ToNode(scalar);
                Record(record, path, scalar.Start);
                Remember(scalar.Anchor, node, 1);
                return node;
            }

            case SequenceStart start:
            {
                Next();
                Record(record, path, start.Start);
                var first = _nodes;
                var list = new JsonArray();
                var index = 0;
                while (Current is not SequenceEnd)
                {
                    var itemPath = FieldPath.Item(path, index);
                    if (record)
                    {
                        _map?.AddKey(itemPath, Current.Start);
                    }

                    list.Add(ReadNode(itemPath, depth + 1, record));
                    index++;
                }

                Next();
                Remember(start.Anchor, list, _nodes - first + 1);
                return list;
            }

            case MappingStart start:
            {
                Next();
                Record(record, path, start.Start);
                var first = _nodes;
                var mapping = new JsonObject();
                var keyLines = new Dictionary<string, long>(StringComparer.Ordinal);
                while (Current is not MappingEnd)
                {
                    if (Current is not Scalar keyScalar)
                    {
                        _errors.Add(Error(path, Current.Start, "mapping keys must be plain text, not lists, mappings or aliases"));
                        ReadNode(path, depth + 1, record: false);
                        ReadNode(path, depth + 1, record: false);
                        continue;
                    }

                    Next();
                    var key = keyScalar.Value;
                    var childPath = FieldPath.Child(path, key);
                    if (keyLines.TryGetValue(key, out var firstLine))
                    {
                        _errors.Add(Error(childPath, keyScalar.Start, string.Create(CultureInfo.InvariantCulture, $"duplicate key '{key}' (first defined at line {firstLine})")));
                        ReadNode(childPath, depth + 1, record: false);
                        continue;
                    }

                    keyLines.Add(key, keyScalar.Start.Line);
                    if (record)
                    {
                        _map?.AddKey(childPath, keyScalar.Start);
                    }

                    mapping[key] = ReadNode(childPath, depth + 1, record);
                }

                Next();
                Remember(start.Anchor, mapping, _nodes - first + 1);
                return mapping;
            }

            case AnchorAlias alias:
            {
                Next();
                if (!_anchors.TryGetValue(alias.Value.Value, out var anchored))
                {
                    throw new YamlException(alias.Start, alias.End, $"alias *{alias.Value.Value} refers to no anchor defined before it");
                }

                Count(alias, anchored.Count);
                Record(record, path, alias.Start);
                return anchored.Node?.DeepClone();
            }

            default:
                throw new YamlException(ev.Start, ev.End, $"unexpected YAML element {ev.GetType().Name}");
        }
    }

    private void Count(ParsingEvent ev, int nodes)
    {
        _nodes += nodes;
        if (_nodes > MaxNodes)
        {
            throw new YamlException(ev.Start, ev.End, string.Create(CultureInfo.InvariantCulture, $"the document has more than {MaxNodes} values"));
        }
    }

    private void Record(bool record, string path, Mark mark)
    {
        if (record)
        {
            _map?.AddValue(path, mark);
        }
    }

    private void Remember(AnchorName anchor, JsonNode? node, int count)
    {
        if (!anchor.IsEmpty)
        {
            _anchors[anchor.Value] = (node, count);
        }
    }

    private static JobError Error(string path, Mark mark, string message) => new(path, ToInt(mark.Line), ToInt(mark.Column), message);

    private static int ToInt(long value) => value > int.MaxValue ? int.MaxValue : (int)value;
}
