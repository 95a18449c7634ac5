namespace Pipeline.Core.Selection;

/// <summary>
/// Document counts and weights per bin: a linear sketch, so merging is integer addition and any merge order or
/// grouping gives identical contents and identical <see cref="ToBytes"/> output.
/// </summary>
public sealed class WeightHistogram
{
    private const uint MagicNumber = 0x31485750; // "PWH1"
    private readonly long[] _documents;
    private readonly long[] _weights;

    /// <summary>Creates an empty histogram with <paramref name="length"/> bins.</summary>
    public WeightHistogram(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, ScoreBins.MaxCount);
        _documents = new long[length];
        _weights = new long[length];
    }

    /// <summary>Number of bins.</summary>
    public int Length => _documents.Length;

    /// <summary>Documents added in total.</summary>
    public long TotalDocuments { get; private set; }

    /// <summary>Weight added in total.</summary>
    public long TotalWeight { get; private set; }

    /// <summary>Memory held by the bins.</summary>
    public long MemoryBytes => 16L * Length;

    /// <summary>Documents in a bin.</summary>
    public long Documents(int bin) => _documents[bin];

    /// <summary>Weight in a bin.</summary>
    public long Weight(int bin) => _weights[bin];

    /// <summary>Adds one document of <paramref name="weight"/> (≥ 0) to <paramref name="bin"/>.</summary>
    public void Add(int bin, long weight)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(weight);
        _documents[bin]++;
        _weights[bin] = checked(_weights[bin] + weight);
        TotalDocuments++;
        TotalWeight = checked(TotalWeight + weight);
    }

    /// <summary>Adds another histogram of the same length into this one.</summary>
    public void Merge(WeightHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Length != Length) throw new ArgumentException($"Cannot merge a {other.Length}-bin histogram into a {Length}-bin one.", nameof(other));
        for (var i = 0; i < _documents.Length; i++)
        {
            _documents[i] = checked(_documents[i] + other._documents[i]);
            _weights[i] = checked(_weights[i] + other._weights[i]);
        }

        TotalDocuments = checked(TotalDocuments + other.TotalDocuments);
        TotalWeight = checked(TotalWeight + other.TotalWeight);
    }

    /// <summary>Compact canonical bytes: the non-empty bins as (bin gap, documents, weight) varints.</summary>
    public byte[] ToBytes() => StatsFrame.Encode(MagicNumber, Write);

    /// <summary>Reads <see cref="ToBytes"/> output.</summary>
    public static WeightHistogram FromBytes(ReadOnlySpan<byte> data) => StatsFrame.Decode(data, "weight histogram", MagicNumber, Read);

    internal void Write(StatsWriter w)
    {
        w.Varint((ulong)Length);
        var nonEmpty = 0;
        for (var i = 0; i < _documents.Length; i++)
        {
            if (_documents[i] != 0) nonEmpty++;
        }

        w.Varint((ulong)nonEmpty);
        var previous = -1;
        for (var i = 0; i < _documents.Length; i++)
        {
            if (_documents[i] == 0) continue;
            w.Varint((ulong)(i - previous - 1));
            w.Varint((ulong)_documents[i]);
            w.Varint((ulong)_weights[i]);
            previous = i;
        }
    }

    internal static WeightHistogram Read(ref StatsReader r)
    {
        var length = (int)r.NonNegative(ScoreBins.MaxCount);
        if (length < 1) throw r.Bad("no bins");
        var h = new WeightHistogram(length);
        var nonEmpty = r.NonNegative(length);
        var bin = -1L;
        for (var k = 0; k < nonEmpty; k++)
        {
            bin += r.NonNegative(length) + 1;
            if (bin >= length) throw r.Bad($"bin {bin} outside {length} bins");
            var docs = r.NonNegative(long.MaxValue);
            var weight = r.NonNegative(long.MaxValue);
            if (docs == 0) throw r.Bad("empty bin listed");
            h._documents[bin] = docs;
            h._weights[bin] = weight;
            h.TotalDocuments = checked(h.TotalDocuments + docs);
            h.TotalWeight = checked(h.TotalWeight + weight);
        }

        return h;
    }
}

/// <summary>
/// The per-unit statistics of sketch mode: weights per linear score bin (<see cref="ScoreBins"/>). Mergeable in any
/// order with identical results; serializable with <see cref="ToBytes"/>.
/// </summary>
public sealed class ScoreSketch
{
    private const uint MagicNumber = 0x31535350; // "PSS1"

    /// <summary>Creates an empty sketch over <paramref name="bins"/>.</summary>
    public ScoreSketch(ScoreBins bins)
    {
        ArgumentNullException.ThrowIfNull(bins);
        Bins = bins;
        Histogram = new WeightHistogram(bins.Count);
    }

    private ScoreSketch(ScoreBins bins, WeightHistogram histogram)
    {
        Bins = bins;
        Histogram = histogram;
    }

    /// <summary>The bin layout.</summary>
    public ScoreBins Bins { get; }

    /// <summary>Documents and weights per bin.</summary>
    public WeightHistogram Histogram { get; }

    /// <summary>Adds a document.</summary>
    public void Add(in ScoredItem item)
    {
        var score = ScoreChecks.Normalize(item, nameof(item));
        Histogram.Add(Bins.BinOf(score), item.Weight);
    }

    /// <summary>Adds another sketch with the same bins.</summary>
    public void Merge(ScoreSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!other.Bins.Equals(Bins)) throw new ArgumentException($"Cannot merge sketches with different bins ({other.Bins} vs {Bins}).", nameof(other));
        Histogram.Merge(other.Histogram);
    }

    /// <summary>Compact canonical bytes (bins, then the sparse histogram).</summary>
    public byte[] ToBytes()
    {
        var w = new StatsWriter();
        w.Magic(MagicNumber);
        w.Bins(Bins);
        Histogram.Write(w);
        return w.ToArray();
    }

    /// <summary>Reads <see cref="ToBytes"/> output.</summary>
    public static ScoreSketch FromBytes(ReadOnlySpan<byte> data)
    {
        var r = new StatsReader(data, "score sketch");
        r.Magic(MagicNumber);
        var bins = r.Bins();
        var h = WeightHistogram.Read(ref r);
        if (h.Length != bins.Count) throw r.Bad($"{h.Length} bins stored for a {bins.Count}-bin layout");
        r.End();
        return new ScoreSketch(bins, h);
    }
}

/// <summary>
/// The per-unit statistics of exact mode: every candidate's (doc id, score, weight). Kept in a canonical order
/// (doc id, score, weight), so merges in any order serialize to identical bytes.
/// </summary>
public sealed class ScoredItemSet
{
    private const uint MagicNumber = 0x31495350; // "PSI1"
    private ScoredItem[] _items = [];
    private int _count;
    private bool _sorted = true;

    /// <summary>Number of items.</summary>
    public int Count => _count;

    /// <summary>Working memory the coordinator needs for these items in an exact threshold search.</summary>
    public long MemoryBytes => (long)_count * ExactThreshold.BytesPerItem;

    /// <summary>The items in canonical order.</summary>
    public ReadOnlySpan<ScoredItem> Items
    {
        get
        {
            Canonicalize();
            return _items.AsSpan(0, _count);
        }
    }

    /// <summary>Adds an item.</summary>
    public void Add(in ScoredItem item)
    {
        var score = ScoreChecks.Normalize(item, nameof(item));
        if (_count == _items.Length) Array.Resize(ref _items, Math.Max(16, _count * 2));
        _items[_count++] = item with { Score = score };
        _sorted = false;
    }

    /// <summary>Adds every item of another set.</summary>
    public void Merge(ScoredItemSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (ref readonly var item in other._items.AsSpan(0, other._count)) Add(item);
    }

    /// <summary>Canonical bytes: count, then per item doc id and score bits (8 bytes each) and a varint weight.</summary>
    public byte[] ToBytes()
    {
        Canonicalize();
        var w = new StatsWriter();
        w.Magic(MagicNumber);
        w.Varint((ulong)_count);
        for (var i = 0; i < _count; i++)
        {
            w.Fixed64((ulong)_items[i].DocId);
            w.Double(_items[i].Score);
            w.Varint((ulong)_items[i].Weight);
        }

        return w.ToArray();
    }

    /// <summary>Reads <see cref="ToBytes"/> output.</summary>
    public static ScoredItemSet FromBytes(ReadOnlySpan<byte> data)
    {
        var r = new StatsReader(data, "scored item set");
        r.Magic(MagicNumber);
        var n = (int)r.NonNegative(Array.MaxLength);
        var set = new ScoredItemSet { _items = new ScoredItem[n] };
        for (var i = 0; i < n; i++)
        {
            var id = (long)r.Fixed64();
            var score = r.Double();
            var weight = r.NonNegative(long.MaxValue);
            if (!double.IsFinite(score)) throw r.Bad($"document {id} has score {score}");
            set._items[i] = new ScoredItem(id, score, weight);
        }

        set._count = n;
        set._sorted = false;
        r.End();
        return set;
    }

    private void Canonicalize()
    {
        if (_sorted) return;
        Array.Sort(_items, 0, _count, CanonicalOrder.Instance);
        _sorted = true;
    }

    private sealed class CanonicalOrder : IComparer<ScoredItem>
    {
        public static readonly CanonicalOrder Instance = new();

        public int Compare(ScoredItem x, ScoredItem y)
        {
            var c = x.DocId.CompareTo(y.DocId);
            if (c != 0) return c;
            c = x.Score.CompareTo(y.Score);
            return c != 0 ? c : x.Weight.CompareTo(y.Weight);
        }
    }
}
