using System.Text.Json.Serialization;

namespace Pipeline.Formats.Lineage;

/// <summary>Where one input document went: every input document appears in lineage exactly once.</summary>
public sealed class LineageRow
{
    /// <summary>Stable 64-bit document id (the id used in shards' <c>doc_ids</c>).</summary>
    [JsonPropertyName("doc_id")] public long DocId { get; set; }

    /// <summary>Source name from the job file.</summary>
    [JsonPropertyName("source")] public string Source { get; set; } = "";

    /// <summary>The input file, as the job file names its location.</summary>
    [JsonPropertyName("path")] public string Path { get; set; } = "";

    /// <summary>1-based line or row number; 0 when unknown (byte-range unit that does not start the file).</summary>
    [JsonPropertyName("line")] public long Line { get; set; }

    /// <summary>Byte offset of the line in the uncompressed stream (row index for Parquet).</summary>
    [JsonPropertyName("byte_offset")] public long ByteOffset { get; set; }

    /// <summary>The id field's value, when present.</summary>
    [JsonPropertyName("original_id")] public string? OriginalId { get; set; }

    /// <summary>Bytes of the line or text as read.</summary>
    [JsonPropertyName("bytes")] public int Bytes { get; set; }

    /// <summary>Tokens including the end-of-text token (0 when rejected before tokenizing).</summary>
    [JsonPropertyName("tokens")] public int Tokens { get; set; }

    /// <summary>Characters of the text as Unicode code points (0 when rejected before reading the text).</summary>
    [JsonPropertyName("chars")] public int Chars { get; set; }

    /// <summary>The scorer's score of a readable document, or null when the job scores nothing or the document was not read.</summary>
    [JsonPropertyName("score")] public double? Score { get; set; }

    /// <summary>Times the document appears in the shards: 1 normally, more when a mixture repeats it, 0 when rejected.</summary>
    [JsonPropertyName("copies")] public int Copies { get; set; }

    /// <summary><c>kept</c> or <c>rejected</c>.</summary>
    [JsonPropertyName("decision")] public string Decision { get; set; } = "";

    /// <summary>Reason code of a rejection, or null when kept.</summary>
    [JsonPropertyName("reason")] public string? Reason { get; set; }

    /// <summary>Human-readable detail of a rejection, or null.</summary>
    [JsonPropertyName("detail")] public string? Detail { get; set; }

    /// <summary>Decision value of a kept document.</summary>
    public const string Kept = "kept";

    /// <summary>Decision value of a rejected document.</summary>
    public const string Rejected = "rejected";
}
