using Pipeline.Core.Packing;

namespace Pipeline.Core.Tests.Packing;

/// <summary>Invariants every packing result must satisfy.</summary>
internal static class PackingInvariants
{
    /// <summary>
    /// No token lost or duplicated: per document, pieces cover [0, len) exactly once, in order of chunk index,
    /// chunk k starting where chunk k-1 ended; every sequence non-empty and ≤ SeqLen; totals consistent.
    /// </summary>
    public static void AssertValid(PackResult r, int[] lengths)
    {
        Assert.Equal(r.SequenceCount + 1, r.SequenceStarts.Length);
        Assert.Equal(0, r.SequenceStarts[0]);
        Assert.Equal(r.Segments.Length, r.SequenceStarts[^1]);

        var pieces = new List<PackedSegment>[lengths.Length];
        long tokens = 0;
        for (var i = 0; i < r.SequenceCount; i++)
        {
            var seq = r.GetSequence(i);
            Assert.False(seq.IsEmpty, $"sequence {i} is empty");
            long used = 0;
            foreach (var s in seq)
            {
                Assert.InRange(s.Document, 0, lengths.Length - 1);
                Assert.True(s.Length >= 1, $"segment {s} has no tokens");
                used += s.Length;
                (pieces[s.Document] ??= []).Add(s);
            }

            Assert.True(used <= r.SeqLen, $"sequence {i} holds {used} > {r.SeqLen}");
            tokens += used;
        }

        Assert.Equal(lengths.Sum(x => (long)x), tokens);
        Assert.Equal(tokens, r.Tokens);

        var split = 0;
        for (var d = 0; d < lengths.Length; d++)
        {
            var list = pieces[d];
            Assert.NotNull(list);
            list.Sort((a, b) => a.Chunk.CompareTo(b.Chunk));
            long next = 0;
            for (var k = 0; k < list.Count; k++)
            {
                Assert.Equal(k, list[k].Chunk);
                Assert.Equal(next, list[k].Offset);
                next += list[k].Length;
            }

            Assert.Equal(lengths[d], next);
            if (list.Count > 1)
            {
                split++;
            }
        }

        Assert.Equal(split, r.DocumentsSplit);
    }
}
