using System.Globalization;

namespace Pipeline.Core.Selection;

/// <summary>How a source picks documents when it has more tokens than its target.</summary>
public enum MixtureSampling
{
    /// <summary>Highest score first (ties in seeded order), until the next document does not fit.</summary>
    ByScore = 0,
    /// <summary>Seeded random order (<see cref="SelectionPurposes.RandomDownsample"/>), until the next document does not fit.</summary>
    Random = 1,
}

/// <summary>What the planner does when a source cannot reach its target even at its repetition cap.</summary>
public enum ShortfallPolicy
{
    /// <summary>Keep the total budget: the short source gives all it can (at its cap) and the missing tokens go to the
    /// other sources in proportion to their shares (water-filling, each still within its cap). Shares then deviate
    /// from the targets, and <see cref="MixturePlan.Shortfalls"/> says which source ran short.</summary>
    FillFromOthers = 0,
    /// <summary>Keep the shares: scale every target down until the shortest source fits at its cap, so the total
    /// falls short of the budget. <see cref="MixturePlan.Shortfalls"/> still names the source.</summary>
    ShrinkTotal = 1,
}

/// <summary>A mixture component.</summary>
/// <param name="Name">Source name (unique, compared ordinally).</param>
/// <param name="Share">Target token share; shares are normalized by their sum.</param>
/// <param name="Sampling">How to downsample.</param>
/// <param name="MaxRepeats">Most times one document may appear (1 = no upsampling).</param>
public sealed record MixtureSource(string Name, double Share, MixtureSampling Sampling = MixtureSampling.ByScore, int MaxRepeats = 1);

/// <summary>A source and its candidate documents (weight = tokens).</summary>
/// <param name="Source">The source.</param>
/// <param name="Documents">Its candidates, in any order.</param>
public sealed record MixtureInput(MixtureSource Source, ReadOnlyMemory<ScoredItem> Documents);

/// <summary>Per-document rule of a source: <see cref="WholeRepeats"/> copies, plus one when <see cref="Extra"/> keeps it.</summary>
/// <param name="Source">Source name.</param>
/// <param name="WholeRepeats">Copies every document gets (0 when downsampling).</param>
/// <param name="Extra">Which documents get one more copy (the downsampling rule when <see cref="WholeRepeats"/> is 0).</param>
public sealed record SourceRule(string Source, int WholeRepeats, ThresholdDecision Extra)
{
    /// <summary>How many times the document appears in the output (0 = dropped).</summary>
    public int RepeatCount(double score, long docId) => WholeRepeats + (Extra.Keeps(score, docId) ? 1 : 0);
}

/// <summary>What a source contributes.</summary>
/// <param name="Source">Source name.</param>
/// <param name="TargetShare">Normalized target share.</param>
/// <param name="TargetTokens">Share × budget.</param>
/// <param name="PlannedTokens">Tokens asked of the source after the shortfall policy.</param>
/// <param name="AvailableTokens">Tokens of its candidates (each counted once).</param>
/// <param name="AvailableDocuments">Its candidates.</param>
/// <param name="RealisedTokens">Tokens in the output, repetitions included.</param>
/// <param name="KeptDocuments">Distinct documents in the output.</param>
/// <param name="RealisedShare">Realised tokens over all realised tokens.</param>
/// <param name="Rule">The per-document rule.</param>
public sealed record SourceOutcome(
    string Source,
    double TargetShare,
    long TargetTokens,
    long PlannedTokens,
    long AvailableTokens,
    long AvailableDocuments,
    long RealisedTokens,
    long KeptDocuments,
    double RealisedShare,
    SourceRule Rule);

/// <summary>A source that cannot reach its target even at its repetition cap.</summary>
/// <param name="Source">Source name.</param>
/// <param name="TargetTokens">Its target.</param>
/// <param name="AvailableTokens">Its candidates' tokens.</param>
/// <param name="MaxRepeats">Its repetition cap.</param>
/// <param name="MaxTokens">The most it can give (cap × available).</param>
/// <param name="Message">A sentence for the job log and the manifest.</param>
public sealed record MixtureShortfall(string Source, long TargetTokens, long AvailableTokens, int MaxRepeats, long MaxTokens, string Message);

/// <summary>The mixture plan.</summary>
/// <param name="TotalBudget">The asked total.</param>
/// <param name="Policy">The shortfall policy used.</param>
/// <param name="RealisedTokens">Tokens in the output, repetitions included.</param>
/// <param name="Sources">Outcomes, ordered by source name.</param>
/// <param name="Shortfalls">Sources that ran short (empty when the data allowed the targets).</param>
public sealed record MixturePlan(long TotalBudget, ShortfallPolicy Policy, long RealisedTokens, IReadOnlyList<SourceOutcome> Sources, IReadOnlyList<MixtureShortfall> Shortfalls)
{
    /// <summary>The outcome of a source by name.</summary>
    public SourceOutcome Source(string name)
    {
        foreach (var s in Sources)
        {
            if (string.Equals(s.Source, name, StringComparison.Ordinal)) return s;
        }

        throw new KeyNotFoundException($"No source '{name}' in the mixture.");
    }
}

/// <summary>
/// Mixtures: sources with target token shares and a total token budget. A source with more tokens than its target
/// is downsampled (<see cref="MixtureSampling"/>); one with fewer is upsampled — every document repeated
/// ⌊target / available⌋ times (at most the cap), then one more copy for a seeded subset
/// (<see cref="SelectionPurposes.Repeat"/>) until the next document does not fit. Each source under-fills its
/// target by less than one document, so realised shares match targets to within (largest document / source tokens).
/// </summary>
/// <remarks>Deterministic and independent of input order: sources are processed by name, documents by sorted keys,
/// and every floating-point sum runs in name order.</remarks>
public static class MixturePlanner
{
    /// <summary>Plans the mixture.</summary>
    public static MixturePlan Plan(IReadOnlyList<MixtureInput> inputs, long totalTokens, long seed, ShortfallPolicy policy = ShortfallPolicy.FillFromOthers)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfNegative(totalTokens);
        var sorted = Validate(inputs);
        var n = sorted.Length;
        var available = new long[n];
        var caps = new long[n];
        double shareSum = 0;
        for (var i = 0; i < n; i++)
        {
            foreach (ref readonly var d in sorted[i].Documents.Span)
            {
                ScoreChecks.Normalize(d, nameof(inputs));
                available[i] = checked(available[i] + d.Weight);
            }

            caps[i] = checked(available[i] * sorted[i].Source.MaxRepeats);
            shareSum += sorted[i].Source.Share;
        }

        var shares = new double[n];
        var desired = new double[n];
        for (var i = 0; i < n; i++)
        {
            shares[i] = sorted[i].Source.Share / shareSum;
            desired[i] = shares[i] * totalTokens;
        }

        var planned = policy == ShortfallPolicy.ShrinkTotal ? Shrink(desired, caps) : WaterFill(shares, caps, totalTokens);
        var shortfalls = new List<MixtureShortfall>();
        for (var i = 0; i < n; i++)
        {
            var target = (long)Math.Floor(desired[i]);
            if (target <= caps[i]) continue;
            var s = sorted[i].Source;
            var action = policy == ShortfallPolicy.ShrinkTotal
                ? "every source was scaled down to keep the shares, so the total is below the budget"
                : "the missing tokens were given to the other sources in proportion to their shares, so the shares differ from the targets";
            shortfalls.Add(new MixtureShortfall(s.Name, target, available[i], s.MaxRepeats, caps[i], string.Create(CultureInfo.InvariantCulture,
                $"Source '{s.Name}' ran short: its target is {target} tokens ({shares[i]:0.####} of {totalTokens}), but it has {available[i]} tokens and may repeat each document at most {s.MaxRepeats}x, so it gives at most {caps[i]}; {action} (policy {policy}).")));
        }

        var rules = new SourceRule[n];
        var realised = new long[n];
        var kept = new long[n];
        long total = 0;
        for (var i = 0; i < n; i++)
        {
            (rules[i], realised[i], kept[i]) = Realise(sorted[i], available[i], planned[i], seed);
            total = checked(total + realised[i]);
        }

        var outcomes = new SourceOutcome[n];
        for (var i = 0; i < n; i++)
        {
            outcomes[i] = new SourceOutcome(sorted[i].Source.Name, shares[i], (long)Math.Floor(desired[i]), planned[i], available[i],
                sorted[i].Documents.Length, realised[i], kept[i], total == 0 ? 0 : (double)realised[i] / total, rules[i]);
        }

        return new MixturePlan(totalTokens, policy, total, outcomes, shortfalls);
    }

    /// <summary>The repeat count of every document of a source, in the order given.</summary>
    public static int[] RepeatCounts(SourceRule rule, ReadOnlySpan<ScoredItem> documents)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var counts = new int[documents.Length];
        for (var i = 0; i < documents.Length; i++) counts[i] = rule.RepeatCount(documents[i].Score + 0.0, documents[i].DocId);
        return counts;
    }

    private static (SourceRule Rule, long Tokens, long Documents) Realise(MixtureInput input, long available, long planned, long seed)
    {
        var s = input.Source;
        var docs = input.Documents.Span;
        if (planned <= 0 || available == 0)
        {
            return (new SourceRule(s.Name, 0, ThresholdDecision.None(seed)), 0, 0);
        }

        if (planned <= available)
        {
            var r = s.Sampling == MixtureSampling.ByScore
                ? ExactThreshold.Select(docs, ThresholdTarget.WeightBudget(planned), seed)
                : ExactThreshold.RandomBudget(docs, planned, seed, SelectionPurposes.RandomDownsample);
            return (new SourceRule(s.Name, 0, r.Decision), r.AchievedWeight, r.KeptDocuments);
        }

        var whole = (int)Math.Min(planned / available, s.MaxRepeats);
        var rest = whole >= s.MaxRepeats ? 0 : planned - (whole * available);
        var extra = ExactThreshold.RandomBudget(docs, rest, seed, SelectionPurposes.Repeat);
        return (new SourceRule(s.Name, whole, extra.Decision), checked((whole * available) + extra.AchievedWeight), docs.Length);
    }

    /// <summary>Shares of the budget, each capped; what a capped source cannot take goes to the others by share.</summary>
    private static long[] WaterFill(double[] shares, long[] caps, long budget)
    {
        var n = shares.Length;
        var alloc = new double[n];
        var done = new bool[n];
        double remaining = budget;
        while (true)
        {
            double open = 0;
            for (var i = 0; i < n; i++)
            {
                if (!done[i] && shares[i] > 0) open += shares[i];
            }

            if (open == 0) break;
            var saturated = false;
            for (var i = 0; i < n; i++)
            {
                if (done[i] || shares[i] <= 0 || remaining * shares[i] / open <= caps[i]) continue;
                alloc[i] = caps[i];
                done[i] = true;
                saturated = true;
            }

            if (saturated)
            {
                remaining = budget;
                for (var i = 0; i < n; i++)
                {
                    if (done[i]) remaining -= alloc[i];
                }

                continue;
            }

            for (var i = 0; i < n; i++)
            {
                if (!done[i] && shares[i] > 0) alloc[i] = remaining * shares[i] / open;
            }

            break;
        }

        var planned = new long[n];
        for (var i = 0; i < n; i++) planned[i] = Math.Min(caps[i], (long)Math.Floor(alloc[i]));
        return planned;
    }

    /// <summary>Every target scaled by the largest factor ≤ 1 at which all fit their caps.</summary>
    private static long[] Shrink(double[] desired, long[] caps)
    {
        var factor = 1.0;
        for (var i = 0; i < desired.Length; i++)
        {
            if (desired[i] > caps[i]) factor = Math.Min(factor, caps[i] / desired[i]);
        }

        var planned = new long[desired.Length];
        for (var i = 0; i < desired.Length; i++) planned[i] = Math.Min(caps[i], (long)Math.Floor(desired[i] * factor));
        return planned;
    }

    private static MixtureInput[] Validate(IReadOnlyList<MixtureInput> inputs)
    {
        if (inputs.Count == 0) throw new ArgumentException("A mixture needs at least one source.", nameof(inputs));
        var sorted = new MixtureInput[inputs.Count];
        double sum = 0;
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i] ?? throw new ArgumentException($"Mixture input {i} is null.", nameof(inputs));
            var s = input.Source ?? throw new ArgumentException($"Mixture input {i} has no source.", nameof(inputs));
            if (string.IsNullOrEmpty(s.Name)) throw new ArgumentException($"Mixture source {i} has no name.", nameof(inputs));
            if (!double.IsFinite(s.Share) || s.Share < 0) throw new ArgumentException($"Source '{s.Name}' has share {s.Share}; shares must be finite and >= 0.", nameof(inputs));
            if (s.MaxRepeats < 1) throw new ArgumentException($"Source '{s.Name}' has max_repeats {s.MaxRepeats}; it must be >= 1.", nameof(inputs));
            sorted[i] = input;
            sum += s.Share;
        }

        if (!(sum > 0)) throw new ArgumentException("The mixture's shares sum to 0.", nameof(inputs));
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Source.Name, b.Source.Name));
        for (var i = 1; i < sorted.Length; i++)
        {
            if (string.Equals(sorted[i].Source.Name, sorted[i - 1].Source.Name, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Source '{sorted[i].Source.Name}' appears twice in the mixture.", nameof(inputs));
            }
        }

        return sorted;
    }
}
