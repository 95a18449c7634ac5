using Pipeline.Core.Selection;

namespace Pipeline.Core.Jobs;

/// <summary>A validated curation job: what to read, how to tokenize and pack, where to write.</summary>
/// <param name="Name">Job name, used in the manifest and reports.</param>
/// <param name="Seed">Job seed; every random choice derives from it and the document id.</param>
/// <param name="Output">Output location (folder path or URI).</param>
/// <param name="Sources">Input sources, in the order the job file lists them.</param>
/// <param name="Tokenizer">Tokenizer used to count tokens and to pack.</param>
/// <param name="Pack">Packing settings.</param>
/// <param name="Limits">Per-document limits and the job's error budget.</param>
/// <param name="Scoring">Document scoring in the Score stage; null scores nothing.</param>
/// <param name="Selection">Corpus-wide selection by score in the Select stage; null keeps every readable document.</param>
/// <param name="Mixture">Token shares per source and a total token budget; null applies no mixture.</param>
public sealed record JobSpec(
    string Name,
    long Seed,
    string Output,
    IReadOnlyList<SourceSpec> Sources,
    TokenizerSpec Tokenizer,
    PackSpec Pack,
    LimitsSpec Limits,
    ScoringSpec? Scoring = null,
    SelectionSpec? Selection = null,
    MixtureSpec? Mixture = null);

/// <summary>How newlines in a document become one fastText line.</summary>
public enum NewlineMode
{
    /// <summary><c>"\n"</c> → <c>" "</c>, as PreSelect's training script writes its training file (the default).</summary>
    Space,
    /// <summary><c>"\n"</c> → <c>""</c>, as datatrove's <c>FastTextClassifierFilter</c> scores in the released PreSelect pipeline.</summary>
    Delete,
}

/// <summary>Scorers run in the Score stage.</summary>
/// <param name="PreSelect">The PreSelect fastText classifier.</param>
public sealed record ScoringSpec(PreSelectSpec PreSelect);

/// <summary>A fastText classifier whose positive-label probability is the document score: a given model, or one the
/// job trains first from a loss table (exactly one of <paramref name="Model"/> and <paramref name="Train"/>).</summary>
/// <param name="Model">Path of a fastText <c>.bin</c> or <c>.ftz</c> model (relative paths resolve like inputs).</param>
/// <param name="PositiveLabel">The label whose probability is the score.</param>
/// <param name="Newlines">How newlines become one fastText line, in the training file and before prediction.</param>
/// <param name="Train">Label and train the classifier as the job's first step.</param>
public sealed record PreSelectSpec(string? Model, string PositiveLabel = "__label__1", NewlineMode Newlines = NewlineMode.Space, PreSelectTrainSpec? Train = null);

/// <summary>
/// PreSelect training as a job step: predictive-strength labels from a loss table and benchmark scores, then a fastText
/// classifier with PreSelect's settings (defaults: epoch 3, lr 0.1, wordNgrams 2, dim 100, bucket 2M, minCount 1).
/// </summary>
/// <param name="Losses">Loss table (<c>doc_id, model, loss</c>; Parquet or JSONL).</param>
/// <param name="Benchmarks">Benchmark scores JSON <c>{model: score}</c>.</param>
/// <param name="Documents">Files, folders or globs of the labeled documents (JSONL[.gz/.zst] or Parquet).</param>
/// <param name="IdField">Id field of the documents (matches the loss table's <c>doc_id</c>).</param>
/// <param name="TextField">Text field of the documents.</param>
/// <param name="Epoch">Training epochs.</param>
/// <param name="LearningRate">Learning rate.</param>
/// <param name="WordNgrams">Longest word n-gram.</param>
/// <param name="Dim">Vector size.</param>
/// <param name="Bucket">Hash buckets for word n-grams.</param>
/// <param name="MinCount">Fewest occurrences of a word.</param>
/// <param name="Seed">fastText's random seed (training uses one thread, so it is reproducible).</param>
public sealed record PreSelectTrainSpec(
    string Losses,
    string Benchmarks,
    IReadOnlyList<string> Documents,
    string IdField = "id",
    string TextField = "text",
    int Epoch = 3,
    double LearningRate = 0.1,
    int WordNgrams = 2,
    int Dim = 100,
    int Bucket = 2_000_000,
    int MinCount = 1,
    int Seed = 0);

/// <summary>What the corpus-wide selection keeps; exactly one of the three targets is set.</summary>
/// <param name="KeepTop">Keep the top share (0..1) of the corpus by <paramref name="By"/>.</param>
/// <param name="MinScore">Keep every document whose score is at least this.</param>
/// <param name="MaxTokens">Fill this many tokens by descending score.</param>
/// <param name="By">What <paramref name="KeepTop"/> measures.</param>
/// <param name="ExactMemoryBytes">Largest working memory for an exact threshold (48 bytes per document); above it the
/// threshold comes from a mergeable score sketch.</param>
public sealed record SelectionSpec(
    double? KeepTop = null,
    double? MinScore = null,
    long? MaxTokens = null,
    WeightBasis By = WeightBasis.Characters,
    long ExactMemoryBytes = 256L << 20);

/// <summary>Token shares per source and a total token budget.</summary>
/// <param name="TotalTokens">Tokens in the output, repetitions included.</param>
/// <param name="Sources">Every source of the job with its share.</param>
/// <param name="Shortfall">What happens when a source cannot reach its share.</param>
public sealed record MixtureSpec(long TotalTokens, IReadOnlyList<MixtureSourceSpec> Sources, ShortfallPolicy Shortfall = ShortfallPolicy.FillFromOthers);

/// <summary>One source of a mixture.</summary>
/// <param name="Name">Source name.</param>
/// <param name="Share">Target token share (shares are normalized by their sum).</param>
/// <param name="Sampling">How the source is downsampled.</param>
/// <param name="MaxRepeats">Most times one document may appear.</param>
public sealed record MixtureSourceSpec(string Name, double Share, MixtureSampling Sampling = MixtureSampling.Random, int MaxRepeats = 1);

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
