using System.Text;
using BenchmarkDotNet.Attributes;
using Pipeline.FastText;
using Pipeline.Storage.Tests.Azure;

namespace Pipeline.Benchmarks.FastText;

/// <summary>
/// In-process predict throughput of the managed fastText on one thread, model load excluded: the committed golden
/// models (tests/data/fasttext/models) over the held-out test lines (2,646 lines, 0.68 MB, labels stripped).
/// OperationsPerInvoke = the line count, so the reported time is per line. The side-by-side comparison with the
/// reference CLI on a 2M-bucket model is scripts/bench-fasttext-predict.sh (docs/benchmarks.md).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8)]
[MemoryDiagnoser]
[MedianColumn]
public class FastTextPredictBenchmarks
{
    private const int Lines = 2646;
    private FastTextPredictor _predictor = null!;
    private byte[][] _lines = [];
    private readonly Prediction[] _top = new Prediction[5];

    /// <summary>The committed model to load.</summary>
    [Params("sup-softmax.bin", "sup-char.bin", "sup-hs.bin", "sup-quant.ftz")]
    public string Model { get; set; } = "sup-softmax.bin";

    /// <summary>Loads the model and the lines.</summary>
    [GlobalSetup]
    public void Setup()
    {
        string data = Path.Combine(AzuriteServer.RepoRoot, "tests", "data", "fasttext");
        _predictor = FastTextModel.Load(Path.Combine(data, "models", Model)).CreatePredictor();
        _lines = [.. File.ReadLines(Path.Combine(data, "inputs", "test.txt"))
            .Select(l => string.Join(' ', l.Split(' ').Where(w => !w.StartsWith("__label__", StringComparison.Ordinal))))
            .Select(Encoding.UTF8.GetBytes)];
        if (_lines.Length != Lines)
        {
            throw new InvalidOperationException($"expected {Lines} test lines, found {_lines.Length}");
        }
    }

    /// <summary>Top-2 predictions for every line.</summary>
    [Benchmark(OperationsPerInvoke = Lines)]
    public float PredictTop2()
    {
        float sum = 0;
        foreach (byte[] line in _lines)
        {
            int n = _predictor.Predict(line, 2, 0f, _top);
            sum += n > 0 ? _top[0].LogProbability : 0;
        }
        return sum;
    }
}
