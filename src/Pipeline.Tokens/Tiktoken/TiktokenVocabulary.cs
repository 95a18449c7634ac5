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
    private const ulong EmptySlot = 0;

    private readonly byte[] _bytes;
    private readonly Entry[] _entries;
    private readonly ulong[] _slots;
    private readonly int _mask;
    private readonly int[] _rankToEntry;

    private TiktokenVocabulary(byte[] bytes, Entry[] entries, int maxRank, string sha256)
    {
        _bytes = bytes;
        _entries = entries;
        MaxRank = maxRank;
        Sha256 = sha256;

        // Load factor <= 0.25 keeps probe chains short; one ulong per slot holds the hash and the entry.
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, entries.Length * 4));
        _slots = new ulong[size];
        _mask = size - 1;
        _rankToEntry = new int[maxRank + 1];
        Array.Fill(_rankToEntry, -1);
        for (int e = 0; e < entries.Length; e++)
        {
            ref readonly Entry entry = ref entries[e];
            uint h = Hash(bytes.AsSpan(entry.Start, entry.Length));
            int i = (int)(h & (uint)_mask);
            while (_slots[i] != EmptySlot)
            {
                i = (i + 1) & _mask;
            }

            _slots[i] = ((ulong)h << 32) | (uint)(e + 1);
            _rankToEntry[entry.Rank] = e;
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
        uint h = Hash(key);
        int i = (int)(h & (uint)_mask);
        ulong[] slots = _slots;
        while (true)
        {
            ulong s = slots[i];
            if (s == EmptySlot)
            {
                return -1;
            }

            if ((uint)(s >> 32) == h)
            {
                ref readonly Entry e = ref _entries[(int)(uint)s - 1];
                if (e.Length == key.Length && key.SequenceEqual(new ReadOnlySpan<byte>(_bytes, e.Start, e.Length)))
                {
                    return e.Rank;
                }
            }

            i = (i + 1) & _mask;
        }
    }

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
            if (Lookup(one) < 0)
            {
                throw new TokenizerException($"Tiktoken vocabulary '{sourceName}' has no token for the single byte 0x{b:x2}; byte-level BPE needs all 256.", sourceName);
            }
        }
    }

    /// <summary>Fast non-cryptographic hash of a short byte string (tokens are mostly 1–16 bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Hash(ReadOnlySpan<byte> key)
    {
        int n = key.Length;
        ref byte r = ref MemoryMarshal.GetReference(key);
        ulong h = 0x9E3779B97F4A7C15UL ^ ((ulong)n * 0xD6E8FEB86659FD93UL);
        int i = 0;
        for (; i + 8 <= n; i += 8)
        {
            h = (h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref r, i))) * 0xFF51AFD7ED558CCDUL;
            h ^= h >> 29;
        }

        int rem = n - i;
        if (rem > 0)
        {
            ulong t;
            if (rem >= 4)
            {
                t = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref r, i))
                    | ((ulong)Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref r, n - 4)) << 32);
            }
            else
            {
                t = Unsafe.Add(ref r, i)
                    | ((ulong)Unsafe.Add(ref r, i + (rem >> 1)) << 8)
                    | ((ulong)Unsafe.Add(ref r, n - 1) << 16);
            }

            h = (h ^ t) * 0xC4CEB9FE1A85EC53UL;
        }

        h ^= h >> 32;
        h *= 0x9E3779B97F4A7C15UL;
        return (uint)(h >> 32);
    }

    private readonly record struct Entry(int Start, int Length, int Rank);
}
