using System.Numerics;

namespace Pipeline.Core.Packing;

/// <summary>
/// Best-fit Packing (Ding et al., ICML 2024): documents longer than <c>seqLen</c> are cut into
/// <c>seqLen</c>-token chunks plus a remainder (the only truncations), then all chunks are packed with
/// optimized best-fit decreasing (OBFD) in O(N log L).
/// </summary>
/// <remarks>
/// <para>Determinism: chunks are visited longest first, ties in input order (document, then chunk index).
/// Each chunk goes to the open bin with the smallest free capacity that still fits it; among bins with the
/// same free capacity the oldest one wins (FIFO, as in TRL's <c>_pack_bfd</c>); when none fits a new bin opens.
/// Output sequences are in bin creation order and segments within a sequence in placement order.</para>
/// <para>The capacity index is the paper's segment tree over free capacities 1..L with fan-out 64 instead of 2:
/// leaf c is present iff some open bin has exactly c free tokens, an inner bit says "something present below",
/// and "smallest present capacity ≥ w" is a successor query answered with TrailingZeroCount, so a lookup costs
/// ⌈log64 L⌉ word operations (2 for L = 4096) without the data-dependent branches of a binary descent.</para>
/// </remarks>
public static class BestFitPacker
{
    /// <summary>Packs documents of the given token <paramref name="lengths"/> (all ≥ 1) into sequences of <paramref name="seqLen"/> tokens.</summary>
    public static PackResult Pack(ReadOnlySpan<int> lengths, int seqLen)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seqLen, 1);
        var L = seqLen;

        // Step 1 (chunking) as a counting pass: bucket[w] = number of chunks of length w.
        var bucket = new int[L + 1];
        long tokens = 0;
        long chunks = lengths.Length;
        var split = 0;
        for (var d = 0; d < lengths.Length; d++)
        {
            var len = lengths[d];
            tokens += len;
            if ((uint)(len - 1) < (uint)L)
            {
                bucket[len]++;
                continue;
            }

            if (len < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(lengths), len, $"Document {d} has length {len}; every length must be >= 1.");
            }

            split++;
            var full = len / L;
            var rem = len - (full * L);
            bucket[L] += full;
            chunks += full - 1;
            if (rem != 0)
            {
                bucket[rem]++;
                chunks++;
            }
        }

        if (chunks > Array.MaxLength)
        {
            throw new ArgumentException($"The input yields {chunks} chunks at seqLen {seqLen}, more than one array can hold.", nameof(lengths));
        }

        var n = (int)chunks;

        // Counting sort, longest first: bucket[w] becomes the start of length w's run in key order.
        var running = 0;
        for (var w = L; w >= 1; w--)
        {
            var c = bucket[w];
            bucket[w] = running;
            running += c;
        }

        // key = document << 32 | chunk index; filled in input order, so ties stay in input order.
        var keys = GC.AllocateUninitializedArray<long>(n);
        for (var d = 0; d < lengths.Length; d++)
        {
            var len = lengths[d];
            if (len <= L)
            {
                keys[bucket[len]++] = (long)d << 32;
                continue;
            }

            var full = len / L;
            var p = bucket[L];
            for (var k = 0; k < full; k++)
            {
                keys[p + k] = ((long)d << 32) | (uint)k;
            }

            bucket[L] = p + full;
            var rem = len - (full * L);
            if (rem != 0)
            {
                keys[bucket[rem]++] = ((long)d << 32) | (uint)full;
            }
        }

        // bucket[w] is now the end of length w's run. Step 2: OBFD.
        var chunkBin = GC.AllocateUninitializedArray<int>(n);
        var binGuess = (int)Math.Min(n, Math.Max(16, ((tokens / L) * 9 / 8) + 16));
        var binSegments = new int[binGuess];
        var nextInQueue = GC.AllocateUninitializedArray<int>(binGuess);
        var queueHead = new int[L];
        var queueTail = new int[L];
        var tree = new CapacityTree(L - 1);
        var binCount = 0;
        var i = 0;
        for (var w = L; w >= 1; w--)
        {
            var end = bucket[w];
            for (; i < end; i++)
            {
                var cap = tree.SmallestAtLeast(w);
                int bin;
                if (cap < 0)
                {
                    bin = binCount++;
                    if (bin == binSegments.Length)
                    {
                        var grown = (int)Math.Min(Array.MaxLength, (long)bin * 2);
                        Array.Resize(ref binSegments, grown);
                        Array.Resize(ref nextInQueue, grown);
                    }

                    cap = L;
                }
                else
                {
                    // FIFO queue of bins with exactly `cap` free tokens; take the oldest.
                    bin = queueHead[cap];
                    if (bin == queueTail[cap])
                    {
                        tree.Remove(cap);
                    }
                    else
                    {
                        queueHead[cap] = nextInQueue[bin];
                    }
                }

                chunkBin[i] = bin;
                binSegments[bin]++;
                var left = cap - w;
                if (left > 0)
                {
                    if (tree.Contains(left))
                    {
                        nextInQueue[queueTail[left]] = bin;
                    }
                    else
                    {
                        tree.Add(left);
                        queueHead[left] = bin;
                    }

                    queueTail[left] = bin;
                }
            }
        }

        // Group by bin (stable counting sort): bins in creation order, segments in placement order.
        var starts = new int[binCount + 1];
        var acc = 0;
        for (var b = 0; b < binCount; b++)
        {
            starts[b] = acc;
            acc += binSegments[b];
        }

        starts[binCount] = acc;
        var cursor = binSegments;
        Array.Copy(starts, cursor, binCount);
        var segments = GC.AllocateUninitializedArray<PackedSegment>(n);
        var j = 0;
        for (var w = L; w >= 1; w--)
        {
            var end = bucket[w];
            for (; j < end; j++)
            {
                var key = keys[j];
                var k = (int)(uint)key;
                segments[cursor[chunkBin[j]]++] = new PackedSegment((int)(key >> 32), k, k * L, w);
            }
        }

        return new PackResult(seqLen, segments, starts, tokens, split);
    }

    /// <summary>
    /// Presence tree over free capacities 0..max with fan-out 64: level 0 has one bit per capacity, and bit i of
    /// level l+1 is set iff word i of level l is non-zero.
    /// </summary>
    private sealed class CapacityTree
    {
        private readonly ulong[][] _levels;

        public CapacityTree(int max)
        {
            var levels = new List<ulong[]>(4);
            var bits = max + 1;
            do
            {
                var words = (bits + 63) >> 6;
                levels.Add(new ulong[words]);
                bits = words;
            }
            while (bits > 1);

            _levels = [.. levels];
        }

        public bool Contains(int c) => (_levels[0][c >> 6] & (1UL << c)) != 0;

        public void Add(int c)
        {
            foreach (var level in _levels)
            {
                ref var word = ref level[c >> 6];
                var before = word;
                word = before | (1UL << c);
                if (before != 0)
                {
                    return;
                }

                c >>= 6;
            }
        }

        public void Remove(int c)
        {
            foreach (var level in _levels)
            {
                ref var word = ref level[c >> 6];
                word &= ~(1UL << c);
                if (word != 0)
                {
                    return;
                }

                c >>= 6;
            }
        }

        /// <summary>Smallest present capacity ≥ <paramref name="x"/>, or -1 when none.</summary>
        public int SmallestAtLeast(int x)
        {
            var levels = _levels;
            var l = 0;
            for (; l < levels.Length; l++)
            {
                var words = levels[l];
                var wi = x >> 6;
                if (wi >= words.Length)
                {
                    return -1;
                }

                // Shift counts are taken mod 64, so this masks off bits below x within its word.
                var m = words[wi] & (ulong.MaxValue << x);
                if (m != 0)
                {
                    x = (wi << 6) + BitOperations.TrailingZeroCount(m);
                    break;
                }

                x = wi + 1;
            }

            if (l == levels.Length)
            {
                return -1;
            }

            for (l--; l >= 0; l--)
            {
                x = (x << 6) + BitOperations.TrailingZeroCount(levels[l][x]);
            }

            return x;
        }
    }
}
