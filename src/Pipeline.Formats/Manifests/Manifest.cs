using Pipeline.Core.Selection;

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
    /// <summary>The scorer (model and its SHA-256), or null when the job scores nothing.</summary>
    public ScorerInfo? Scorer { get; init; }
    /// <summary>The corpus-wide selection by score, or null when the job does not select.</summary>
    public SelectionSummary? Selection { get; init; }
    /// <summary>The mixture plan with target and realised shares and any shortfall, or null without a mixture.</summary>
    public MixturePlan? Mixture { get; init; }
    /// <summary>Score histograms per source (job order), or null when nothing is scored.</summary>
    public IReadOnlyList<SourceScoreHistogram>? ScoreHistograms { get; init; }
}

/// <summary>The selection in the manifest: what was asked, the threshold, and what it achieved.</summary>
/// <param name="Basis">What shares and budgets count.</param>
/// <param name="Result">The threshold rule, the target, the asked and achieved weights and shares, and the error bound
/// (0 when exact).</param>
public sealed record SelectionSummary(WeightBasis Basis, ThresholdResult Result);

/// <summary>One source's score histogram: <see cref="Bins"/>[i] covers scores in [i × width, (i + 1) × width), the last bin includes 1.</summary>
/// <param name="Source">Source name.</param>
/// <param name="BinWidth">Width of a bin.</param>
/// <param name="Bins">Readable documents per bin, and what the selection kept of them.</param>
public sealed record SourceScoreHistogram(string Source, double BinWidth, IReadOnlyList<HistogramBin> Bins);

/// <summary>Tokenizer identity in the manifest.</summary>
public sealed record TokenizerInfo(string Name, int VocabSize, int EndOfTextId, int PadId, IReadOnlyDictionary<string, int> SpecialTokens, string VocabSha256);

/// <summary>The scorer of a job in the manifest.</summary>
/// <param name="Name">Scorer kind (<c>preselect</c>).</param>
/// <param name="Model">The model as the job file names it.</param>
/// <param name="ModelSha256">SHA-256 of the model file that scored the documents.</param>
/// <param name="PositiveLabel">The label whose probability is the score.</param>
/// <param name="Newlines">Newline handling before prediction (<c>space</c> or <c>delete</c>).</param>
/// <param name="TrainedFiles">When the job trained the model: the files its training step wrote to the output.</param>
public sealed record ScorerInfo(string Name, string Model, string ModelSha256, string PositiveLabel, string Newlines, IReadOnlyList<FileEntry>? TrainedFiles = null);

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
    /// <summary>Document copies in shards: <see cref="DocumentsKept"/> plus the repetitions a mixture added.</summary>
    public long DocumentCopies { get; init; }
}

/// <summary>Per-source figures.</summary>
/// <param name="Name">Source name.</param>
/// <param name="Uri">Input location as the job names it.</param>
/// <param name="Files">Input files.</param>
/// <param name="DocumentsRead">Documents read.</param>
/// <param name="DocumentsRejected">Documents rejected for any reason.</param>
/// <param name="DocumentsKept">Distinct documents in the shards.</param>
/// <param name="TokensAvailable">Tokens of the readable documents.</param>
/// <param name="TokensKept">Tokens in the shards, repetitions included.</param>
/// <param name="MaxTokens">The source's token budget, if any.</param>
/// <param name="DocumentsSelected">Documents that passed the score threshold (all readable ones without selection).</param>
/// <param name="TokensSelected">Their tokens.</param>
/// <param name="TokenShare">This source's share of the output tokens.</param>
public sealed record SourceTotals(
    string Name,
    string Uri,
    int Files,
    long DocumentsRead,
    long DocumentsRejected,
    long DocumentsKept,
    long TokensAvailable,
    long TokensKept,
    long? MaxTokens,
    long DocumentsSelected = 0,
    long TokensSelected = 0,
    double TokenShare = 0);

/// <summary>Size of the plan.</summary>
public sealed record PlanSummary(int Units, int Buckets, long InputFileBytes);
