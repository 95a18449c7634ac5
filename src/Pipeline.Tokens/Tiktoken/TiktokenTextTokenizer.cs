using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Pipeline.Tokens.Tiktoken;

/// <summary>
/// tiktoken-compatible byte-level BPE (<c>encode_ordinary</c>) over a shared <see cref="TiktokenVocabulary"/>:
/// hand-written pre-tokenizer, open-addressing rank table and per-instance scratch buffers, so encoding allocates
/// nothing per call and threads share only read-only data.
/// </summary>
internal sealed class TiktokenTextTokenizer : ITextTokenizer
{
    /// <summary>Scratch buffers above this size are dropped after the call instead of being kept by the instance.</summary>
    private const int RetainedBufferBytes = 4 << 20;

    /// <summary>Default piece cache size: 2^12 entries of 64 bytes (256 KiB per instance).</summary>
    internal const int DefaultCacheLog2Entries = 12;

    private readonly TiktokenVocabulary _vocab;
    private readonly SplitPattern _pattern;
    private readonly BytePairEncoder _bpe;
    private readonly Dictionary<int, byte[]> _specialBytes;
    private readonly int _cacheLog2Entries;
    private byte[] _utf8 = [];
    // Allocated on first use, by the thread that encodes (see BytePairEncoder).
    private PieceCache? _cache;
    private List<int>? _scratchIds;

    /// <summary>
    /// Creates a tokenizer; <paramref name="specialTokens"/> are reported and decoded, never encoded.
    /// <paramref name="cacheLog2Entries"/> sizes the piece cache (tests use tiny caches to force overwrites).
    /// </summary>
    public TiktokenTextTokenizer(
        string name,
        TiktokenVocabulary vocab,
        SplitPattern pattern,
        IReadOnlyDictionary<string, int> specialTokens,
        int endOfTextId,
        int cacheLog2Entries = DefaultCacheLog2Entries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cacheLog2Entries, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cacheLog2Entries, 20);
        _cacheLog2Entries = cacheLog2Entries;
        Name = name;
        _vocab = vocab;
        _pattern = pattern;
        _bpe = new BytePairEncoder(vocab);
        SpecialTokens = specialTokens;
        EndOfTextId = endOfTextId;
        _specialBytes = [];
        int max = vocab.MaxRank;
        foreach (KeyValuePair<string, int> kv in specialTokens)
        {
            _specialBytes[kv.Value] = Encoding.UTF8.GetBytes(kv.Key);
            max = Math.Max(max, kv.Value);
        }

        VocabSize = Math.Max(max, endOfTextId) + 1;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public int VocabSize { get; }

    /// <inheritdoc/>
    public int EndOfTextId { get; }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <inheritdoc/>
    public string VocabSha256 => _vocab.Sha256;

    /// <summary>Pre-tokenization pattern.</summary>
    internal SplitPattern Pattern => _pattern;

    /// <inheritdoc/>
    public void EncodeOrdinary(ReadOnlySpan<char> text, List<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        Encode(text, ids);
    }

    /// <inheritdoc/>
    public int CountTokens(ReadOnlySpan<char> text) => Encode(text, null);

    /// <inheritdoc/>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(16, ids.Length * 4));
        foreach (int id in ids)
        {
            if (_vocab.TryGetBytes(id, out ReadOnlySpan<byte> bytes))
            {
                buffer.Write(bytes);
            }
            else if (_specialBytes.TryGetValue(id, out byte[]? special))
            {
                buffer.Write(special);
            }
            else
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Id {id} is not in the {Name} vocabulary.");
            }
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Pieces of <paramref name="text"/> as the pre-tokenizer splits them (for tests).</summary>
    internal List<string> Split(string text)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        var pieces = new List<string>();
        for (int i = 0; i < utf8.Length;)
        {
            int end = TiktokenSplitter.NextPieceEnd(_pattern, utf8, i);
            pieces.Add(Encoding.UTF8.GetString(utf8, i, end - i));
            i = end;
        }

        return pieces;
    }

    private int Encode(ReadOnlySpan<char> text, List<int>? ids)
    {
        if (text.IsEmpty)
        {
            return 0;
        }

        // Lone surrogates become U+FFFD, as when JavaScript or Python hand such a string to tiktoken.
        // The whole text is transcoded once; the slack after it lets the piece cache read whole words.
        int max = Encoding.UTF8.GetMaxByteCount(text.Length) + PieceCache.ReadAheadBytes;
        byte[] utf8 = _utf8.Length >= max ? _utf8 : (_utf8 = new byte[Math.Max(max, 16 * 1024)]);
        int length = Encoding.UTF8.GetBytes(text, utf8);
        int count = EncodePieces(utf8, length, ids);
        if (utf8.Length > RetainedBufferBytes)
        {
            _utf8 = [];
        }

        return count;
    }

    /// <summary>Splits the first <paramref name="length"/> bytes of <paramref name="utf8"/> and encodes each piece.</summary>
    /// <remarks>
    /// Fully optimized at once: the method is called once per document and loops long, so tiered compilation would
    /// run most of its iterations in unoptimized or on-stack-replacement code until the document count reaches
    /// the tier-up threshold. Never inlined: inlined into its caller it exhausts the JIT's inlining budget, and
    /// the small helpers of the hot loop become calls.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private int EncodePieces(byte[] utf8, int length, List<int>? ids)
    {
        ReadOnlySpan<byte> s = utf8.AsSpan(0, length);
        ref byte first = ref MemoryMarshal.GetArrayDataReference(utf8);
        PieceCache cache = _cache ??= new PieceCache(_cacheLog2Entries);
        TiktokenVocabulary vocab = _vocab;
        SplitPattern pattern = _pattern;
        int count = 0;
        for (int i = 0; i < length;)
        {
            int end = TiktokenSplitter.NextPieceEnd(pattern, s, i);
            int n = end - i;
            if (n == 1)
            {
                ids?.Add(vocab.ByteRank(Unsafe.Add(ref first, i)));
                count++;
            }
            else if (n <= PieceCache.MaxPieceBytes)
            {
                ulong k0 = PieceCache.ReadKey(ref Unsafe.Add(ref first, i), n, out ulong k1, out ulong k2);
                ref PieceCache.Entry entry = ref cache.Slot(k0, k1, k2, n);
                if (entry.Matches(k0, k1, k2, n))
                {
                    int c = entry.Count;
                    if (ids is not null)
                    {
                        ids.Add(entry.Id(0));
                        for (int t = 1; t < c; t++)
                        {
                            ids.Add(entry.Id(t));
                        }
                    }

                    count += c;
                }
                else
                {
                    count += EncodeAndCache(s[i..end], ids, k0, k1, k2, ref entry);
                }
            }
            else
            {
                count += EncodeUncached(s[i..end], ids);
            }

            i = end;
        }

        return count;
    }

    private int EncodeAndCache(ReadOnlySpan<byte> piece, List<int>? ids, ulong k0, ulong k1, ulong k2, ref PieceCache.Entry entry)
    {
        int rank = _vocab.Lookup(piece);
        if (rank >= 0)
        {
            ids?.Add(rank);
            entry.Set(k0, k1, k2, piece.Length, new ReadOnlySpan<int>(in rank));
            return 1;
        }

        List<int> target = ids ?? (_scratchIds ??= new List<int>(64));
        int before = target.Count;
        int count = _bpe.Encode(piece, target);
        if (count <= PieceCache.MaxIds)
        {
            entry.Set(k0, k1, k2, piece.Length, CollectionsMarshal.AsSpan(target).Slice(before, count));
        }

        if (ids is null)
        {
            target.Clear();
        }

        return count;
    }

    private int EncodeUncached(ReadOnlySpan<byte> piece, List<int>? ids)
    {
        int rank = _vocab.Lookup(piece);
        if (rank >= 0)
        {
            ids?.Add(rank);
            return 1;
        }

        return _bpe.Encode(piece, ids);
    }
}
