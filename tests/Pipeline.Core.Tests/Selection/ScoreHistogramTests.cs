using Pipeline.Core.Selection;

namespace Pipeline.Core.Tests.Selection;

public sealed class ScoreHistogramTests
{
    private static readonly ScoreBins Bins = ScoreBins.UnitInterval(20);

    [Fact]
    public void Add_KeptAndDropped_GivesBinCountsAndKeptShares()
    {
        var h = new ScoreHistogram(Bins);
        h.Add(0.92, 100, 20, repeats: 1);
        h.Add(0.93, 300, 60, repeats: 2);
        h.Add(0.94, 600, 120, repeats: 0);
        h.Add(0.10, 50, 10, repeats: 0);

        var top = h.Bin(Bins.BinOf(0.93));
        Assert.Equal(new HistogramBin(3, 1000, 200, 2, 400, 80, 140), top);
        Assert.Equal(0.4, top.KeptShare(WeightBasis.Characters), 12);
        Assert.Equal(2.0 / 3, top.KeptShare(WeightBasis.Documents), 12);
        Assert.Equal(new HistogramBin(4, 1050, 210, 2, 400, 80, 140), h.Totals);
        Assert.Equal(0, h.Bin(5).KeptShare(WeightBasis.Tokens));
    }

    [Fact]
    public void Merge_PerSourceInAnyOrder_GivesIdenticalBytes()
    {
        var rnd = new Random(4);
        var parts = Enumerable.Range(0, 6).Select(_ => new SourceScoreHistograms(Bins)).ToArray();
        var whole = new SourceScoreHistograms(Bins);
        string[] names = ["web", "synthetic", "code"];
        for (var i = 0; i < 5000; i++)
        {
            var (name, score, chars, repeats) = (names[rnd.Next(3)], rnd.NextDouble(), rnd.Next(1, 9000), rnd.Next(0, 3));
            parts[rnd.Next(parts.Length)].Add(name, score, chars, chars / 4, repeats);
            whole.Add(name, score, chars, chars / 4, repeats);
        }

        var forward = new SourceScoreHistograms(Bins);
        foreach (var p in parts) forward.Merge(p);
        var backward = new SourceScoreHistograms(Bins);
        foreach (var p in parts.Reverse()) backward.Merge(SourceScoreHistograms.FromBytes(p.ToBytes()));

        Assert.Equal(whole.ToBytes(), forward.ToBytes());
        Assert.Equal(whole.ToBytes(), backward.ToBytes());
        Assert.Equal(["code", "synthetic", "web"], backward.Sources);
        Assert.Equal(whole.For("web").Totals, backward.For("web").Totals);
        Assert.Equal(whole.For("web").ToBytes(), ScoreHistogram.FromBytes(whole.For("web").ToBytes()).ToBytes());
    }

    [Fact]
    public void FromBytes_Truncated_ThrowsInvalidData()
    {
        var h = new SourceScoreHistograms(Bins);
        h.Add("web", 0.5, 10, 2, 1);
        var bytes = h.ToBytes();
        Assert.Throws<InvalidDataException>(() => SourceScoreHistograms.FromBytes(bytes.AsSpan(0, bytes.Length - 2)));
    }
}
