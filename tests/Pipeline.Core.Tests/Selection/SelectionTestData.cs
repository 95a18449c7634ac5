using Pipeline.Core.Hashing;
using Pipeline.Core.Selection;

namespace Pipeline.Core.Tests.Selection;

internal static class SelectionTestData
{
    /// <summary>Random items; <paramref name="distinctScores"/> &gt; 0 draws scores from that many values (many ties).</summary>
    public static ScoredItem[] Random(int seed, int n, int distinctScores = 0, int maxWeight = 5000)
    {
        var rnd = new Random(seed);
        var items = new ScoredItem[n];
        for (var i = 0; i < n; i++)
        {
            var score = distinctScores > 0 ? rnd.Next(distinctScores) / (double)distinctScores : rnd.NextDouble();
            items[i] = new ScoredItem(rnd.NextInt64(), score, rnd.Next(1, maxWeight + 1));
        }

        return items;
    }

    public static ScoredItem[] Shuffled(ScoredItem[] items, int seed)
    {
        var copy = (ScoredItem[])items.Clone();
        new Random(seed).Shuffle(copy);
        return copy;
    }

    public static long KeptWeight(ThresholdDecision d, ReadOnlySpan<ScoredItem> items)
    {
        long kept = 0;
        foreach (var it in items)
        {
            if (d.Keeps(it.Score, it.DocId)) kept += it.Weight;
        }

        return kept;
    }

    public static bool[] KeptMask(ThresholdDecision d, ReadOnlySpan<ScoredItem> items)
    {
        var mask = new bool[items.Length];
        for (var i = 0; i < items.Length; i++) mask[i] = d.Keeps(items[i].Score, items[i].DocId);
        return mask;
    }

    /// <summary>Brute force: items in selection order (score desc, seeded tie key asc).</summary>
    public static ScoredItem[] BruteOrder(IEnumerable<ScoredItem> items, long seed) =>
        items.OrderByDescending(i => i.Score).ThenBy(i => StableHash.Key(seed, i.DocId, SelectionPurposes.ScoreTie)).ToArray();
}
