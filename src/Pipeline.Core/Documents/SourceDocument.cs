namespace Pipeline.Core.Documents;

/// <summary>
/// One document as a reader found it: either its text, or the reason it could not be read.
/// Per-document problems are values, never exceptions.
/// </summary>
/// <param name="Line">1-based line (JSONL) or row (Parquet) number within the file.</param>
/// <param name="ByteOffset">Offset of the line's first byte in the uncompressed stream (row number for Parquet).</param>
/// <param name="OriginalId">The id field's value, when present.</param>
/// <param name="Text">The text, or null when rejected.</param>
/// <param name="Reject">Reason code (see <see cref="RejectReasons"/>), or null when readable.</param>
/// <param name="RejectDetail">Human-readable detail of the reject, or null.</param>
/// <param name="ByteLength">Bytes of the line or row text as read.</param>
public sealed record SourceDocument(
    long Line,
    long ByteOffset,
    string? OriginalId,
    string? Text,
    string? Reject,
    string? RejectDetail,
    int ByteLength)
{
    /// <summary>Creates a readable document.</summary>
    public static SourceDocument Ok(long line, long offset, string? id, string text, int bytes) =>
        new(line, offset, id, text, null, null, bytes);

    /// <summary>Creates a rejected document.</summary>
    public static SourceDocument Rejected(long line, long offset, string? id, string reason, string detail, int bytes) =>
        new(line, offset, id, null, reason, detail, bytes);
}

/// <summary>Reject reason codes written to lineage. Malformed ones count against the error budget.</summary>
public static class RejectReasons
{
    /// <summary>The line is not a JSON object.</summary>
    public const string MalformedJson = "malformed_json";
    /// <summary>The bytes are not valid UTF-8.</summary>
    public const string InvalidUtf8 = "invalid_utf8";
    /// <summary>The text field is missing, null or not a string.</summary>
    public const string MissingText = "missing_text";
    /// <summary>The text is empty.</summary>
    public const string EmptyText = "empty_text";
    /// <summary>The line or text is longer than the configured limit.</summary>
    public const string TooLong = "too_long";
    /// <summary>The compressed stream ended early or is corrupt; the rest of the file is lost.</summary>
    public const string TruncatedArchive = "truncated_archive";
    /// <summary>The file could not be read at all (e.g. a Parquet file without a usable text column).</summary>
    public const string Unreadable = "unreadable";
    /// <summary>The document was dropped to keep its source within its token budget.</summary>
    public const string OverBudget = "over_budget";
    /// <summary>The document's score is below the corpus-wide selection threshold.</summary>
    public const string BelowThreshold = "below_threshold";

    /// <summary>True for reasons that mean broken input (counted against the error budget).</summary>
    public static bool IsMalformed(string reason) => reason is MalformedJson or InvalidUtf8 or MissingText
        or TruncatedArchive or Unreadable or TooLong;
}
