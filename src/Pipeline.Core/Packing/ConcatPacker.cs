namespace Pipeline.Core.Packing;

/// <summary>
/// Baseline concat-and-chunk packing: documents are concatenated in input order and the stream is cut into
/// windows of <c>seqLen</c> tokens; only the last window may be short.
/// </summary>
public static class ConcatPacker
{
    /// <summary>Packs <paramref name="lengths"/> (all ≥ 1) by concatenation into windows of <paramref name="seqLen"/> tokens.</summary>
    public static PackResult Pack(ReadOnlySpan<int> lengths, int seqLen)
    {
        var (tokens, _, _) = PackingGuard.Scan(lengths, seqLen);
        var sequenceCount = checked((int)((tokens + seqLen - 1) / seqLen));

        // Exact piece count: one per document plus one per window boundary strictly inside it.
        long pieces = 0;
        long pos = 0;
        foreach (var len in lengths)
        {
            pieces += 1 + ((pos + len - 1) / seqLen) - (pos / seqLen);
            pos += len;
        }

        var segments = new PackedSegment[checked((int)pieces)];
        var count = 0;
        var starts = new int[sequenceCount + 1];
        var seq = 0;
        var free = seqLen;
        var split = 0;
        for (var d = 0; d < lengths.Length; d++)
        {
            var len = lengths[d];
            var offset = 0;
            var chunk = 0;
            while (offset < len)
            {
                if (free == 0)
                {
                    seq++;
                    starts[seq] = count;
                    free = seqLen;
                }

                var take = Math.Min(free, len - offset);
                segments[count++] = new PackedSegment(d, chunk, offset, take);
                offset += take;
                free -= take;
                chunk++;
            }

            if (chunk > 1)
            {
                split++;
            }
        }

        starts[sequenceCount] = count;
        return new PackResult(seqLen, segments, starts, tokens, split);
    }
}
