using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Pipeline.FastText;
using Pipeline.FastText.Training;
using Pipeline.Formats.Input;
using Pipeline.Scoring.PreSelect;

namespace Pipeline.Cli;

/// <summary>
/// <c>pipeline preselect losses|label|train</c>: PreSelect's offline steps (docs/preselect.md) — a proxy loss table
/// from character n-gram models, predictive-strength labels with the fastText training file, and the classifier.
/// </summary>
internal static class PreSelectCommand
{
    public static Command Create() => new("preselect", "PreSelect: loss tables, predictive-strength labels and the fastText classifier")
    {
        Losses(),
        Label(),
        Train(),
    };

    private static Option<string[]> Paths(string name, string description) => new(name)
    {
        Description = description,
        Required = true,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = true,
    };

    private static Option<string> IdField() => new("--id-field") { Description = "Id field of the documents", DefaultValueFactory = _ => "id" };

    private static Option<string> TextField() => new("--text-field") { Description = "Text field of the documents", DefaultValueFactory = _ => "text" };

    private static Command Losses()
    {
        var reference = Paths("--reference", "Training text of the n-gram models: .txt files and/or corpus files or folders");
        var target = Paths("--target", "Held-out benchmark text: .txt files and/or corpus files or folders");
        var docs = Paths("--docs", "Documents to compute losses for: JSONL(.gz/.zst)/Parquet files or folders");
        var output = new Option<string>("--out") { Description = "Output folder (losses.parquet, benchmarks.json)", Required = true };
        var orders = new Option<string>("--orders") { Description = "Model orders, e.g. 1,2,3,4,5,6 or 1-6", DefaultValueFactory = _ => "1,2,3,4,5,6" };
        var threads = new Option<int>("--threads") { Description = "Scoring threads (0 = all cores; output does not depend on it)", DefaultValueFactory = _ => 0 };
        var idField = IdField();
        var textField = TextField();
        var command = new Command("losses", "Loss table (bits per character) from a family of character n-gram models: a GPU-free proxy for PreSelect's LLM family")
        {
            reference, target, docs, output, orders, threads, idField, textField,
        };
        command.SetAction(async (parse, ct) =>
        {
            IReadOnlyList<int> orderList;
            try
            {
                orderList = ProxyLosses.ParseOrders(parse.GetValue(orders)!);
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine($"error: --orders: {ex.Message}");
                return ExitCodes.Usage;
            }
            var request = new ProxyLossRequest(parse.GetValue(reference)!, parse.GetValue(target)!, parse.GetValue(docs)!, parse.GetValue(output)!,
                orderList, parse.GetValue(idField)!, parse.GetValue(textField)!, Math.Max(0, parse.GetValue(threads)));
            return await Guard(async () =>
            {
                var result = await ProxyLosses.RunAsync(request, ct).ConfigureAwait(false);
                Console.WriteLine(Invariant($"trained on {result.ReferenceCharacters:N0} characters; target {result.TargetCharacters:N0} characters"));
                for (int i = 0; i < result.Benchmarks.Count; i++)
                {
                    Console.WriteLine(Invariant($"  {result.Benchmarks.Models[i],-10} benchmark {result.Benchmarks.Scores[i]:F4} (target bits/char {-result.Benchmarks.Scores[i]:F4})"));
                }
                Console.WriteLine(Invariant($"{result.Documents:N0} documents × {result.Benchmarks.Count} models = {result.Rows:N0} loss rows → {result.LossesPath}, {result.BenchmarksPath} ({result.Elapsed.TotalSeconds:F1} s: counting {result.TrainingTime.TotalSeconds:F1} s, scoring {result.ScoringTime.TotalSeconds:F1} s)"));
                return ExitCodes.Ok;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Label()
    {
        var losses = new Option<string>("--losses") { Description = "Loss table: Parquet or JSONL rows doc_id, model, loss", Required = true };
        var benchmarks = new Option<string>("--benchmarks") { Description = "Benchmark scores: JSON {model: score}, higher is better", Required = true };
        var docs = Paths("--docs", "Documents with id and text: JSONL(.gz/.zst)/Parquet files or folders");
        var output = new Option<string>("--out") { Description = "Output folder (strength.parquet, train.txt, label-summary.json)", Required = true };
        var newlines = new Option<string>("--newlines") { Description = "Newlines in the training file: space (PreSelect's training) or delete (datatrove at inference)", DefaultValueFactory = _ => "space" };
        newlines.AcceptOnlyFromAmong("space", "delete");
        var seed = new Option<long>("--seed") { Description = "Seed of the tie-break among equally low-S negatives", DefaultValueFactory = _ => 0 };
        var allowMissing = new Option<bool>("--allow-missing") { Description = "Skip (and count) documents lacking some model's loss, as the reference script does, instead of failing" };
        var idField = IdField();
        var textField = TextField();
        var command = new Command("label", "Predictive strength S per document; S = 1 positive, as many lowest-S negative; writes the fastText training file")
        {
            losses, benchmarks, docs, output, newlines, seed, allowMissing, idField, textField,
        };
        command.SetAction(async (parse, ct) =>
        {
            var request = new PreSelectLabelRequest(parse.GetValue(losses)!, parse.GetValue(benchmarks)!, parse.GetValue(docs)!, parse.GetValue(output)!,
                FastTextLines.ParseNewlineMode(parse.GetValue(newlines)!),
                new PreSelectLabelOptions { Seed = parse.GetValue(seed), AllowMissing = parse.GetValue(allowMissing) },
                parse.GetValue(idField)!, parse.GetValue(textField)!);
            return await Guard(async () =>
            {
                var result = await PreSelectLabelRun.RunAsync(request, ct).ConfigureAwait(false);
                var labels = result.Labels;
                if (labels.Benchmarks.HasTies)
                {
                    Console.Error.WriteLine(Invariant($"warning: tied benchmark scores never count, so S = 1 is unreachable (at most {labels.Benchmarks.ReachablePairs}/{labels.PairCount} pairs); there are no positives"));
                }
                Console.WriteLine(Invariant($"{result.Documents:N0} documents, {result.LossRows:N0} loss rows, {labels.Benchmarks.Count} models ({labels.PairCount} pairs)"));
                Console.WriteLine(Invariant($"scored {labels.Documents.Count:N0}; skipped {labels.SkippedIncomplete:N0} with missing models, {labels.SkippedWithoutLosses:N0} without losses"));
                Console.WriteLine("concordant pairs histogram: " + string.Join(" ", labels.ConcordantHistogram.Select((c, i) => Invariant($"{i}:{c}"))));
                Console.WriteLine(Invariant($"positives (S = 1) {labels.Positives:N0}, negatives {labels.Negatives:N0} → {result.TrainingPath} ({result.TrainingLines:N0} lines), {result.StrengthPath} ({result.Elapsed.TotalSeconds:F1} s)"));
                return ExitCodes.Ok;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Train()
    {
        var defaults = PreSelectTraining.DefaultArgs;
        var input = new Option<string>("--input") { Description = "Training file written by 'preselect label'", Required = true };
        var output = new Option<string>("--output") { Description = "Model file (.bin) to write", Required = true };
        var epoch = new Option<int>("--epoch") { Description = "Epochs", DefaultValueFactory = _ => defaults.Epoch };
        var lr = new Option<double>("--lr") { Description = "Learning rate", DefaultValueFactory = _ => defaults.LearningRate };
        var wordNgrams = new Option<int>("--word-ngrams") { Description = "Max length of word n-grams", DefaultValueFactory = _ => defaults.WordNgrams };
        var dim = new Option<int>("--dim") { Description = "Vector size", DefaultValueFactory = _ => defaults.Dim };
        var bucket = new Option<int>("--bucket") { Description = "Hash buckets for word n-grams", DefaultValueFactory = _ => defaults.Bucket };
        var minCount = new Option<int>("--min-count") { Description = "Minimal word occurrences", DefaultValueFactory = _ => defaults.MinCount };
        var threads = new Option<int>("--threads") { Description = "Training threads (more than 1 is faster but not reproducible)", DefaultValueFactory = _ => defaults.Threads };
        var seed = new Option<int>("--seed") { Description = "fastText's random seed", DefaultValueFactory = _ => defaults.Seed };
        var command = new Command("train", "Train PreSelect's fastText classifier (epoch 3, lr 0.1, wordNgrams 2, dim 100, bucket 2M, minCount 1)")
        {
            input, output, epoch, lr, wordNgrams, dim, bucket, minCount, threads, seed,
        };
        command.SetAction(async (parse, ct) =>
        {
            var args = defaults with
            {
                Epoch = parse.GetValue(epoch),
                LearningRate = parse.GetValue(lr),
                WordNgrams = parse.GetValue(wordNgrams),
                Dim = parse.GetValue(dim),
                Bucket = parse.GetValue(bucket),
                MinCount = parse.GetValue(minCount),
                Threads = parse.GetValue(threads),
                Seed = parse.GetValue(seed),
            };
            string inputPath = parse.GetValue(input)!;
            string outputPath = parse.GetValue(output)!;
            return await Guard(async () =>
            {
                var clock = Stopwatch.StartNew();
                var model = await Task.Run(() => PreSelectTraining.Train(args, inputPath, outputPath, progress: null, ct), ct).ConfigureAwait(false);
                var trained = clock.Elapsed;
                var eval = await PreSelectTraining.EvaluateAsync(model, inputPath, ct).ConfigureAwait(false);
                Console.WriteLine(Invariant($"trained in {trained.TotalSeconds:F1} s: {model.Dictionary.NWords:N0} words, {model.Dictionary.NLabels} labels, epoch {args.Epoch}, lr {args.LearningRate}, wordNgrams {args.WordNgrams}, dim {args.Dim}, bucket {args.Bucket:N0}, minCount {args.MinCount}, threads {args.Threads} → {outputPath} ({new FileInfo(outputPath).Length:N0} bytes)"));
                Console.WriteLine(Invariant($"on the training file: {eval.Lines:N0} lines ({eval.Positives:N0} positive), accuracy {eval.Accuracy:P2}, precision {eval.Precision:P2}, recall {eval.Recall:P2}"));
                return ExitCodes.Ok;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> Guard(Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return ExitCodes.Cancelled;
        }
        catch (Exception ex) when (ex is PreSelectInputException or FastTextTrainingException or FastTextFormatException or UnsupportedInputFormatException
            or FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return ExitCodes.Failed;
        }
    }

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
