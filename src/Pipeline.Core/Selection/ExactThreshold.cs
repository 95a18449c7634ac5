using Pipeline.Core.Hashing;

namespace Pipeline.Core.Selection;

/// <summary>
/// Exact thresholds over all candidate documents: sort by score (descending), then by seeded tie key (ascending),
/// and cut the sorted list. Documents with equal score and equal key (a repeated id) form one group that is kept or
/// dropped as a whole, so the result never depends on input order.
/// </summary>
/// <remarks>
/// <para>Top share (<see cref="TargetKind.TopShare"/>): keep the shortest prefix whose weight reaches share × total. The
/// threshold t is then the score of the document at which the cumulative weight first reaches the target, as in
/// PreSelect's <c>find_threshold.py</c>; unlike its "keep score ≥ t", only a seeded subset of the documents that score
/// exactly t is kept, so the kept weight exceeds the target by less than one document (group).</para>
/// <para>Budget (<see cref="TargetKind.Budget"/>): keep the longest prefix whose weight stays within the budget; the
/// walk stops at the first group that does not fit (no skipping ahead), so the result is a threshold.</para>
/// <para>Memory: 24 bytes per document (<see cref="BytesPerItem"/>).</para>
/// </remarks>
public static class ExactThreshold
{
    /// <summary>Working memory per candidate document.</summary>
    public const int BytesPerItem = 24;

    /// <summary>Computes the exact threshold for <paramref name="target"/>.</summary>
    public static ThresholdResult Select(ReadOnlySpan<ScoredItem> items, ThresholdTarget target, long seed)
    {
        ArgumentNullException.ThrowIfNull(target);
        var entries = Entries(items, seed, SelectionPurposes.ScoreTie, useScore: true, out var total);
        var targetWeight = target.WeightFor(total);
        var cut = Cut(entries, target.Reaches, targetWeight);
        var decision = cut.End == 0 ? ThresholdDecision.None(seed)
            : cut.End == entries.Length ? ThresholdDecision.All(seed)
            : new ThresholdDecision(ThresholdKind.Score, seed, SelectionPurposes.ScoreTie, entries[cut.End - 1].Score, entries[cut.End - 1].Key);
        return new ThresholdResult(decision, target, total, entries.Length, targetWeight, cut.Weight, cut.End, 0, Exact: true);
    }

    /// <summary>Keeps every document with score ≥ <paramref name="threshold"/> and reports the weight that keeps.</summary>
    public static ThresholdResult AtLeast(ReadOnlySpan<ScoredItem> items, double threshold, long seed)
    {
        ScoreChecks.CheckFinite(threshold, nameof(threshold));
        long total = 0, kept = 0, docs = 0;
        foreach (ref readonly var item in items)
        {
            var score = ScoreChecks.Normalize(item, nameof(items));
            total = checked(total + item.Weight);
            if (score < threshold) continue;
            kept += item.Weight;
            docs++;
        }

        return AtLeastResult(threshold, seed, total, items.Length, kept, docs);
    }

    /// <summary>The result of "keep score ≥ <paramref name="threshold"/>" from totals counted elsewhere (e.g. streamed
    /// over unit tables): the asked share is the share achieved.</summary>
    public static ThresholdResult AtLeastResult(double threshold, long seed, long totalWeight, long totalDocuments, long keptWeight, long keptDocuments)
    {
        var target = new ThresholdTarget(TargetKind.TopShare, totalWeight == 0 ? 0 : (double)keptWeight / totalWeight, 0);
        return new ThresholdResult(ThresholdDecision.AtLeast(threshold, seed), target, totalWeight, totalDocuments, keptWeight, keptWeight, keptDocuments, 0, Exact: true);
    }

    /// <summary>
    /// Seeded random sampling to a budget: documents in ascending <c>StableHash.Key(seed, docId, purpose)</c> order
    /// until the next one does not fit (the rule of the engine's per-source token budgets with <see cref="Purpose.Budget"/>).
    /// </summary>
    public static ThresholdResult RandomBudget(ReadOnlySpan<ScoredItem> items, long budget, long seed, Purpose purpose)
    {
        var target = ThresholdTarget.WeightBudget(budget);
        var entries = Entries(items, seed, purpose, useScore: false, out var total);
        var cut = Cut(entries, reaches: false, budget);
        var decision = cut.End == 0 ? new ThresholdDecision(ThresholdKind.KeepNone, seed, purpose)
            : cut.End == entries.Length ? new ThresholdDecision(ThresholdKind.KeepAll, seed, purpose)
            : new ThresholdDecision(ThresholdKind.Key, seed, purpose, 0, entries[cut.End - 1].Key);
        return new ThresholdResult(decision, target, total, entries.Length, budget, cut.Weight, cut.End, 0, Exact: true);
    }

    internal static Entry[] Entries(ReadOnlySpan<ScoredItem> items, long seed, Purpose purpose, bool useScore, out long total)
    {
        var entries = new Entry[items.Length];
        total = 0;
        for (var i = 0; i < items.Length; i++)
        {
            var score = ScoreChecks.Normalize(items[i], nameof(items));
            entries[i] = new Entry(useScore ? score : 0, StableHash.Key(seed, items[i].DocId, purpose), items[i].Weight);
            total = checked(total + items[i].Weight);
        }

        Array.Sort(entries);
        return entries;
    }

    /// <summary>
    /// Cuts sorted entries: <paramref name="reaches"/> = shortest prefix with weight ≥ target (none when target ≤ 0),
    /// otherwise longest prefix with weight ≤ target. Equal (score, key) entries move together.
    /// </summary>
    internal static (int End, long Weight) Cut(Entry[] sorted, bool reaches, double target)
    {
        if (reaches && !(target > 0)) return (0, 0);
        long cum = 0;
        var i = 0;
        while (i < sorted.Length)
        {
            var end = i + 1;
            var group = sorted[i].Weight;
            while (end < sorted.Length && sorted[end].Score == sorted[i].Score && sorted[end].Key == sorted[i].Key)
            {
                group += sorted[end].Weight;
                end++;
            }

            if (!reaches && cum + group > target) break;
            cum += group;
            i = end;
            if (reaches && cum >= target) break;
        }

        return (i, cum);
    }

    /// <summary>A candidate in selection order: score descending, then key ascending.</summary>
    internal readonly record struct Entry(double Score, ulong Key, long Weight) : IComparable<Entry>
    {
        public int CompareTo(Entry other)
        {
            var c = other.Score.CompareTo(Score);
            if (c != 0) return c;
            c = Key.CompareTo(other.Key);
            return c != 0 ? c : Weight.CompareTo(other.Weight);
        }
    }
}
