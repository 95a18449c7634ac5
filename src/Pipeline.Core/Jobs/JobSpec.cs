namespace Pipeline.Core.Jobs;

/// <summary>A validated curation job: what to read, how to tokenize and pack, where to write.</summary>
/// <param name="Name">Job name, used in the manifest and reports.</param>
/// <param name="Seed">Job seed; every random choice derives from it and the document id.</param>
/// <param name="Output">Output location (folder path or URI).</param>
/// <param name="Sources">Input sources, in the order the job file lists them.</param>
/// <param name="Tokenizer">Tokenizer used to count tokens and to pack.</param>
/// <param name="Pack">Packing settings.</param>
/// <param name="Limits">Per-document limits and the job's error budget.</param>
public sealed record JobSpec(
    string Name,
    long Seed,
    string Output,
    IReadOnlyList<SourceSpec> Sources,
    TokenizerSpec Tokenizer,
    PackSpec Pack,
    LimitsSpec Limits);

/// <summary>One input corpus.</summary>
/// <param name="Name">Source name (unique in the job).</param>
/// <param name="Uri">Path, glob or URI of the input files.</param>
/// <param name="TextField">Name of the text field (JSON) or column (Parquet).</param>
/// <param name="IdField">Optional name of the id field; documents without one get <c>source:path:line</c>.</param>
/// <param name="Format">Input format; <see cref="InputFormat.Auto"/> picks it from the file name.</param>
/// <param name="MaxTokens">Optional token budget for this source, applied in the Select stage.</param>
public sealed record SourceSpec(
    string Name,
    string Uri,
    string TextField = "text",
    string? IdField = null,
    InputFormat Format = InputFormat.Auto,
    long? MaxTokens = null);

/// <summary>Input file formats.</summary>
public enum InputFormat
{
    /// <summary>Chosen from the file extension.</summary>
    Auto,
    /// <summary>One JSON object per line, optionally .gz or .zst compressed.</summary>
    Jsonl,
    /// <summary>Apache Parquet with a text column.</summary>
    Parquet,
}

/// <summary>Which tokenizer to use: a named encoding, a tiktoken vocabulary file or a SentencePiece model.</summary>
/// <param name="Name">Named encoding: cl100k_base, o200k_base, gpt2, r50k_base (null when a file is given).</param>
/// <param name="TiktokenFile">Path of a tiktoken vocabulary file (base64 token, rank per line).</param>
/// <param name="SentencePieceFile">Path of a SentencePiece <c>.model</c> file.</param>
/// <param name="EndOfTextId">Override of the end-of-text id appended to every document.</param>
public sealed record TokenizerSpec(
    string? Name,
    string? TiktokenFile = null,
    string? SentencePieceFile = null,
    int? EndOfTextId = null);

/// <summary>Packing strategies.</summary>
public enum PackStrategy
{
    /// <summary>Optimized best-fit decreasing; only documents longer than the sequence are split.</summary>
    BestFit,
    /// <summary>Concatenate and chunk (baseline).</summary>
    Concat,
}

/// <summary>How documents become fixed-length training sequences.</summary>
/// <param name="SeqLen">Tokens per training sequence.</param>
/// <param name="Strategy">Packing strategy.</param>
/// <param name="MaxTokensPerShard">Upper bound of sequence tokens (rows × seq_len) per shard.</param>
/// <param name="BucketBytes">Input file bytes (compressed size for .gz/.zst) per pack bucket; fixes the bucket count from the plan, never from the worker count.</param>
/// <param name="RowGroupRows">Rows per Parquet row group in the shards.</param>
public sealed record PackSpec(
    int SeqLen = 2048,
    PackStrategy Strategy = PackStrategy.BestFit,
    long MaxTokensPerShard = 50_000_000,
    long BucketBytes = 16L << 20,
    int RowGroupRows = 1024);

/// <summary>Per-document limits and the error budget.</summary>
/// <param name="MaxDocumentBytes">Lines or texts longer than this are rejected as <c>too_long</c>.</param>
/// <param name="ErrorBudget">Largest share of documents that may be rejected as malformed before the job fails.</param>
/// <param name="UnitBytes">Uncompressed JSONL files larger than this are split into byte-range work units.</param>
public sealed record LimitsSpec(
    int MaxDocumentBytes = 8 << 20,
    double ErrorBudget = 0.01,
    long UnitBytes = 64L << 20);
