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
    private int[] _nextPart = [];
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

    /// <summary>
    /// Reference algorithm (tiktoken <c>_byte_pair_merge</c>: a linear scan for the lowest-ranked pair, leftmost on
    /// ties, per merge), for pieces of any length; used by tests. The parts form a linked list over their first
    /// bytes, so a merge unlinks one part instead of shifting the arrays.
    /// </summary>
    internal int EncodeShort(ReadOnlySpan<byte> piece, List<int>? ids)
    {
        int n = piece.Length;
        if (_nextPart.Length < n + 1)
        {
            int size = Math.Max(n + 1, LongPieceBytes + 16);
            _nextPart = new int[size];
            _ranks = new int[size];
            _tokens = new int[size];
        }

        // Part k starts at byte k: next[k] is the first byte of the following part (n = end), ranks[k] the rank
        // of part k merged with the following part (MaxValue: not a token, or no following part), tokens[k] the
        // rank of part k itself.
        Span<int> next = _nextPart.AsSpan(0, n);
        Span<int> ranks = _ranks.AsSpan(0, n);
        Span<int> tokens = _tokens.AsSpan(0, n);
        TiktokenVocabulary vocab = _vocab;
        for (int i = 0; i < n - 1; i++)
        {
            next[i] = i + 1;
            ranks[i] = vocab.PairRank(piece[i], piece[i + 1]);
            tokens[i] = vocab.ByteRank(piece[i]);
        }

        next[n - 1] = n;
        ranks[n - 1] = int.MaxValue;
        tokens[n - 1] = vocab.ByteRank(piece[n - 1]);

        while (true)
        {
            int min = int.MaxValue;
            int at = -1;
            int beforeAt = -1;
            for (int k = 0, p = -1; k < n; p = k, k = next[k])
            {
                if (ranks[k] < min)
                {
                    min = ranks[k];
                    at = k;
                    beforeAt = p;
                }
            }

            if (at < 0)
            {
                break;
            }

            // Part at absorbs the following part; the pairs that start at at and at its predecessor change.
            int end = next[next[at]];
            next[at] = end;
            tokens[at] = min;
            ranks[at] = end < n ? RankOrMax(piece[at..next[end]]) : int.MaxValue;
            if (beforeAt >= 0)
            {
                ranks[beforeAt] = RankOrMax(piece[beforeAt..end]);
            }
        }

        int count = 0;
        for (int k = 0; k < n; k = next[k])
        {
            ids?.Add(tokens[k]);
            count++;
        }

        return count;
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
            int r = i + 1 < n ? _vocab.PairRank(piece[i], piece[i + 1]) : int.MaxValue;
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
