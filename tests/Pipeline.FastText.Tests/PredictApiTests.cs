using System.Text;
using Pipeline.FastText.Cli;

namespace Pipeline.FastText.Tests;

/// <summary>The pipeline's predict API: same answers as the CLI path, thread-safe, no allocation per call.</summary>
public sealed class PredictApiTests
{
    private static readonly Lazy<FastTextModel> Softmax = new(() => FastTextModel.Load(TestPaths.Model("sup-char.bin")));

    private static string[] TestLines() =>
        [.. File.ReadAllLines(TestPaths.File("inputs/test.txt")).Take(400).Select(l => string.Join(' ', l.Split(' ').Where(w => !w.StartsWith("__label__", StringComparison.Ordinal))))];

    [Fact]
    public void Predict_Span_MatchesTheCliOutput()
    {
        FastTextModel model = Softmax.Value;
        string[] lines = TestLines();
        byte[] input = Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
        var cli = ReferenceCli.RunOurs(["predict-prob", TestPaths.Model("sup-char.bin"), "-", "2"], input);
        string[] cliLines = Encoding.UTF8.GetString(cli.Stdout).Split('\n');

        var predictions = new Prediction[2];
        for (int i = 0; i < lines.Length; i++)
        {
            int n = model.Predict(lines[i].AsSpan(), 2, 0f, predictions);
            string formatted = string.Join(' ', predictions.Take(n).Select(p => model.Dictionary.GetLabel(p.LabelIndex) + " " + CFormat.General(p.Probability)));
            Assert.Equal(cliLines[i], formatted);
        }
    }

    [Fact]
    public void Predict_AfterWarmUp_AllocatesNothing()
    {
        FastTextModel model = Softmax.Value;
        byte[][] lines = [.. TestLines().Select(Encoding.UTF8.GetBytes)];
        var predictions = new Prediction[5];
        foreach (byte[] line in lines)
        {
            model.Predict(line, 5, 0f, predictions);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        float sum = 0;
        foreach (byte[] line in lines)
        {
            int n = model.Predict(line, 5, 0f, predictions);
            sum += n > 0 ? predictions[0].Probability : 0;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(sum > 0);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void PredictBatch_ManyThreads_SameAsOneByOne()
    {
        FastTextModel model = Softmax.Value;
        string[] lines = TestLines();
        const int K = 3;
        var results = new Prediction[lines.Length * K];
        var counts = new int[lines.Length];
        model.PredictBatch(lines, K, 0f, results, counts, parallelism: 4);

        FastTextPredictor single = model.CreatePredictor();
        var expected = new Prediction[K];
        for (int i = 0; i < lines.Length; i++)
        {
            int n = single.Predict(lines[i].AsSpan(), K, 0f, expected);
            Assert.Equal(n, counts[i]);
            Assert.Equal(expected.AsSpan(0, n).ToArray(), results.AsSpan(i * K, n).ToArray());
        }
    }

    [Fact]
    public void Predict_SharedModelFromManyThreads_SameAnswers()
    {
        FastTextModel model = Softmax.Value;
        string[] lines = TestLines();
        int[] expected = [.. lines.Select(l =>
        {
            var p = new Prediction[1];
            return model.Predict(l.AsSpan(), 1, 0f, p) > 0 ? p[0].LabelIndex : -1;
        })];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            var p = new Prediction[1];
            for (int i = t; i < lines.Length; i += 3)
            {
                int n = model.Predict(lines[i].AsSpan(), 1, 0f, p);
                Assert.Equal(expected[i], n > 0 ? p[0].LabelIndex : -1);
            }
        });
    }

    [Fact]
    public void GetLabelIndex_KnownAndUnknown()
    {
        FastTextModel model = Softmax.Value;
        int math = model.GetLabelIndex("__label__math");
        Assert.True(math >= 0);
        Assert.Equal("__label__math", model.Dictionary.GetLabel(math));
        Assert.Equal(-1, model.GetLabelIndex("__label__nope"));
        Assert.Equal(-1, model.GetLabelIndex("the"));
    }
}
