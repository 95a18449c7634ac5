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

/// <summary>
/// The selection of one source: readable documents whose budget key is at most <see cref="ThresholdKey"/> are
/// kept; a null threshold keeps none.
/// </summary>
public sealed record SourceSelection(string Name, long? MaxTokens, ulong? ThresholdKey, long TokensAvailable, long TokensKept, long DocumentsKept);

/// <summary>The Select stage's output.</summary>
public sealed record SelectionPlan(IReadOnlyList<SourceSelection> Sources);

/// <summary>Completion marker of a pack bucket.</summary>
public sealed record BucketResult(int Bucket, IReadOnlyList<ShardEntry> Shards, long Documents, long DocumentsSplit, long Sequences, long Tokens, long PadTokens);

/// <summary>Completion marker of a unit's lineage file.</summary>
public sealed record LineageResult(int UnitIndex, FileEntry File, long Kept, long Rejected);
