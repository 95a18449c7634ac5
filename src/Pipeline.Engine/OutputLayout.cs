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

    /// <summary>Prefix of intermediate files, removed after commit.</summary>
    public const string Work = "_work/";

    /// <summary>A shard of a bucket.</summary>
    public static string Shard(int bucket, int part) =>
        $"shards/part-{bucket.ToString("D5", CultureInfo.InvariantCulture)}-{part.ToString("D4", CultureInfo.InvariantCulture)}.parquet";

    /// <summary>The lineage file of a unit.</summary>
    public static string Lineage(int unitIndex) => $"lineage/part-{unitIndex.ToString("D5", CultureInfo.InvariantCulture)}.parquet";
}

/// <summary>
/// Keys of one job's intermediate files, under <c>_work/{key}/</c> where the key hashes the job and its
/// tokenizer vocabulary: markers left by a different job (or the same job file with another vocabulary) are
/// never mistaken for this job's.
/// </summary>
public sealed class WorkLayout
{
    private readonly string _prefix;

    /// <summary>Creates the layout for a job identity.</summary>
    public WorkLayout(string jobHash, string vocabSha256)
    {
        Key = Core.Hashing.StableHash.Sha256Hex(jobHash + "\u001f" + vocabSha256)[..16];
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

    /// <summary>Readable documents of a scored unit by bucket: (doc id int64, tokens int32) entries, little-endian.</summary>
    public string UnitIndex(string unitId) => $"{_prefix}units/{unitId}.index.bin";

    /// <summary>Completion marker (and statistics) of a scored unit.</summary>
    public string UnitDone(string unitId) => $"{_prefix}units/{unitId}.done.json";

    /// <summary>Completion marker of a pack bucket.</summary>
    public string BucketDone(int bucket) => $"{_prefix}pack/{bucket.ToString("D5", CultureInfo.InvariantCulture)}.done.json";

    /// <summary>Completion marker of a unit's lineage file.</summary>
    public string LineageDone(int unitIndex) => $"{_prefix}lineage/{unitIndex.ToString("D5", CultureInfo.InvariantCulture)}.done.json";
}
