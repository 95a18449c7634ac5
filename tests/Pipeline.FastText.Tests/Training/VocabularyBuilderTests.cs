using System.Text;
using Pipeline.FastText.Training;

namespace Pipeline.FastText.Tests.Training;

public sealed class VocabularyBuilderTests
{
    private static FastTextVocabulary BuildFrom(string text, FastTextArgs args)
    {
        string dir = TrainingData.NewTempDir("vocab");
        string path = Path.Combine(dir, "in.txt");
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(text));
        return FastTextVocabularyBuilder.ReadFromFile(args, path).Build();
    }

    [Fact]
    public void ReadFromFile_NewlinesAndSeparators_CountsTokensLikeReadWord()
    {
        FastTextVocabulary v = BuildFrom("a b\n\nb\tc\r\n__label__x a\vb", FastTextArgs.SupervisedDefaults);
        // Tokens: a b </s> </s> b c </s> __label__x a b  (\r and \v separate, the last line has no </s>).
        Assert.Equal(10, v.NTokens);
        Assert.Equal(3, v.GetCount(v.GetId("b")));
        Assert.Equal(3, v.GetCount(v.GetId("</s>")));
        Assert.Equal(2, v.GetCount(v.GetId("a")));
        Assert.Equal(1, v.GetCount(v.GetId("c")));
        Assert.Equal(4, v.NWords);
        Assert.Equal(1, v.NLabels);
        Assert.Equal("__label__x", v.GetLabel(0));
    }

    [Fact]
    public void ReadFromFile_MinCountAndMinCountLabel_DropRareEntriesAndSortByCount()
    {
        var args = FastTextArgs.SupervisedDefaults with { MinCount = 2, MinCountLabel = 2 };
        FastTextVocabulary v = BuildFrom("x y y z z z __label__a __label__b __label__b\n", args);
        Assert.Equal(["z", "y"], [v.GetWord(0), v.GetWord(1)]);
        Assert.Equal(-1, v.GetId("x"));
        Assert.Equal(-1, v.GetId("</s>"));
        Assert.Equal(1, v.NLabels);
        Assert.Equal("__label__b", v.GetLabel(0));
    }

    [Fact]
    public void ReadFromFile_CustomLabelPrefix_ClassifiesByPrefix()
    {
        FastTextVocabulary v = BuildFrom("#pos good\n#neg bad\n", FastTextArgs.SupervisedDefaults with { LabelPrefix = "#" });
        Assert.Equal(2, v.NLabels);
        Assert.Equal(EntryType.Word, v.GetEntryType(v.GetId("good")));
    }

    [Fact]
    public void ReadFromFile_EmptyAfterThreshold_Throws()
    {
        var e = Assert.Throws<FastTextTrainingException>(() => BuildFrom("a b c\n", FastTextArgs.SupervisedDefaults with { MinCount = 5 }));
        Assert.Contains("Empty vocabulary", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DiscardTable_Counts_MatchesReferenceFormula()
    {
        FastTextVocabulary v = BuildFrom("a a a b\n", FastTextArgs.UnsupervisedDefaults(ModelName.SkipGram) with { MinCount = 1 });
        float[] table = FastTextVocabularyBuilder.DiscardTable(v, 1e-4);
        float f = 3f / 5f;
        Assert.Equal((float)(Math.Sqrt(1e-4 / f) + (1e-4 / f)), table[v.GetId("a")]);
    }

    [Fact]
    public void LibStdSort_ManyTies_SortsAndMatchesKnownReferenceOrder()
    {
        // Sorting is checked against the reference end to end in
        // TrainingExactnessTests.Train_ZeroEpochs_ModelBytesIdenticalToReference (dictionary order with count ties).
        var rng = new Random(3);
        int[] values = [.. Enumerable.Range(0, 5000).Select(_ => rng.Next(20))];
        int[] copy = [.. values];
        LibStdSort.Sort(copy.AsSpan(), default(IntLess));
        Assert.Equal(values.Order(), copy);
    }

    [Fact]
    public void MinStdRand_Seed0_MatchesLibstdcxxSequence()
    {
        var rng = new MinStdRand(0);
        Assert.Equal(48271UL, rng.Next());
        Assert.Equal(182605794UL, rng.Next());
        // The C++ standard's check value ([rand.predef]): the 10000th draw of a default-seeded minstd_rand is 399268537.
        var def = new MinStdRand(1);
        for (int i = 0; i < 9999; i++)
        {
            def.Next();
        }
        Assert.Equal(399268537UL, def.Next());
    }

    private readonly struct IntLess : ILess<int>
    {
        public bool Less(in int a, in int b) => a < b;
    }
}
