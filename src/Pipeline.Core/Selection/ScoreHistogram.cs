namespace Pipeline.Core.Selection;

/// <summary>Counts of one score bin: everything scored, and what the selection kept.</summary>
/// <param name="Documents">Candidate documents.</param>
/// <param name="Characters">Their characters.</param>
/// <param name="Tokens">Their tokens.</param>
/// <param name="KeptDocuments">Documents kept at least once.</param>
/// <param name="KeptCharacters">Characters of kept documents, each counted once.</param>
/// <param name="KeptTokens">Tokens of kept documents, each counted once.</param>
/// <param name="OutputTokens">Tokens in the output, repetitions included.</param>
public readonly record struct HistogramBin(
    long Documents,
    long Characters,
    long Tokens,
    long KeptDocuments,
    long KeptCharacters,
    long KeptTokens,
    long OutputTokens)
{
    /// <summary>Field-wise sum of two bins (for merging histograms reported per unit).</summary>
    public static HistogramBin operator +(HistogramBin a, HistogramBin b) => new(
        checked(a.Documents + b.Documents), checked(a.Characters + b.Characters), checked(a.Tokens + b.Tokens),
        checked(a.KeptDocuments + b.KeptDocuments), checked(a.KeptCharacters + b.KeptCharacters), checked(a.KeptTokens + b.KeptTokens),
        checked(a.OutputTokens + b.OutputTokens));

    /// <summary>Field-wise sum of two bins.</summary>
    public static HistogramBin Add(HistogramBin left, HistogramBin right) => left + right;

    /// <summary>Kept share of this bin by a basis (0 for an empty bin).</summary>
    public double KeptShare(WeightBasis basis) => basis switch
    {
        WeightBasis.Documents => Documents == 0 ? 0 : (double)KeptDocuments / Documents,
        WeightBasis.Characters => Characters == 0 ? 0 : (double)KeptCharacters / Characters,
        WeightBasis.Tokens => Tokens == 0 ? 0 : (double)KeptTokens / Tokens,
        _ => throw new ArgumentOutOfRangeException(nameof(basis), basis, "Unknown weight basis."),
    };
}

/// <summary>
/// The score histogram of one source for the stats file: fixed bins (<see cref="ScoreBins"/>), per bin the candidates
/// and the kept part. Integer sums only, so merges in any order give identical bytes.
/// </summary>
public sealed class ScoreHistogram
{
    private const int Fields = 7;
    private const uint MagicNumber = 0x31485350; // "PSH1"
    private readonly long[] _cells;

    /// <summary>Creates an empty histogram over <paramref name="bins"/>.</summary>
    public ScoreHistogram(ScoreBins bins)
    {
        ArgumentNullException.ThrowIfNull(bins);
        Bins = bins;
        _cells = new long[checked(bins.Count * Fields)];
    }

    /// <summary>The bin layout.</summary>
    public ScoreBins Bins { get; }

    /// <summary>One bin's counts.</summary>
    public HistogramBin Bin(int bin)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bin);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(bin, Bins.Count);
        var c = _cells.AsSpan(bin * Fields, Fields);
        return new HistogramBin(c[0], c[1], c[2], c[3], c[4], c[5], c[6]);
    }

    /// <summary>Sums over all bins.</summary>
    public HistogramBin Totals
    {
        get
        {
            Span<long> t = stackalloc long[Fields];
            for (var i = 0; i < _cells.Length; i++) t[i % Fields] = checked(t[i % Fields] + _cells[i]);
            return new HistogramBin(t[0], t[1], t[2], t[3], t[4], t[5], t[6]);
        }
    }

    /// <summary>Adds a candidate document; <paramref name="repeats"/> is its output repeat count (0 = dropped).</summary>
    public void Add(double score, long characters, long tokens, int repeats)
    {
        ScoreChecks.CheckFinite(score, nameof(score));
        ArgumentOutOfRangeException.ThrowIfNegative(characters);
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        ArgumentOutOfRangeException.ThrowIfNegative(repeats);
        var c = _cells.AsSpan(Bins.BinOf(score) * Fields, Fields);
        c[0]++;
        c[1] = checked(c[1] + characters);
        c[2] = checked(c[2] + tokens);
        if (repeats == 0) return;
        c[3]++;
        c[4] = checked(c[4] + characters);
        c[5] = checked(c[5] + tokens);
        c[6] = checked(c[6] + (tokens * repeats));
    }

    /// <summary>Adds another histogram with the same bins.</summary>
    public void Merge(ScoreHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!other.Bins.Equals(Bins)) throw new ArgumentException($"Cannot merge histograms with different bins ({other.Bins} vs {Bins}).", nameof(other));
        for (var i = 0; i < _cells.Length; i++) _cells[i] = checked(_cells[i] + other._cells[i]);
    }

    /// <summary>Compact canonical bytes.</summary>
    public byte[] ToBytes() => StatsFrame.Encode(MagicNumber, Write);

    /// <summary>Reads <see cref="ToBytes"/> output.</summary>
    public static ScoreHistogram FromBytes(ReadOnlySpan<byte> data) => StatsFrame.Decode(data, "score histogram", MagicNumber, Read);

    internal void Write(StatsWriter w)
    {
        w.Bins(Bins);
        var nonEmpty = 0;
        for (var b = 0; b < Bins.Count; b++)
        {
            if (_cells[b * Fields] != 0) nonEmpty++;
        }

        w.Varint((ulong)nonEmpty);
        var previous = -1;
        for (var b = 0; b < Bins.Count; b++)
        {
            if (_cells[b * Fields] == 0) continue;
            w.Varint((ulong)(b - previous - 1));
            for (var f = 0; f < Fields; f++) w.Varint((ulong)_cells[(b * Fields) + f]);
            previous = b;
        }
    }

    internal static ScoreHistogram Read(ref StatsReader r)
    {
        var h = new ScoreHistogram(r.Bins());
        var nonEmpty = r.NonNegative(h.Bins.Count);
        var bin = -1L;
        for (var k = 0; k < nonEmpty; k++)
        {
            bin += r.NonNegative(h.Bins.Count) + 1;
            if (bin >= h.Bins.Count) throw r.Bad($"bin {bin} outside {h.Bins.Count} bins");
            for (var f = 0; f < Fields; f++) h._cells[(bin * Fields) + f] = r.NonNegative(long.MaxValue);
            if (h._cells[bin * Fields] == 0) throw r.Bad("empty bin listed");
        }

        return h;
    }
}

/// <summary>Score histograms per source (ordinal name order), mergeable and serializable like <see cref="ScoreHistogram"/>.</summary>
public sealed class SourceScoreHistograms
{
    private const uint MagicNumber = 0x31485353; // "SSH1"
    private readonly SortedDictionary<string, ScoreHistogram> _sources = new(StringComparer.Ordinal);

    /// <summary>Creates an empty set over <paramref name="bins"/>.</summary>
    public SourceScoreHistograms(ScoreBins bins)
    {
        ArgumentNullException.ThrowIfNull(bins);
        Bins = bins;
    }

    /// <summary>The bin layout of every source.</summary>
    public ScoreBins Bins { get; }

    /// <summary>Source names in ordinal order.</summary>
    public IReadOnlyCollection<string> Sources => _sources.Keys;

    /// <summary>The histogram of a source (created empty on first use).</summary>
    public ScoreHistogram For(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!_sources.TryGetValue(source, out var h))
        {
            h = new ScoreHistogram(Bins);
            _sources.Add(source, h);
        }

        return h;
    }

    /// <summary>Adds a candidate document of a source.</summary>
    public void Add(string source, double score, long characters, long tokens, int repeats) => For(source).Add(score, characters, tokens, repeats);

    /// <summary>Adds another set with the same bins.</summary>
    public void Merge(SourceScoreHistograms other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!other.Bins.Equals(Bins)) throw new ArgumentException($"Cannot merge histograms with different bins ({other.Bins} vs {Bins}).", nameof(other));
        foreach (var (name, h) in other._sources) For(name).Merge(h);
    }

    /// <summary>Compact canonical bytes.</summary>
    public byte[] ToBytes()
    {
        var w = new StatsWriter();
        w.Magic(MagicNumber);
        w.Bins(Bins);
        w.Varint((ulong)_sources.Count);
        foreach (var (name, h) in _sources)
        {
            w.String(name);
            h.Write(w);
        }

        return w.ToArray();
    }

    /// <summary>Reads <see cref="ToBytes"/> output.</summary>
    public static SourceScoreHistograms FromBytes(ReadOnlySpan<byte> data)
    {
        var r = new StatsReader(data, "source score histograms");
        r.Magic(MagicNumber);
        var set = new SourceScoreHistograms(r.Bins());
        var n = r.NonNegative(1 << 20);
        for (var i = 0; i < n; i++)
        {
            var name = r.String();
            var h = ScoreHistogram.Read(ref r);
            if (!h.Bins.Equals(set.Bins)) throw r.Bad($"source '{name}' has different bins");
            if (!set._sources.TryAdd(name, h)) throw r.Bad($"source '{name}' listed twice");
        }

        r.End();
        return set;
    }
}
