using System.Diagnostics;
using System.Globalization;
using Pipeline.FastText.Training;
using Xunit.Abstractions;

namespace Pipeline.FastText.Tests.Training;

/// <summary>
/// Ours against the reference CLI on the same data and hyperparameters: held-out P@1 (mean of 3 seeds each) and
/// identical predictions when the reference loads our models. PreSelect's settings, with a 200k bucket instead of
/// 2M to keep CI time and memory down.
/// </summary>
[Collection(TrainingTestGroup.Name)]
public sealed class TrainingParityTests(ITestOutputHelper output)
{
    private static readonly string[] Seeds = ["1", "2", "3"];

    private (double Ours, double Reference) MeanPrecision(string train, params string[] hyper)
    {
        string dir = TrainingData.NewTempDir("parity");
        double ours = 0;
        double reference = 0;
        foreach (string seed in Seeds)
        {
            string[] common = ["-input", train, .. hyper, "-thread", "2", "-seed", seed, "-verbose", "0"];
            var sw = Stopwatch.StartNew();
            TrainingHarness.RunReference(["supervised", .. common, "-output", Path.Combine(dir, "ref" + seed)]);
            double r = TrainingData.ReferencePrecisionAt1(Path.Combine(dir, "ref" + seed + ".bin"));
            long refMs = sw.ElapsedMilliseconds;
            sw.Restart();
            TrainingHarness.RunOurs("supervised", [.. common, "-output", Path.Combine(dir, "ours" + seed)]);
            double o = TrainingData.PrecisionAt1(FastTextModel.Load(Path.Combine(dir, "ours" + seed + ".bin")));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"seed {seed}: reference P@1 {r:F3} ({refMs} ms), ours P@1 {o:F4} ({sw.ElapsedMilliseconds} ms)"));
            reference += r;
            ours += o;
            File.Delete(Path.Combine(dir, "ref" + seed + ".bin"));
            File.Delete(Path.Combine(dir, "ours" + seed + ".bin"));
        }
        Directory.Delete(dir, recursive: true);
        return (ours / Seeds.Length, reference / Seeds.Length);
    }

    [ReferenceCliFact]
    public void Supervised_PreSelectSettings_PrecisionWithinOnePointOfReference()
    {
        (double ours, double reference) = MeanPrecision(TrainingData.Train,
            "-epoch", "3", "-lr", "0.1", "-wordNgrams", "2", "-dim", "100", "-minCount", "1", "-bucket", "200000");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mean P@1: reference {reference:F4}, ours {ours:F4}"));
        Assert.InRange(ours - reference, -0.010, 1.0);
    }

    [ReferenceCliFact]
    public void Supervised_CharNgrams_PrecisionWithinOnePointOfReference()
    {
        (double ours, double reference) = MeanPrecision(TrainingData.TrainSubset(2),
            "-epoch", "3", "-lr", "0.1", "-wordNgrams", "2", "-dim", "100", "-minCount", "1", "-bucket", "200000", "-minn", "2", "-maxn", "4");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mean P@1: reference {reference:F4}, ours {ours:F4}"));
        Assert.InRange(ours - reference, -0.010, 1.0);
    }

    [ReferenceCliTheory]
    [InlineData("softmax")]
    [InlineData("hs")]
    [InlineData("ova")]
    [InlineData("ns")]
    public void Supervised_EachLoss_ReferenceLoadsOurModelAndPredictsIdentically(string loss)
    {
        string dir = TrainingData.NewTempDir("loss-" + loss);
        string train = TrainingData.TrainSubset(4);
        string model = Path.Combine(dir, "ours");
        TrainingHarness.RunOurs("supervised",
            "-input", train, "-output", model, "-epoch", "5", "-lr", "0.5", "-wordNgrams", "2", "-dim", "20", "-bucket", "50000", "-thread", "2", "-loss", loss, "-verbose", "0");
        string reference = TrainingHarness.ReferencePredictProb(model + ".bin", TrainingData.Test, 2);
        string ours = TrainingHarness.OurPredictProb(model + ".bin", TrainingData.Test, 2);
        Assert.Equal(reference, ours);
        // A trained model beats always answering the most frequent label.
        double p1 = TrainingData.PrecisionAt1(FastTextModel.Load(model + ".bin"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{loss}: P@1 {p1:F4}, baseline {MajorityBaseline():F4}"));
        Assert.True(p1 > MajorityBaseline(), $"P@1 {p1} is not above the majority baseline {MajorityBaseline()}");
    }

    [Fact]
    public void Train_Cancelled_ThrowsPromptly()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var args = FastTextArgs.SupervisedDefaults with { Epoch = 1000, Dim = 10, Bucket = 1000, WordNgrams = 2, Threads = 2, Verbose = 0 };
        var sw = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => FastTextTrainer.Train(args, TrainingData.TrainSubset(4), cancellationToken: cts.Token));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"cancellation took {sw.Elapsed}");
    }

    [Fact]
    public void Train_Progress_ReportsFinalLineInReferenceFormat()
    {
        var reports = new List<TrainingProgress>();
        var args = FastTextArgs.SupervisedDefaults with { Epoch = 1, Dim = 10, Bucket = 1000, WordNgrams = 2, Threads = 2 };
        FastTextModel model = FastTextTrainer.Train(args, TrainingData.TrainSubset(4), reports.Add);
        TrainingProgress last = reports[^1];
        Assert.True(last.IsFinal);
        Assert.Equal(1f, last.Progress);
        Assert.Matches(@"^Progress: 100\.0% words/sec/thread: +\d+ lr:  0\.000000 avg\.loss:  \d\.\d{6} ETA:   0h 0m 0s$", last.Format());
        Assert.Equal(args.Dim, model.Dim);
    }

    private static double MajorityBaseline()
    {
        var counts = new Dictionary<string, int>();
        int n = 0;
        foreach (string line in File.ReadLines(TrainingData.Test))
        {
            string? label = line.Split(' ').FirstOrDefault(t => t.StartsWith("__label__", StringComparison.Ordinal));
            if (label is null)
            {
                continue;
            }
            counts[label] = counts.GetValueOrDefault(label) + 1;
            n++;
        }
        return (double)counts.Values.Max() / n;
    }
}
