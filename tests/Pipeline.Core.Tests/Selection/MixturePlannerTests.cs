using Pipeline.Core.Selection;

namespace Pipeline.Core.Tests.Selection;

public sealed class MixturePlannerTests
{
    /// <summary>Synthetic documents: tokens 50..3000 (a long tail), scores uniform.</summary>
    private static ScoredItem[] Docs(int seed, int n)
    {
        var rnd = new Random(seed);
        var items = new ScoredItem[n];
        for (var i = 0; i < n; i++)
        {
            var tokens = 50 + (int)(2950 * Math.Pow(rnd.NextDouble(), 3));
            items[i] = new ScoredItem(rnd.NextInt64(), rnd.NextDouble(), tokens);
        }

        return items;
    }

    private static long Output(SourceRule rule, ScoredItem[] docs)
    {
        var counts = MixturePlanner.RepeatCounts(rule, docs);
        long tokens = 0;
        for (var i = 0; i < docs.Length; i++) tokens += counts[i] * docs[i].Weight;
        return tokens;
    }

    private static void AssertShare(MixturePlan plan, string source, double target)
    {
        var s = plan.Source(source);
        Assert.True(Math.Abs(s.RealisedShare - target) <= 0.001 * target, $"{source}: realised {s.RealisedShare}, target {target}");
    }

    [Fact]
    public void Plan_BothSourcesDownsampled_RealisedSharesWithinTenthOfAPercent()
    {
        foreach (var sampling in new[] { MixtureSampling.ByScore, MixtureSampling.Random })
        {
            var web = Docs(1, 4000);
            var synth = Docs(2, 3000);
            var plan = MixturePlanner.Plan(
                [new(new("web", 0.7, sampling), web), new(new("synthetic", 0.3, sampling), synth)], 2_000_000, seed: 5);

            AssertShare(plan, "web", 0.7);
            AssertShare(plan, "synthetic", 0.3);
            Assert.Empty(plan.Shortfalls);
            Assert.True(plan.RealisedTokens <= 2_000_000);
            Assert.True(plan.RealisedTokens >= 2_000_000 - (2 * 3000));
            Assert.Equal(plan.Source("web").RealisedTokens, Output(plan.Source("web").Rule, web));
            Assert.Equal(plan.Source("synthetic").RealisedTokens, Output(plan.Source("synthetic").Rule, synth));
            Assert.All(MixturePlanner.RepeatCounts(plan.Source("web").Rule, web), c => Assert.InRange(c, 0, 1));
        }
    }

    [Fact]
    public void Plan_ByScore_KeepsHighestScoresFirst()
    {
        var web = Docs(3, 3000);
        var plan = MixturePlanner.Plan([new(new("web", 1), web)], 1_000_000, seed: 1);
        var counts = MixturePlanner.RepeatCounts(plan.Source("web").Rule, web);
        var minKept = web.Where((_, i) => counts[i] > 0).Min(d => d.Score);
        var maxDropped = web.Where((_, i) => counts[i] == 0).Max(d => d.Score);

        Assert.True(minKept > maxDropped);
    }

    [Fact]
    public void Plan_SmallSourceUpsampled_WholeRepeatsThenSeededSubsetWithinCap()
    {
        var web = Docs(4, 6000);
        var synth = Docs(5, 400); // ~300k tokens, target 0.3 x 3M = 900k -> about 3 copies
        var plan = MixturePlanner.Plan(
            [new(new("web", 0.7), web), new(new("synthetic", 0.3, MixtureSampling.ByScore, MaxRepeats: 4), synth)], 3_000_000, seed: 9);

        var s = plan.Source("synthetic");
        var counts = MixturePlanner.RepeatCounts(s.Rule, synth);
        Assert.Empty(plan.Shortfalls);
        Assert.True(s.Rule.WholeRepeats >= 2);
        Assert.All(counts, c => Assert.InRange(c, s.Rule.WholeRepeats, Math.Min(4, s.Rule.WholeRepeats + 1)));
        Assert.Contains(counts, c => c == s.Rule.WholeRepeats + 1);
        Assert.Equal(s.RealisedTokens, Output(s.Rule, synth));
        Assert.Equal(synth.Length, s.KeptDocuments);
        AssertShare(plan, "web", 0.7);
        AssertShare(plan, "synthetic", 0.3);
    }

    [Fact]
    public void Plan_SourceShortAtCapFillFromOthers_ReportsSourceAndKeepsTotal()
    {
        var web = Docs(6, 8000);
        var synth = Docs(7, 200); // ~150k tokens, cap 2 -> ~300k < 0.3 x 2M
        var plan = MixturePlanner.Plan(
            [new(new("web", 0.7), web), new(new("synthetic", 0.3, MixtureSampling.Random, MaxRepeats: 2), synth)], 2_000_000, seed: 3);

        var shortfall = Assert.Single(plan.Shortfalls);
        Assert.Equal("synthetic", shortfall.Source);
        Assert.Contains("'synthetic'", shortfall.Message, StringComparison.Ordinal);
        Assert.Equal(2 * synth.Sum(d => d.Weight), shortfall.MaxTokens);
        var s = plan.Source("synthetic");
        Assert.Equal(shortfall.MaxTokens, s.RealisedTokens);
        Assert.All(MixturePlanner.RepeatCounts(s.Rule, synth), c => Assert.Equal(2, c));
        Assert.True(plan.RealisedTokens > 2_000_000 - 3000, $"total {plan.RealisedTokens}: web should fill the gap");
        Assert.True(plan.Source("web").RealisedTokens > 0.7 * 2_000_000);
    }

    [Fact]
    public void Plan_SourceShortAtCapShrinkTotal_KeepsSharesAndReportsSource()
    {
        var web = Docs(6, 8000);
        var synth = Docs(8, 300);
        var plan = MixturePlanner.Plan(
            [new(new("web", 0.7), web), new(new("synthetic", 0.3, MixtureSampling.ByScore, MaxRepeats: 3), synth)], 4_000_000, seed: 3, ShortfallPolicy.ShrinkTotal);

        Assert.Equal("synthetic", Assert.Single(plan.Shortfalls).Source);
        Assert.True(plan.RealisedTokens < 4_000_000 * 0.9);
        AssertShare(plan, "web", 0.7);
        AssertShare(plan, "synthetic", 0.3);
        Assert.All(MixturePlanner.RepeatCounts(plan.Source("synthetic").Rule, synth), c => Assert.InRange(c, 0, 3));
    }

    [Fact]
    public void Plan_ShuffledDocumentsAndSources_GiveIdenticalPlanAndRepeats()
    {
        var web = Docs(10, 3000);
        var synth = Docs(11, 300);
        var code = Docs(12, 1000);
        MixtureSource[] sources = [new("web", 0.5), new("synthetic", 0.2, MixtureSampling.Random, 5), new("code", 0.3, MixtureSampling.Random)];
        var a = MixturePlanner.Plan([new(sources[0], web), new(sources[1], synth), new(sources[2], code)], 1_500_000, 77);
        var shuffled = (ScoredItem[] d, int s) =>
        {
            var c = (ScoredItem[])d.Clone();
            new Random(s).Shuffle(c);
            return c;
        };
        var b = MixturePlanner.Plan([new(sources[2], shuffled(code, 1)), new(sources[0], shuffled(web, 2)), new(sources[1], shuffled(synth, 3))], 1_500_000, 77);

        Assert.Equal(a.Sources, b.Sources);
        Assert.Equal(a.RealisedTokens, b.RealisedTokens);
        Assert.Equal(["code", "synthetic", "web"], a.Sources.Select(s => s.Source));
        Assert.Equal(MixturePlanner.RepeatCounts(a.Source("synthetic").Rule, synth), MixturePlanner.RepeatCounts(b.Source("synthetic").Rule, synth));
        Assert.Equal(MixturePlanner.RepeatCounts(a.Source("web").Rule, web), MixturePlanner.RepeatCounts(b.Source("web").Rule, web));
    }

    [Fact]
    public void Plan_DifferentSeed_ChangesRandomSubsetButNotShares()
    {
        var web = Docs(13, 3000);
        MixtureSource src = new("web", 1, MixtureSampling.Random);
        var a = MixturePlanner.Plan([new(src, web)], 1_000_000, 1);
        var b = MixturePlanner.Plan([new(src, web)], 1_000_000, 2);

        Assert.NotEqual(MixturePlanner.RepeatCounts(a.Source("web").Rule, web), MixturePlanner.RepeatCounts(b.Source("web").Rule, web));
        Assert.InRange(a.RealisedTokens, 1_000_000 - 3000, 1_000_000);
        Assert.InRange(b.RealisedTokens, 1_000_000 - 3000, 1_000_000);
    }

    [Fact]
    public void Plan_InvalidSources_Throw()
    {
        var d = Docs(1, 10);
        Assert.Throws<ArgumentException>(() => MixturePlanner.Plan([new(new("a", 0.5), d), new(new("a", 0.5), d)], 100, 0));
        Assert.Throws<ArgumentException>(() => MixturePlanner.Plan([new(new("a", -1), d)], 100, 0));
        Assert.Throws<ArgumentException>(() => MixturePlanner.Plan([new(new("a", 1, MaxRepeats: 0), d)], 100, 0));
        Assert.Throws<ArgumentException>(() => MixturePlanner.Plan([], 100, 0));
    }
}
