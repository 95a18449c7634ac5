using System.Text;
using Pipeline.FastText.Cli;
using Pipeline.FastText.Training;

namespace Pipeline.FastText.Tests.Training;

/// <summary>Runs our training commands and the reference CLI on the same arguments.</summary>
internal static class TrainingHarness
{
    /// <summary>Runs one of our training commands in process; fails the test on a non-zero exit.</summary>
    public static string RunOurs(string command, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = TrainingCommands.Run(command, args, stdout, stderr);
        Assert.True(exit == 0, $"ours {command} {string.Join(' ', args)} exited {exit}: {stderr}");
        return stderr.ToString();
    }

    /// <summary>Runs the reference CLI; fails the test on a non-zero exit.</summary>
    public static string RunReference(params string[] args)
    {
        (int exit, byte[] _, string stderr) = ReferenceCli.Run(args);
        Assert.True(exit == 0, $"fasttext {string.Join(' ', args)} exited {exit}: {stderr}");
        return stderr;
    }

    /// <summary><c>predict-prob MODEL test.txt k</c> printed by the reference CLI.</summary>
    public static string ReferencePredictProb(string model, string input, int k)
    {
        (int exit, byte[] stdout, string stderr) = ReferenceCli.Run(["predict-prob", model, input, k.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.True(exit == 0, stderr);
        return Encoding.UTF8.GetString(stdout);
    }

    /// <summary><c>predict-prob MODEL test.txt k</c> printed by our CLI (our loader and predictor).</summary>
    public static string OurPredictProb(string model, string input, int k)
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        int exit = FastTextCommandLine.Run(["predict-prob", model, input, k.ToString(System.Globalization.CultureInfo.InvariantCulture)], new MemoryStream(), stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        return Encoding.UTF8.GetString(stdout.ToArray());
    }
}

/// <summary>Training tests share the two cores; run them one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TrainingTestGroup
{
    public const string Name = "fastText training";
}
