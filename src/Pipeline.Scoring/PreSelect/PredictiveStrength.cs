namespace Pipeline.Scoring.PreSelect;

/// <summary>
/// PreSelect's predictive strength of one document (hkust-nlp/PreSelect <c>train_fasttext.py</c>): the share of model
/// pairs whose order by loss on the document agrees with their order by benchmark score.
/// </summary>
/// <remarks>
/// <c>S = Σ_{i&lt;j} [(b_i &gt; b_j ∧ C_i &lt; C_j) ∨ (b_i &lt; b_j ∧ C_i &gt; C_j)] / (N(N−1)/2)</c>: a pair counts when the
/// better-benchmarked model has the strictly lower loss; a tie in loss or in benchmark counts 0. So with tied
/// benchmarks S = 1 cannot be reached.
/// </remarks>
public static class PredictiveStrength
{
    /// <summary>The number of model pairs, <c>N(N−1)/2</c>, the denominator of S.</summary>
    /// <param name="models">N, the number of models (at least 2).</param>
    public static int PairCount(int models)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(models, 2);
        return checked(models * (models - 1) / 2);
    }

    /// <summary>The number of concordant pairs (S's numerator) for one document.</summary>
    /// <param name="benchmarks">Benchmark score of each model (higher is better).</param>
    /// <param name="losses">The document's loss under each model, in the same model order (lower is better).</param>
    /// <exception cref="ArgumentException">The spans differ in length or hold fewer than 2 models.</exception>
    public static int Concordant(ReadOnlySpan<double> benchmarks, ReadOnlySpan<double> losses)
    {
        if (benchmarks.Length != losses.Length)
        {
            throw new ArgumentException($"{benchmarks.Length} benchmark scores but {losses.Length} losses", nameof(losses));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(benchmarks.Length, 2, nameof(benchmarks));
        int concordant = 0;
        for (int i = 0; i < benchmarks.Length; i++)
        {
            for (int j = i + 1; j < benchmarks.Length; j++)
            {
                double b = benchmarks[i] - benchmarks[j];
                if ((b > 0 && losses[i] < losses[j]) || (b < 0 && losses[i] > losses[j]))
                {
                    concordant++;
                }
            }
        }
        return concordant;
    }

    /// <summary>S in [0, 1]: <see cref="Concordant"/> divided by <see cref="PairCount"/>.</summary>
    /// <param name="benchmarks">Benchmark score of each model (higher is better).</param>
    /// <param name="losses">The document's loss under each model, in the same model order (lower is better).</param>
    public static double Score(ReadOnlySpan<double> benchmarks, ReadOnlySpan<double> losses) =>
        (double)Concordant(benchmarks, losses) / PairCount(benchmarks.Length);
}
