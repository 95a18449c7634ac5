using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Pipeline.Core.Documents;

namespace Pipeline.Formats.Input;

/// <summary>Turns one JSONL line (without its terminator) into a document or a reject; no DOM is built.</summary>
internal static class JsonLineParser
{
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>True when the line is empty or holds only JSON whitespace (such lines are not documents).</summary>
    public static bool IsBlank(ReadOnlySpan<byte> line) => line.IndexOfAnyExcept(" \t\r\n"u8) < 0;

    /// <summary>Parses a non-blank line.</summary>
    /// <param name="line">The line's bytes, without terminator (and without a leading BOM).</param>
    /// <param name="lineNumber">1-based line number, or 0 when unknown.</param>
    /// <param name="offset">Offset of the line's first byte in the uncompressed stream.</param>
    /// <param name="options">Field names and limits.</param>
    public static SourceDocument Parse(ReadOnlySpan<byte> line, long lineNumber, long offset, ReaderOptions options)
    {
        if (line.Length > options.MaxDocumentBytes)
        {
            return TooLong(lineNumber, offset, line.Length, options.MaxDocumentBytes);
        }

        if (!Utf8.IsValid(line))
        {
            return SourceDocument.Rejected(lineNumber, offset, null, RejectReasons.InvalidUtf8,
                $"invalid UTF-8 at byte {FirstInvalidUtf8(line)} of the line", line.Length);
        }

        string? text = null;
        string? id = null;
        JsonTokenType textToken = JsonTokenType.None;
        var reader = new Utf8JsonReader(line, ReaderOptions);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return SourceDocument.Rejected(lineNumber, offset, null, RejectReasons.MalformedJson,
                    $"top-level JSON value is {Describe(reader.TokenType)}, expected an object", line.Length);
            }

            byte[] textName = options.TextFieldUtf8;
            byte[]? idName = options.IdFieldUtf8;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isText = reader.ValueTextEquals(textName);
                bool isId = idName is not null && reader.ValueTextEquals(idName);
                reader.Read();
                if (isText)
                {
                    // A repeated key: the last occurrence wins, as in most JSON parsers.
                    textToken = reader.TokenType;
                    text = textToken == JsonTokenType.String ? reader.GetString() : null;
                }

                if (isId)
                {
                    id = reader.TokenType switch
                    {
                        JsonTokenType.String => reader.GetString(),
                        JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
                        _ => null,
                    };
                }

                reader.Skip();
            }

            // Reading past the closing brace validates that nothing but whitespace follows the object.
            while (reader.Read())
            {
            }
        }
        catch (JsonException ex)
        {
            return SourceDocument.Rejected(lineNumber, offset, null, RejectReasons.MalformedJson, ex.Message, line.Length);
        }
        catch (InvalidOperationException ex)
        {
            // GetString on an escaped lone surrogate (e.g. "\ud800"): valid JSON syntax, but not text.
            return SourceDocument.Rejected(lineNumber, offset, null, RejectReasons.MalformedJson, ex.Message, line.Length);
        }

        if (text is null)
        {
            string detail = textToken == JsonTokenType.None
                ? $"field '{options.TextField}' not found"
                : $"field '{options.TextField}' is {Describe(textToken)}, expected a string";
            return SourceDocument.Rejected(lineNumber, offset, id, RejectReasons.MissingText, detail, line.Length);
        }

        if (text.Length == 0)
        {
            return SourceDocument.Rejected(lineNumber, offset, id, RejectReasons.EmptyText,
                $"field '{options.TextField}' is an empty string", line.Length);
        }

        return SourceDocument.Ok(lineNumber, offset, id, text, line.Length);
    }

    /// <summary>The reject for a line longer than the limit.</summary>
    public static SourceDocument TooLong(long lineNumber, long offset, long length, int max) =>
        SourceDocument.Rejected(lineNumber, offset, null, RejectReasons.TooLong,
            $"line of {length} bytes exceeds the limit of {max} bytes", (int)Math.Min(length, int.MaxValue));

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.None => "missing",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        _ => token.ToString(),
    };

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> line)
    {
        int i = 0;
        while (i < line.Length)
        {
            if (Rune.DecodeFromUtf8(line[i..], out _, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                return i;
            }

            i += consumed;
        }

        return i;
    }
}
