namespace Pipeline.Core.Packing;

/// <summary>
/// Packed sequences: sequence <c>i</c> holds <c>Segments[SequenceStarts[i] .. SequenceStarts[i + 1])</c>.
/// </summary>
public sealed class PackResult
{
    internal PackResult(int seqLen, PackedSegment[] segments, int[] sequenceStarts, long tokens, int documentsSplit)
    {
        SeqLen = seqLen;
        Segments = segments;
        SequenceStarts = sequenceStarts;
        Tokens = tokens;
        DocumentsSplit = documentsSplit;
    }

    /// <summary>Sequence length (bin capacity) in tokens.</summary>
    public int SeqLen { get; }

    /// <summary>All segments, grouped by sequence, in placement order within each sequence.</summary>
    public PackedSegment[] Segments { get; }

    /// <summary>Start index of each sequence in <see cref="Segments"/>; length is <see cref="SequenceCount"/> + 1.</summary>
    public int[] SequenceStarts { get; }

    /// <summary>Number of packed sequences.</summary>
    public int SequenceCount => SequenceStarts.Length - 1;

    /// <summary>Total real (non-padding) tokens over all sequences; equals the sum of the input lengths.</summary>
    public long Tokens { get; }

    /// <summary>Number of documents cut into more than one piece.</summary>
    public int DocumentsSplit { get; }

    /// <summary>Tokens / (SequenceCount × SeqLen); 0 when there are no sequences.</summary>
    public double FillRate => SequenceCount == 0 ? 0d : Tokens / ((double)SequenceCount * SeqLen);

    /// <summary>1 − <see cref="FillRate"/> when there is at least one sequence, otherwise 0.</summary>
    public double PaddingRate => SequenceCount == 0 ? 0d : 1d - FillRate;

    /// <summary>Padding tokens needed to bring every sequence to <see cref="SeqLen"/>.</summary>
    public long PadTokens => ((long)SequenceCount * SeqLen) - Tokens;

    /// <summary>The segments of sequence <paramref name="i"/>.</summary>
    public ReadOnlySpan<PackedSegment> GetSequence(int i)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(i);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, SequenceCount);
        var start = SequenceStarts[i];
        return Segments.AsSpan(start, SequenceStarts[i + 1] - start);
    }
}
