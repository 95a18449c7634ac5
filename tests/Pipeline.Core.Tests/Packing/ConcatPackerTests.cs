using Pipeline.Core.Packing;

namespace Pipeline.Core.Tests.Packing;

public sealed class ConcatPackerTests
{
    [Fact]
    public void Pack_PaperFigure1_GivesFourSequencesAndTruncatesThreeDocuments()
    {
        var r = ConcatPacker.Pack([14, 7, 5, 2, 3], 8);

        Assert.Equal(4, r.SequenceCount);
        Assert.Equal(3, r.DocumentsSplit);
        Assert.Equal([new PackedSegment(0, 1, 8, 6), new PackedSegment(1, 0, 0, 2)], r.GetSequence(1).ToArray());
        Assert.Equal(
            [new PackedSegment(2, 1, 3, 2), new PackedSegment(3, 0, 0, 2), new PackedSegment(4, 0, 0, 3)],
            r.GetSequence(3).ToArray());
        PackingInvariants.AssertValid(r, [14, 7, 5, 2, 3]);
    }

    [Theory]
    [InlineData(11, 1)]
    [InlineData(12, 5)]
    [InlineData(13, 512)]
    public void Pack_RandomInputs_FillsEveryWindowButTheLast(int seed, int seqLen)
    {
        var lengths = PackingTestData.Uniform(2000, seqLen * 3, seed);

        var r = ConcatPacker.Pack(lengths, seqLen);

        PackingInvariants.AssertValid(r, lengths);
        var total = lengths.Sum(x => (long)x);
        Assert.Equal((total + seqLen - 1) / seqLen, r.SequenceCount);
        for (var i = 0; i < r.SequenceCount - 1; i++)
        {
            var used = 0;
            foreach (var s in r.GetSequence(i))
            {
                used += s.Length;
            }

            Assert.Equal(seqLen, used);
        }
    }
}
