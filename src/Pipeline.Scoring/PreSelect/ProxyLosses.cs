using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Pipeline.Scoring.Corpus;
using Pipeline.Scoring.LanguageModels;

namespace Pipeline.Scoring.PreSelect;

/// <summary>What <c>preselect losses</c> reads and writes.</summary>
/// <param name="Reference">Training text of the models: <c>.txt</c> files (each one document) and/or corpus files or folders.</param>
/// <param name="Target">Held-out "benchmark" text, in the same forms.</param>
/// <param name="Documents">Documents to compute losses for (corpus files or folders).</param>
/// <param name="OutputDirectory">Folder for <c>losses.parquet</c>, <c>benchmarks.json</c> and <c>losses-summary.json</c>.</param>
/// <param name="Orders">Model orders, e.g. 1..6; each becomes model <c>char{k}-kn</c>.</param>
/// <param name="IdField">Id field of corpus files.</param>
/// <param name="TextField">Text field of corpus files.</param>
/// <param name="Parallelism">Threads for scoring (0 = all cores); results do not depend on it.</param>
public sealed record ProxyLossRequest(
    IReadOnlyList<string> Reference,
    IReadOnlyList<string> Target,
    IReadOnlyList<string> Documents,
    string OutputDirectory,
    IReadOnlyList<int> Orders,
    string IdField = "id",
    string TextField = "text",
    int Parallelism = 0);

/// <summary>The result of <see cref="ProxyLosses.RunAsync"/>.</summary>
/// <param name="Benchmarks">The models and their scores (minus target bits per character).</param>
/// <param name="Documents">Documents scored.</param>
/// <param name="Rows">Loss rows written (documents × models).</param>
/// <param name="ReferenceCharacters">Characters the models were trained on.</param>
/// <param name="TargetCharacters">Characters of the target set.</param>
/// <param name="LossesPath">The loss table.</param>
/// <param name="BenchmarksPath">The benchmarks file.</param>
/// <param name="Elapsed">Wall time.</param>
/// <param name="TrainingTime">Time spent counting the reference text.</param>
/// <param name="ScoringTime">Time spent scoring the target and the documents.</param>
public sealed record ProxyLossResult(
    BenchmarkScores Benchmarks,
    int Documents,
    long Rows,
    long ReferenceCharacters,
    long TargetCharacters,
    string LossesPath,
    string BenchmarksPath,
    TimeSpan Elapsed,
    TimeSpan TrainingTime,
    TimeSpan ScoringTime);

/// <summary>
/// A real, GPU-free loss table for PreSelect demonstrations and tests: a family of character n-gram models of
/// increasing order (<see cref="CharNGramFamily"/>) trained on a reference text stands in for the paper's LLM family.
/// Each document's loss under a model is its bits per character; each model's benchmark score is minus its bits per
/// character on a held-out target set (higher is better). A proxy: the models differ only in order, not in data,
/// size or architecture as the paper's do. Output bytes depend only on the inputs.
/// </summary>
public static class ProxyLosses
{
    /// <summary>Name of the loss table in the output folder.</summary>
    public const string LossesFile = "losses.parquet";

    /// <summary>Name of the benchmarks file in the output folder.</summary>
    public const string BenchmarksFile = "benchmarks.json";

    /// <summary>Name of the summary in the output folder.</summary>
    public const string SummaryFile = "losses-summary.json";

    /// <summary>The model name of an order, e.g. <c>char3-kn</c>.</summary>
    public static string ModelName(int order) => string.Create(CultureInfo.InvariantCulture, $"char{order}-kn");

    /// <summary>Parses <c>1,2,3</c> or <c>1-6</c> into distinct ascending orders.</summary>
    /// <exception cref="ArgumentException">Not a list of orders between 1 and <see cref="CharNGramFamily.MaxSupportedOrder"/>, or fewer than 2.</exception>
    public static IReadOnlyList<int> ParseOrders(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var orders = new SortedSet<int>();
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int dash = part.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && int.TryParse(part[..dash], CultureInfo.InvariantCulture, out int lo) && int.TryParse(part[(dash + 1)..], CultureInfo.InvariantCulture, out int hi) && lo <= hi)
            {
                for (int k = lo; k <= hi; k++) orders.Add(k);
            }
            else if (int.TryParse(part, CultureInfo.InvariantCulture, out int k))
            {
                orders.Add(k);
            }
            else
            {
                throw new ArgumentException($"'{part}' is not an order or a range like 1-6", nameof(value));
            }
        }
        if (orders.Count < 2 || orders.Min < 1 || orders.Max > CharNGramFamily.MaxSupportedOrder)
        {
            throw new ArgumentException($"orders must be at least 2 values between 1 and {CharNGramFamily.MaxSupportedOrder}, not '{value}'", nameof(value));
        }
        return [.. orders];
    }

    /// <summary>Computes the loss table and benchmarks and writes them (temporary names, renamed when complete).</summary>
    /// <exception cref="PreSelectInputException">An input document is unreadable, has no id, or ids repeat.</exception>
    public static async Task<ProxyLossResult> RunAsync(ProxyLossRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Orders.Count < 2) throw new ArgumentException("at least 2 orders are needed", nameof(request));
        var clock = Stopwatch.StartNew();
        var reference = await ReadTextsAsync(request.Reference, request, ct).ConfigureAwait(false);
        var target = await ReadTextsAsync(request.Target, request, ct).ConfigureAwait(false);
        var documents = await CorpusFiles.ReadAllAsync(CorpusFiles.Resolve(request.Documents), request.IdField, request.TextField, ct).ConfigureAwait(false);
        var ids = new Dictionary<string, string>(documents.Count, StringComparer.Ordinal);
        foreach (var d in documents)
        {
            if (!ids.TryAdd(d.Id, d.Location))
            {
                throw new PreSelectInputException($"{d.Location}: document id '{d.Id}' appears twice (first at {ids[d.Id]})");
            }
        }

        int maxOrder = request.Orders.Max();
        var trainingStart = clock.Elapsed;
        var family = CharNGramFamily.Train(reference, maxOrder);
        var trainingTime = clock.Elapsed - trainingStart;
        int parallelism = request.Parallelism > 0 ? request.Parallelism : Environment.ProcessorCount;

        var targetBits = Score(family, target, parallelism, ct, out var targetChars);
        var docBits = Score(family, documents.ConvertAll(d => d.Text), parallelism, ct, out var docChars);
        var scoringTime = clock.Elapsed - trainingStart - trainingTime;

        // Sums in a fixed order, so the benchmark does not depend on thread timing.
        long totalTargetChars = 0;
        var totals = new double[maxOrder];
        for (int t = 0; t < target.Count; t++)
        {
            totalTargetChars += targetChars[t];
            for (int k = 0; k < maxOrder; k++) totals[k] += targetBits[(t * maxOrder) + k];
        }
        if (totalTargetChars == 0) throw new PreSelectInputException("the target set holds no character");
        var benchmarks = new BenchmarkScores(
            request.Orders.Select(k => new KeyValuePair<string, double>(ModelName(k), -totals[k - 1] / totalTargetChars)).ToList(), "target");

        var rows = new List<LossRow>(documents.Count * request.Orders.Count);
        for (int d = 0; d < documents.Count; d++)
        {
            foreach (int k in request.Orders)
            {
                rows.Add(new LossRow { DocId = documents[d].Id, Model = ModelName(k), Loss = docBits[(d * maxOrder) + k - 1] / docChars[d] });
            }
        }

        Directory.CreateDirectory(request.OutputDirectory);
        string lossesPath = Path.Combine(request.OutputDirectory, LossesFile);
        string benchmarksPath = Path.Combine(request.OutputDirectory, BenchmarksFile);
        await PreSelectLabelRun.AtomicWriteAsync(lossesPath, stream => Formats.Work.ParquetTables.WriteAsync(rows, stream, ct)).ConfigureAwait(false);
        await PreSelectLabelRun.AtomicWriteAsync(benchmarksPath, stream => benchmarks.WriteAsync(stream, ct)).ConfigureAwait(false);
        clock.Stop();
        var result = new ProxyLossResult(benchmarks, documents.Count, rows.Count, family.TrainingCharacters, totalTargetChars, lossesPath, benchmarksPath, clock.Elapsed, trainingTime, scoringTime);
        await PreSelectLabelRun.AtomicWriteAsync(Path.Combine(request.OutputDirectory, SummaryFile), stream => WriteSummaryAsync(result, family, request, stream, ct)).ConfigureAwait(false);
        return result;
    }

    /// <summary>Bits of every text under every order (text-major), and each text's characters; independent of <paramref name="parallelism"/>.</summary>
    internal static double[] Score(CharNGramFamily family, IReadOnlyList<string> texts, int parallelism, CancellationToken ct, out long[] characters)
    {
        int k = family.MaxOrder;
        var bits = new double[texts.Count * k];
        var chars = new long[texts.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct };
        Parallel.For(0, texts.Count, options, i => chars[i] = family.AccumulateBits(texts[i], bits.AsSpan(i * k, k)));
        characters = chars;
        return bits;
    }

    private static async Task<List<string>> ReadTextsAsync(IReadOnlyList<string> paths, ProxyLossRequest request, CancellationToken ct)
    {
        var texts = new List<string>();
        var corpus = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path) && path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
            {
                texts.Add(await File.ReadAllTextAsync(path, ct).ConfigureAwait(false));
            }
            else
            {
                corpus.Add(path);
            }
        }
        if (corpus.Count > 0)
        {
            await foreach (var doc in CorpusFiles.ReadAsync(CorpusFiles.Resolve(corpus), request.IdField, request.TextField, ct).ConfigureAwait(false))
            {
                texts.Add(doc.Text);
            }
        }
        return texts;
    }

    private static async Task WriteSummaryAsync(ProxyLossResult result, CharNGramFamily family, ProxyLossRequest request, Stream stream, CancellationToken ct)
    {
        var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteString("proxy", "character n-gram language models (interpolated Kneser-Ney) standing in for PreSelect's LLM family; see docs/preselect.md");
            writer.WriteNumber("reference_characters", result.ReferenceCharacters);
            writer.WriteNumber("alphabet", family.AlphabetSize);
            writer.WriteNumber("target_characters", result.TargetCharacters);
            writer.WriteNumber("documents", result.Documents);
            writer.WriteNumber("rows", result.Rows);
            writer.WriteStartArray("models");
            for (int i = 0; i < request.Orders.Count; i++)
            {
                int k = request.Orders[i];
                writer.WriteStartObject();
                writer.WriteString("name", ModelName(k));
                writer.WriteNumber("order", k);
                writer.WriteNumber("distinct_ngrams", family.DistinctNGrams(k));
                writer.WriteNumber("discount", family.Discount(k));
                writer.WriteNumber("target_bits_per_char", -result.Benchmarks.Scores[i]);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
    }
}
