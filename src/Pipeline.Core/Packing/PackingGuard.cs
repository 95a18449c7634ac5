namespace Pipeline.Core.Packing;

/// <summary>Argument checks shared by the packers.</summary>
internal static class PackingGuard
{
    /// <summary>Validates the inputs and returns (total tokens, total chunks, documents longer than seqLen).</summary>
    public static (long Tokens, int Chunks, int Split) Scan(ReadOnlySpan<int> lengths, int seqLen)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seqLen, 1);
        long tokens = 0;
        long chunks = 0;
        var split = 0;
        for (var i = 0; i < lengths.Length; i++)
        {
            var len = lengths[i];
            if (len < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(lengths), len, $"Document {i} has length {len}; every length must be >= 1.");
            }

            tokens += len;
            if (len > seqLen)
            {
                split++;
                chunks += ((long)len + seqLen - 1) / seqLen;
            }
            else
            {
                chunks++;
            }
        }

        if (chunks > Array.MaxLength)
        {
            throw new ArgumentException($"The input yields {chunks} chunks at seqLen {seqLen}, more than one array can hold.", nameof(lengths));
        }

        return (tokens, (int)chunks, split);
    }
}
