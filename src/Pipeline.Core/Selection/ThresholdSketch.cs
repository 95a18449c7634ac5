using Pipeline.Core.Hashing;

namespace Pipeline.Core.Selection;

/// <summary>Where a target falls in a merged <see cref="ScoreSketch"/>.</summary>
/// <param name="Bin">The boundary bin; -1 when everything is kept, <c>Count</c> when nothing is.</param>
/// <param name="WeightAbove">Weight of the bins above the boundary bin (all kept).</param>
/// <param name="DocumentsAbove">Documents in the bins above the boundary bin.</param>
/// <param name="BinWeight">Weight of the boundary bin.</param>
/// <param name="BinDocuments">Documents in the boundary bin: what a second, exact pass must collect.</param>
/// <param name="TargetWeight">The target weight.</param>
public sealed record SketchBoundary(int Bin, long WeightAbove, long DocumentsAbove, long BinWeight, long BinDocuments, double TargetWeight);

/// <summary>
/// Sketch mode for thresholds too large to sort in memory. Pass 1 (with scoring): each unit fills a
/// <see cref="ScoreSketch"/>; the coordinator merges them and calls <see cref="Locate"/>. Then one of:
/// <list type="bullet">
/// <item><see cref="SinglePass"/>: no further pass; keeps the bins above the boundary bin and a seeded-hash fraction of it.</item>
/// <item><see cref="WithBoundaryItems"/>: pass 2 collects the (at most <see cref="SketchBoundary.BinDocuments"/>) items of
/// the boundary bin; the result is identical to <see cref="ExactThreshold.Select"/>.</item>
/// <item><see cref="WithTieHistogram"/>: pass 2 fills a 2^16-cell histogram of the boundary bin's tie keys
/// (<see cref="TieCell"/>), 1 MiB, whatever the data.</item>
/// </list>
/// </summary>
/// <remarks>
/// <para>Error bounds (deterministic; <see cref="ThresholdResult.MaxError"/> reports the value for the data at hand):</para>
/// <para>Share: the kept weight lies within <c>MaxError</c> of <see cref="ThresholdResult.AchievedWeight"/>, and for a
/// share target <c>AchievedWeight</c> is the target (rounded) — so |kept − target| ≤ MaxError + 1. <c>MaxError</c> is the
/// weight of the boundary bin (single pass) or of the boundary tie cell (tie pass); for a budget target the kept
/// weight never exceeds the budget and falls short by at most <c>MaxError</c>. Tie cells split a bin by a seeded hash,
/// so for any score distribution — all scores equal included — a cell holds about 2^-16 of its bin's weight (plus at
/// most one document's weight of granularity).</para>
/// <para>Order: inside the boundary bin documents are ordered by tie key, not score, so a dropped document can outscore a
/// kept one by less than one bin width (<see cref="ScoreBins.Width"/>); outside it the order is exact.</para>
/// <para>Memory: 16 bytes per bin at the coordinator; per unit only the non-empty bins are serialized.</para>
/// </remarks>
public static class ThresholdSketch
{
    /// <summary>Bits of the tie key that pick a tie cell.</summary>
    public const int TieBits = 16;

    private const int TieShift = 64 - TieBits;

    /// <summary>The tie cell (0 .. 2^16 − 1) of a document; cells are in kept-first order.</summary>
    public static int TieCell(long seed, long docId) => (int)(StableHash.Key(seed, docId, SelectionPurposes.ScoreTie) >> TieShift);

    /// <summary>An empty tie-cell histogram for pass 2.</summary>
    public static WeightHistogram NewTieHistogram() => new(1 << TieBits);

    /// <summary>Finds the boundary bin of <paramref name="target"/> in a merged sketch.</summary>
    public static SketchBoundary Locate(ScoreSketch sketch, ThresholdTarget target)
    {
        ArgumentNullException.ThrowIfNull(sketch);
        ArgumentNullException.ThrowIfNull(target);
        var h = sketch.Histogram;
        var t = target.WeightFor(h.TotalWeight);
        if (target.Reaches && !(t > 0)) return new SketchBoundary(h.Length, 0, 0, 0, 0, t);
        long above = 0, docsAbove = 0;
        for (var b = h.Length - 1; b >= 0; b--)
        {
            var w = h.Weight(b);
            var hit = target.Reaches ? above + w >= t : above + w > t;
            if (hit && h.Documents(b) > 0) return new SketchBoundary(b, above, docsAbove, w, h.Documents(b), t);
            above += w;
            docsAbove += h.Documents(b);
        }

        return new SketchBoundary(-1, above, docsAbove, 0, 0, t);
    }

    /// <summary>One-pass decision: bins above the boundary, plus the boundary bin's documents whose tie key is in the
    /// lowest fraction f of the key space, f chosen so the expected weight meets the target (0 for a budget).</summary>
    public static ThresholdResult SinglePass(ScoreSketch sketch, ThresholdTarget target, long seed)
    {
        var bd = Locate(sketch, target);
        var h = sketch.Histogram;
        if (Trivial(bd, sketch, target, seed) is { } done) return done;
        var f = target.Reaches ? Math.Clamp((bd.TargetWeight - bd.WeightAbove) / bd.BinWeight, 0, 1) : 0;
        if (bd.BinWeight == 0) f = target.Reaches ? 1 : 0;
        var keys = KeysFor(0, f, 64);
        var decision = BinDecision(sketch.Bins, bd.Bin, keys, seed);
        var achieved = bd.WeightAbove + (long)Math.Round(f * bd.BinWeight);
        var docs = bd.DocumentsAbove + (long)Math.Round(f * bd.BinDocuments);
        return new ThresholdResult(decision, target, h.TotalWeight, h.TotalDocuments, bd.TargetWeight, achieved, docs, bd.BinWeight, Exact: false);
    }

    /// <summary>Decision from the boundary bin's items (pass 2): identical to <see cref="ExactThreshold.Select"/>.</summary>
    public static ThresholdResult WithBoundaryItems(ScoreSketch sketch, ThresholdTarget target, long seed, ReadOnlySpan<ScoredItem> boundaryItems)
    {
        var bd = Locate(sketch, target);
        var h = sketch.Histogram;
        if (Trivial(bd, sketch, target, seed) is { } done) return done;
        foreach (ref readonly var item in boundaryItems)
        {
            var b = sketch.Bins.BinOf(ScoreChecks.Normalize(item, nameof(boundaryItems)));
            if (b != bd.Bin) throw new ArgumentException($"Document {item.DocId} (score {item.Score}) is in bin {b}, not in the boundary bin {bd.Bin}.", nameof(boundaryItems));
        }

        var entries = ExactThreshold.Entries(boundaryItems, seed, SelectionPurposes.ScoreTie, useScore: true, out var binWeight);
        if (binWeight != bd.BinWeight || entries.Length != bd.BinDocuments)
        {
            throw new ArgumentException($"The boundary items ({entries.Length} documents, weight {binWeight}) do not match the sketch's boundary bin ({bd.BinDocuments}, {bd.BinWeight}).", nameof(boundaryItems));
        }

        var cut = ExactThreshold.Cut(entries, target.Reaches, bd.TargetWeight - bd.WeightAbove);
        var decision = cut.End == 0
            ? BinDecision(sketch.Bins, bd.Bin, 0, seed)
            : new ThresholdDecision(ThresholdKind.Score, seed, SelectionPurposes.ScoreTie, entries[cut.End - 1].Score, entries[cut.End - 1].Key);
        return new ThresholdResult(decision, target, h.TotalWeight, h.TotalDocuments, bd.TargetWeight, bd.WeightAbove + cut.Weight, bd.DocumentsAbove + cut.End, 0, Exact: true);
    }

    /// <summary>Decision from the boundary bin's tie-cell histogram (pass 2; fill it with <see cref="TieCell"/> for
    /// every document in the boundary bin).</summary>
    public static ThresholdResult WithTieHistogram(ScoreSketch sketch, ThresholdTarget target, long seed, WeightHistogram tieCells)
    {
        ArgumentNullException.ThrowIfNull(tieCells);
        var bd = Locate(sketch, target);
        var h = sketch.Histogram;
        if (Trivial(bd, sketch, target, seed) is { } done) return done;
        if (tieCells.Length != 1 << TieBits || tieCells.TotalWeight != bd.BinWeight || tieCells.TotalDocuments != bd.BinDocuments)
        {
            throw new ArgumentException($"The tie histogram ({tieCells.TotalDocuments} documents, weight {tieCells.TotalWeight}) does not match the boundary bin ({bd.BinDocuments}, {bd.BinWeight}).", nameof(tieCells));
        }

        var rest = bd.TargetWeight - bd.WeightAbove;
        long cum = 0, docs = 0;
        var cell = 0;
        var f = 0.0;
        for (; cell < tieCells.Length; cell++)
        {
            var w = tieCells.Weight(cell);
            if (tieCells.Documents(cell) == 0) continue;
            if (target.Reaches ? cum + w >= rest : cum + w > rest)
            {
                f = target.Reaches ? (w == 0 ? 1 : Math.Clamp((rest - cum) / w, 0, 1)) : 0;
                break;
            }

            cum += w;
            docs += tieCells.Documents(cell);
        }

        if (cell == tieCells.Length)
        {
            // Cannot happen for a matching histogram (the bin's weight meets the target); keep the whole bin.
            return new ThresholdResult(BinDecision(sketch.Bins, bd.Bin, UInt128.One << 64, seed), target, h.TotalWeight, h.TotalDocuments, bd.TargetWeight, bd.WeightAbove + cum, bd.DocumentsAbove + docs, 0, Exact: false);
        }

        var keys = KeysFor(cell, f, TieShift);
        var cellWeight = tieCells.Weight(cell);
        var achieved = bd.WeightAbove + cum + (long)Math.Round(f * cellWeight);
        var keptDocs = bd.DocumentsAbove + docs + (long)Math.Round(f * tieCells.Documents(cell));
        return new ThresholdResult(BinDecision(sketch.Bins, bd.Bin, keys, seed), target, h.TotalWeight, h.TotalDocuments, bd.TargetWeight, achieved, keptDocs, cellWeight, Exact: false);
    }

    /// <summary>Number of tie keys kept: whole cells below <paramref name="cell"/> plus fraction f of that cell.</summary>
    private static UInt128 KeysFor(int cell, double f, int shift)
    {
        var cellSize = UInt128.One << shift;
        UInt128 part;
        if (f >= 1) part = cellSize;
        else
        {
            var x = f * Math.Pow(2, shift);
            part = x >= (double)cellSize ? cellSize : (UInt128)x;
        }

        return ((UInt128)(uint)cell << shift) + part;
    }

    /// <summary>Keeps bins above <paramref name="bin"/> and the first <paramref name="keys"/> tie keys of it.</summary>
    private static ThresholdDecision BinDecision(ScoreBins bins, int bin, UInt128 keys, long seed)
    {
        if (keys == 0)
        {
            return bin + 1 >= bins.Count
                ? ThresholdDecision.None(seed)
                : new ThresholdDecision(ThresholdKind.Bin, seed, SelectionPurposes.ScoreTie, 0, ulong.MaxValue, bins, bin + 1);
        }

        var cutoff = keys > ulong.MaxValue ? ulong.MaxValue : (ulong)(keys - 1);
        return new ThresholdDecision(ThresholdKind.Bin, seed, SelectionPurposes.ScoreTie, 0, cutoff, bins, bin);
    }

    private static ThresholdResult? Trivial(SketchBoundary bd, ScoreSketch sketch, ThresholdTarget target, long seed)
    {
        var h = sketch.Histogram;
        if (bd.Bin >= h.Length) return new ThresholdResult(ThresholdDecision.None(seed), target, h.TotalWeight, h.TotalDocuments, bd.TargetWeight, 0, 0, 0, Exact: true);
        if (bd.Bin < 0) return new ThresholdResult(ThresholdDecision.All(seed), target, h.TotalWeight, h.TotalDocuments, bd.TargetWeight, h.TotalWeight, h.TotalDocuments, 0, Exact: true);
        return null;
    }
}
