using System.Globalization;
using System.Text;
using Pipeline.Core.Jobs;
using Pipeline.FastText;
using Pipeline.FastText.Cli;
using Pipeline.FastText.Tests;
using Pipeline.Scoring.Corpus;
using Pipeline.Scoring.PreSelect;

namespace Pipeline.Scoring.Tests.PreSelect;

/// <summary>
/// PreSelect scores (probability of <c>__label__1</c>) equal what the reference fastText 0.9.2 CLI prints with
/// <c>predict-prob -1</c> for the same documents, normalised the same way, in both newline modes.
/// </summary>
public sealed class ScoringParityTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [ReferenceCliTheory]
    [InlineData("space")]
    [InlineData("delete")]
    public async Task PositiveProbability_SampleDocuments_EqualsReferencePredictProb(string mode)
    {
        NewlineMode newlines = FastTextLines.ParseNewlineMode(mode);
        string[] files =
        [
            Path.Combine(TestPaths.Samples, "web", "brown-part-03.jsonl.gz"),
            Path.Combine(TestPaths.Samples, "synthetic", "math-part-00.jsonl.zst"),
        ];
        List<CorpusDocument> docs = await CorpusFiles.ReadAllAsync(files, "id", "text", CancellationToken.None);
        docs = [.. docs.Take(126 + 400)];
        Assert.Contains(docs, d => d.Text.Contains('\n', StringComparison.Ordinal));

        // A small classifier trained by the reference on the same documents (web = 1, math = 0).
        var train = new StringBuilder();
        foreach (CorpusDocument d in docs)
        {
            FastTextLines.AppendTrainingLine(train, d.Id.StartsWith("brown", StringComparison.Ordinal) ? 1 : 0, d.Text, NewlineMode.Space);
        }
        string trainPath = Path.Combine(_dir, "train.txt");
        await File.WriteAllTextAsync(trainPath, train.ToString());
        string modelPrefix = Path.Combine(_dir, "clf");
        var trained = ReferenceCli.Run(["supervised", "-input", trainPath, "-output", modelPrefix, "-dim", "16", "-epoch", "2",
            "-lr", "0.1", "-wordNgrams", "2", "-bucket", "20000", "-thread", "1", "-seed", "3"]);
        Assert.True(trained.Exit == 0, trained.Stderr);

        // The reference scores the normalised documents, one per line.
        string docsPath = Path.Combine(_dir, "docs.txt");
        await File.WriteAllTextAsync(docsPath, string.Join('\n', docs.Select(d => FastTextLines.Normalize(d.Text, newlines))) + "\n");
        var reference = ReferenceCli.Run(["predict-prob", modelPrefix + ".bin", docsPath, "-1"]);
        Assert.Equal(0, reference.Exit);
        string[] lines = Encoding.UTF8.GetString(reference.Stdout).TrimEnd('\n').Split('\n');
        Assert.Equal(docs.Count, lines.Length);

        FastTextPredictor predictor = FastTextModel.Load(modelPrefix + ".bin").CreatePredictor();
        int differentFromOtherMode = 0;
        NewlineMode other = newlines == NewlineMode.Space ? NewlineMode.Delete : NewlineMode.Space;
        for (int i = 0; i < docs.Count; i++)
        {
            string[] fields = lines[i].Split(' ');
            int at = Array.IndexOf(fields, "__label__1");
            Assert.True(at >= 0, $"line {i + 1}: {lines[i]}");
            float ours = PreSelectTraining.PositiveProbability(predictor, docs[i].Text, newlines);
            Assert.Equal(fields[at + 1], CFormat.General(ours));
            if (PreSelectTraining.PositiveProbability(predictor, docs[i].Text, other) != ours)
            {
                differentFromOtherMode++;
            }
        }
        // The newline mode matters for multi-line documents: the two modes are different scorings.
        Assert.True(differentFromOtherMode > 0, "the newline modes gave identical scores on every document");
        Assert.True(float.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture) > 0);
    }
}
