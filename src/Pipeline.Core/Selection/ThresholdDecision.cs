using Pipeline.Core.Hashing;

namespace Pipeline.Core.Selection;

/// <summary>Linear score bins over [<see cref="Min"/>, <see cref="Max"/>]; scores outside the range fall into the end bins.</summary>
public sealed record ScoreBins
{
    private readonly double _scale;

    /// <summary>Creates <paramref name="count"/> equal bins over [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public ScoreBins(double min, double max, int count)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || !(max > min))
        {
            throw new ArgumentException($"Score bins need finite min < max; got [{min}, {max}].", nameof(max));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxCount);
        Min = min;
        Max = max;
        Count = count;
        _scale = count / (max - min);
        if (!double.IsFinite(_scale))
        {
            throw new ArgumentException($"Score range [{min}, {max}] is too narrow for {count} bins.", nameof(max));
        }
    }

    /// <summary>The most bins a layout may have (16 Mi).</summary>
    public const int MaxCount = 1 << 24;

    /// <summary>Lower end of the range.</summary>
    public double Min { get; }

    /// <summary>Upper end of the range.</summary>
    public double Max { get; }

    /// <summary>Number of bins.</summary>
    public int Count { get; }

    /// <summary>Width of one bin.</summary>
    public double Width => (Max - Min) / Count;

    /// <summary><paramref name="count"/> bins over [0, 1], the range of classifier probabilities.</summary>
    public static ScoreBins UnitInterval(int count) => new(0, 1, count);

    /// <summary>The bin of a score. Monotone: a higher score never lands in a lower bin (IEEE arithmetic is monotone).</summary>
    public int BinOf(double score)
    {
        if (!(score > Min)) return 0;
        if (score >= Max) return Count - 1;
        var b = (int)((score - Min) * _scale);
        return b >= Count ? Count - 1 : b;
    }

    /// <summary>Nominal lower edge of a bin (for reports; membership is decided by <see cref="BinOf"/>).</summary>
    public double LowerEdge(int bin) => bin <= 0 ? Min : Min + (bin * (Max - Min) / Count);

    /// <inheritdoc />
    public bool Equals(ScoreBins? other) =>
        other is not null && Min.Equals(other.Min) && Max.Equals(other.Max) && Count == other.Count;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Min, Max, Count);
}

/// <summary>What a threshold search aims at.</summary>
public enum TargetKind
{
    /// <summary>The smallest top-by-score set whose weight reaches a share of the total (PreSelect's crossing rule).</summary>
    TopShare = 0,
    /// <summary>The largest top-by-score set whose weight does not exceed a budget.</summary>
    Budget = 1,
}

/// <summary>A threshold target: keep the top share of the weight, or fill a budget by score.</summary>
/// <param name="Kind">Share or budget.</param>
/// <param name="Share">For <see cref="TargetKind.TopShare"/>: the share in [0, 1].</param>
/// <param name="Budget">For <see cref="TargetKind.Budget"/>: the weight budget (≥ 0).</param>
public sealed record ThresholdTarget(TargetKind Kind, double Share, long Budget)
{
    /// <summary>Keep the top <paramref name="share"/> of the total weight (e.g. 0.1 by characters).</summary>
    public static ThresholdTarget TopShare(double share)
    {
        if (!(share >= 0 && share <= 1)) throw new ArgumentOutOfRangeException(nameof(share), share, "A share must be in [0, 1].");
        return new ThresholdTarget(TargetKind.TopShare, share, 0);
    }

    /// <summary>Fill <paramref name="budget"/> weight units (e.g. tokens) by descending score, never exceeding it.</summary>
    public static ThresholdTarget WeightBudget(long budget)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(budget);
        return new ThresholdTarget(TargetKind.Budget, 0, budget);
    }

    /// <summary>The target weight for a total.</summary>
    public double WeightFor(long total) => Kind == TargetKind.TopShare ? Share * total : Budget;

    /// <summary>True when the kept weight must reach the target (share), false when it must not exceed it (budget).</summary>
    internal bool Reaches => Kind == TargetKind.TopShare;
}

/// <summary>The form of a <see cref="ThresholdDecision"/>.</summary>
public enum ThresholdKind
{
    /// <summary>Nothing is kept.</summary>
    KeepNone = 0,
    /// <summary>Everything is kept.</summary>
    KeepAll = 1,
    /// <summary>Keep score &gt; <see cref="ThresholdDecision.Score"/>, and at equal score keep key ≤ <see cref="ThresholdDecision.TieCutoff"/>.</summary>
    Score = 2,
    /// <summary>Keep bin &gt; <see cref="ThresholdDecision.Bin"/>, and in that bin keep key ≤ <see cref="ThresholdDecision.TieCutoff"/> (sketch mode).</summary>
    Bin = 3,
    /// <summary>Keep key ≤ <see cref="ThresholdDecision.TieCutoff"/>, whatever the score (seeded random sampling).</summary>
    Key = 4,
}

/// <summary>
/// A per-document keep rule that needs only the document's score and id: the selection plan stores it and any
/// worker applies it without global state. The tie key is <c>StableHash.Key(Seed, docId, Purpose)</c>.
/// </summary>
/// <param name="Kind">The form of the rule.</param>
/// <param name="Seed">The job seed.</param>
/// <param name="Purpose">The purpose of the tie key.</param>
/// <param name="Score">For <see cref="ThresholdKind.Score"/>: the threshold score t.</param>
/// <param name="TieCutoff">Largest kept key among documents at the boundary (inclusive).</param>
/// <param name="Bins">For <see cref="ThresholdKind.Bin"/>: the bin layout.</param>
/// <param name="Bin">For <see cref="ThresholdKind.Bin"/>: the boundary bin.</param>
public sealed record ThresholdDecision(
    ThresholdKind Kind,
    long Seed,
    Purpose Purpose,
    double Score = 0,
    ulong TieCutoff = ulong.MaxValue,
    ScoreBins? Bins = null,
    int Bin = 0)
{
    /// <summary>Keeps nothing.</summary>
    public static ThresholdDecision None(long seed) => new(ThresholdKind.KeepNone, seed, SelectionPurposes.ScoreTie);

    /// <summary>Keeps everything.</summary>
    public static ThresholdDecision All(long seed) => new(ThresholdKind.KeepAll, seed, SelectionPurposes.ScoreTie);

    /// <summary>Keeps every document with score ≥ <paramref name="threshold"/> (datatrove's <c>&gt;=</c>).</summary>
    public static ThresholdDecision AtLeast(double threshold, long seed)
    {
        ScoreChecks.CheckFinite(threshold, nameof(threshold));
        return new(ThresholdKind.Score, seed, SelectionPurposes.ScoreTie, threshold + 0.0, ulong.MaxValue);
    }

    /// <summary>True when the document is kept.</summary>
    public bool Keeps(double score, long docId) => Kind switch
    {
        ThresholdKind.KeepNone => false,
        ThresholdKind.KeepAll => true,
        ThresholdKind.Score => score > Score || (score == Score && StableHash.Key(Seed, docId, Purpose) <= TieCutoff),
        ThresholdKind.Bin => KeepsBin(score, docId),
        ThresholdKind.Key => StableHash.Key(Seed, docId, Purpose) <= TieCutoff,
        _ => throw new InvalidOperationException($"Unknown threshold kind {Kind}."),
    };

    private bool KeepsBin(double score, long docId)
    {
        var bins = Bins ?? throw new InvalidOperationException("A bin threshold needs its bin layout.");
        var b = bins.BinOf(score);
        return b > Bin || (b == Bin && StableHash.Key(Seed, docId, Purpose) <= TieCutoff);
    }
}

/// <summary>The outcome of a threshold search, for the selection plan and the manifest.</summary>
/// <param name="Decision">The per-document rule.</param>
/// <param name="Target">What was asked for.</param>
/// <param name="TotalWeight">Weight of all candidate documents.</param>
/// <param name="TotalDocuments">Number of candidate documents.</param>
/// <param name="TargetWeight">The asked weight (share × total, or the budget).</param>
/// <param name="AchievedWeight">Weight kept by <see cref="Decision"/>: exact when <see cref="MaxError"/> is 0, else an estimate.</param>
/// <param name="KeptDocuments">Documents kept: exact when <see cref="MaxError"/> is 0, else an estimate.</param>
/// <param name="MaxError">Deterministic bound on |true kept weight − <see cref="AchievedWeight"/>| (0 in exact mode).</param>
/// <param name="Exact">True when the kept set equals the exact top-by-score rule.</param>
public sealed record ThresholdResult(
    ThresholdDecision Decision,
    ThresholdTarget Target,
    long TotalWeight,
    long TotalDocuments,
    double TargetWeight,
    long AchievedWeight,
    long KeptDocuments,
    long MaxError,
    bool Exact)
{
    /// <summary>The asked share of the total weight.</summary>
    public double TargetShare => TotalWeight == 0 ? 0 : TargetWeight / TotalWeight;

    /// <summary>The achieved share of the total weight.</summary>
    public double AchievedShare => TotalWeight == 0 ? 0 : (double)AchievedWeight / TotalWeight;

    /// <summary>The bound on the share error, <see cref="MaxError"/> / <see cref="TotalWeight"/>.</summary>
    public double MaxShareError => TotalWeight == 0 ? 0 : (double)MaxError / TotalWeight;
}
