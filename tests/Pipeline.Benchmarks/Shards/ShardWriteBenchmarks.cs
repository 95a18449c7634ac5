using BenchmarkDotNet.Attributes;
using Pipeline.Core.Tests.Packing;
using Pipeline.Core.Packing;
using Pipeline.Formats.Shards;

namespace Pipeline.Benchmarks.Shards;

/// <summary>
/// Shard write throughput: ~20M tokens (rows of 2,048) into a reused MemoryStream. Rows come from best-fit
/// packing of log-normal document lengths (seed 7); token ids are log-uniform in [0, 100,256) (a Zipf-like,
/// exponent ~1 skew), seed 11. One operation writes the whole shard; Mtok/s = tokens (printed as SHARDSTATS) / mean.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
[MedianColumn]
public class ShardWriteBenchmarks : IDisposable
{
    private const int SeqLen = 2048;
    private const int TargetTokens = 20_000_000;
    private static readonly Dictionary<string, string> Metadata = new(StringComparer.Ordinal) { ["tokenizer"] = "cl100k_base" };
    private int[][] _tokens = [];
    private ShardSegment[][] _segments = [];
    private long _tokenCount;
    private MemoryStream _destination = new();

    /// <summary>Builds the rows once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var lengths = PackingTestData.LogNormal(TargetTokens / 880, seed: 7);
        var packed = BestFitPacker.Pack(lengths, SeqLen);
        var rng = new Random(11);
        var logVocab = Math.Log(100_256);
        _tokens = new int[packed.SequenceCount][];
        _segments = new ShardSegment[packed.SequenceCount][];
        for (var s = 0; s < packed.SequenceCount; s++)
        {
            var seq = packed.GetSequence(s);
            var total = 0;
            _segments[s] = new ShardSegment[seq.Length];
            for (var j = 0; j < seq.Length; j++)
            {
                _segments[s][j] = new ShardSegment(seq[j].Document, seq[j].Chunk, seq[j].Length);
                total += seq[j].Length;
            }

            var tokens = new int[total];
            for (var k = 0; k < total; k++)
            {
                tokens[k] = (int)Math.Exp(rng.NextDouble() * logVocab) - 1;
            }

            _tokens[s] = tokens;
            _tokenCount += total;
        }

        _destination = new MemoryStream(capacity: 128 << 20);
        Console.WriteLine($"// SHARDSTATS rows={packed.SequenceCount} tokens={_tokenCount} fill={packed.FillRate:P3}");
    }

    /// <summary>Releases the destination buffer.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _destination.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Writes all rows as one shard (Zstd level 3, row groups of 1,024 rows) and returns its size.</summary>
    [Benchmark]
    public async Task<long> WriteShard()
    {
        _destination.SetLength(0);
        var writer = new TokenShardWriter(_destination, SeqLen, 100_257, 1024, Metadata);
        await using (writer.ConfigureAwait(false))
        {
            for (var i = 0; i < _tokens.Length; i++)
            {
                await writer.AddSequenceAsync(_tokens[i], _segments[i], CancellationToken.None).ConfigureAwait(false);
            }

            var stats = await writer.CompleteAsync(CancellationToken.None).ConfigureAwait(false);
            return stats.Bytes;
        }
    }
}
