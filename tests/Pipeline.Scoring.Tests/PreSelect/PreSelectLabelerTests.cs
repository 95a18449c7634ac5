using Pipeline.Scoring.PreSelect;

namespace Pipeline.Scoring.Tests.PreSelect;

public sealed class PreSelectLabelerTests
{
    private static readonly BenchmarkScores Three = new([new("small", 1.0), new("medium", 2.0), new("large", 3.0)]);

    // Losses of (small, medium, large) that give 0..3 concordant pairs with Three.
    private static readonly double[][] LossesForLevel = [[1, 2, 3], [1, 3, 2], [2, 3, 1], [3, 2, 1]];

    private static (List<DocumentKey> Docs, LossTable Table) Build(params int[] levels)
    {
        var docs = new List<DocumentKey>();
        var records = new List<LossRecord>();
        for (int d = 0; d < levels.Length; d++)
        {
            string id = $"doc-{d:D4}";
            docs.Add(new DocumentKey(id, $"docs.jsonl line {d + 1}"));
            for (int m = 0; m < 3; m++)
            {
                records.Add(new LossRecord(id, Three.Models[m], LossesForLevel[levels[d]][m], records.Count + 1));
            }
        }
        return (docs, new LossTable("losses.jsonl", "line", records));
    }

    private static HashSet<string> Negatives(PreSelectLabels labels) =>
        labels.Documents.Where(d => d.Label == 0).Select(d => d.DocId).ToHashSet();

    [Fact]
    public void Label_PerfectAgreement_IsPositiveAndNegativesBalanceIt()
    {
        var (docs, table) = Build(3, 0, 1, 3, 2, 0, 3, 1, 2, 0);
        var labels = PreSelectLabeler.Label(Three, docs, table, new PreSelectLabelOptions());

        Assert.Equal(3, labels.Positives);
        Assert.Equal(3, labels.Negatives);
        Assert.Equal(["doc-0000", "doc-0003", "doc-0006"], labels.Documents.Where(d => d.Label == 1).Select(d => d.DocId));
        // The three S = 0 documents are the lowest.
        Assert.Equal(["doc-0001", "doc-0005", "doc-0009"], Negatives(labels).Order());
        Assert.Equal([3L, 2, 2, 3], labels.ConcordantHistogram);
        Assert.Equal(10, labels.Documents.Count);
        Assert.Equal(2.0 / 3.0, labels.Documents[4].S);
    }

    [Fact]
    public void Label_NegativesSpanLevels_TakesLowestLevelFirst()
    {
        // 4 positives; candidates: one S=0, two S=1/3, five S=2/3 → the S=0, both S=1/3 and one S=2/3.
        var (docs, table) = Build(3, 3, 3, 3, 2, 2, 1, 2, 0, 2, 1, 2);
        var labels = PreSelectLabeler.Label(Three, docs, table, new PreSelectLabelOptions());

        Assert.Equal(4, labels.Negatives);
        var concordant = labels.Documents.Where(d => d.Label == 0).Select(d => d.Concordant).Order().ToList();
        Assert.Equal([0, 1, 1, 2], concordant);
    }

    [Fact]
    public void Label_FewerCandidatesThanPositives_TakesAllRemaining()
    {
        var (docs, table) = Build(3, 3, 3, 3, 3, 1, 2);
        var labels = PreSelectLabeler.Label(Three, docs, table, new PreSelectLabelOptions());

        Assert.Equal(5, labels.Positives);
        Assert.Equal(2, labels.Negatives);
        Assert.DoesNotContain(labels.Documents, d => d.Label == -1);
    }

    [Fact]
    public void Label_NoPositives_NoNegatives()
    {
        var (docs, table) = Build(0, 1, 2);
        var labels = PreSelectLabeler.Label(Three, docs, table, new PreSelectLabelOptions());
        Assert.Equal(0, labels.Positives);
        Assert.Equal(0, labels.Negatives);
    }

    [Fact]
    public void Label_TiedCandidatesSameSeed_SameNegatives()
    {
        var levels = Enumerable.Repeat(3, 5).Concat(Enumerable.Repeat(0, 60)).ToArray();
        var (docs, table) = Build(levels);
        var first = Negatives(PreSelectLabeler.Label(Three, docs, table, new PreSelectLabelOptions { Seed = 7 }));
        var second = Negatives(PreSelectLabeler.Label(Three, docs, table, new PreSelectLabelOptions { Seed = 7 }));

        Assert.Equal(5, first.Count);
        Assert.Equal(first, second);
        // The set is the 5 smallest seeded keys, not the first 5 in file order.
        var expected = docs.Skip(5).Select(d => d.Id).OrderBy(id => PreSelectLabeler.TieBreakKey(7, id)).Take(5).ToHashSet();
        Assert.Equal(expected, first);
    }

    [Fact]
    public void Label_TiedCandidatesOtherSeed_DifferentNegatives()
    {
        var levels = Enumerable.Repeat(3, 5).Concat(Enumerable.Repeat(0, 60)).ToArray();
        var (docs, table) = Build(levels);
        var seed1 = Negatives(PreSelectLabeler.Label(Three, docs, table, new PreSelectLabelOptions { Seed = 1 }));
        var seed2 = Negatives(PreSelectLabeler.Label(Three, docs, table, new PreSelectLabelOptions { Seed = 2 }));

        Assert.Equal(5, seed1.Count);
        Assert.Equal(5, seed2.Count);
        Assert.NotEqual(seed1, seed2);
    }

    [Fact]
    public void Label_NoTiesAtTheCut_SeedDoesNotMatter()
    {
        var (docs, table) = Build(3, 3, 0, 0, 1, 2);
        var seed1 = Negatives(PreSelectLabeler.Label(Three, docs, table, new PreSelectLabelOptions { Seed = 1 }));
        var seed2 = Negatives(PreSelectLabeler.Label(Three, docs, table, new PreSelectLabelOptions { Seed = 99 }));
        Assert.Equal(seed1, seed2);
        Assert.Equal(["doc-0002", "doc-0003"], seed1.Order());
    }

    [Fact]
    public void Label_TiedBenchmarks_NoDocumentReachesOne()
    {
        var tied = new BenchmarkScores([new("small", 1.0), new("medium", 1.0), new("large", 3.0)]);
        var (docs, table) = Build(3, 3, 2);
        var labels = PreSelectLabeler.Label(tied, docs, table, new PreSelectLabelOptions());
        Assert.True(tied.HasTies);
        Assert.Equal(2, tied.ReachablePairs);
        Assert.Equal(0, labels.Positives);
        Assert.Equal(2, labels.Documents[0].Concordant);
    }

    private static PreSelectInputException LabelFails(List<DocumentKey> docs, List<LossRecord> records, bool allowMissing = false) =>
        Assert.Throws<PreSelectInputException>(() =>
            PreSelectLabeler.Label(Three, docs, new LossTable("losses.jsonl", "line", records), new PreSelectLabelOptions { AllowMissing = allowMissing }));

    private static List<DocumentKey> TwoDocs() => [new("a", "docs.jsonl line 1"), new("b", "docs.jsonl line 2")];

    private static List<LossRecord> FullRows() =>
    [
        new("a", "small", 3, 1), new("a", "medium", 2, 2), new("a", "large", 1, 3),
        new("b", "small", 1, 4), new("b", "medium", 2, 5), new("b", "large", 3, 6),
    ];

    [Fact]
    public void Label_UnknownModel_ErrorNamesRowAndModel()
    {
        var rows = FullRows();
        rows.Add(new("a", "huge", 0.5, 7));
        var ex = LabelFails(TwoDocs(), rows);
        Assert.Contains("losses.jsonl line 7", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'huge'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_NaNLoss_ErrorNamesRow()
    {
        var rows = FullRows();
        rows[4] = rows[4] with { Loss = double.NaN };
        var ex = LabelFails(TwoDocs(), rows);
        Assert.Contains("losses.jsonl line 5", ex.Message, StringComparison.Ordinal);
        Assert.Contains("NaN", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.25)]
    [InlineData(double.PositiveInfinity)]
    public void Label_NegativeOrInfiniteLoss_ErrorNamesRow(double loss)
    {
        var rows = FullRows();
        rows[1] = rows[1] with { Loss = loss };
        var ex = LabelFails(TwoDocs(), rows);
        Assert.Contains("losses.jsonl line 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("finite and ≥ 0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_ZeroLoss_IsAccepted()
    {
        var rows = FullRows();
        rows[2] = rows[2] with { Loss = 0 };
        var labels = PreSelectLabeler.Label(Three, TwoDocs(), new LossTable("losses.jsonl", "line", rows), new PreSelectLabelOptions());
        Assert.Equal(1, labels.Positives);
    }

    [Fact]
    public void Label_DuplicateDocModel_ErrorNamesBothRows()
    {
        var rows = FullRows();
        rows.Add(new("b", "medium", 2.5, 7));
        var ex = LabelFails(TwoDocs(), rows);
        Assert.Contains("losses.jsonl line 7", ex.Message, StringComparison.Ordinal);
        Assert.Contains("first at line 5", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'b'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_LossForUnknownDocument_ErrorNamesRow()
    {
        var rows = FullRows();
        rows.Add(new("zzz", "small", 1, 7));
        var ex = LabelFails(TwoDocs(), rows);
        Assert.Contains("losses.jsonl line 7", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'zzz' is not in the documents", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_DocumentMissingAModel_ErrorNamesDocumentAndModel()
    {
        var rows = FullRows();
        rows.RemoveAt(4);
        var ex = LabelFails(TwoDocs(), rows);
        Assert.Contains("docs.jsonl line 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("no loss for 'medium'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_DocumentWithoutLosses_ErrorNamesDocument()
    {
        var docs = TwoDocs();
        docs.Add(new("c", "docs.jsonl line 3"));
        var ex = LabelFails(docs, FullRows());
        Assert.Contains("docs.jsonl line 3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'c' has no loss rows", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_AllowMissing_SkipsAndCounts()
    {
        var docs = TwoDocs();
        docs.Add(new("c", "docs.jsonl line 3"));
        var rows = FullRows();
        rows.RemoveAt(4);
        var labels = PreSelectLabeler.Label(Three, docs, new LossTable("losses.jsonl", "line", rows), new PreSelectLabelOptions { AllowMissing = true });

        Assert.Equal(1, labels.SkippedIncomplete);
        Assert.Equal(1, labels.SkippedWithoutLosses);
        Assert.Single(labels.Documents);
        Assert.Equal("a", labels.Documents[0].DocId);
        Assert.Equal(2, labels.SkippedExamples.Count);
    }

    [Fact]
    public void Label_ModelWithoutAnyRow_IsAnErrorEvenWhenAllowingMissing()
    {
        var rows = FullRows().Where(r => r.Model != "large").ToList();
        var ex = LabelFails(TwoDocs(), rows, allowMissing: true);
        Assert.Contains("model 'large' of the benchmarks has no loss row", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_DuplicateDocumentId_ErrorNamesBothLines()
    {
        var docs = TwoDocs();
        docs.Add(new("a", "docs.jsonl line 3"));
        var ex = LabelFails(docs, FullRows());
        Assert.Contains("docs.jsonl line 3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("first at docs.jsonl line 1", ex.Message, StringComparison.Ordinal);
    }
}
