using System.Text.Json.Serialization;
using Parquet.Serialization.Attributes;

namespace Pipeline.Formats.Work;

/// <summary>
/// One document of a scored work unit (the Score stage's output), in reading order. Readable documents have
/// their tokens in the unit's token file, grouped by pack bucket.
/// </summary>
public sealed class ScoredDocumentRow
{
    /// <summary>Stable 64-bit document id.</summary>
    [JsonPropertyName("doc_id")] public long DocId { get; set; }

    /// <summary>1-based line or row number in the file; 0 when unknown (a byte-range unit that does not start the file).</summary>
    [JsonPropertyName("line")] public long Line { get; set; }

    /// <summary>Byte offset of the line in the uncompressed stream (row index for Parquet).</summary>
    [JsonPropertyName("byte_offset")] public long ByteOffset { get; set; }

    /// <summary>The id field's value, when present.</summary>
    [JsonPropertyName("original_id")] public string? OriginalId { get; set; }

    /// <summary>Bytes of the line or text as read.</summary>
    [JsonPropertyName("bytes")] public int Bytes { get; set; }

    /// <summary>Characters of the text as Unicode code points, as Python's <c>len</c> counts them (0 when rejected).</summary>
    [JsonPropertyName("chars")] public int Chars { get; set; }

    /// <summary>Tokens including the appended end-of-text token (0 when rejected).</summary>
    [JsonPropertyName("tokens")] public int Tokens { get; set; }

    /// <summary>The scorer's score (0 when the job scores nothing or the document is rejected).</summary>
    [JsonPropertyName("score")] public double Score { get; set; }

    /// <summary>Pack bucket of the document; routes its tokens while the unit is scored, not stored (the unit's
    /// document index records each bucket's documents).</summary>
    [ParquetIgnore] public int Bucket { get; set; }

    /// <summary>Reject reason code, or null when readable.</summary>
    [JsonPropertyName("reject")] public string? Reject { get; set; }

    /// <summary>Reject detail, or null.</summary>
    [JsonPropertyName("reject_detail")] public string? RejectDetail { get; set; }
}
