using Pipeline.Scoring.PreSelect;

namespace Pipeline.Scoring.Tests.PreSelect;

public sealed class PredictiveStrengthTests
{
    // The commented example of PreSelect's train_fasttext.py: llama-7b .. llama-65b averages.
    private static readonly double[] Benchmarks = [75.38, 76.30, 77.27, 79.46, 80.47, 81.19];

    [Fact]
    public void Concordant_LossesOrderedLikeBenchmarks_ReturnsAllPairs()
    {
        double[] losses = [1.06, 1.05, 1.04, 1.03, 1.02, 1.01];
        Assert.Equal(15, PredictiveStrength.Concordant(Benchmarks, losses));
        Assert.Equal(1.0, PredictiveStrength.Score(Benchmarks, losses));
    }

    [Fact]
    public void Score_LossesReversed_ReturnsZero()
    {
        double[] losses = [1.01, 1.02, 1.03, 1.04, 1.05, 1.06];
        Assert.Equal(0, PredictiveStrength.Concordant(Benchmarks, losses));
        Assert.Equal(0.0, PredictiveStrength.Score(Benchmarks, losses));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    public void Score_OneAdjacentSwapOfSixModels_ReturnsFourteenFifteenths(int swapAt)
    {
        double[] losses = [1.06, 1.05, 1.04, 1.03, 1.02, 1.01];
        (losses[swapAt], losses[swapAt + 1]) = (losses[swapAt + 1], losses[swapAt]);
        Assert.Equal(14, PredictiveStrength.Concordant(Benchmarks, losses));
        Assert.Equal(14.0 / 15.0, PredictiveStrength.Score(Benchmarks, losses));
    }

    [Fact]
    public void Score_AllLossesTied_ReturnsZero()
    {
        double[] losses = [2.5, 2.5, 2.5, 2.5, 2.5, 2.5];
        Assert.Equal(0.0, PredictiveStrength.Score(Benchmarks, losses));
    }

    [Fact]
    public void Concordant_OneLossTie_LosesOnlyThatPair()
    {
        double[] losses = [1.06, 1.05, 1.05, 1.03, 1.02, 1.01];
        Assert.Equal(14, PredictiveStrength.Concordant(Benchmarks, losses));
    }

    [Fact]
    public void Concordant_TiedBenchmarks_CountZeroWhateverTheLosses()
    {
        double[] benchmarks = [70, 70, 80];
        // pair (0,1) is a benchmark tie: 0 either way; (0,2) and (1,2) agree.
        Assert.Equal(2, PredictiveStrength.Concordant(benchmarks, [3.0, 2.0, 1.0]));
        Assert.Equal(2, PredictiveStrength.Concordant(benchmarks, [2.0, 3.0, 1.0]));
        Assert.Equal(2.0 / 3.0, PredictiveStrength.Score(benchmarks, [2.0, 3.0, 1.0]));
    }

    [Fact]
    public void Concordant_ModelsInAnyOrder_DependsOnlyOnPairing()
    {
        // The same models listed in another order give the same S.
        double[] benchmarks = [80.47, 75.38, 81.19, 77.27, 76.30, 79.46];
        double[] losses = [1.02, 1.06, 1.01, 1.04, 1.05, 1.03];
        Assert.Equal(15, PredictiveStrength.Concordant(benchmarks, losses));
    }

    [Fact]
    public void Concordant_MismatchedLengths_Throws()
    {
        Assert.Throws<ArgumentException>(() => PredictiveStrength.Concordant([1, 2, 3], [1, 2]));
        Assert.Equal(15, PredictiveStrength.PairCount(6));
    }
}
