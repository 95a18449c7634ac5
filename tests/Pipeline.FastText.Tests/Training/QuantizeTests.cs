using System.Globalization;
using Pipeline.FastText.Training;
using Xunit.Abstractions;

namespace Pipeline.FastText.Tests.Training;

/// <summary>Our quantize against the reference CLI's on the same .bin.</summary>
[Collection(TrainingTestGroup.Name)]
public sealed class QuantizeTests(ITestOutputHelper output)
{
    /// <summary>Trains a small supervised model with ours and copies it to ref.bin and ours.bin in a fresh folder.</summary>
    private static string SmallModel(string name, int dim)
    {
        string dir = TrainingData.NewTempDir(name);
        string model = Path.Combine(dir, "trained");
        TrainingHarness.RunOurs("supervised",
            "-input", TrainingData.TrainSubset(3), "-output", model, "-epoch", "5", "-lr", "0.5", "-wordNgrams", "2", "-minCount", "2",
            "-dim", dim.ToString(CultureInfo.InvariantCulture), "-bucket", "5000", "-thread", "2", "-verbose", "0");
        File.Copy(model + ".bin", Path.Combine(dir, "ref.bin"));
        File.Copy(model + ".bin", Path.Combine(dir, "ours.bin"));
        return dir;
    }

    [ReferenceCliFact]
    public void Quantize_NoCutoff_FtzByteIdenticalToReference()
    {
        string dir = SmallModel("q-exact", 6);
        string[] q = ["-input", TrainingData.Train, "-dsub", "2", "-qnorm", "-verbose", "0"];
        TrainingHarness.RunReference(["quantize", .. q, "-output", Path.Combine(dir, "ref")]);
        TrainingHarness.RunOurs("quantize", [.. q, "-output", Path.Combine(dir, "ours")]);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "ref.ftz")), File.ReadAllBytes(Path.Combine(dir, "ours.ftz")));
    }

    [ReferenceCliFact]
    public void Quantize_CutoffQnorm_SameAsReferenceUpToPruneIndexOrder()
    {
        string dir = SmallModel("q-cutoff", 10);
        string[] q = ["-input", TrainingData.Train, "-dsub", "3", "-qnorm", "-cutoff", "6000", "-verbose", "0"];
        TrainingHarness.RunReference(["quantize", .. q, "-output", Path.Combine(dir, "ref")]);
        TrainingHarness.RunOurs("quantize", [.. q, "-output", Path.Combine(dir, "ours")]);
        (byte[] refHead, HashSet<(int, int)> refPrune, byte[] refTail) = Split(Path.Combine(dir, "ref.ftz"));
        (byte[] ourHead, HashSet<(int, int)> ourPrune, byte[] ourTail) = Split(Path.Combine(dir, "ours.ftz"));
        Assert.Equal(refHead, ourHead);
        Assert.True(refPrune.SetEquals(ourPrune), "the pruned n-gram buckets differ");
        Assert.Equal(refTail, ourTail);
    }

    [ReferenceCliFact]
    public void Quantize_CutoffRetrain_ReferencePredictsIdenticallyAndPrecisionHolds()
    {
        string dir = SmallModel("q-retrain", 20);
        // One retraining thread: deterministic, so ours and the reference retrain the same pruned model.
        string[] q = ["-input", TrainingData.TrainSubset(3), "-qnorm", "-cutoff", "15000", "-retrain", "-epoch", "1", "-thread", "1", "-verbose", "0"];
        TrainingHarness.RunReference(["quantize", .. q, "-output", Path.Combine(dir, "ref")]);
        TrainingHarness.RunOurs("quantize", [.. q, "-output", Path.Combine(dir, "ours")]);
        string ftz = Path.Combine(dir, "ours.ftz");
        Assert.Equal(TrainingHarness.ReferencePredictProb(ftz, TrainingData.Test, 2), TrainingHarness.OurPredictProb(ftz, TrainingData.Test, 2));
        double before = TrainingData.PrecisionAt1(FastTextModel.Load(Path.Combine(dir, "ours.bin")));
        double after = TrainingData.PrecisionAt1(FastTextModel.Load(ftz));
        double reference = TrainingData.PrecisionAt1(FastTextModel.Load(Path.Combine(dir, "ref.ftz")));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"P@1 .bin {before:F4}, our .ftz {after:F4}, reference .ftz {reference:F4}"));
        Assert.InRange(after - reference, -0.01, 0.01);
        Assert.InRange(after - before, -0.03, 1.0);
    }

    [Fact]
    public void Quantize_UnsupervisedModel_Refused()
    {
        var args = FastTextArgs.UnsupervisedDefaults(ModelName.Cbow) with { Dim = 4, Bucket = 10, Maxn = 0, Threads = 1, Epoch = 1, MinCount = 1, Verbose = 0 };
        FastTextModel model = FastTextTrainer.Train(args, TrainingData.TrainSubset(8));
        Assert.Throws<InvalidOperationException>(() => FastTextQuantizer.Quantize(model, args, null));
    }

    [Fact]
    public void Quantize_TooFewRows_ThrowsLikeReference()
    {
        var args = FastTextArgs.SupervisedDefaults with { Dim = 2, Bucket = 0, Threads = 1, Epoch = 1, MinCount = 5, Verbose = 0, QuantizeOutput = true };
        FastTextModel model = FastTextTrainer.Train(args, TrainingData.TrainSubset(8));
        // 16 labels: the output matrix cannot get 256 centroids.
        var e = Assert.Throws<FastTextTrainingException>(() => FastTextQuantizer.Quantize(model, args, null));
        Assert.Contains("at least 256 rows", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A model file cut around its prune index: bytes before, the (bucket, index) pairs as a set, bytes after.</summary>
    private static (byte[] Head, HashSet<(int, int)> Prune, byte[] Tail) Split(string path)
    {
        byte[] b = File.ReadAllBytes(path);
        int o = 8 + 56;
        int size = BitConverter.ToInt32(b, o);
        long pruneSize = BitConverter.ToInt64(b, o + 20);
        o += 28;
        for (int i = 0; i < size; i++)
        {
            o = Array.IndexOf(b, (byte)0, o) + 1 + 9;
        }
        var pairs = new HashSet<(int, int)>();
        for (long i = 0; i < pruneSize; i++)
        {
            pairs.Add((BitConverter.ToInt32(b, o + (int)(8 * i)), BitConverter.ToInt32(b, o + (int)(8 * i) + 4)));
        }
        return (b[..o], pairs, b[(o + (int)(8 * pruneSize))..]);
    }
}
