using Pipeline.Core.Packing;
using Pipeline.Formats.Shards;

namespace Pipeline.Formats.Tests.Shards;

/// <summary>One packed sequence as the writer receives it.</summary>
internal sealed record TestSequence(int[] Tokens, ShardSegment[] Segments);

/// <summary>Seeded packed sequences: best-fit packing of random document lengths, tokens derived from (doc, position).</summary>
internal static class ShardTestData
{
    public const int Vocab = 100_256;

    /// <summary>Token id at <paramref name="position"/> of document <paramref name="docId"/>: a fixed mix, below <see cref="Vocab"/>.</summary>
    public static int TokenAt(long docId, int position)
    {
        var x = (ulong)docId * 0x9E3779B97F4A7C15UL ^ (ulong)position * 0xBF58476D1CE4E5B9UL;
        x ^= x >> 31;
        x *= 0x94D049BB133111EBUL;
        x ^= x >> 29;
        return (int)(x % Vocab);
    }

    /// <summary>Packs <paramref name="documents"/> seeded random documents (uniform 1..3·seqLen tokens) with best fit.</summary>
    public static List<TestSequence> Packed(int documents, int seqLen, int seed)
    {
        var rng = new Random(seed);
        var lengths = new int[documents];
        var docIds = new long[documents];
        for (var i = 0; i < documents; i++)
        {
            lengths[i] = rng.Next(1, (3 * seqLen) + 1);
            docIds[i] = rng.NextInt64();
        }

        var packed = BestFitPacker.Pack(lengths, seqLen);
        var result = new List<TestSequence>(packed.SequenceCount);
        for (var s = 0; s < packed.SequenceCount; s++)
        {
            var seq = packed.GetSequence(s);
            var segments = new ShardSegment[seq.Length];
            var total = 0;
            for (var j = 0; j < seq.Length; j++)
            {
                total += seq[j].Length;
            }

            var tokens = new int[total];
            var at = 0;
            for (var j = 0; j < seq.Length; j++)
            {
                var p = seq[j];
                var docId = docIds[p.Document];
                segments[j] = new ShardSegment(docId, p.Chunk, p.Length);
                for (var k = 0; k < p.Length; k++)
                {
                    tokens[at++] = TokenAt(docId, p.Offset + k);
                }
            }

            result.Add(new TestSequence(tokens, segments));
        }

        return result;
    }

    public static async Task<ShardStats> WriteAsync(Stream destination, IReadOnlyList<TestSequence> sequences, int seqLen, int padId, int rowGroupRows, IReadOnlyDictionary<string, string> metadata)
    {
        var writer = new TokenShardWriter(destination, seqLen, padId, rowGroupRows, metadata);
        await using (writer)
        {
            foreach (var s in sequences)
            {
                await writer.AddSequenceAsync(s.Tokens, s.Segments, CancellationToken.None);
            }

            return await writer.CompleteAsync(CancellationToken.None);
        }
    }
}
