using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Core.Jobs;
using Pipeline.Formats.Work;
using Pipeline.Scoring.Corpus;

namespace Pipeline.Scoring.PreSelect;

/// <summary>One row of the per-document strength table (<c>strength.parquet</c>).</summary>
public sealed class StrengthRow
{
    /// <summary>The document's id.</summary>
    [JsonPropertyName("doc_id")] public string DocId { get; set; } = "";

    /// <summary>Predictive strength S in [0, 1].</summary>
    [JsonPropertyName("s")] public double S { get; set; }

    /// <summary>Concordant model pairs (S·Z).</summary>
    [JsonPropertyName("concordant")] public int Concordant { get; set; }

    /// <summary>1 positive, 0 negative, -1 not in the training set.</summary>
    [JsonPropertyName("label")] public int Label { get; set; }
}

/// <summary>What <c>preselect label</c> reads and writes.</summary>
/// <param name="Losses">Loss table (.parquet or .jsonl[.gz]).</param>
/// <param name="Benchmarks">Benchmarks JSON <c>{model: score}</c>.</param>
/// <param name="Documents">Document files (see <see cref="CorpusFiles.Resolve"/>).</param>
/// <param name="OutputDirectory">Folder for <c>strength.parquet</c>, <c>train.txt</c>, <c>label-summary.json</c>.</param>
/// <param name="Newlines">Newline handling in the training file.</param>
/// <param name="Options">Seed and missing-loss policy.</param>
/// <param name="IdField">Id field of the documents.</param>
/// <param name="TextField">Text field of the documents.</param>
public sealed record PreSelectLabelRequest(
    string Losses,
    string Benchmarks,
    IReadOnlyList<string> Documents,
    string OutputDirectory,
    NewlineMode Newlines,
    PreSelectLabelOptions Options,
    string IdField = "id",
    string TextField = "text");

/// <summary>The result of <see cref="PreSelectLabelRun.RunAsync"/>.</summary>
/// <param name="Labels">S and labels.</param>
/// <param name="Documents">Documents read.</param>
/// <param name="LossRows">Loss rows read.</param>
/// <param name="StrengthPath">The strength table.</param>
/// <param name="TrainingPath">The fastText training file.</param>
/// <param name="SummaryPath">The JSON summary.</param>
/// <param name="TrainingLines">Lines of the training file (positives + negatives).</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record PreSelectLabelResult(
    PreSelectLabels Labels,
    int Documents,
    int LossRows,
    string StrengthPath,
    string TrainingPath,
    string SummaryPath,
    long TrainingLines,
    TimeSpan Elapsed);

/// <summary>
/// <c>preselect label</c> on files: reads the benchmarks, the document ids (first pass), the loss table; labels; then
/// streams the documents again to write the training file (positives in documents order, then negatives in documents
/// order), the strength table and a summary. Memory holds ids and losses, never all texts.
/// </summary>
public static class PreSelectLabelRun
{
    /// <summary>Name of the strength table in the output folder.</summary>
    public const string StrengthFile = "strength.parquet";

    /// <summary>Name of the fastText training file in the output folder.</summary>
    public const string TrainingFile = "train.txt";

    /// <summary>Name of the summary in the output folder.</summary>
    public const string SummaryFile = "label-summary.json";

    /// <summary>Runs the labeling; files are written to temporary names and renamed when complete.</summary>
    /// <exception cref="PreSelectInputException">An input is wrong; the message names the file and row.</exception>
    public static async Task<PreSelectLabelResult> RunAsync(PreSelectLabelRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        var benchmarks = await BenchmarkScores.ReadAsync(request.Benchmarks, ct).ConfigureAwait(false);
        var files = CorpusFiles.Resolve(request.Documents);
        var keys = new List<DocumentKey>();
        await foreach (var doc in CorpusFiles.ReadAsync(files, request.IdField, request.TextField, ct).ConfigureAwait(false))
        {
            keys.Add(new DocumentKey(doc.Id, doc.Location));
        }
        var losses = await LossTable.ReadAsync(request.Losses, ct).ConfigureAwait(false);
        var labels = PreSelectLabeler.Label(benchmarks, keys, losses, request.Options);

        Directory.CreateDirectory(request.OutputDirectory);
        string strengthPath = Path.Combine(request.OutputDirectory, StrengthFile);
        string trainPath = Path.Combine(request.OutputDirectory, TrainingFile);
        string summaryPath = Path.Combine(request.OutputDirectory, SummaryFile);

        var rows = new List<StrengthRow>(labels.Documents.Count);
        var labelOf = new Dictionary<string, int>(labels.Positives + labels.Negatives, StringComparer.Ordinal);
        foreach (var d in labels.Documents)
        {
            rows.Add(new StrengthRow { DocId = d.DocId, S = d.S, Concordant = d.Concordant, Label = d.Label });
            if (d.Label >= 0) labelOf[d.DocId] = d.Label;
        }
        await AtomicWriteAsync(strengthPath, async stream => await ParquetTables.WriteAsync(rows, stream, ct).ConfigureAwait(false)).ConfigureAwait(false);

        long lines = await WriteTrainingFileAsync(files, request, labelOf, trainPath, ct).ConfigureAwait(false);
        clock.Stop();
        var result = new PreSelectLabelResult(labels, keys.Count, losses.Records.Count, strengthPath, trainPath, summaryPath, lines, clock.Elapsed);
        await AtomicWriteAsync(summaryPath, stream => WriteSummaryAsync(result, request, stream, ct)).ConfigureAwait(false);
        return result;
    }

    private static async Task<long> WriteTrainingFileAsync(
        IReadOnlyList<string> files, PreSelectLabelRequest request, Dictionary<string, int> labelOf, string trainPath, CancellationToken ct)
    {
        string negativesPath = trainPath + ".negatives.tmp";
        long lines = 0;
        try
        {
            await AtomicWriteAsync(trainPath, async stream =>
            {
                var negatives = new FileStream(negativesPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
                await using (negatives.ConfigureAwait(false))
                {
                    var positiveWriter = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
                    var negativeWriter = new StreamWriter(negatives, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
                    var line = new StringBuilder();
                    await foreach (var doc in CorpusFiles.ReadAsync(files, request.IdField, request.TextField, ct).ConfigureAwait(false))
                    {
                        if (!labelOf.TryGetValue(doc.Id, out int label)) continue;
                        line.Clear();
                        FastTextLines.AppendTrainingLine(line, label, doc.Text, request.Newlines);
                        await (label == 1 ? positiveWriter : negativeWriter).WriteAsync(line, ct).ConfigureAwait(false);
                        lines++;
                    }
                    await positiveWriter.FlushAsync(ct).ConfigureAwait(false);
                    await negativeWriter.FlushAsync(ct).ConfigureAwait(false);
                    await positiveWriter.DisposeAsync().ConfigureAwait(false);
                    await negativeWriter.DisposeAsync().ConfigureAwait(false);
                    negatives.Position = 0;
                    await negatives.CopyToAsync(stream, ct).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(negativesPath);
        }
        if (lines != labelOf.Count)
        {
            throw new PreSelectInputException($"the documents changed while labeling: {labelOf.Count} labeled, {lines} written");
        }
        return lines;
    }

    private static async Task WriteSummaryAsync(PreSelectLabelResult result, PreSelectLabelRequest request, Stream stream, CancellationToken ct)
    {
        var labels = result.Labels;
        var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteString("losses", request.Losses);
            writer.WriteString("benchmarks", request.Benchmarks);
            writer.WriteStartArray("models");
            for (int i = 0; i < labels.Benchmarks.Count; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("name", labels.Benchmarks.Models[i]);
                writer.WriteNumber("score", labels.Benchmarks.Scores[i]);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteNumber("pairs", labels.PairCount);
            writer.WriteNumber("reachable_pairs", labels.Benchmarks.ReachablePairs);
            writer.WriteNumber("documents", result.Documents);
            writer.WriteNumber("loss_rows", result.LossRows);
            writer.WriteNumber("scored", labels.Documents.Count);
            writer.WriteNumber("skipped_incomplete", labels.SkippedIncomplete);
            writer.WriteNumber("skipped_without_losses", labels.SkippedWithoutLosses);
            writer.WriteNumber("positives", labels.Positives);
            writer.WriteNumber("negatives", labels.Negatives);
            writer.WriteStartArray("concordant_histogram");
            foreach (var count in labels.ConcordantHistogram) writer.WriteNumberValue(count);
            writer.WriteEndArray();
            writer.WriteNumber("seed", request.Options.Seed);
            writer.WriteString("newlines", request.Newlines == NewlineMode.Space ? "space" : "delete");
            writer.WriteString("strength", StrengthFile);
            writer.WriteString("training_file", TrainingFile);
            writer.WriteNumber("training_lines", result.TrainingLines);
            writer.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
    }

    /// <summary>Writes a file under a temporary name and renames it into place when the writer finished.</summary>
    internal static async Task AtomicWriteAsync(string path, Func<Stream, Task> write)
    {
        string temp = path + ".tmp";
        try
        {
            var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await write(stream).ConfigureAwait(false);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
