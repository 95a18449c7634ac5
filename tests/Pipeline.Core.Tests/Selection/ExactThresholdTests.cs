using Pipeline.Core.Hashing;
using Pipeline.Core.Selection;
using static Pipeline.Core.Tests.Selection.SelectionTestData;

namespace Pipeline.Core.Tests.Selection;

public sealed class ExactThresholdTests
{
    [Fact]
    public void Select_TopShareOnRandomDataWithTies_MatchesBruteForceSort()
    {
        for (var seed = 0; seed < 150; seed++)
        {
            var n = 50 + (seed * 7 % 400);
            var items = Random(seed, n, distinctScores: seed % 3 == 0 ? 0 : 5 + (seed % 40));
            var share = new Random(seed + 1000).NextDouble();
            var r = ExactThreshold.Select(items, ThresholdTarget.TopShare(share), seed);

            var order = BruteOrder(items, seed);
            var target = share * order.Sum(i => i.Weight);
            long cum = 0;
            var k = 0;
            while (k < order.Length && cum < target) cum += order[k++].Weight;
            var expected = order.Take(k).Select(i => i.DocId).ToHashSet();

            var mask = KeptMask(r.Decision, items);
            for (var i = 0; i < items.Length; i++) Assert.Equal(expected.Contains(items[i].DocId), mask[i]);
            Assert.Equal(cum, r.AchievedWeight);
            Assert.Equal(k, r.KeptDocuments);
            if (k > 0 && k < order.Length) Assert.Equal(order[k - 1].Score, r.Decision.Score);
        }
    }

    [Fact]
    public void Select_TopShareByCharacters_AchievedWithinOneDocumentOfTarget()
    {
        for (var seed = 0; seed < 100; seed++)
        {
            var items = Random(seed, 2000, distinctScores: seed % 2 == 0 ? 0 : 10, maxWeight: 20_000);
            var share = 0.01 + (0.98 * new Random(seed).NextDouble());
            var r = ExactThreshold.Select(items, ThresholdTarget.TopShare(share), seed);
            var kept = KeptWeight(r.Decision, items);
            var maxWeight = items.Max(i => i.Weight);

            Assert.Equal(kept, r.AchievedWeight);
            Assert.True(kept >= r.TargetWeight, $"kept {kept} < target {r.TargetWeight}");
            Assert.True(kept - r.TargetWeight < maxWeight, $"kept {kept} overshoots target {r.TargetWeight} by a document or more");
            Assert.InRange(r.AchievedShare - r.TargetShare, 0, (double)maxWeight / r.TotalWeight);
        }
    }

    [Fact]
    public void Select_DistinctScores_ThresholdIsScoreWhereCumulativeCharactersFirstReachTarget()
    {
        // PreSelect find_threshold.py: sort by score descending, accumulate characters; t is the crossing document's score.
        var items = Random(7, 1000);
        var r = ExactThreshold.Select(items, ThresholdTarget.TopShare(0.1), 7);
        var byScore = items.OrderByDescending(i => i.Score).ToArray();
        var total = items.Sum(i => i.Weight);
        long cum = 0;
        var crossing = byScore.First(i => (cum += i.Weight) >= 0.1 * total);

        Assert.Equal(ThresholdKind.Score, r.Decision.Kind);
        Assert.Equal(crossing.Score, r.Decision.Score);
        Assert.All(items, i => Assert.Equal(i.Score >= crossing.Score, r.Decision.Keeps(i.Score, i.DocId)));
    }

    [Fact]
    public void Select_ShuffledInput_GivesIdenticalDecision()
    {
        for (var seed = 0; seed < 30; seed++)
        {
            var items = Random(seed, 700, distinctScores: 12);
            var a = ExactThreshold.Select(items, ThresholdTarget.TopShare(0.37), 42);
            var b = ExactThreshold.Select(Shuffled(items, seed + 99), ThresholdTarget.TopShare(0.37), 42);
            Assert.Equal(a, b);
            var c = ExactThreshold.Select(items, ThresholdTarget.WeightBudget(123_456), 42);
            var d = ExactThreshold.Select(Shuffled(items, seed + 7), ThresholdTarget.WeightBudget(123_456), 42);
            Assert.Equal(c, d);
        }
    }

    [Fact]
    public void Select_AllScoresEqual_KeepsSeededSubsetWithinOneDocument()
    {
        var items = Random(3, 5000, distinctScores: 1);
        var a = ExactThreshold.Select(items, ThresholdTarget.TopShare(0.25), seed: 1);
        var b = ExactThreshold.Select(items, ThresholdTarget.TopShare(0.25), seed: 2);

        Assert.Equal(ThresholdKind.Score, a.Decision.Kind);
        Assert.Equal(0.0, a.Decision.Score);
        var maskA = KeptMask(a.Decision, items);
        var maskB = KeptMask(b.Decision, items);
        Assert.NotEqual(maskA, maskB);
        Assert.InRange(a.AchievedWeight - a.TargetWeight, 0, 5000);
        Assert.InRange(b.AchievedWeight - b.TargetWeight, 0, 5000);
        // The subset is the lowest seeded keys: every kept key is below every dropped key.
        var keptMax = items.Where((_, i) => maskA[i]).Max(i => StableHash.Key(1, i.DocId, SelectionPurposes.ScoreTie));
        var droppedMin = items.Where((_, i) => !maskA[i]).Min(i => StableHash.Key(1, i.DocId, SelectionPurposes.ScoreTie));
        Assert.True(keptMax < droppedMin);
    }

    [Fact]
    public void Select_RepeatedDocumentId_KeptOrDroppedTogether()
    {
        ScoredItem[] items =
        [
            new(1, 0.9, 10), new(2, 0.5, 10), new(2, 0.5, 10), new(3, 0.1, 10),
        ];
        var r = ExactThreshold.Select(items, ThresholdTarget.TopShare(0.3), 0);

        Assert.Equal(30, r.AchievedWeight);
        Assert.Equal(3, r.KeptDocuments);
        Assert.True(r.Decision.Keeps(0.5, 2));
        Assert.False(r.Decision.Keeps(0.1, 3));
    }

    [Fact]
    public void Select_Budget_FillsByScoreWithoutExceedingAndStopsAtFirstMisfit()
    {
        for (var seed = 0; seed < 60; seed++)
        {
            var items = Random(seed, 800, distinctScores: seed % 2 == 0 ? 0 : 9);
            var budget = new Random(seed).NextInt64(0, items.Sum(i => i.Weight) + 1);
            var r = ExactThreshold.Select(items, ThresholdTarget.WeightBudget(budget), seed);

            var order = BruteOrder(items, seed);
            long cum = 0;
            var k = 0;
            while (k < order.Length && cum + order[k].Weight <= budget) cum += order[k++].Weight;

            Assert.Equal(cum, r.AchievedWeight);
            Assert.Equal(cum, KeptWeight(r.Decision, items));
            Assert.True(r.AchievedWeight <= budget);
            if (k < order.Length) Assert.True(r.AchievedWeight + order[k].Weight > budget);
        }
    }

    [Fact]
    public void Select_EdgeTargets_KeepNoneOrAll()
    {
        var items = Random(5, 100);
        Assert.Equal(ThresholdKind.KeepNone, ExactThreshold.Select(items, ThresholdTarget.TopShare(0), 1).Decision.Kind);
        Assert.Equal(ThresholdKind.KeepNone, ExactThreshold.Select(items, ThresholdTarget.WeightBudget(0), 1).Decision.Kind);
        Assert.Equal(ThresholdKind.KeepNone, ExactThreshold.Select([], ThresholdTarget.TopShare(0.5), 1).Decision.Kind);
        var all = ExactThreshold.Select(items, ThresholdTarget.TopShare(1), 1);
        Assert.Equal(ThresholdKind.KeepAll, all.Decision.Kind);
        Assert.Equal(items.Sum(i => i.Weight), all.AchievedWeight);
        Assert.Equal(ThresholdKind.KeepAll, ExactThreshold.Select(items, ThresholdTarget.WeightBudget(long.MaxValue), 1).Decision.Kind);
    }

    [Fact]
    public void AtLeast_KeepsEveryScoreAtOrAboveThreshold()
    {
        var items = Random(11, 1000, distinctScores: 20);
        var r = ExactThreshold.AtLeast(items, 0.5, 3);

        Assert.All(items, i => Assert.Equal(i.Score >= 0.5, r.Decision.Keeps(i.Score, i.DocId)));
        Assert.Equal(items.Where(i => i.Score >= 0.5).Sum(i => i.Weight), r.AchievedWeight);
        Assert.Equal(items.Count(i => i.Score >= 0.5), r.KeptDocuments);
    }

    [Fact]
    public void RandomBudget_KeepsLowestSeededKeysUntilMisfit()
    {
        var items = Random(13, 1000);
        var r = ExactThreshold.RandomBudget(items, 1_000_000, 9, SelectionPurposes.RandomDownsample);
        var order = items.OrderBy(i => StableHash.Key(9, i.DocId, Purpose.Budget)).ToArray();
        long cum = 0;
        var k = 0;
        while (k < order.Length && cum + order[k].Weight <= 1_000_000) cum += order[k++].Weight;

        Assert.Equal(ThresholdKind.Key, r.Decision.Kind);
        Assert.Equal(cum, r.AchievedWeight);
        Assert.Equal(order.Take(k).Select(i => i.DocId).Order(), items.Where(i => r.Decision.Keeps(i.Score, i.DocId)).Select(i => i.DocId).Order());
    }

    [Fact]
    public void Select_NonFiniteScoreOrNegativeWeight_ThrowsNamingDocument()
    {
        var e = Assert.Throws<ArgumentException>(() => ExactThreshold.Select([new(77, double.NaN, 1)], ThresholdTarget.TopShare(0.5), 0));
        Assert.Contains("77", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ExactThreshold.Select([new(78, 0.5, -1)], ThresholdTarget.TopShare(0.5), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ThresholdTarget.TopShare(1.5));
    }

    [Fact]
    public void Select_NegativeZeroAndZero_AreOneScore()
    {
        ScoredItem[] a = [new(1, -0.0, 5), new(2, 0.0, 5), new(3, 1, 5)];
        ScoredItem[] b = [new(1, 0.0, 5), new(2, -0.0, 5), new(3, 1, 5)];
        var ra = ExactThreshold.Select(a, ThresholdTarget.TopShare(0.5), 0);
        var rb = ExactThreshold.Select(b, ThresholdTarget.TopShare(0.5), 0);

        Assert.Equal(ra, rb);
        Assert.False(double.IsNegative(ra.Decision.Score));
    }
}
