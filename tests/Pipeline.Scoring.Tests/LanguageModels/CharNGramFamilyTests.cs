using Pipeline.Scoring.LanguageModels;

namespace Pipeline.Scoring.Tests.LanguageModels;

public sealed class CharNGramFamilyTests
{
    private const string Small = "abcabcaabbccabacbcab\ncabbac";

    private const string English =
        "The Fulton County Grand Jury said Friday an investigation of recent primary elections produced no evidence that " +
        "any irregularities took place. The jury further said in term-end presentments that the City Executive Committee, " +
        "which had over-all charge of the election, deserves the praise and thanks of the City of Atlanta for the manner " +
        "in which the election was conducted. The September-October term jury had been charged by Fulton Superior Court " +
        "Judge Durwood Pye to investigate reports of possible irregularities in the hard-fought primary.";

    [Theory]
    [InlineData(1, "")]
    [InlineData(2, "a")]
    [InlineData(3, "ab")]
    [InlineData(3, "zz")]
    [InlineData(4, "bca")]
    [InlineData(4, "c")]
    [InlineData(5, "a\ncab")]
    public void Probability_EveryContext_SumsToOneOverAllCharacters(int order, string history)
    {
        var family = CharNGramFamily.Train([Small], maxOrder: 5);
        int[] h = history.EnumerateRunes().Select(r => r.Value).ToArray();
        double seen = 0;
        foreach (char c in "abc\n") seen += family.Probability(order, h, c);
        double unseen = family.Probability(order, h, 'z');
        Assert.Equal(unseen, family.Probability(order, h, 0x1F600), 15);
        double total = seen + ((CharNGramFamily.UnicodeScalarCount - 4) * unseen);
        Assert.InRange(total, 1 - 1e-9, 1 + 1e-9);
        Assert.Equal(4, family.AlphabetSize);
    }

    [Fact]
    public void BitsPerCharacter_TrainingText_DecreasesWithOrder()
    {
        var family = CharNGramFamily.Train([English], maxOrder: 6);
        var bpc = Enumerable.Range(1, 6).Select(k => family.BitsPerCharacter(English, k)).ToList();
        for (int k = 1; k < 6; k++)
        {
            Assert.True(bpc[k] < bpc[k - 1], $"order {k + 1}: {bpc[k]} bits/char, not below order {k}: {bpc[k - 1]}");
        }
        // A unigram model of English text sits around 4 bits/char; uniform over Unicode would be ~20.
        Assert.InRange(bpc[0], 3.5, 4.8);
    }

    [Fact]
    public void BitsPerCharacter_UnseenCharacters_AreFiniteAndCostMore()
    {
        var family = CharNGramFamily.Train([English], maxOrder: 4);
        for (int k = 1; k <= 4; k++)
        {
            double unseen = family.BitsPerCharacter("日本語 ΩΩΩ ✓", k);
            Assert.True(double.IsFinite(unseen) && unseen > 0, $"order {k}: {unseen}");
            Assert.True(unseen > family.BitsPerCharacter("The jury said", k));
            Assert.True(unseen < 40);
        }
    }

    [Fact]
    public void AccumulateBits_EqualsSumOfProbabilitiesWithGrowingHistory()
    {
        var family = CharNGramFamily.Train([English], maxOrder: 3);
        const string text = "The jury quietly said";
        Span<double> bits = stackalloc double[3];
        long n = family.AccumulateBits(text, bits);
        Assert.Equal(text.Length, n);
        var runes = text.Select(c => (int)c).ToArray();
        for (int k = 1; k <= 3; k++)
        {
            double expected = 0;
            for (int i = 0; i < runes.Length; i++) expected -= Math.Log2(family.Probability(k, runes.AsSpan(0, i), runes[i]));
            Assert.Equal(expected, bits[k - 1], 9);
        }
    }

    [Fact]
    public void Train_TextOrder_DoesNotChangeTheModel()
    {
        var a = CharNGramFamily.Train(["alpha beta", "gamma delta"], 3);
        var b = CharNGramFamily.Train(["gamma delta", "alpha beta"], 3);
        for (int k = 1; k <= 3; k++)
        {
            Assert.Equal(a.BitsPerCharacter("beta gamma", k), b.BitsPerCharacter("beta gamma", k));
        }
    }

    [Fact]
    public void Train_SurrogatePairs_CountAsOneCharacter()
    {
        var family = CharNGramFamily.Train(["a😀b😀a"], 2);
        Assert.Equal(5, family.TrainingCharacters);
        Assert.Equal(3, family.AlphabetSize);
    }
}
