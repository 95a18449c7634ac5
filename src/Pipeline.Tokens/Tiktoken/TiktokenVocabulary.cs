using System.Buffers.Text;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Pipeline.Tokens.Tiktoken;

/// <summary>
/// Immutable tiktoken mergeable-rank table (token bytes → rank) with its reverse table.
/// Shared read-only by every tokenizer instance of the same vocabulary, so threads never write to common memory.
/// </summary>
internal sealed class TiktokenVocabulary
{
    private readonly byte[] _bytes;
    private readonly Entry[] _entries;
    private readonly Slot[] _slots;
    private readonly int _mask;
    private readonly int _shift;
    // Blocked Bloom filter over the tokens (two bits in one 64-bit word per key, about 16 bits per token): most
    // byte sequences that are not tokens are rejected by one read of this small, cache-resident array instead of
    // a probe of the multi-megabyte slot table, which on a miss costs a trip to main memory.
    private readonly ulong[] _filter;
    private readonly int _filterShift;
    private readonly int[] _rankToEntry;
    // Rank → offset of the token's bytes in _bytes: verifying a key of more than 8 bytes is one dependent load.
    private readonly int[] _rankToStart;
    private readonly int[] _byteRanks = new int[256];
    // Rank of every two-byte sequence (index b0 | b1 << 8), int.MaxValue when it is not a token: the first
    // round of every byte-pair merge reads this 256 KiB table instead of probing the hash table.
    private readonly int[] _pairRanks = new int[1 << 16];

    private TiktokenVocabulary(byte[] bytes, Entry[] entries, int maxRank, string sha256)
    {
        _bytes = bytes;
        _entries = entries;
        MaxRank = maxRank;
        Sha256 = sha256;

        // Open addressing, load factor <= 0.5. A slot holds the first 8 bytes, the length and the rank, so a
        // lookup of a token of up to 8 bytes (almost every BPE pair) touches one cache line and nothing else.
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, entries.Length * 2));
        _slots = new Slot[size];
        _mask = size - 1;
        _shift = 64 - BitOperations.Log2((uint)size);
        int filterWords = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(64, entries.Length / 4));
        _filter = new ulong[filterWords];
        _filterShift = 64 - BitOperations.Log2((uint)filterWords);
        _rankToEntry = new int[maxRank + 1];
        _rankToStart = new int[maxRank + 1];
        Array.Fill(_rankToEntry, -1);
        Array.Fill(_pairRanks, int.MaxValue);
        for (int e = 0; e < entries.Length; e++)
        {
            ref readonly Entry entry = ref entries[e];
            ReadOnlySpan<byte> key = bytes.AsSpan(entry.Start, entry.Length);
            ulong prefix = Prefix(key);
            ulong hash = Hash(key, prefix);
            _filter[hash >> _filterShift] |= FilterBits(hash);
            int i = (int)(hash >> _shift);
            while (_slots[i].Length != 0)
            {
                i = (i + 1) & _mask;
            }

            _slots[i] = new Slot(prefix, entry.Length, entry.Rank);
            _rankToEntry[entry.Rank] = e;
            _rankToStart[entry.Rank] = entry.Start;
            if (entry.Length == 2)
            {
                _pairRanks[key[0] | (key[1] << 8)] = entry.Rank;
            }
        }
    }

    /// <summary>Largest rank in the file.</summary>
    public int MaxRank { get; }

    /// <summary>Number of tokens in the file.</summary>
    public int Count => _entries.Length;

    /// <summary>Lower-case hex SHA-256 of the canonical tiktoken serialization of the vocabulary.</summary>
    public string Sha256 { get; }

    /// <summary>Rank of <paramref name="key"/>, or -1 when the byte sequence is not a token.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Lookup(ReadOnlySpan<byte> key)
    {
        ulong prefix = Prefix(key);
        int length = key.Length;
        ulong hash = Hash(key, prefix);
        ulong bits = FilterBits(hash);
        if ((Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_filter), (nint)(hash >> _filterShift)) & bits) != bits)
        {
            return -1;
        }

        int i = (int)(hash >> _shift);
        Slot[] slots = _slots;
        while (true)
        {
            ref readonly Slot s = ref slots[i];
            if (s.Length == length && s.Prefix == prefix)
            {
                if (length <= 8 || TailEquals(key, s.Rank))
                {
                    return s.Rank;
                }
            }
            else if (s.Length == 0)
            {
                return -1;
            }

            i = (i + 1) & _mask;
        }
    }

    /// <summary>Two bits of a filter word, from hash bits that neither the word index nor the slot index use alone.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong FilterBits(ulong hash)
    {
        ulong m = (hash ^ (hash >> 31)) * 0xD6E8FEB86659FD93UL;
        return (1UL << (int)(m >> 58)) | (1UL << (int)((m >> 52) & 63));
    }

    /// <summary>
    /// Rank of the two-byte sequence <paramref name="b0"/> <paramref name="b1"/>, or <see cref="int.MaxValue"/> when
    /// it is not a token.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int PairRank(byte b0, byte b1) => _pairRanks[b0 | (b1 << 8)];

    /// <summary>True when the bytes after the first 8 of <paramref name="key"/> equal those of token <paramref name="rank"/> (same length).</summary>
    private bool TailEquals(ReadOnlySpan<byte> key, int rank)
    {
        int t = key.Length - 8;
        int start = _rankToStart[rank] + 8;
        if (t > 16)
        {
            return key[8..].SequenceEqual(new ReadOnlySpan<byte>(_bytes, start, t));
        }

        // 1..16 bytes: two overlapping reads of 8 (or 4, 2, 1) bytes on each side, all inside the two spans.
        ref byte a = ref Unsafe.Add(ref MemoryMarshal.GetReference(key), 8);
        ref byte b = ref _bytes[start];
        if (t >= 8)
        {
            return Unsafe.ReadUnaligned<ulong>(ref a) == Unsafe.ReadUnaligned<ulong>(ref b)
                && Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, t - 8)) == Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, t - 8));
        }

        return Prefix(MemoryMarshal.CreateReadOnlySpan(ref a, t)) == Prefix(MemoryMarshal.CreateReadOnlySpan(ref b, t));
    }

    /// <summary>Rank of the single-byte token <paramref name="b"/> (every vocabulary has all 256).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ByteRank(byte b) => _byteRanks[b];

    /// <summary>Bytes of the token with rank <paramref name="rank"/>; false when no token has that rank.</summary>
    public bool TryGetBytes(int rank, out ReadOnlySpan<byte> bytes)
    {
        if ((uint)rank < (uint)_rankToEntry.Length && _rankToEntry[rank] is int e and >= 0)
        {
            bytes = new ReadOnlySpan<byte>(_bytes, _entries[e].Start, _entries[e].Length);
            return true;
        }

        bytes = default;
        return false;
    }

    /// <summary>
    /// Parses a tiktoken file: one <c>base64-token rank</c> pair per line (OpenAI's format), or the compact format
    /// of the Microsoft.ML.Tokenizers.Data packages (a <c>Capacity: N</c> header, then one base64 token per line
    /// with rank = line index). Throws <see cref="TokenizerException"/> naming <paramref name="sourceName"/> and the
    /// line for any malformed content.
    /// </summary>
    public static TiktokenVocabulary Parse(ReadOnlySpan<byte> file, string sourceName)
    {
        var bytes = new List<byte>(file.Length * 3 / 4);
        var entries = new List<Entry>(file.Length / 8);
        Span<byte> decoded = stackalloc byte[1024];
        int maxRank = -1;
        int line = 0;
        int pos = 0;
        while (pos < file.Length)
        {
            line++;
            int nl = file[pos..].IndexOf((byte)'\n');
            ReadOnlySpan<byte> text = nl < 0 ? file[pos..] : file.Slice(pos, nl);
            pos = nl < 0 ? file.Length : pos + nl + 1;
            if (!text.IsEmpty && text[^1] == (byte)'\r')
            {
                text = text[..^1];
            }

            if (text.IsEmpty || (line == 1 && text.StartsWith("Capacity:"u8)))
            {
                continue;
            }

            int space = text.IndexOf((byte)' ');
            int rank = entries.Count;
            if (space >= 0
                && (space == 0
                    || !Utf8Parser.TryParse(text[(space + 1)..], out rank, out int consumed)
                    || consumed != text.Length - space - 1
                    || rank < 0))
            {
                throw new TokenizerException($"Tiktoken vocabulary '{sourceName}' line {line}: expected '<base64 token> <rank>'.", sourceName);
            }

            ReadOnlySpan<byte> token = space >= 0 ? text[..space] : text;
            if (Base64.DecodeFromUtf8(token, decoded, out int read, out int written) != System.Buffers.OperationStatus.Done
                || read != token.Length || written == 0)
            {
                throw new TokenizerException($"Tiktoken vocabulary '{sourceName}' line {line}: invalid base64 token.", sourceName);
            }

            entries.Add(new Entry(bytes.Count, written, rank));
            for (int i = 0; i < written; i++)
            {
                bytes.Add(decoded[i]);
            }

            maxRank = Math.Max(maxRank, rank);
        }

        if (entries.Count == 0)
        {
            throw new TokenizerException($"Tiktoken vocabulary '{sourceName}' has no tokens.", sourceName);
        }

        if (maxRank >= 16 * 1024 * 1024)
        {
            throw new TokenizerException($"Tiktoken vocabulary '{sourceName}': rank {maxRank} is implausibly large.", sourceName);
        }

        byte[] all = [.. bytes];
        Entry[] table = [.. entries];
        var vocab = new TiktokenVocabulary(all, table, maxRank, CanonicalSha256(all, table));
        vocab.Validate(sourceName);
        return vocab;
    }

    /// <summary>
    /// SHA-256 of the canonical tiktoken serialization (<c>base64 rank\n</c> in rank order): equal to the hash of
    /// OpenAI's published file (e.g. cl100k_base 223921b7…) whatever format the vocabulary was loaded from.
    /// </summary>
    private static string CanonicalSha256(byte[] bytes, Entry[] entries)
    {
        Entry[] byRank = (Entry[])entries.Clone();
        Array.Sort(byRank, static (a, b) => a.Rank.CompareTo(b.Rank));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> line = stackalloc byte[2048];
        foreach (Entry e in byRank)
        {
            Base64.EncodeToUtf8(bytes.AsSpan(e.Start, e.Length), line, out _, out int n);
            line[n++] = (byte)' ';
            Utf8Formatter.TryFormat(e.Rank, line[n..], out int digits);
            n += digits;
            line[n++] = (byte)'\n';
            hash.AppendData(line[..n]);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private void Validate(string sourceName)
    {
        var seenRank = new bool[MaxRank + 1];
        foreach (Entry e in _entries)
        {
            if (seenRank[e.Rank])
            {
                throw new TokenizerException($"Tiktoken vocabulary '{sourceName}': rank {e.Rank} appears twice.", sourceName);
            }

            seenRank[e.Rank] = true;
            if (Lookup(new ReadOnlySpan<byte>(_bytes, e.Start, e.Length)) != e.Rank)
            {
                throw new TokenizerException($"Tiktoken vocabulary '{sourceName}': token with rank {e.Rank} appears twice.", sourceName);
            }
        }

        Span<byte> one = stackalloc byte[1];
        for (int b = 0; b < 256; b++)
        {
            one[0] = (byte)b;
            _byteRanks[b] = Lookup(one);
            if (_byteRanks[b] < 0)
            {
                throw new TokenizerException($"Tiktoken vocabulary '{sourceName}' has no token for the single byte 0x{b:x2}; byte-level BPE needs all 256.", sourceName);
            }
        }
    }

    /// <summary>The first 8 bytes of <paramref name="key"/>, little-endian, zero-padded; reads no byte outside the span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Prefix(ReadOnlySpan<byte> key)
    {
        int n = key.Length;
        ref byte r = ref MemoryMarshal.GetReference(key);
        if (n >= 8)
        {
            return Unsafe.ReadUnaligned<ulong>(ref r);
        }

        if (n >= 4)
        {
            // Two overlapping 4-byte reads; the overlapping bytes are equal, so OR is exact.
            ulong lo = Unsafe.ReadUnaligned<uint>(ref r);
            ulong hi = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref r, n - 4));
            return lo | (hi << ((n - 4) * 8));
        }

        if (n >= 2)
        {
            ulong lo = Unsafe.ReadUnaligned<ushort>(ref r);
            ulong hi = Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref r, n - 2));
            return lo | (hi << ((n - 2) * 8));
        }

        return n == 1 ? r : 0UL;
    }

    /// <summary>
    /// Hash for the probe start: multiplicative on the prefix for short keys, all bytes for long ones. Callers take
    /// the top bits: they depend on every input bit, while a low bit of a product depends only on lower input bits
    /// (the low half of the product ignores the prefix's last bytes, so tokens that share a stem would cluster).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Hash(ReadOnlySpan<byte> key, ulong prefix)
    {
        int n = key.Length;
        ulong h = (prefix + (ulong)n) * 0x9E3779B97F4A7C15UL;
        if (n > 8)
        {
            ref byte r = ref MemoryMarshal.GetReference(key);
            for (int i = 8; i < n; i += 8)
            {
                ulong chunk = i + 8 <= n ? Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref r, i)) : Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref r, n - 8));
                h = (h ^ (h >> 29) ^ chunk) * 0xFF51AFD7ED558CCDUL;
            }
        }

        return h;
    }

    private readonly record struct Slot(ulong Prefix, int Length, int Rank);

    private readonly record struct Entry(int Start, int Length, int Rank);
}
