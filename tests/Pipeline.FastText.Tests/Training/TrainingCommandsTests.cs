using Pipeline.FastText.Cli;
using Pipeline.FastText.Training;

namespace Pipeline.FastText.Tests.Training;

/// <summary>The training CLI: flags, defaults, usage messages and output files, against the reference CLI.</summary>
[Collection(TrainingTestGroup.Name)]
public sealed class TrainingCommandsTests
{
    private static (int Exit, string Stderr) Ours(string command, params string[] args)
    {
        var stderr = new StringWriter();
        int exit = TrainingCommands.Run(command, args, new StringWriter(), stderr);
        return (exit, stderr.ToString());
    }

    [ReferenceCliTheory]
    [InlineData("supervised")]
    [InlineData("skipgram")]
    [InlineData("cbow")]
    [InlineData("supervised", "-input", "x", "-output", "y", "-foo", "1")]
    [InlineData("supervised", "-input", "x", "-output", "y", "-dim")]
    [InlineData("cbow", "-input", "x", "-output", "y", "-loss", "bad")]
    [InlineData("supervised", "-minCount", "3", "-lr", "0.25", "-saveOutput", "-loss", "hs", "-t", "0.001")]
    [InlineData("supervised", "input")]
    [InlineData("quantize")]
    [InlineData("skipgram", "-h")]
    public void Run_BadUsage_ExitsOneWithReferenceMessage(string command, params string[] args)
    {
        (int refExit, byte[] _, string refStderr) = ReferenceCli.Run([command, .. args]);
        (int exit, string stderr) = Ours(command, args);
        Assert.Equal(1, refExit);
        Assert.Equal(1, exit);
        Assert.Equal(refStderr, stderr);
    }

    [Fact]
    public void Run_SupervisedDefaults_AppliesReferenceOverridesAndBucketRule()
    {
        string dir = TrainingData.NewTempDir("cli-defaults");
        string model = Path.Combine(dir, "m");
        (int exit, string stderr) = Ours("supervised", "-input", TrainingData.TrainSubset(8), "-output", model, "-epoch", "1", "-dim", "5", "-thread", "1");
        Assert.True(exit == 0, stderr);
        Assert.Contains("Number of labels: ", stderr, StringComparison.Ordinal);
        Assert.Contains("Progress: 100.0%", stderr, StringComparison.Ordinal);
        FastTextModel m = FastTextModel.Load(model + ".bin");
        Assert.Equal(ModelName.Supervised, m.Args.Model);
        Assert.Equal(LossName.Softmax, m.Args.Loss);
        Assert.Equal(0, m.Args.Bucket); // wordNgrams 1 and maxn 0: no buckets.
        Assert.Equal(1, m.Args.MinCount);
        Assert.Equal(0, m.Args.Maxn);
        Assert.True(File.Exists(model + ".vec"));
        Assert.StartsWith($"{m.Dictionary.NWords} 5\n", File.ReadAllText(model + ".vec"), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_SaveOutput_WritesOutputRowsPerLabel()
    {
        string dir = TrainingData.NewTempDir("cli-saveoutput");
        string model = Path.Combine(dir, "m");
        (int exit, string stderr) = Ours("supervised", "-input", TrainingData.TrainSubset(8), "-output", model, "-epoch", "1", "-dim", "3", "-thread", "1", "-saveOutput", "-verbose", "0");
        Assert.True(exit == 0, stderr);
        string[] lines = File.ReadAllLines(model + ".output");
        FastTextModel m = FastTextModel.Load(model + ".bin");
        Assert.Equal($"{m.Dictionary.NLabels} 3", lines[0]);
        Assert.StartsWith(m.Dictionary.GetLabel(0) + " ", lines[1], StringComparison.Ordinal);
        Assert.Equal(m.Dictionary.NLabels + 1, lines.Length);
    }

    [Fact]
    public void Run_MissingInputFile_ExitsOne()
    {
        string dir = TrainingData.NewTempDir("cli-missing");
        (int exit, string stderr) = Ours("supervised", "-input", Path.Combine(dir, "nope.txt"), "-output", Path.Combine(dir, "m"));
        Assert.Equal(1, exit);
        Assert.Contains("nope.txt", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatG_Precision5_PrintsLikeCStreams()
    {
        Assert.Equal("1e-05", CFormat.General(1e-5f, 5));
        Assert.Equal("-0.0089843", CFormat.General(-0.0089843f, 5));
        Assert.Equal("0.58234", CFormat.General(0.582341f, 5));
        Assert.Equal("-0", CFormat.General(-0.0f, 5));
        Assert.Equal("1.2346e+10", CFormat.General(12345678901.0, 5));
        Assert.Equal("0.0001", CFormat.General(1e-4, 6));
    }
}
