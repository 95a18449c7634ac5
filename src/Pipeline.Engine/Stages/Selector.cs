using System.Globalization;
using System.Runtime.InteropServices;
using Pipeline.Core.Documents;
using Pipeline.Core.Hashing;
using Pipeline.Core.Jobs;
using Pipeline.Core.Selection;
using Pipeline.Engine.Planning;
using Pipeline.Formats.Work;
using Pipeline.Storage;

namespace Pipeline.Engine.Stages;

/// <summary>
/// The Select stage: merges unit statistics in plan order, enforces the error budget, computes the corpus-wide score
/// threshold (exact, or from the units' score sketches when the corpus is larger than the memory bound), then each
/// source's rule: a mixture share or a token budget. Reads no text. Every rule is a function of a document's score and
/// id only, so the Pack and Lineage tasks apply it anywhere without global state (<see cref="Fate"/>).
/// </summary>
public static class Selector
{
    /// <summary>Bins of the units' score sketches: 65,536 over [0, 1], the range of classifier probabilities.</summary>
    public static ScoreBins SketchBins { get; } = ScoreBins.UnitInterval(1 << 16);

    /// <summary>Bins of the score histograms in the manifest: 20 over [0, 1].</summary>
    public static ScoreBins ReportBins { get; } = ScoreBins.UnitInterval(20);

    /// <summary>What a selection's shares and budgets count: tokens for a token budget, else <see cref="SelectionSpec.By"/>.</summary>
    public static WeightBasis WeightBasisOf(SelectionSpec selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        return selection.MaxTokens is not null ? WeightBasis.Tokens : selection.By;
    }

    /// <summary>A document's weight by a basis.</summary>
    public static long Weight(ScoredDocumentRow row, WeightBasis basis)
    {
        ArgumentNullException.ThrowIfNull(row);
        return basis switch
        {
            WeightBasis.Documents => 1,
            WeightBasis.Characters => row.Chars,
            WeightBasis.Tokens => row.Tokens,
            _ => throw new ArgumentOutOfRangeException(nameof(basis), basis, "unknown weight basis"),
        };
    }

    /// <summary>How many times a readable document appears in the output (0 = rejected, with the reason).</summary>
    public static (int Copies, string? Reason) Fate(SelectionPlan selection, int source, double score, long docId)
    {
        ArgumentNullException.ThrowIfNull(selection);
        if (selection.Threshold is { } threshold && !threshold.Decision.Keeps(score, docId)) return (0, RejectReasons.BelowThreshold);
        var copies = selection.Sources[source].Rule.RepeatCount(score, docId);
        return copies == 0 ? (0, RejectReasons.OverBudget) : (copies, null);
    }

    /// <summary>Computes (or loads) the selection plan.</summary>
    public static async Task<SelectionPlan> SelectAsync(JobContext job, WorkPlan plan, IReadOnlyList<UnitResult> units, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(units);
        CheckErrorBudget(job, plan, units);
        var existing = await job.TryReadJsonAsync<SelectionPlan>(job.Work.Selection, ct).ConfigureAwait(false);
        if (existing is not null) return existing;

        var spec = job.Spec;
        var threshold = spec.Selection is { } selectionSpec ? await ThresholdAsync(job, plan, units, selectionSpec, ct).ConfigureAwait(false) : null;
        var n = spec.Sources.Count;
        var candidates = new Candidates[n];
        for (var s = 0; s < n; s++) candidates[s] = new Candidates();
        for (var u = 0; u < plan.Units.Count; u++)
        {
            candidates[plan.Units[u].Source].Tokens += units[u].Tokens;
            candidates[plan.Units[u].Source].Documents += units[u].DocumentsReadable;
        }
        var budgets = spec.Mixture is null && Enumerable.Range(0, n).Any(s => spec.Sources[s].MaxTokens is { } b && candidates[s].Tokens > b);
        if (threshold is not null || spec.Mixture is not null || budgets)
        {
            var keepItems = spec.Mixture is not null || budgets;
            foreach (var c in candidates) c.Clear();
            await ForEachReadableAsync(job, plan, (source, row) =>
            {
                if (threshold is not null && !threshold.Decision.Keeps(row.Score, row.DocId)) return;
                candidates[source].Add(row, keepItems);
            }, ct).ConfigureAwait(false);
        }

        var seed = spec.Seed;
        var rules = new SourceRule[n];
        var kept = new (long Tokens, long Documents)[n];
        MixturePlan? mixture = null;
        if (spec.Mixture is { } mixtureSpec)
        {
            var inputs = mixtureSpec.Sources.Select(m => new MixtureInput(new MixtureSource(m.Name, m.Share, m.Sampling, m.MaxRepeats),
                candidates[IndexOf(spec, m.Name)].Items.ToArray())).ToArray();
            mixture = MixturePlanner.Plan(inputs, mixtureSpec.TotalTokens, seed, mixtureSpec.Shortfall);
            for (var s = 0; s < n; s++)
            {
                var outcome = mixture.Source(spec.Sources[s].Name);
                rules[s] = outcome.Rule;
                kept[s] = (outcome.RealisedTokens, outcome.KeptDocuments);
            }
        }
        else
        {
            for (var s = 0; s < n; s++)
            {
                var c = candidates[s];
                if (spec.Sources[s].MaxTokens is { } budget && c.Tokens > budget)
                {
                    var r = ExactThreshold.RandomBudget(CollectionsMarshal.AsSpan(c.Items), budget, seed, Purpose.Budget);
                    rules[s] = new SourceRule(spec.Sources[s].Name, 0, r.Decision);
                    kept[s] = (r.AchievedWeight, r.KeptDocuments);
                }
                else
                {
                    rules[s] = new SourceRule(spec.Sources[s].Name, 0, ThresholdDecision.All(seed));
                    kept[s] = (c.Tokens, c.Documents);
                }
            }
        }

        var sources = new List<SourceSelection>(n);
        for (var s = 0; s < n; s++)
        {
            long available = 0, readable = 0;
            for (var u = 0; u < plan.Units.Count; u++)
            {
                if (plan.Units[u].Source != s) continue;
                available += units[u].Tokens;
                readable += units[u].DocumentsReadable;
            }
            sources.Add(new SourceSelection(spec.Sources[s].Name, spec.Sources[s].MaxTokens, rules[s], available, readable,
                candidates[s].Tokens, candidates[s].Documents, kept[s].Tokens, kept[s].Documents));
        }
        var selection = new SelectionPlan(threshold, spec.Selection is { } sel ? WeightBasisOf(sel) : null, sources, mixture);
        await job.WriteJsonAsync(job.Work.Selection, selection, WriteMode.Overwrite, ct).ConfigureAwait(false);
        return selection;
    }

    /// <summary>
    /// The corpus-wide threshold. Exact (sort of every readable document) when 24 bytes per document fit
    /// <see cref="SelectionSpec.ExactMemoryBytes"/>; otherwise the merged unit sketches locate the boundary bin, and a
    /// second pass collects that bin's documents (exact again) or, when even they do not fit, its tie-cell histogram
    /// (bounded error, reported).
    /// </summary>
    private static async Task<ThresholdResult> ThresholdAsync(JobContext job, WorkPlan plan, IReadOnlyList<UnitResult> units, SelectionSpec spec, CancellationToken ct)
    {
        var basis = WeightBasisOf(spec);
        var seed = job.Spec.Seed;
        if (spec.MinScore is { } minScore)
        {
            long total = 0, docs = 0, keptWeight = 0, keptDocs = 0;
            await ForEachReadableAsync(job, plan, (_, row) =>
            {
                var w = Weight(row, basis);
                total += w;
                docs++;
                if (row.Score < minScore) return;
                keptWeight += w;
                keptDocs++;
            }, ct).ConfigureAwait(false);
            return ExactThreshold.AtLeastResult(minScore, seed, total, docs, keptWeight, keptDocs);
        }

        var target = spec.KeepTop is { } share ? ThresholdTarget.TopShare(share) : ThresholdTarget.WeightBudget(spec.MaxTokens!.Value);
        var readable = units.Sum(u => u.DocumentsReadable);
        if (FitsInMemory(readable, spec.ExactMemoryBytes))
        {
            var items = new List<ScoredItem>((int)readable);
            await ForEachReadableAsync(job, plan, (_, row) => items.Add(new ScoredItem(row.DocId, row.Score, Weight(row, basis))), ct).ConfigureAwait(false);
            return ExactThreshold.Select(CollectionsMarshal.AsSpan(items), target, seed);
        }

        var sketch = new ScoreSketch(SketchBins);
        foreach (var unit in plan.Units)
        {
            var key = job.Work.UnitSketch(unit.Id);
            var bytes = await job.Output.TryReadAllBytesAsync(key, ct).ConfigureAwait(false)
                ?? throw new JobFailedException($"{job.Output.Describe(key)} is missing: the score sketch of unit {unit.Id} ({unit.Path})");
            sketch.Merge(ScoreSketch.FromBytes(bytes));
        }
        var boundary = ThresholdSketch.Locate(sketch, target);
        if (boundary.Bin < 0 || boundary.Bin >= SketchBins.Count) return ThresholdSketch.SinglePass(sketch, target, seed);
        if (FitsInMemory(boundary.BinDocuments, spec.ExactMemoryBytes))
        {
            var items = new List<ScoredItem>((int)boundary.BinDocuments);
            await ForEachReadableAsync(job, plan, (_, row) =>
            {
                if (SketchBins.BinOf(row.Score) == boundary.Bin) items.Add(new ScoredItem(row.DocId, row.Score, Weight(row, basis)));
            }, ct).ConfigureAwait(false);
            return ThresholdSketch.WithBoundaryItems(sketch, target, seed, CollectionsMarshal.AsSpan(items));
        }
        var ties = ThresholdSketch.NewTieHistogram();
        await ForEachReadableAsync(job, plan, (_, row) =>
        {
            if (SketchBins.BinOf(row.Score) == boundary.Bin) ties.Add(ThresholdSketch.TieCell(seed, row.DocId), Weight(row, basis));
        }, ct).ConfigureAwait(false);
        return ThresholdSketch.WithTieHistogram(sketch, target, seed, ties);
    }

    /// <summary>
    /// True when an exact sort of <paramref name="documents"/> fits <paramref name="bytes"/>: the collected items plus the
    /// sort's entries, <see cref="ExactBytesPerDocument"/> each, and never more than one array can hold.
    /// </summary>
    private static bool FitsInMemory(long documents, long bytes) =>
        documents <= Array.MaxLength && documents <= bytes / ExactBytesPerDocument;

    /// <summary>Working memory of an exact threshold per document: the <see cref="ScoredItem"/> and its sort entry.</summary>
    public const int ExactBytesPerDocument = 2 * ExactThreshold.BytesPerItem;

    /// <summary>Calls <paramref name="visit"/> with (source index, row) for every readable document, units in plan order.</summary>
    private static async Task ForEachReadableAsync(JobContext job, WorkPlan plan, Action<int, ScoredDocumentRow> visit, CancellationToken ct)
    {
        foreach (var unit in plan.Units)
        {
            var stream = await job.Output.OpenReadAsync(job.Work.UnitDocuments(unit.Id), 0, ct).ConfigureAwait(false);
            foreach (var row in await ParquetTables.ReadAsync<ScoredDocumentRow>(stream, ct).ConfigureAwait(false))
            {
                if (row.Reject is null) visit(unit.Source, row);
            }
        }
    }

    private static int IndexOf(JobSpec spec, string source)
    {
        for (var s = 0; s < spec.Sources.Count; s++)
        {
            if (spec.Sources[s].Name == source) return s;
        }
        throw new JobFailedException($"mixture names source '{source}', which the job does not have");
    }

    /// <summary>A source's documents that passed the threshold: totals, and (for budgets and mixtures) the items.</summary>
    private sealed class Candidates
    {
        public long Tokens { get; set; }
        public long Documents { get; set; }
        public List<ScoredItem> Items { get; } = [];

        public void Clear()
        {
            Tokens = 0;
            Documents = 0;
            Items.Clear();
        }

        public void Add(ScoredDocumentRow row, bool keepItem)
        {
            Tokens += row.Tokens;
            Documents++;
            if (keepItem) Items.Add(new ScoredItem(row.DocId, row.Score, row.Tokens));
        }
    }

    private static void CheckErrorBudget(JobContext job, WorkPlan plan, IReadOnlyList<UnitResult> units)
    {
        long read = 0, malformed = 0;
        foreach (var u in units)
        {
            read += u.DocumentsRead;
            malformed += u.MalformedDocuments;
        }
        var budget = job.Spec.Limits.ErrorBudget;
        if (read == 0 || malformed <= budget * read) return;
        for (var i = 0; i < units.Count; i++)
        {
            if (units[i].FirstProblem is not { } first) continue;
            var source = job.Spec.Sources[plan.Units[i].Source].Name;
            var where = first.Line > 0 ? $"line {first.Line}" : $"byte offset {first.ByteOffset}";
            throw new JobFailedException(string.Create(CultureInfo.InvariantCulture,
                $"{malformed} of {read} documents ({100.0 * malformed / read:0.##}%) are malformed, above the error budget of {100 * budget:0.##}% (limits.error_budget). First: source '{source}', file {first.Path}, {where}: {first.Reason}: {first.Detail}"));
        }
    }
}
