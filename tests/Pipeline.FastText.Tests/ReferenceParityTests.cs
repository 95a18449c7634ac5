namespace Pipeline.FastText.Tests;

/// <summary>
/// Live comparisons with the reference fastText 0.9.2 CLI (installed by .ci/run): the committed golden outputs are
/// still what the installed reference prints, and on a model trained here and now by the reference (not a committed
/// fixture) our predictions are identical too.
/// </summary>
public sealed class ReferenceParityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ft-parity-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> CommittedModels() =>
        ["sup-softmax.bin", "sup-hs.bin", "sup-ova.bin", "sup-ns.bin", "sup-char.bin", "sup-quant.ftz", "sup-quant-qout.ftz", "unsup-skipgram.bin", "unsup-cbow.bin"];

    [Theory]
    [MemberData(nameof(CommittedModels))]
    public void LoadSave_CommittedModel_SameBytes(string model)
    {
        string path = TestPaths.Model(model);
        byte[] original = File.ReadAllBytes(path);
        var saved = new MemoryStream();
        FastTextModel.Load(path).Save(saved);
        GoldenCliTests.AssertSameBytes(original, saved.ToArray(), model);
    }

    [ReferenceCliTheory]
    [InlineData("sup-softmax.bin", "5")]
    [InlineData("sup-hs.bin", "-1")]
    [InlineData("sup-ova.bin", "2")]
    [InlineData("sup-quant.ftz", "5")]
    [InlineData("sup-quant-qout.ftz", "2")]
    public void PredictProb_InstalledReference_SameAsOurs(string model, string k)
    {
        string[] args = ["predict-prob", TestPaths.Model(model), TestPaths.File("inputs/predict.txt"), k];
        var reference = ReferenceCli.Run(args);
        var ours = ReferenceCli.RunOurs(args);
        Assert.Equal(0, reference.Exit);
        Assert.Equal(0, ours.Exit);
        Assert.True(reference.Stdout.Length > 10_000);
        GoldenCliTests.AssertSameBytes(reference.Stdout, ours.Stdout, model);
    }

    [ReferenceCliFact]
    public void FreshReferenceModels_AllLossesAndQuantized_SamePredictionsAndTestMetrics()
    {
        string train = TestPaths.File("inputs/test.txt");
        string input = TestPaths.File("inputs/predict.txt");
        var models = new List<string>();
        foreach (string loss in new[] { "softmax", "hs", "ova" })
        {
            string output = Path.Combine(_dir, loss);
            var trained = ReferenceCli.Run(["supervised", "-input", train, "-output", output, "-loss", loss, "-dim", "8",
                "-epoch", "3", "-lr", "0.3", "-wordNgrams", "3", "-minn", "3", "-maxn", "5", "-bucket", "3000", "-thread", "1", "-seed", "7"]);
            Assert.True(trained.Exit == 0, trained.Stderr);
            models.Add(output + ".bin");
        }
        var quantized = ReferenceCli.Run(["quantize", "-input", train, "-output", Path.Combine(_dir, "softmax"), "-qnorm", "-cutoff", "2000", "-dsub", "4"]);
        Assert.True(quantized.Exit == 0, quantized.Stderr);
        models.Add(Path.Combine(_dir, "softmax.ftz"));

        foreach (string model in models)
        {
            foreach (string[] args in new[]
            {
                new[] { "predict-prob", model, input, "3" },
                new[] { "predict", model, input, "-1", "0.05" },
                new[] { "test", model, train, "2" },
                new[] { "print-sentence-vectors", model },
            })
            {
                byte[]? stdin = args[0] == "print-sentence-vectors" ? File.ReadAllBytes(TestPaths.File("inputs/sentences.txt")) : null;
                var reference = ReferenceCli.Run(args, stdin);
                var ours = ReferenceCli.RunOurs(args, stdin);
                Assert.Equal(reference.Exit, ours.Exit);
                GoldenCliTests.AssertSameBytes(reference.Stdout, ours.Stdout, $"{Path.GetFileName(model)} {args[0]}");
            }
        }
    }
}
