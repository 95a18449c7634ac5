namespace Pipeline.Tokens.Tiktoken;

/// <summary>
/// tiktoken's byte-pair merge over one pre-tokenized piece: repeatedly merge the adjacent pair with the lowest
/// rank (leftmost on ties) until no pair is a token. Scratch buffers are per instance, so one encoder per thread.
/// </summary>
internal sealed class BytePairEncoder
{
    /// <summary>Pieces up to this many bytes use tiktoken's quadratic scan; longer ones a heap (same merge order).</summary>
    internal const int LongPieceBytes = 24;

    private readonly TiktokenVocabulary _vocab;
    // Scratch is allocated on first use, by the thread that encodes, so two workers' buffers never share a cache line.
    private int[] _starts = [];
    private int[] _ranks = [];
    private int[] _tokens = [];
    private int[] _next = [];
    private int[] _prev = [];
    private int[] _pairRank = [];
    private int[] _partRank = [];
    private long[] _heap = [];

    /// <summary>Creates an encoder over <paramref name="vocab"/>.</summary>
    public BytePairEncoder(TiktokenVocabulary vocab)
    {
        _vocab = vocab;
    }

    /// <summary>
    /// Encodes a piece that is not itself a token (length &gt;= 2), appending ids to <paramref name="ids"/> when
    /// not null; returns the number of ids.
    /// </summary>
    public int Encode(ReadOnlySpan<byte> piece, List<int>? ids) =>
        piece.Length <= LongPieceBytes ? EncodeShort(piece, ids) : EncodeLong(piece, ids);

    /// <summary>Reference algorithm (tiktoken <c>_byte_pair_merge</c>), for pieces of any length; used by tests.</summary>
    internal int EncodeShort(ReadOnlySpan<byte> piece, List<int>? ids)
    {
        int n = piece.Length;
        if (_starts.Length < n + 1)
        {
            int size = Math.Max(n + 1, LongPieceBytes + 16);
            _starts = new int[size];
            _ranks = new int[size];
            _tokens = new int[size];
        }

        // starts[i]: first byte of part i; ranks[i]: rank of part i merged with part i+1; tokens[i]: rank of part i.
        Span<int> starts = _starts.AsSpan(0, n + 1);
        Span<int> ranks = _ranks.AsSpan(0, n + 1);
        Span<int> tokens = _tokens.AsSpan(0, n + 1);
        for (int i = 0; i < n - 1; i++)
        {
            starts[i] = i;
            ranks[i] = RankOrMax(piece.Slice(i, 2));
            tokens[i] = _vocab.ByteRank(piece[i]);
        }

        tokens[n - 1] = _vocab.ByteRank(piece[n - 1]);

        starts[n - 1] = n - 1;
        ranks[n - 1] = int.MaxValue;
        starts[n] = n;
        ranks[n] = int.MaxValue;
        int m = n + 1;

        while (true)
        {
            int min = int.MaxValue;
            int at = -1;
            for (int i = 0; i < m - 1; i++)
            {
                if (ranks[i] < min)
                {
                    min = ranks[i];
                    at = i;
                }
            }

            if (at < 0)
            {
                break;
            }

            // Part at+1 disappears; the pairs that start at at-1 and at now span one more part.
            if (at > 0)
            {
                ranks[at - 1] = at + 2 < m ? RankOrMax(piece[starts[at - 1]..starts[at + 2]]) : int.MaxValue;
            }

            tokens[at] = min;
            ranks[at] = at + 3 < m ? RankOrMax(piece[starts[at]..starts[at + 3]]) : int.MaxValue;
            starts[(at + 2)..m].CopyTo(starts[(at + 1)..]);
            ranks[(at + 2)..m].CopyTo(ranks[(at + 1)..]);
            tokens[(at + 2)..m].CopyTo(tokens[(at + 1)..]);
            m--;
        }

        if (ids is not null)
        {
            for (int i = 0; i < m - 1; i++)
            {
                ids.Add(tokens[i]);
            }
        }

        return m - 1;
    }

    /// <summary>Heap-driven merge with a linked list of parts: O(n log n) instead of O(n²) for long pieces.</summary>
    internal int EncodeLong(ReadOnlySpan<byte> piece, List<int>? ids)
    {
        int n = piece.Length;
        if (_next.Length < n + 1)
        {
            _next = new int[n + 1];
            _prev = new int[n + 1];
            _pairRank = new int[n + 1];
            _partRank = new int[n + 1];
            // Each merge pops one entry and pushes at most two, and there are fewer than n merges.
            _heap = new long[(3 * n) + 3];
        }

        // Part i starts at byte i; _next[i] is the start of the following part (n = end).
        // _pairRank[i] is the rank of part i merged with its successor, or MaxValue; -1 marks a removed part.
        int[] next = _next;
        int[] prev = _prev;
        int[] pairRank = _pairRank;
        int[] partRank = _partRank;
        long[] heap = _heap;
        int heapCount = 0;
        for (int i = 0; i < n; i++)
        {
            next[i] = i + 1;
            prev[i] = i - 1;
            partRank[i] = _vocab.ByteRank(piece[i]);
            int r = i + 1 < n ? RankOrMax(piece.Slice(i, 2)) : int.MaxValue;
            pairRank[i] = r;
            if (r != int.MaxValue)
            {
                heap[heapCount++] = Key(r, i);
            }
        }

        // Heapify.
        for (int i = (heapCount / 2) - 1; i >= 0; i--)
        {
            SiftDown(heap, heapCount, i);
        }

        while (heapCount > 0)
        {
            long top = heap[0];
            heap[0] = heap[--heapCount];
            SiftDown(heap, heapCount, 0);
            int rank = (int)(top >> 32);
            int i = (int)(uint)top;
            if (pairRank[i] != rank)
            {
                continue; // stale: the part was removed or its pair changed
            }

            // Merge part i with its successor j.
            int j = next[i];
            int after = next[j];
            next[i] = after;
            if (after < n)
            {
                prev[after] = i;
            }

            pairRank[j] = -1;
            partRank[i] = rank;
            pairRank[i] = after < n ? RankOrMax(piece[i..next[after]]) : int.MaxValue;
            if (pairRank[i] != int.MaxValue)
            {
                heapCount = Push(heap, heapCount, Key(pairRank[i], i));
            }

            // The predecessor's pair now ends at the new end of part i.
            int p = prev[i];
            if (p >= 0)
            {
                pairRank[p] = RankOrMax(piece[p..after]);
                if (pairRank[p] != int.MaxValue)
                {
                    heapCount = Push(heap, heapCount, Key(pairRank[p], p));
                }
            }
        }

        int count = 0;
        for (int i = 0; i < n; i = next[i])
        {
            ids?.Add(partRank[i]);
            count++;
        }

        return count;
    }

    private static long Key(int rank, int start) => ((long)rank << 32) | (uint)start;

    private static int Push(long[] heap, int count, long key)
    {
        int i = count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (heap[parent] <= key)
            {
                break;
            }

            heap[i] = heap[parent];
            i = parent;
        }

        heap[i] = key;
        return count;
    }

    private static void SiftDown(long[] heap, int count, int i)
    {
        long key = heap[i];
        while (true)
        {
            int child = (2 * i) + 1;
            if (child >= count)
            {
                break;
            }

            if (child + 1 < count && heap[child + 1] < heap[child])
            {
                child++;
            }

            if (heap[child] >= key)
            {
                break;
            }

            heap[i] = heap[child];
            i = child;
        }

        heap[i] = key;
    }

    private int RankOrMax(ReadOnlySpan<byte> bytes)
    {
        int r = _vocab.Lookup(bytes);
        return r < 0 ? int.MaxValue : r;
    }
}
