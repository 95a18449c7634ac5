using System.Globalization;

namespace Pipeline.Engine;

/// <summary>Keys of every file a job writes in its output store.</summary>
public static class OutputLayout
{
    /// <summary>The plan, written before any work starts.</summary>
    public const string Plan = "plan.json";

    /// <summary>The manifest, written last.</summary>
    public const string Manifest = "manifest.json";

    /// <summary>Run-dependent statistics (timings, throughput).</summary>
    public const string Stats = "stats.json";

    /// <summary>The classifier a job's PreSelect training step made.</summary>
    public const string TrainedModel = "preselect/model.bin";

    /// <summary>The training step's predictive-strength table (doc_id, s, concordant, label).</summary>
    public const string TrainedStrength = "preselect/strength.parquet";

    /// <summary>The training step's completion marker (files, labels, the classifier on its training file).</summary>
    public const string TrainedMarker = "preselect/train.json";

    /// <summary>Prefix of intermediate files, removed after commit.</summary>
    public const string Work = "_work/";

    /// <summary>A shard of a bucket.</summary>
    public static string Shard(int bucket, int part) =>
        $"shards/part-{bucket.ToString("D5", CultureInfo.InvariantCulture)}-{part.ToString("D4", CultureInfo.InvariantCulture)}.parquet";

    /// <summary>The lineage file of a unit.</summary>
    public static string Lineage(int unitIndex) => $"lineage/part-{unitIndex.ToString("D5", CultureInfo.InvariantCulture)}.parquet";
}

/// <summary>
/// Keys of one job's intermediate files, under <c>_work/{key}/</c> where the key hashes the job, its tokenizer
/// vocabulary, its scoring model and the intermediate format version: markers left by a different job (or the same
/// job file with another vocabulary or a retrained model, or by an engine with another format) are never mistaken
/// for this job's.
/// </summary>
public sealed class WorkLayout
{
    /// <summary>Version of the intermediate files' layout; bumped whenever a unit file changes shape.</summary>
    public const int FormatVersion = 2;

    private readonly string _prefix;

    /// <summary>Creates the layout for a job identity.</summary>
    public WorkLayout(string jobHash, string vocabSha256, string? modelSha256)
    {
        Key = Core.Hashing.StableHash.Sha256Hex(string.Join('\u001f', jobHash, vocabSha256, modelSha256 ?? "", FormatVersion))[..16];
        _prefix = OutputLayout.Work + Key + "/";
    }

    /// <summary>The job identity that names the folder.</summary>
    public string Key { get; }

    /// <summary>The selection plan (Select stage).</summary>
    public string Selection => _prefix + "selection.json";

    /// <summary>Documents of a scored unit.</summary>
    public string UnitDocuments(string unitId) => $"{_prefix}units/{unitId}.docs.parquet";

    /// <summary>Tokens of a scored unit, grouped by bucket.</summary>
    public string UnitTokens(string unitId) => $"{_prefix}units/{unitId}.tokens.bin";

    /// <summary>Readable documents of a scored unit by bucket: (doc id int64, tokens int32, score float64) entries, little-endian.</summary>
    public string UnitIndex(string unitId) => $"{_prefix}units/{unitId}.index.bin";

    /// <summary>Score sketch of a scored unit's readable documents (when the job selects by score).</summary>
    public string UnitSketch(string unitId) => $"{_prefix}units/{unitId}.sketch.bin";

    /// <summary>Completion marker (and statistics) of a scored unit.</summary>
    public string UnitDone(string unitId) => $"{_prefix}units/{unitId}.done.json";

    /// <summary>Completion marker of a pack bucket.</summary>
    public string BucketDone(int bucket) => $"{_prefix}pack/{bucket.ToString("D5", CultureInfo.InvariantCulture)}.done.json";

    /// <summary>Completion marker of a unit's lineage file.</summary>
    public string LineageDone(int unitIndex) => $"{_prefix}lineage/{unitIndex.ToString("D5", CultureInfo.InvariantCulture)}.done.json";
}
