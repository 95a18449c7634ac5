using Pipeline.Core.Selection;
using Pipeline.Engine.Planning;
using Pipeline.Formats.Manifests;
using Pipeline.Formats.Shards;
using Pipeline.Storage;

namespace Pipeline.Engine.Stages;

/// <summary>The Commit stage: writes the manifest last and atomically, then removes intermediate files.</summary>
public static class Committer
{
    /// <summary>Shard columns as written by <see cref="TokenShardWriter"/>.</summary>
    public static IReadOnlyList<ColumnInfo> ShardColumns { get; } =
    [
        new(ShardSchema.InputIds, "list<int32>", "exactly seq_len token ids; padding (pad_id) at the end"),
        new(ShardSchema.SeqLengths, "list<int32>", "segment lengths in order; sum = seq_len - num_pad; cu_seqlens = [0, cumsum]"),
        new(ShardSchema.DocIds, "list<int64>", "document id of each segment (lineage doc_id)"),
        new(ShardSchema.ChunkIndex, "list<int32>", "piece of a document longer than seq_len (0 = head)"),
        new(ShardSchema.NumPad, "int32", "padding tokens at the end of the row"),
    ];

    /// <summary>Builds and writes the manifest from the stage results.</summary>
    public static async Task<Manifest> CommitAsync(JobContext job, WorkPlan plan, IReadOnlyList<UnitResult> units, SelectionPlan selection,
        IReadOnlyList<BucketResult> buckets, IReadOnlyList<LineageResult> lineage, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(units);
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(buckets);
        ArgumentNullException.ThrowIfNull(lineage);

        var rejectedByReason = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long read = 0, bytes = 0;
        foreach (var unit in units)
        {
            read += unit.DocumentsRead;
            bytes += unit.Bytes;
            foreach (var (reason, count) in unit.RejectedByReason) rejectedByReason[reason] = rejectedByReason.GetValueOrDefault(reason) + count;
        }
        long kept = 0, lineageRejected = 0, copies = 0;
        foreach (var l in lineage)
        {
            kept += l.Kept;
            lineageRejected += l.Rejected;
            copies += l.Copies;
            foreach (var (reason, count) in l.SelectionRejects) rejectedByReason[reason] = rejectedByReason.GetValueOrDefault(reason) + count;
        }
        long packedDocs = 0, split = 0, sequences = 0, tokens = 0, pad = 0;
        foreach (var b in buckets)
        {
            packedDocs += b.Documents;
            split += b.DocumentsSplit;
            sequences += b.Sequences;
            tokens += b.Tokens;
            pad += b.PadTokens;
        }
        var planned = selection.Sources.Sum(s => s.TokensKept);
        if (kept + lineageRejected != read || packedDocs != copies || rejectedByReason.Values.Sum() != lineageRejected || planned != tokens)
        {
            throw new JobFailedException($"accounting mismatch: read {read}, lineage kept {kept} + rejected {lineageRejected} ({rejectedByReason.Values.Sum()} by reason), copies {copies}, packed {packedDocs}; tokens selected {planned}, packed {tokens}");
        }

        var sources = new List<SourceTotals>();
        for (var s = 0; s < job.Spec.Sources.Count; s++)
        {
            long sRead = 0, sReadable = 0;
            for (var u = 0; u < plan.Units.Count; u++)
            {
                if (plan.Units[u].Source != s) continue;
                sRead += units[u].DocumentsRead;
                sReadable += units[u].DocumentsReadable;
            }
            var sel = selection.Sources[s];
            sources.Add(new SourceTotals(sel.Name, job.Spec.Sources[s].Uri, plan.FilesPerSource[s], sRead, sRead - sel.DocumentsKept,
                sel.DocumentsKept, sel.TokensAvailable, sel.TokensKept, sel.MaxTokens, sel.DocumentsSelected, sel.TokensSelected,
                tokens == 0 ? 0 : Math.Round((double)sel.TokensKept / tokens, 9)));
        }
        var fill = sequences == 0 ? 0 : tokens / ((double)sequences * job.Spec.Pack.SeqLen);
        var manifest = new Manifest
        {
            Name = job.Spec.Name,
            JobHash = job.JobHash,
            Seed = job.Spec.Seed,
            SeqLen = job.Spec.Pack.SeqLen,
            PackStrategy = job.Spec.Pack.Strategy == Core.Jobs.PackStrategy.Concat ? "concat" : "best_fit",
            Tokenizer = job.Tokenizer,
            ShardColumns = ShardColumns,
            Shards = buckets.SelectMany(b => b.Shards).ToArray(),
            Lineage = lineage.Select(l => l.File).ToArray(),
            Totals = new Totals
            {
                DocumentsRead = read,
                DocumentsRejected = read - kept,
                DocumentsKept = kept,
                RejectedByReason = rejectedByReason,
                InputBytes = bytes,
                Tokens = tokens,
                PadTokens = pad,
                Sequences = sequences,
                FillRate = Math.Round(fill, 6),
                PaddingRate = Math.Round(1 - fill, 6),
                DocumentsSplit = split,
                DocumentCopies = copies,
            },
            Sources = sources,
            Plan = new PlanSummary(plan.Units.Count, plan.Buckets, plan.InputFileBytes),
            Scorer = job.Scorer,
            Selection = selection is { Threshold: { } threshold, Basis: { } basis } ? new SelectionSummary(basis, threshold) : null,
            Mixture = selection.Mixture,
            ScoreHistograms = Histograms(job, plan, lineage),
        };
        await job.WriteJsonAsync(OutputLayout.Manifest, manifest, WriteMode.Overwrite, ct).ConfigureAwait(false);
        return manifest;
    }

    /// <summary>Per-source sums of the units' score histograms (integer sums: any order gives the same numbers).</summary>
    private static SourceScoreHistogram[]? Histograms(JobContext job, WorkPlan plan, IReadOnlyList<LineageResult> lineage)
    {
        if (job.Scorer is null) return null;
        var bins = Selector.ReportBins;
        var sums = new HistogramBin[job.Spec.Sources.Count][];
        for (var s = 0; s < sums.Length; s++) sums[s] = new HistogramBin[bins.Count];
        foreach (var l in lineage)
        {
            if (l.Histogram is not { } unitBins) continue;
            var into = sums[plan.Units[l.UnitIndex].Source];
            for (var b = 0; b < into.Length; b++) into[b] += unitBins[b];
        }
        return sums.Select((s, i) => new SourceScoreHistogram(job.Spec.Sources[i].Name, bins.Width, s)).ToArray();
    }

    /// <summary>Removes intermediate files once the manifest is written (several deletes at a time).</summary>
    public static Task CleanUpAsync(JobContext job, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.Output.DeleteAllAsync(OutputLayout.Work, ct);
    }
}
