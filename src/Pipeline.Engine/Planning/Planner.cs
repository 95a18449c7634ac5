using Pipeline.Core.Hashing;
using Pipeline.Formats.Input;

namespace Pipeline.Engine.Planning;

/// <summary>The Plan stage: lists every source and cuts the inputs into work units.</summary>
public static class Planner
{
    /// <summary>Builds the plan for a job.</summary>
    public static async Task<WorkPlan> PlanAsync(JobContext job, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        var units = new List<UnitPlan>();
        var filesPerSource = new List<int>();
        long totalBytes = 0;
        for (var s = 0; s < job.Spec.Sources.Count; s++)
        {
            var source = job.Spec.Sources[s];
            var location = job.SourceLocations[s];
            var files = 0;
            await foreach (var blob in location.ListMatchingAsync(ct).ConfigureAwait(false))
            {
                files++;
                totalBytes += blob.Length;
                var path = location.Display(blob.Path);
                bool splittable;
                try
                {
                    splittable = DocumentReaders.IsSplittable(blob.Path, source.Format);
                }
                catch (UnsupportedInputFormatException ex)
                {
                    throw new JobFailedException($"source '{source.Name}': {ex.Message} (set format: jsonl or parquet on the source)", ex);
                }
                var unitBytes = job.Spec.Limits.UnitBytes;
                if (!splittable || blob.Length <= unitBytes)
                {
                    units.Add(Unit(units.Count, s, source.Name, blob.Path, path, 0, null, blob.Length));
                    continue;
                }
                for (long start = 0; start < blob.Length; start += unitBytes)
                {
                    var end = Math.Min(blob.Length, start + unitBytes);
                    units.Add(Unit(units.Count, s, source.Name, blob.Path, path, start, end == blob.Length ? null : end, end - start));
                }
            }
            if (files == 0)
            {
                throw new JobFailedException($"source '{source.Name}': no input files match '{source.Uri}'");
            }
            filesPerSource.Add(files);
        }
        var buckets = (int)Math.Clamp((totalBytes + job.Spec.Pack.BucketBytes - 1) / job.Spec.Pack.BucketBytes, 1, 65_536);
        return new WorkPlan(job.JobHash, units, buckets, totalBytes, filesPerSource);
    }

    private static UnitPlan Unit(int index, int source, string sourceName, string key, string path, long start, long? end, long bytes)
    {
        var id = StableHash.Sha256Hex($"{sourceName}\u001f{path}\u001f{start}\u001f{end}")[..16];
        return new UnitPlan(index, id, source, key, path, start, end, bytes);
    }
}
