using Pipeline.Core.Selection;
using Pipeline.Formats.Manifests;

namespace Pipeline.Engine.Stages;

/// <summary>
/// A contiguous run of one bucket's items in a unit file: tokens in the token file, or (document id, token count)
/// entries in the document index. Offsets and counts are in items.
/// </summary>
public sealed record BucketSegment(int Bucket, long Offset, long Count);

/// <summary>The first broken document of a unit, for error-budget messages.</summary>
public sealed record FirstProblem(string Path, long Line, long ByteOffset, string Reason, string Detail);

/// <summary>Completion marker and statistics of a scored unit.</summary>
public sealed record UnitResult(
    string UnitId,
    long DocumentsRead,
    long DocumentsReadable,
    long MalformedDocuments,
    IReadOnlyDictionary<string, long> RejectedByReason,
    long Bytes,
    long Tokens,
    IReadOnlyList<BucketSegment> Segments,
    IReadOnlyList<BucketSegment> Index,
    FirstProblem? FirstProblem);

/// <summary>The selection of one source.</summary>
/// <param name="Name">Source name.</param>
/// <param name="MaxTokens">The source's token budget, if any.</param>
/// <param name="Rule">How many copies of a document that passed the threshold the output holds (mixture share or budget).</param>
/// <param name="TokensAvailable">Tokens of the source's readable documents.</param>
/// <param name="DocumentsReadable">The source's readable documents.</param>
/// <param name="TokensSelected">Tokens of the documents that passed the threshold (all readable ones without selection).</param>
/// <param name="DocumentsSelected">Documents that passed the threshold.</param>
/// <param name="TokensKept">Tokens in the output, repetitions included.</param>
/// <param name="DocumentsKept">Distinct documents in the output.</param>
public sealed record SourceSelection(string Name, long? MaxTokens, SourceRule Rule, long TokensAvailable, long DocumentsReadable,
    long TokensSelected, long DocumentsSelected, long TokensKept, long DocumentsKept);

/// <summary>The Select stage's output.</summary>
/// <param name="Threshold">The corpus-wide score threshold, or null when the job does not select by score.</param>
/// <param name="Basis">What the threshold's shares count, or null without selection.</param>
/// <param name="Sources">Per-source rules and figures, in job order.</param>
/// <param name="Mixture">The mixture plan, or null without a mixture.</param>
public sealed record SelectionPlan(ThresholdResult? Threshold, WeightBasis? Basis, IReadOnlyList<SourceSelection> Sources, MixturePlan? Mixture);

/// <summary>Completion marker of a pack bucket.</summary>
public sealed record BucketResult(int Bucket, IReadOnlyList<ShardEntry> Shards, long Documents, long DocumentsSplit, long Sequences, long Tokens, long PadTokens);

/// <summary>Completion marker of a unit's lineage file.</summary>
/// <param name="UnitIndex">The unit.</param>
/// <param name="File">The lineage file.</param>
/// <param name="Kept">Documents kept (each counted once).</param>
/// <param name="Rejected">Documents rejected for any reason.</param>
/// <param name="Copies">Document copies in the output (kept documents times their repeats).</param>
/// <param name="SelectionRejects">Documents rejected by the Select stage, per reason (read errors are in the unit result).</param>
/// <param name="Histogram">The unit's score histogram over <see cref="Selector.ReportBins"/>, or null when nothing is scored.</param>
public sealed record LineageResult(int UnitIndex, FileEntry File, long Kept, long Rejected, long Copies,
    IReadOnlyDictionary<string, long> SelectionRejects, IReadOnlyList<HistogramBin>? Histogram);
