using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pipeline.Tokens.Tiktoken;

/// <summary>
/// Per-instance memo from a short pre-tokenized piece (its UTF-8 bytes) to its token ids: a fixed-size,
/// direct-mapped table whose entries are overwritten on collision, so memory is bounded and nothing is allocated
/// after the table itself. Natural text repeats its words (Zipf), so most pieces hit and skip the rank-table probe
/// and the byte-pair merge. An entry holds the whole key, so a hit returns exactly the ids that the encoder
/// computed for the same bytes: the cache never changes results.
/// </summary>
internal sealed class PieceCache
{
    /// <summary>Longest piece that is cached, in bytes.</summary>
    public const int MaxPieceBytes = 24;

    /// <summary>Most ids an entry holds; pieces that encode to more tokens are not cached.</summary>
    public const int MaxIds = 9;

    /// <summary>Bytes the caller must be able to read from a piece's first byte (<see cref="ReadKey"/> reads whole words).</summary>
    public const int ReadAheadBytes = MaxPieceBytes;

    // Masks[3 * length + word]: the bytes of word 0..2 that belong to a piece of that length.
    private static readonly ulong[] Masks = BuildMasks();

    private readonly Entry[] _entries;
    private readonly int _shift;

    /// <summary>Creates a cache of 2^<paramref name="log2Entries"/> (1..20) entries of 64 bytes.</summary>
    public PieceCache(int log2Entries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(log2Entries, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(log2Entries, 20);
        _entries = new Entry[1 << log2Entries];
        _shift = 64 - log2Entries;
    }

    /// <summary>
    /// The entry for the key <paramref name="k0"/>..<paramref name="k2"/>, <paramref name="length"/> (see
    /// <see cref="ReadKey"/>): it holds that key's ids when <see cref="Entry.Matches"/> is true; otherwise the caller
    /// may fill it with <see cref="Entry.Set"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref Entry Slot(ulong k0, ulong k1, ulong k2, int length)
    {
        ulong h = ((k0 * 0x9E3779B97F4A7C15UL) ^ (k1 * 0xC2B2AE3D27D4EB4FUL) ^ (k2 * 0x165667B19E3779F9UL)) + (ulong)length;
        h *= 0xFF51AFD7ED558CCDUL;
        return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_entries), (nint)(h >> _shift));
    }

    /// <summary>
    /// The key of the <paramref name="length"/> (1..<see cref="MaxPieceBytes"/>) bytes at <paramref name="start"/>:
    /// three zero-padded little-endian words. Reads <see cref="ReadAheadBytes"/> bytes from
    /// <paramref name="start"/>, which the caller guarantees are inside its buffer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ReadKey(ref byte start, int length, out ulong k1, out ulong k2)
    {
        ref ulong mask = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Masks), 3 * length);
        k1 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, 8)) & Unsafe.Add(ref mask, 1);
        k2 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, 16)) & Unsafe.Add(ref mask, 2);
        return Unsafe.ReadUnaligned<ulong>(ref start) & mask;
    }

    private static ulong[] BuildMasks()
    {
        var masks = new ulong[3 * (MaxPieceBytes + 1)];
        for (int length = 0; length <= MaxPieceBytes; length++)
        {
            for (int word = 0; word < 3; word++)
            {
                int valid = Math.Clamp(length - (8 * word), 0, 8);
                masks[(3 * length) + word] = valid == 8 ? ulong.MaxValue : (1UL << (8 * valid)) - 1;
            }
        }

        return masks;
    }

    /// <summary>One cached piece: key, id count and ids (64 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Entry
    {
        private ulong _k0;
        private ulong _k1;
        private ulong _k2;
        private int _length; // 0: empty
        private int _count;
        private Ids _ids;

        /// <summary>Number of ids of the cached piece.</summary>
        public readonly int Count => _count;

        /// <summary>True when the entry holds the given key.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly bool Matches(ulong k0, ulong k1, ulong k2, int length) =>
            ((_k0 ^ k0) | (_k1 ^ k1) | (_k2 ^ k2) | (uint)(_length ^ length)) == 0;

        /// <summary>Id <paramref name="index"/> (&lt; <see cref="Count"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly int Id(int index) => _ids[index];

        /// <summary>Stores the given key with <paramref name="ids"/> (1..<see cref="MaxIds"/> ids).</summary>
        public void Set(ulong k0, ulong k1, ulong k2, int length, ReadOnlySpan<int> ids)
        {
            _k0 = k0;
            _k1 = k1;
            _k2 = k2;
            _length = length;
            _count = ids.Length;
            ids.CopyTo(_ids);
        }
    }

    [InlineArray(MaxIds)]
    private struct Ids
    {
        private int _first;
    }
}
