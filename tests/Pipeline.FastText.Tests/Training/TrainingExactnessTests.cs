using Pipeline.FastText.Training;

namespace Pipeline.FastText.Tests.Training;

/// <summary>What training reproduces bit for bit: the dictionary (order of ties included), the seeded initialisation, the .vec text.</summary>
[Collection(TrainingTestGroup.Name)]
public sealed class TrainingExactnessTests
{
    [ReferenceCliTheory]
    [InlineData("supervised", "2", "0")]
    [InlineData("supervised", "1", "7")]
    [InlineData("cbow", "3", "0")]
    public void Train_ZeroEpochs_ModelAndVecBytesIdenticalToReference(string command, string threads, string seed)
    {
        string dir = TrainingData.NewTempDir("zero");
        string input = command == "supervised" ? TrainingData.Train : TrainingData.Plain;
        string[] common = ["-input", input, "-epoch", "0", "-dim", "8", "-bucket", "5000", "-wordNgrams", "2", "-thread", threads, "-seed", seed, "-minn", "2", "-maxn", "3", "-verbose", "0"];
        TrainingHarness.RunReference([command, .. common, "-output", Path.Combine(dir, "ref")]);
        TrainingHarness.RunOurs(command, [.. common, "-output", Path.Combine(dir, "ours")]);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "ref.bin")), File.ReadAllBytes(Path.Combine(dir, "ours.bin")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "ref.vec")), File.ReadAllBytes(Path.Combine(dir, "ours.vec")));
    }

    [ReferenceCliFact]
    public void Train_ZeroEpochsWithPretrainedVectors_ModelBytesIdenticalToReference()
    {
        string dir = TrainingData.NewTempDir("pretrained");
        string vec = Path.Combine(dir, "pre.vec");
        // Vectors for a few frequent words plus one word the training data lacks (it joins the dictionary).
        File.WriteAllText(vec, "3 4\nthe 0.5 -0.25 1e-05 3\nof 1 2 3 4\nzzzunseen -1 -2 -3 -4\n");
        string[] common = ["-input", TrainingData.TrainSubset(8), "-epoch", "0", "-dim", "4", "-bucket", "100", "-wordNgrams", "2", "-thread", "2", "-verbose", "0", "-pretrainedVectors", vec];
        TrainingHarness.RunReference(["supervised", .. common, "-output", Path.Combine(dir, "ref")]);
        TrainingHarness.RunOurs("supervised", [.. common, "-output", Path.Combine(dir, "ours")]);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "ref.bin")), File.ReadAllBytes(Path.Combine(dir, "ours.bin")));
        FastTextModel model = FastTextModel.Load(Path.Combine(dir, "ours.bin"));
        Assert.Equal([1f, 2f, 3f, 4f], model.GetWordVector("of"));
        Assert.True(model.Dictionary.GetId("zzzunseen") >= 0);
    }

    [Fact]
    public void UniformInit_FewerThreadsThanBlocks_LeavesReferenceZeroTail()
    {
        var data = new float[1000];
        FastTextTrainer.UniformInit(data, 0.1f, threads: 2, seed: 0);
        Assert.All(data.AsSpan(0, 200).ToArray(), v => Assert.InRange(v, -0.1f, 0.1f));
        Assert.Equal(200, data.Count(v => v != 0));
        // First draw of minstd_rand(0): generate_canonical over 48271 and 182605794.
        double canonical = (48270.0 + (182605793.0 * 2147483646.0)) / (2147483646.0 * 2147483646.0);
        Assert.Equal((float)((canonical * 0.2f) - 0.1f), data[0]);
    }
}
