using System.Buffers;
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

    private readonly TiktokenVocabulary _vocab;
    private readonly SplitPattern _pattern;
    private readonly BytePairEncoder _bpe;
    private readonly Dictionary<int, byte[]> _specialBytes;
    private byte[] _utf8 = [];

    /// <summary>Creates a tokenizer; <paramref name="specialTokens"/> are reported and decoded, never encoded.</summary>
    public TiktokenTextTokenizer(
        string name,
        TiktokenVocabulary vocab,
        SplitPattern pattern,
        IReadOnlyDictionary<string, int> specialTokens,
        int endOfTextId)
    {
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
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[] utf8 = _utf8.Length >= max ? _utf8 : (_utf8 = new byte[Math.Max(max, 16 * 1024)]);
        int length = Encoding.UTF8.GetBytes(text, utf8);
        ReadOnlySpan<byte> s = utf8.AsSpan(0, length);

        int count = 0;
        SplitPattern pattern = _pattern;
        for (int i = 0; i < length;)
        {
            int end = TiktokenSplitter.NextPieceEnd(pattern, s, i);
            ReadOnlySpan<byte> piece = s[i..end];
            int rank = _vocab.Lookup(piece);
            if (rank >= 0)
            {
                ids?.Add(rank);
                count++;
            }
            else
            {
                count += _bpe.Encode(piece, ids);
            }

            i = end;
        }

        if (utf8.Length > RetainedBufferBytes)
        {
            _utf8 = [];
        }

        return count;
    }
}
