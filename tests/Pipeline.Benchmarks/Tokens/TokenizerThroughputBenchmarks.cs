using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Pipeline.Core.Jobs;
using Pipeline.Tokens;

namespace Pipeline.Benchmarks.Tokens;

/// <summary>Which tokenizer implementation a benchmark case runs.</summary>
public enum TokenizerKind
{
    /// <summary>Pipeline.Tokens (TokenizerFactory): own splitter and BPE over the same ranks.</summary>
    Pipeline,

    /// <summary>Microsoft.ML.Tokenizers TiktokenTokenizer with the library's shared generated regex.</summary>
    MlShared,

    /// <summary>Microsoft.ML.Tokenizers TiktokenTokenizer with a compiled regex per instance.</summary>
    MlPerInstance,
}

/// <summary>
/// Encode throughput (<c>encode_ordinary</c>) with 1 and 2 worker threads, each with its own tokenizer instance
/// and id buffer; the documents are dealt round-robin to the threads. The MB/s column is UTF-8 input bytes per
/// second of wall time at the median. <see cref="Corpus"/> selects the multilingual golden corpus or the English
/// Brown corpus (see <see cref="TokenizerBenchmarkCorpus"/>).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 7)]
[Config(typeof(Config))]
public class TokenizerThroughputBenchmarks
{
    private ITextTokenizer[] _tokenizers = [];
    private List<int>[] _buffers = [];
    private string[] _docs = [];

    /// <summary>Benchmark text: "golden" (multilingual) or "brown" (English prose).</summary>
    [Params(TokenizerBenchmarkCorpus.Golden, TokenizerBenchmarkCorpus.Brown)]
    public string Corpus { get; set; } = TokenizerBenchmarkCorpus.Golden;

    /// <summary>Encoding name.</summary>
    [Params("cl100k_base", "o200k_base")]
    public string Encoding { get; set; } = "cl100k_base";

    /// <summary>Implementation.</summary>
    [Params(TokenizerKind.Pipeline, TokenizerKind.MlShared, TokenizerKind.MlPerInstance)]
    public TokenizerKind Implementation { get; set; }

    /// <summary>Worker threads.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Loads the corpus and one tokenizer per thread.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _docs = TokenizerBenchmarkCorpus.Documents(Corpus);
        _tokenizers = new ITextTokenizer[Threads];
        _buffers = new List<int>[Threads];
        for (int t = 0; t < Threads; t++)
        {
            // Each worker's tokenizer and id list are allocated on a thread of their own: objects allocated back to
            // back on one thread can share a cache line, and List.Add writes its count on every id (false sharing).
            int index = t;
            var init = new Thread(() =>
            {
                _tokenizers[index] = Implementation switch
                {
                    TokenizerKind.Pipeline => TokenizerFactory.Create(new TokenizerSpec(Encoding), AppContext.BaseDirectory),
                    TokenizerKind.MlShared => new MlTiktokenTextTokenizer(Encoding, MlRegexMode.SharedGenerated),
                    _ => new MlTiktokenTextTokenizer(Encoding, MlRegexMode.PerInstanceCompiled),
                };
                _buffers[index] = new List<int>(1 << 16);
            });
            init.Start();
            init.Join();
        }
    }

    /// <summary>Encodes every document once, spread over <see cref="Threads"/> threads.</summary>
    [Benchmark]
    public long Encode()
    {
        if (Threads == 1)
        {
            return EncodeShare(0, 1);
        }

        long total = 0;
        var threads = new Thread[Threads];
        var counts = new long[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int index = t;
            threads[t] = new Thread(() => counts[index] = EncodeShare(index, Threads));
            threads[t].Start();
        }

        for (int t = 0; t < Threads; t++)
        {
            threads[t].Join();
            total += counts[t];
        }

        return total;
    }

    private long EncodeShare(int thread, int stride)
    {
        ITextTokenizer tokenizer = _tokenizers[thread];
        List<int> ids = _buffers[thread];
        long tokens = 0;
        string[] docs = _docs;
        for (int d = thread; d < docs.Length; d += stride)
        {
            ids.Clear();
            tokenizer.EncodeOrdinary(docs[d], ids);
            tokens += ids.Count;
        }

        return tokens;
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(new MegabytesPerSecondColumn());
        }
    }

    /// <summary>UTF-8 MB of input per second at the median time.</summary>
    private sealed class MegabytesPerSecondColumn : IColumn
    {
        public string Id => nameof(MegabytesPerSecondColumn);

        public string ColumnName => "MB/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "UTF-8 input megabytes (1e6) per second at the median";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            var stats = summary[benchmarkCase]?.ResultStatistics;
            string corpus = benchmarkCase.Parameters[nameof(Corpus)] as string ?? TokenizerBenchmarkCorpus.Golden;
            return stats is null ? "-" : (TokenizerBenchmarkCorpus.Utf8Bytes(corpus) / 1e6 / (stats.Median / 1e9)).ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
