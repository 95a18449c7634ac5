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

    /// <summary>The selection plan (Select stage).</summary>
    public const string Selection = Work + "selection.json";

    /// <summary>Documents of a scored unit.</summary>
    public static string UnitDocuments(string unitId) => $"{Work}units/{unitId}.docs.parquet";

    /// <summary>Tokens of a scored unit, grouped by bucket.</summary>
    public static string UnitTokens(string unitId) => $"{Work}units/{unitId}.tokens.bin";

    /// <summary>Completion marker (and statistics) of a scored unit.</summary>
    public static string UnitDone(string unitId) => $"{Work}units/{unitId}.done.json";

    /// <summary>Completion marker of a pack bucket.</summary>
    public static string BucketDone(int bucket) => $"{Work}pack/{bucket.ToString("D5", CultureInfo.InvariantCulture)}.done.json";

    /// <summary>Completion marker of a unit's lineage file.</summary>
    public static string LineageDone(int unitIndex) => $"{Work}lineage/{unitIndex.ToString("D5", CultureInfo.InvariantCulture)}.done.json";

    /// <summary>A shard of a bucket.</summary>
    public static string Shard(int bucket, int part) =>
        $"shards/part-{bucket.ToString("D5", CultureInfo.InvariantCulture)}-{part.ToString("D4", CultureInfo.InvariantCulture)}.parquet";

    /// <summary>The lineage file of a unit.</summary>
    public static string Lineage(int unitIndex) => $"lineage/part-{unitIndex.ToString("D5", CultureInfo.InvariantCulture)}.parquet";
}
