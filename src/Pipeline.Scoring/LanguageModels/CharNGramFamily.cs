using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Pipeline.Scoring.LanguageModels;

/// <summary>
/// A family of character (Unicode scalar value) n-gram language models of orders 1..<see cref="MaxOrder"/>, trained
/// once on a reference text, with interpolated Kneser-Ney smoothing (one absolute discount per order,
/// <c>D = n1 / (n1 + 2·n2)</c>; raw counts at a model's top order, continuation counts below it), interpolated down to a
/// uniform distribution over all 1,112,064 Unicode scalar values, so every character, seen or not, has a finite
/// loss and each context's distribution sums to 1.
/// </summary>
/// <remarks>
/// Each text is a separate document: its history starts with <c>order−1</c> beginning-of-document symbols, and
/// n-grams never cross documents. Models share the counts: order k uses the raw k-gram counts and the continuation
/// counts of orders below k, so one pass over a text scores it under every order. Read-only after training and safe
/// to use from many threads.
/// </remarks>
public sealed class CharNGramFamily
{
    /// <summary>Number of Unicode scalar values (U+0000..U+10FFFF without surrogates): the size of the base distribution.</summary>
    public const int UnicodeScalarCount = 0x110000 - 0x800;

    /// <summary>Largest supported order.</summary>
    public const int MaxSupportedOrder = 16;

    private readonly Dictionary<int, int> _symbols;
    private readonly int[] _bmpSymbols = new int[0x10000];
    private readonly int _unknown;
    private readonly INGramCounts _counts;

    private CharNGramFamily(int maxOrder, Dictionary<int, int> symbols, long trainingCharacters)
    {
        MaxOrder = maxOrder;
        _symbols = symbols;
        _unknown = symbols.Count + 1;
        TrainingCharacters = trainingCharacters;
        Array.Fill(_bmpSymbols, _unknown);
        foreach (var (scalar, id) in symbols)
        {
            if (scalar < 0x10000) _bmpSymbols[scalar] = id;
        }
        // Keys hold one symbol (ids 0..unknown) per bits-wide field; 64-bit keys when they fit are about twice as fast.
        int bits = 64 - (int)ulong.LeadingZeroCount((ulong)_unknown);
        _counts = bits * maxOrder <= 64
            ? new NGramCounts<ulong>(maxOrder, bits)
            : new NGramCounts<UInt128>(maxOrder, bits);
    }

    /// <summary>The highest order trained; every order 1..MaxOrder can be evaluated.</summary>
    public int MaxOrder { get; }

    /// <summary>Distinct characters in the training text.</summary>
    public int AlphabetSize => _symbols.Count;

    /// <summary>Characters (Unicode scalar values) in the training text.</summary>
    public long TrainingCharacters { get; }

    /// <summary>Distinct n-grams of an order (1-based) seen in training.</summary>
    public int DistinctNGrams(int order) => _counts.Distinct(CheckOrder(order) - 1);

    /// <summary>The absolute discount of the raw counts of an order (1-based).</summary>
    public double Discount(int order) => _counts.RawDiscount(CheckOrder(order) - 1);

    /// <summary>Trains orders 1..<paramref name="maxOrder"/> on the texts (each a document).</summary>
    /// <exception cref="ArgumentException">No character in the texts, or the order is out of range for the alphabet.</exception>
    public static CharNGramFamily Train(IReadOnlyList<string> texts, int maxOrder)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOrder, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxOrder, MaxSupportedOrder);

        var seen = new bool[0x110000];
        long characters = 0;
        foreach (var text in texts)
        {
            foreach (var rune in text.EnumerateRunes())
            {
                seen[rune.Value] = true;
                characters++;
            }
        }
        if (characters == 0)
        {
            throw new ArgumentException("the training texts hold no character", nameof(texts));
        }
        // Ids in code-point order make the model independent of text order; 0 is the beginning of a document and
        // Count + 1 the unknown character (never counted).
        var symbols = new Dictionary<int, int>();
        for (int value = 0; value < seen.Length; value++)
        {
            if (seen[value]) symbols[value] = symbols.Count + 1;
        }
        int bits = 64 - (int)ulong.LeadingZeroCount((ulong)symbols.Count + 1);
        if (bits * maxOrder > 128)
        {
            throw new ArgumentException($"order {maxOrder} over {symbols.Count} distinct characters needs {bits * maxOrder} key bits; at most 128 are supported", nameof(maxOrder));
        }

        var family = new CharNGramFamily(maxOrder, symbols, characters);
        foreach (var text in texts)
        {
            var buffer = ArrayPool<int>.Shared.Rent(Math.Max(1, text.Length));
            try
            {
                family._counts.Add(buffer.AsSpan(0, family.ToSymbols(text, buffer)));
            }
            finally
            {
                ArrayPool<int>.Shared.Return(buffer);
            }
        }
        family._counts.Complete();
        return family;
    }

    /// <summary>
    /// Adds a text's bits (−log2 p of each character given its history in the text) under every order to
    /// <paramref name="bits"/> (index k−1 for order k) and returns the number of characters.
    /// </summary>
    public long AccumulateBits(string text, Span<double> bits)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(bits.Length, MaxOrder, nameof(bits));
        var buffer = ArrayPool<int>.Shared.Rent(Math.Max(1, text.Length));
        try
        {
            int n = ToSymbols(text, buffer);
            _counts.AccumulateBits(buffer.AsSpan(0, n), bits);
            return n;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(buffer);
        }
    }

    /// <summary>Bits per character of a text under one order (1-based); 0 for an empty text.</summary>
    public double BitsPerCharacter(string text, int order)
    {
        CheckOrder(order);
        Span<double> bits = stackalloc double[MaxOrder];
        bits.Clear();
        long n = AccumulateBits(text, bits);
        return n == 0 ? 0 : bits[order - 1] / n;
    }

    /// <summary>
    /// The probability of <paramref name="next"/> (a Unicode scalar value) under the model of <paramref name="order"/>,
    /// after <paramref name="history"/> (scalar values, most recent last; only the last order−1 are used, and a
    /// shorter history means the document starts there).
    /// </summary>
    public double Probability(int order, ReadOnlySpan<int> history, int next)
    {
        CheckOrder(order);
        int start = Math.Max(0, history.Length - (MaxOrder - 1));
        Span<int> symbols = stackalloc int[history.Length - start];
        for (int i = start; i < history.Length; i++) symbols[i - start] = SymbolOf(history[i]);
        return _counts.Probability(order, symbols, SymbolOf(next));
    }

    /// <summary>Describes the family, e.g. for summaries.</summary>
    public override string ToString() =>
        $"char n-gram KN, orders 1..{MaxOrder}, alphabet {AlphabetSize}, trained on {TrainingCharacters} chars";

    private int SymbolOf(int scalar) =>
        scalar < 0x10000 ? _bmpSymbols[scalar] : _symbols.TryGetValue(scalar, out int s) ? s : _unknown;

    private int ToSymbols(string text, int[] destination)
    {
        int n = 0;
        foreach (var rune in text.EnumerateRunes()) destination[n++] = SymbolOf(rune.Value);
        return n;
    }

    private int CheckOrder(int order)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(order, MaxOrder);
        return order;
    }
}

/// <summary>The counts of a <see cref="CharNGramFamily"/>, over symbol ids (0 = beginning of document).</summary>
internal interface INGramCounts
{
    void Add(ReadOnlySpan<int> symbols);

    void Complete();

    void AccumulateBits(ReadOnlySpan<int> symbols, Span<double> bits);

    double Probability(int order, ReadOnlySpan<int> history, int symbol);

    int Distinct(int level);

    double RawDiscount(int level);
}

/// <summary>Raw and continuation counts of orders 1..K, keyed by the n-gram's symbols packed into <typeparamref name="TKey"/>.</summary>
internal sealed class NGramCounts<TKey> : INGramCounts where TKey : unmanaged, IBinaryInteger<TKey>
{
    private readonly int _order;
    private readonly int _bits;
    private readonly TKey[] _masks;
    private readonly NGramTable<TKey, Grams>[] _grams;
    private readonly NGramTable<TKey, Contexts>[] _contexts;
    private readonly double[] _rawDiscount;
    private readonly double[] _continuationDiscount;

    public NGramCounts(int order, int bits)
    {
        _order = order;
        _bits = bits;
        _masks = new TKey[order + 1];
        for (int l = 0; l <= order; l++)
        {
            _masks[l] = l * bits >= TKey.AllBitsSet.GetByteCount() * 8 ? TKey.AllBitsSet : (TKey.One << (l * bits)) - TKey.One;
        }
        _grams = new NGramTable<TKey, Grams>[order];
        _contexts = new NGramTable<TKey, Contexts>[order];
        for (int j = 0; j < order; j++)
        {
            _grams[j] = new NGramTable<TKey, Grams>();
            _contexts[j] = new NGramTable<TKey, Contexts>();
        }
        _rawDiscount = new double[order];
        _continuationDiscount = new double[order];
    }

    public int Distinct(int level) => _grams[level].Count;

    public double RawDiscount(int level) => _rawDiscount[level];

    // Hot loops: compiled optimized at once (test hosts and short runs would otherwise spend seconds in tier-0 code).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<int> symbols)
    {
        TKey history = TKey.Zero;
        TKey historyMask = _masks[_order - 1];
        foreach (int symbol in symbols)
        {
            TKey s = TKey.CreateTruncating(symbol);
            for (int j = 0; j < _order; j++)
            {
                _grams[j].GetOrAdd(((history & _masks[j]) << _bits) | s).Raw++;
            }
            history = ((history << _bits) | s) & historyMask;
        }
    }

    // Hot loops: compiled optimized at once (test hosts and short runs would otherwise spend seconds in tier-0 code).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Complete()
    {
        // Continuation count of a j-gram: distinct symbols (characters or the document start) seen before it.
        for (int j = 1; j < _order; j++)
        {
            var lower = _grams[j - 1];
            var grams = _grams[j];
            for (int slot = 0; slot < grams.Capacity; slot++)
            {
                if (grams.IsUsed(slot)) lower.Get(grams.KeyAt(slot) & _masks[j]).Continuation++;
            }
        }

        for (int j = 0; j < _order; j++)
        {
            long rawOnes = 0, rawTwos = 0, contOnes = 0, contTwos = 0;
            var contexts = _contexts[j];
            var grams = _grams[j];
            for (int slot = 0; slot < grams.Capacity; slot++)
            {
                if (!grams.IsUsed(slot)) continue;
                var counts = grams.ValueAt(slot);
                ref var c = ref contexts.GetOrAdd(grams.KeyAt(slot) >> _bits);
                c.RawSum += counts.Raw;
                c.RawDistinct++;
                if (counts.Raw == 1) rawOnes++;
                else if (counts.Raw == 2) rawTwos++;
                if (counts.Continuation > 0)
                {
                    c.ContinuationSum += counts.Continuation;
                    c.ContinuationDistinct++;
                    if (counts.Continuation == 1) contOnes++;
                    else if (counts.Continuation == 2) contTwos++;
                }
            }
            _rawDiscount[j] = DiscountFrom(rawOnes, rawTwos);
            _continuationDiscount[j] = DiscountFrom(contOnes, contTwos);
        }
    }

    // Hot loops: compiled optimized at once (test hosts and short runs would otherwise spend seconds in tier-0 code).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AccumulateBits(ReadOnlySpan<int> symbols, Span<double> bits)
    {
        Span<double> p = stackalloc double[_order];
        TKey history = TKey.Zero;
        TKey historyMask = _masks[_order - 1];
        foreach (int symbol in symbols)
        {
            TKey s = TKey.CreateTruncating(symbol);
            Probabilities(history, s, p);
            for (int k = 0; k < _order; k++) bits[k] -= Math.Log2(p[k]);
            history = ((history << _bits) | s) & historyMask;
        }
    }

    public double Probability(int order, ReadOnlySpan<int> history, int symbol)
    {
        TKey key = TKey.Zero;
        foreach (int h in history) key = (key << _bits) | TKey.CreateTruncating(h);
        Span<double> p = stackalloc double[_order];
        Probabilities(key & _masks[_order - 1], TKey.CreateTruncating(symbol), p);
        return p[order - 1];
    }

    /// <summary>p[k−1] = P_k(s | history) for every order k, sharing the lower-order (continuation) chain.</summary>
    // Hot loops: compiled optimized at once (test hosts and short runs would otherwise spend seconds in tier-0 code).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Probabilities(TKey history, TKey s, Span<double> p)
    {
        double lower = 1.0 / CharNGramFamily.UnicodeScalarCount;
        for (int j = 0; j < _order; j++)
        {
            TKey context = history & _masks[j];
            if (!_contexts[j].TryGetValue(context, out var c))
            {
                // A context never seen at this order is never seen at higher orders either (it is their suffix):
                // every higher order backs off to the same lower-order estimate.
                p[j..].Fill(lower);
                return;
            }
            _grams[j].TryGetValue((context << _bits) | s, out var counts);
            double d = _rawDiscount[j];
            p[j] = (Math.Max(counts.Raw - d, 0) + (d * c.RawDistinct * lower)) / c.RawSum;
            if (c.ContinuationSum > 0)
            {
                double dc = _continuationDiscount[j];
                lower = (Math.Max(counts.Continuation - dc, 0) + (dc * c.ContinuationDistinct * lower)) / c.ContinuationSum;
            }
        }
    }

    /// <summary>Ney's estimate n1/(n1+2·n2), kept inside [0.05, 0.95] so that no count vanishes and no context is left without back-off mass.</summary>
    private static double DiscountFrom(long ones, long twos) =>
        ones == 0 ? 0.5 : Math.Clamp((double)ones / (ones + 2.0 * twos), 0.05, 0.95);

    private struct Grams
    {
        public int Raw;
        public int Continuation;
    }

    private struct Contexts
    {
        public long RawSum;
        public int RawDistinct;
        public long ContinuationSum;
        public int ContinuationDistinct;
    }
}
