using System.Globalization;
using Xunit.Abstractions;

namespace Pipeline.FastText.Tests.Training;

/// <summary>cbow/skipgram: our vectors' neighbourhoods against the reference's.</summary>
[Collection(TrainingTestGroup.Name)]
public sealed class UnsupervisedTests(ITestOutputHelper output)
{
    private const int Words = 500;
    private const int K = 10;

    [ReferenceCliTheory]
    [InlineData("skipgram")]
    [InlineData("cbow")]
    public void Train_TopWordsNeighbours_OverlapWithReferenceLikeReferenceWithItself(string command)
    {
        string dir = TrainingData.NewTempDir("unsup-" + command);
        string[] common = ["-input", TrainingData.PlainSubset(2), "-epoch", "2", "-dim", "30", "-minCount", "5", "-maxn", "0", "-thread", "2", "-verbose", "0"];
        TrainingHarness.RunReference([command, .. common, "-seed", "1", "-output", Path.Combine(dir, "ref1")]);
        TrainingHarness.RunReference([command, .. common, "-seed", "2", "-output", Path.Combine(dir, "ref2")]);
        TrainingHarness.RunOurs(command, [.. common, "-seed", "3", "-output", Path.Combine(dir, "ours")]);
        FastTextModel ref1 = FastTextModel.Load(Path.Combine(dir, "ref1.bin"));
        FastTextModel ref2 = FastTextModel.Load(Path.Combine(dir, "ref2.bin"));
        FastTextModel ours = FastTextModel.Load(Path.Combine(dir, "ours.bin"));
        Assert.Equal(ref1.Dictionary.NWords, ours.Dictionary.NWords);
        double baseline = Overlap(ref1, ref2);
        double ourOverlap = Overlap(ref1, ours);
        Directory.Delete(dir, recursive: true);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{command}: top-{K} neighbour overlap of the {Words} most frequent words: ref-vs-ref {baseline:P1}, ref-vs-ours {ourOverlap:P1}"));
        Assert.True(ourOverlap >= baseline - 0.10, $"overlap {ourOverlap:P1} vs reference baseline {baseline:P1}");
    }

    /// <summary>Mean share of common words among the top-K neighbours of the most frequent words.</summary>
    private static double Overlap(FastTextModel a, FastTextModel b)
    {
        int n = Math.Min(Words, a.Dictionary.NWords);
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            string word = a.Dictionary.GetWord(i);
            var na = a.GetNearestNeighbors(word, K).Select(x => x.Word).ToHashSet();
            int common = b.GetNearestNeighbors(word, K).Count(x => na.Contains(x.Word));
            sum += common / (double)K;
        }
        return sum / n;
    }
}
