namespace Pipeline.Engine.Planning;

/// <summary>One work unit: a whole input file, or a byte range of a large uncompressed JSONL file.</summary>
/// <param name="Index">Position in the plan (sources in job order, files sorted, ranges ascending).</param>
/// <param name="Id">Hex hash of (source, path, range); names the unit's intermediate files.</param>
/// <param name="Source">Index of the source in the job.</param>
/// <param name="Key">Key of the file in the source's store.</param>
/// <param name="Path">The file as the job names it (for lineage and messages).</param>
/// <param name="RangeStart">First byte owned by the unit.</param>
/// <param name="RangeEnd">End of the owned byte range (exclusive), or null for the rest of the file.</param>
/// <param name="Bytes">Bytes of the file the unit covers.</param>
public sealed record UnitPlan(int Index, string Id, int Source, string Key, string Path, long RangeStart, long? RangeEnd, long Bytes);

/// <summary>
/// The job's plan: written to the output before any work starts, and the durable description of the work.
/// A rerun recomputes it and refuses to continue if it differs (the inputs or the job changed).
/// </summary>
/// <param name="JobHash">SHA-256 of the canonical job.</param>
/// <param name="Units">Work units in order.</param>
/// <param name="Buckets">Pack buckets; fixed by input size, never by the worker count.</param>
/// <param name="InputFileBytes">Total size of the input files.</param>
/// <param name="FilesPerSource">Input files per source, in job order.</param>
public sealed record WorkPlan(string JobHash, IReadOnlyList<UnitPlan> Units, int Buckets, long InputFileBytes, IReadOnlyList<int> FilesPerSource);
