using Pipeline.Core.Packing;

namespace Pipeline.Core.Tests.Packing;

public sealed class BestFitPackerTests
{
    private static int[][] SequenceLengths(PackResult r)
    {
        var rows = new int[r.SequenceCount][];
        for (var i = 0; i < r.SequenceCount; i++)
        {
            var seq = r.GetSequence(i);
            rows[i] = new int[seq.Length];
            for (var j = 0; j < seq.Length; j++)
            {
                rows[i][j] = seq[j].Length;
            }
        }

        return rows;
    }

    [Fact]
    public void Pack_PaperFigure1_GivesFourSequencesAndSplitsOnlyLongDocument()
    {
        // Ding et al. 2024, Fig. 1: L = 8, documents 14, 7, 5, 2, 3.
        var r = BestFitPacker.Pack([14, 7, 5, 2, 3], 8);

        Assert.Equal(4, r.SequenceCount);
        var rows = SequenceLengths(r);
        Assert.Equal([8], rows[0]);
        Assert.Equal([7], rows[1]);
        Assert.Equal([6, 2], rows[2]);
        Assert.Equal([5, 3], rows[3]);
        Assert.Equal(1, r.DocumentsSplit);
        Assert.Equal(31, r.Tokens);
        Assert.Equal(new PackedSegment(0, 0, 0, 8), r.GetSequence(0)[0]);
        Assert.Equal(new PackedSegment(0, 1, 8, 6), r.GetSequence(2)[0]);
        Assert.Equal(new PackedSegment(3, 0, 0, 2), r.GetSequence(2)[1]);
        Assert.Equal(new PackedSegment(4, 0, 0, 3), r.GetSequence(3)[1]);
        Assert.Equal(31d / 32d, r.FillRate, 12);
        Assert.Equal(1L, r.PadTokens);
    }

    [Fact]
    public void Pack_TrlSplitVector_GivesExpectedMultisetOfSequences()
    {
        // TRL pack_dataset docstring, bfd_split mode: lengths 5, 2, 3, 1 at L = 4 -> [4], [3,1], [2,1].
        var r = BestFitPacker.Pack([5, 2, 3, 1], 4);

        var got = SequenceLengths(r).Select(s => string.Join(',', s.Order())).Order(StringComparer.Ordinal).ToArray();
        string[] expected = ["1,2", "1,3", "4"];
        Assert.Equal(expected, got);
        Assert.Equal(1, r.DocumentsSplit);
    }

    [Fact]
    public void Pack_EmptyInput_GivesNoSequences()
    {
        var r = BestFitPacker.Pack([], 16);

        Assert.Equal(0, r.SequenceCount);
        Assert.Empty(r.Segments);
        Assert.Equal([0], r.SequenceStarts);
        Assert.Equal(0d, r.FillRate);
    }

    [Fact]
    public void Pack_DocumentOfManyChunks_CutsIntoFullChunksPlusRemainder()
    {
        var r = BestFitPacker.Pack([1000, 3], 64);

        // 1000 = 15 x 64 + 40; the 3-token doc joins the 40-token remainder.
        Assert.Equal(16, r.SequenceCount);
        Assert.Equal(1, r.DocumentsSplit);
        for (var i = 0; i < 15; i++)
        {
            Assert.Equal(new PackedSegment(0, i, i * 64, 64), Assert.Single(r.GetSequence(i).ToArray()));
        }

        Assert.Equal([new PackedSegment(0, 15, 960, 40), new PackedSegment(1, 0, 0, 3)], r.GetSequence(15).ToArray());
    }

    [Fact]
    public void Pack_ExactMultipleOfSeqLen_HasNoRemainderChunk()
    {
        var r = BestFitPacker.Pack([12], 4);

        Assert.Equal(3, r.SequenceCount);
        Assert.Equal(1d, r.FillRate);
        Assert.Equal(2, r.GetSequence(2)[0].Chunk);
    }

    [Fact]
    public void Pack_NonPositiveLength_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BestFitPacker.Pack([3, 0], 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => BestFitPacker.Pack([3], 0));
    }

    [Fact]
    public void Pack_IntMaxLengthDocument_CutsIntoFullChunksPlusRemainder()
    {
        var r = BestFitPacker.Pack([int.MaxValue, 1], 1 << 20);

        Assert.Equal(2048, r.SequenceCount);
        Assert.Equal((long)int.MaxValue + 1, r.Tokens);
        PackingInvariants.AssertValid(r, [int.MaxValue, 1]);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 7)]
    [InlineData(3, 64)]
    [InlineData(4, 100)]
    [InlineData(5, 2048)]
    public void Pack_RandomInputs_PreserveTokensAndRespectCapacity(int seed, int seqLen)
    {
        var rng = new Random(seed);
        for (var round = 0; round < 40; round++)
        {
            var count = rng.Next(0, 600);
            var max = rng.Next(1, seqLen * 3 + 1);
            var lengths = PackingTestData.Uniform(count, max, (seed * 1000) + round);

            var r = BestFitPacker.Pack(lengths, seqLen);

            PackingInvariants.AssertValid(r, lengths);
            var total = lengths.Sum(x => (long)x);
            Assert.True(r.SequenceCount >= (total + seqLen - 1) / seqLen);
            Assert.Equal(lengths.Count(x => x > seqLen), r.DocumentsSplit);
        }
    }

    [Fact]
    public void Pack_RandomInputs_MatchesNaiveBestFitDecreasing()
    {
        // Cross-check the O(N log L) tree against a direct O(N·B) best-fit-decreasing with the same tie rules.
        for (var seed = 0; seed < 30; seed++)
        {
            var seqLen = 1 + (seed * 37 % 200);
            var lengths = PackingTestData.Uniform(300, seqLen * 2, seed);

            var r = BestFitPacker.Pack(lengths, seqLen);
            var naive = NaiveBestFitDecreasing(lengths, seqLen);

            Assert.Equal(naive.Length, r.SequenceCount);
            for (var i = 0; i < naive.Length; i++)
            {
                Assert.Equal(naive[i], r.GetSequence(i).ToArray());
            }
        }
    }

    [Fact]
    public void Pack_LogNormalAt4096_FillsAtLeast99Percent()
    {
        // 200,000 documents, log-normal(mu = 6.2, sigma = 1.1) tokens: median ~490, mean ~900, heavy tail.
        var lengths = PackingTestData.LogNormal(200_000, seed: 20240415);

        var r = BestFitPacker.Pack(lengths, 4096);
        var concat = ConcatPacker.Pack(lengths, 4096);

        PackingInvariants.AssertValid(r, lengths);
        Assert.True(r.FillRate >= 0.99, $"fill {r.FillRate:P3}");
        // Only necessary truncations: exactly the documents longer than L are split (concat splits ~8x more here).
        Assert.Equal(lengths.Count(x => x > 4096), r.DocumentsSplit);
        Assert.True(r.DocumentsSplit < concat.DocumentsSplit, $"bfd split {r.DocumentsSplit}, concat split {concat.DocumentsSplit}");
    }

    [Fact]
    public void Pack_SameInputTwice_IdenticalResult()
    {
        var lengths = PackingTestData.LogNormal(50_000, seed: 7);

        var a = BestFitPacker.Pack(lengths, 2048);
        var b = BestFitPacker.Pack(lengths, 2048);

        Assert.Equal(a.SequenceStarts, b.SequenceStarts);
        Assert.Equal(a.Segments, b.Segments);
    }

    /// <summary>Plain BFD: visit chunks longest first (ties in input order), choose the open bin with the least room that fits, oldest first.</summary>
    private static PackedSegment[][] NaiveBestFitDecreasing(int[] lengths, int seqLen)
    {
        var chunks = new List<PackedSegment>();
        for (var d = 0; d < lengths.Length; d++)
        {
            for (int k = 0, off = 0; off < lengths[d]; k++, off += seqLen)
            {
                chunks.Add(new PackedSegment(d, k, off, Math.Min(seqLen, lengths[d] - off)));
            }
        }

        var ordered = chunks.Select((c, i) => (c, i)).OrderByDescending(x => x.c.Length).ThenBy(x => x.i).Select(x => x.c);
        var bins = new List<List<PackedSegment>>();
        var free = new List<int>();
        var freeSince = new List<long>();
        long clock = 0;
        foreach (var c in ordered)
        {
            var best = -1;
            for (var b = 0; b < bins.Count; b++)
            {
                if (free[b] >= c.Length && (best < 0 || free[b] < free[best] || (free[b] == free[best] && freeSince[b] < freeSince[best])))
                {
                    best = b;
                }
            }

            if (best < 0)
            {
                bins.Add([]);
                free.Add(seqLen);
                freeSince.Add(0);
                best = bins.Count - 1;
            }

            bins[best].Add(c);
            free[best] -= c.Length;
            freeSince[best] = ++clock;
        }

        return bins.Select(b => b.ToArray()).ToArray();
    }
}
