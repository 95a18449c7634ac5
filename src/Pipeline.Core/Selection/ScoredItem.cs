using Pipeline.Core.Hashing;

namespace Pipeline.Core.Selection;

/// <summary>One document as selection sees it: its id, its score and its weight (1, characters or tokens).</summary>
/// <param name="DocId">The document id (<see cref="StableHash.DocumentId"/>); with the seed it gives the tie order.</param>
/// <param name="Score">The score; must be finite. Higher is better.</param>
/// <param name="Weight">The weight counted towards shares and budgets; must be ≥ 0.</param>
public readonly record struct ScoredItem(long DocId, double Score, long Weight);

/// <summary>What the weight of a <see cref="ScoredItem"/> counts.</summary>
public enum WeightBasis
{
    /// <summary>Every document weighs 1.</summary>
    Documents = 0,
    /// <summary>Unicode scalar values of the text (PreSelect's rule).</summary>
    Characters = 1,
    /// <summary>Tokens of the job's tokenizer.</summary>
    Tokens = 2,
}

/// <summary>Seeded draws used by selection (named <see cref="Purpose"/> values).</summary>
public static class SelectionPurposes
{
    /// <summary>Order among documents with equal scores (and among documents of one score bin in sketch mode).</summary>
    public const Purpose ScoreTie = Purpose.ScoreTie;

    /// <summary>Which documents get the extra (fractional) repetition when a source is upsampled.</summary>
    public const Purpose Repeat = Purpose.Repeat;

    /// <summary>Seeded random downsampling to a token budget: the engine's existing <see cref="Purpose.Budget"/>.</summary>
    public const Purpose RandomDownsample = Purpose.Budget;

    /// <summary>The seeded key of a document for a purpose; smaller keys come first.</summary>
    public static ulong Key(long seed, long docId, Purpose purpose) => StableHash.Key(seed, docId, purpose);
}

internal static class ScoreChecks
{
    /// <summary>Rejects non-finite scores and negative weights, and turns −0 into +0 so equal scores look equal in JSON.</summary>
    public static double Normalize(in ScoredItem item, string paramName)
    {
        if (!double.IsFinite(item.Score))
        {
            throw new ArgumentException($"Document {item.DocId} has score {item.Score}; scores must be finite numbers.", paramName);
        }

        if (item.Weight < 0)
        {
            throw new ArgumentException($"Document {item.DocId} has weight {item.Weight}; weights must be >= 0.", paramName);
        }

        return item.Score + 0.0;
    }

    public static void CheckFinite(double score, string paramName)
    {
        if (!double.IsFinite(score))
        {
            throw new ArgumentException($"Score {score} is not a finite number.", paramName);
        }
    }
}
