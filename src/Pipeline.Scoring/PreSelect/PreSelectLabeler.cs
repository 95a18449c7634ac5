using System.Globalization;
using Pipeline.Core.Hashing;

namespace Pipeline.Scoring.PreSelect;

/// <summary>Options of PreSelect labeling. Immutable.</summary>
public sealed record PreSelectLabelOptions
{
    /// <summary>Seed of the tie-break among equally low-S negative candidates.</summary>
    public long Seed { get; init; }

    /// <summary>
    /// When true, a document that lacks a loss for some model (or has none) is skipped and counted, as the reference
    /// script does; when false (the default) it is an error naming the document.
    /// </summary>
    public bool AllowMissing { get; init; }
}

/// <summary>A document's identity and where it was read, for messages.</summary>
/// <param name="Id">The document's id.</param>
/// <param name="Location">File and line, e.g. <c>docs.jsonl line 3</c>.</param>
public readonly record struct DocumentKey(string Id, string Location);

/// <summary>A document's predictive strength and label.</summary>
/// <param name="DocId">The document's id.</param>
/// <param name="Concordant">Concordant model pairs (S's numerator).</param>
/// <param name="S">Predictive strength in [0, 1].</param>
/// <param name="Label">1 positive, 0 negative, -1 not in the training set.</param>
public readonly record struct DocumentStrength(string DocId, int Concordant, double S, int Label);

/// <summary>The outcome of labeling: every scored document in documents-file order, and the counts.</summary>
public sealed class PreSelectLabels
{
    internal PreSelectLabels(BenchmarkScores benchmarks, DocumentStrength[] documents, int positives, int negatives,
        int skippedIncomplete, int skippedWithoutLosses, IReadOnlyList<string> skippedExamples)
    {
        Benchmarks = benchmarks;
        Documents = documents;
        Positives = positives;
        Negatives = negatives;
        SkippedIncomplete = skippedIncomplete;
        SkippedWithoutLosses = skippedWithoutLosses;
        SkippedExamples = skippedExamples;
        PairCount = PredictiveStrength.PairCount(benchmarks.Count);
        var histogram = new long[PairCount + 1];
        foreach (var d in documents) histogram[d.Concordant]++;
        ConcordantHistogram = histogram;
    }

    /// <summary>The models and their scores.</summary>
    public BenchmarkScores Benchmarks { get; }

    /// <summary>Z = N(N−1)/2.</summary>
    public int PairCount { get; }

    /// <summary>Every scored document, in documents-file order.</summary>
    public IReadOnlyList<DocumentStrength> Documents { get; }

    /// <summary>Documents with S = 1.</summary>
    public int Positives { get; }

    /// <summary>Negatives chosen: min(positives, documents with S &lt; 1).</summary>
    public int Negatives { get; }

    /// <summary>Documents skipped because some model's loss was missing (only with <see cref="PreSelectLabelOptions.AllowMissing"/>).</summary>
    public int SkippedIncomplete { get; }

    /// <summary>Documents skipped because they had no loss at all (only with <see cref="PreSelectLabelOptions.AllowMissing"/>).</summary>
    public int SkippedWithoutLosses { get; }

    /// <summary>Up to 10 skipped documents with what they lacked.</summary>
    public IReadOnlyList<string> SkippedExamples { get; }

    /// <summary>Number of documents per concordant-pair count 0..Z.</summary>
    public IReadOnlyList<long> ConcordantHistogram { get; }
}

/// <summary>
/// PreSelect labeling (hkust-nlp/PreSelect <c>train_fasttext.py</c>, reference §1.3–1.4): S per document; S = 1 is
/// positive; as many of the lowest-S documents are negative (all of them when fewer), ties in S broken by a seeded
/// hash of the document id, then by position in the documents file.
/// </summary>
public static class PreSelectLabeler
{
    /// <summary>The seeded-draw purpose of the negative tie-break (outside the values Core's <see cref="Purpose"/> names).</summary>
    internal const Purpose NegativeTieBreak = Purpose.PreSelectNegative;

    /// <summary>The seeded tie-break key of a document: lower keys are taken first among equal S.</summary>
    public static ulong TieBreakKey(long seed, string docId) => StableHash.Key(seed, StableHash.Id64(docId), NegativeTieBreak);

    /// <summary>Computes S for every document and chooses the labels.</summary>
    /// <param name="benchmarks">The models and their scores.</param>
    /// <param name="documents">The documents, in file order (ids must be distinct).</param>
    /// <param name="losses">The loss table.</param>
    /// <param name="options">Seed and missing-loss policy.</param>
    /// <exception cref="PreSelectInputException">
    /// A duplicate document id; a loss row with an unknown model, a NaN, infinite or negative loss, a document not in
    /// the documents, or a (doc_id, model) pair seen before; a model without any loss row; and, unless
    /// <see cref="PreSelectLabelOptions.AllowMissing"/>, a document lacking some or all losses. Each message names the row.
    /// </exception>
    public static PreSelectLabels Label(BenchmarkScores benchmarks, IReadOnlyList<DocumentKey> documents, LossTable losses, PreSelectLabelOptions options)
    {
        ArgumentNullException.ThrowIfNull(benchmarks);
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentNullException.ThrowIfNull(options);
        int n = benchmarks.Count;

        var index = new Dictionary<string, int>(documents.Count, StringComparer.Ordinal);
        for (int d = 0; d < documents.Count; d++)
        {
            if (!index.TryAdd(documents[d].Id, d))
            {
                throw new PreSelectInputException(
                    $"{documents[d].Location}: document id '{documents[d].Id}' appears twice (first at {documents[index[documents[d].Id]].Location})");
            }
        }

        // cell (d, m) holds the loss and the row it came from (0 = none yet).
        var values = new double[(long)documents.Count * n];
        var rows = new long[(long)documents.Count * n];
        var modelRows = new long[n];
        foreach (var r in losses.Records)
        {
            int m = benchmarks.IndexOf(r.Model);
            if (m < 0)
            {
                throw new PreSelectInputException(
                    $"{losses.Locate(r.Row)}: model '{r.Model}' is not in the benchmarks (known: {string.Join(", ", benchmarks.Models)})");
            }
            if (double.IsNaN(r.Loss))
            {
                throw new PreSelectInputException($"{losses.Locate(r.Row)}: loss of document '{r.DocId}' under '{r.Model}' is NaN");
            }
            if (double.IsInfinity(r.Loss) || r.Loss < 0)
            {
                throw new PreSelectInputException(
                    $"{losses.Locate(r.Row)}: loss of document '{r.DocId}' under '{r.Model}' is {r.Loss.ToString(CultureInfo.InvariantCulture)}; losses must be finite and ≥ 0");
            }
            if (!index.TryGetValue(r.DocId, out int d))
            {
                throw new PreSelectInputException($"{losses.Locate(r.Row)}: document '{r.DocId}' is not in the documents");
            }
            long cell = (long)d * n + m;
            if (rows[cell] != 0)
            {
                throw new PreSelectInputException(
                    $"{losses.Locate(r.Row)}: duplicate row for document '{r.DocId}' and model '{r.Model}' (first at {losses.RowUnit} {rows[cell]})");
            }
            rows[cell] = r.Row;
            values[cell] = r.Loss;
            if (modelRows[m] == 0) modelRows[m] = r.Row;
        }
        for (int m = 0; m < n; m++)
        {
            if (modelRows[m] == 0)
            {
                throw new PreSelectInputException($"{losses.Path}: model '{benchmarks.Models[m]}' of the benchmarks has no loss row");
            }
        }

        var scores = new double[n];
        for (int m = 0; m < n; m++) scores[m] = benchmarks.Scores[m];
        int z = PredictiveStrength.PairCount(n);
        var scored = new List<DocumentStrength>(documents.Count);
        int skippedIncomplete = 0, skippedEmpty = 0;
        var examples = new List<string>();
        for (int d = 0; d < documents.Count; d++)
        {
            var cells = rows.AsSpan(d * n, n);
            int present = n - cells.Count(0L);
            if (present < n)
            {
                string missing = present == 0 ? "no loss rows" : "no loss for " + string.Join(", ", MissingModels(benchmarks, cells));
                if (!options.AllowMissing)
                {
                    throw new PreSelectInputException(
                        $"{documents[d].Location}: document '{documents[d].Id}' has {missing} (allow missing losses — --allow-missing — to skip such documents as the reference script does)");
                }
                if (present == 0) skippedEmpty++;
                else skippedIncomplete++;
                if (examples.Count < 10) examples.Add($"{documents[d].Id}: {missing}");
                continue;
            }
            int c = PredictiveStrength.Concordant(scores, values.AsSpan(d * n, n));
            scored.Add(new DocumentStrength(documents[d].Id, c, (double)c / z, -1));
        }

        var result = scored.ToArray();
        int positives = 0;
        var candidates = new List<(int Concordant, ulong Key, int Position)>();
        for (int i = 0; i < result.Length; i++)
        {
            if (result[i].Concordant == z)
            {
                result[i] = result[i] with { Label = 1 };
                positives++;
            }
            else
            {
                candidates.Add((result[i].Concordant, TieBreakKey(options.Seed, result[i].DocId), i));
            }
        }
        candidates.Sort(static (a, b) =>
        {
            int c = a.Concordant.CompareTo(b.Concordant);
            if (c != 0) return c;
            c = a.Key.CompareTo(b.Key);
            return c != 0 ? c : a.Position.CompareTo(b.Position);
        });
        int negatives = Math.Min(positives, candidates.Count);
        for (int i = 0; i < negatives; i++)
        {
            int p = candidates[i].Position;
            result[p] = result[p] with { Label = 0 };
        }
        return new PreSelectLabels(benchmarks, result, positives, negatives, skippedIncomplete, skippedEmpty, examples);
    }

    private static List<string> MissingModels(BenchmarkScores benchmarks, Span<long> cells)
    {
        var names = new List<string>();
        for (int m = 0; m < cells.Length; m++)
        {
            if (cells[m] == 0) names.Add($"'{benchmarks.Models[m]}'");
        }
        return names;
    }
}
