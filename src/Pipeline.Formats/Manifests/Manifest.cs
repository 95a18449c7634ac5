namespace Pipeline.Formats.Manifests;

/// <summary>
/// <c>manifest.json</c>: the description of a finished dataset, written last and atomically. A reader that sees
/// a manifest sees a complete dataset. Holds no timings (those live in <c>stats.json</c>), so it is byte-identical
/// across runs of the same job on the same inputs.
/// </summary>
public sealed record Manifest
{
    /// <summary>Version of this manifest format.</summary>
    public int FormatVersion { get; init; } = 1;
    /// <summary>Job name.</summary>
    public required string Name { get; init; }
    /// <summary>SHA-256 of the canonical job (output location excluded).</summary>
    public required string JobHash { get; init; }
    /// <summary>Job seed.</summary>
    public required long Seed { get; init; }
    /// <summary>Tokens per training sequence (every row of every shard).</summary>
    public required int SeqLen { get; init; }
    /// <summary>Packing strategy used.</summary>
    public required string PackStrategy { get; init; }
    /// <summary>Tokenizer identity.</summary>
    public required TokenizerInfo Tokenizer { get; init; }
    /// <summary>The shard schema.</summary>
    public required IReadOnlyList<ColumnInfo> ShardColumns { get; init; }
    /// <summary>Shards in order.</summary>
    public required IReadOnlyList<ShardEntry> Shards { get; init; }
    /// <summary>Lineage files in order.</summary>
    public required IReadOnlyList<FileEntry> Lineage { get; init; }
    /// <summary>Totals over the job.</summary>
    public required Totals Totals { get; init; }
    /// <summary>Per-source figures, in job order.</summary>
    public required IReadOnlyList<SourceTotals> Sources { get; init; }
    /// <summary>Work units and pack buckets of the plan.</summary>
    public required PlanSummary Plan { get; init; }
}

/// <summary>Tokenizer identity in the manifest.</summary>
public sealed record TokenizerInfo(string Name, int VocabSize, int EndOfTextId, int PadId, IReadOnlyDictionary<string, int> SpecialTokens, string VocabSha256);

/// <summary>A shard column and its Parquet type.</summary>
public sealed record ColumnInfo(string Name, string Type, string Meaning);

/// <summary>One token-packed shard.</summary>
public sealed record ShardEntry(string Path, long Rows, long Tokens, long PadTokens, long Bytes, string Sha256);

/// <summary>One output file with its row count and checksum.</summary>
public sealed record FileEntry(string Path, long Rows, long Bytes, string Sha256);

/// <summary>Job-wide totals.</summary>
public sealed record Totals
{
    /// <summary>Documents read (every input document, readable or not).</summary>
    public required long DocumentsRead { get; init; }
    /// <summary>Documents rejected for any reason.</summary>
    public required long DocumentsRejected { get; init; }
    /// <summary>Documents packed into shards.</summary>
    public required long DocumentsKept { get; init; }
    /// <summary>Rejected documents per reason code.</summary>
    public required IReadOnlyDictionary<string, long> RejectedByReason { get; init; }
    /// <summary>Input bytes read (uncompressed document bytes).</summary>
    public required long InputBytes { get; init; }
    /// <summary>Tokens in shards (end-of-text tokens included, padding excluded).</summary>
    public required long Tokens { get; init; }
    /// <summary>Padding tokens in shards.</summary>
    public required long PadTokens { get; init; }
    /// <summary>Training sequences (rows) in shards.</summary>
    public required long Sequences { get; init; }
    /// <summary>Tokens / (sequences × seq_len).</summary>
    public required double FillRate { get; init; }
    /// <summary>1 − fill rate.</summary>
    public required double PaddingRate { get; init; }
    /// <summary>Documents cut into more than one piece.</summary>
    public required long DocumentsSplit { get; init; }
}

/// <summary>Per-source figures.</summary>
public sealed record SourceTotals(
    string Name,
    string Uri,
    int Files,
    long DocumentsRead,
    long DocumentsRejected,
    long DocumentsKept,
    long TokensAvailable,
    long TokensKept,
    long? MaxTokens);

/// <summary>Size of the plan.</summary>
public sealed record PlanSummary(int Units, int Buckets, long InputFileBytes);
