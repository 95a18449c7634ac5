using System.CommandLine;
using System.Globalization;
using Pipeline.Engine;
using Pipeline.Engine.Cluster;
using Pipeline.FastText.Training;
using Pipeline.Jobs;
using Pipeline.Scoring.PreSelect;
using Pipeline.Storage;
using Pipeline.Tokens;
using Spectre.Console;

namespace Pipeline.Cli;

/// <summary><c>pipeline run JOB</c>: validates the job, runs it in-process and prints a summary.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var job = new Argument<FileInfo>("job") { Description = "Job file (YAML)" };
        var output = new Option<string?>("--output", "-o") { Description = "Output folder (overrides the job's output)" };
        var workers = new Option<int>("--workers", "-w") { Description = "Worker actors", DefaultValueFactory = _ => Environment.ProcessorCount };
        var keepWork = new Option<bool>("--keep-work") { Description = "Keep intermediate files (_work/) after the manifest is written" };
        var set = CommonOptions.Set();
        var cluster = ClusterCommandOptions.ClusterOption("Submit the job to a cluster instead of running it here", required: false);
        var clusterOptions = new ClusterCommandOptions();
        var command = new Command("run", "Run a job on this machine, or on a cluster with --cluster") { job, output, workers, set, keepWork, cluster };
        clusterOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(job)!;
            if (!file.Exists)
            {
                Console.Error.WriteLine($"error: job file not found: {file.FullName}");
                return ExitCodes.Usage;
            }
            var workerCount = parse.GetValue(workers);
            if (workerCount < 1)
            {
                Console.Error.WriteLine("error: --workers must be at least 1");
                return ExitCodes.Usage;
            }
            Core.Jobs.JobSpec spec;
            try
            {
                spec = JobLoader.LoadFile(file.FullName, parse.GetValue(set) ?? []);
            }
            catch (JobValidationException ex)
            {
                foreach (var error in ex.Errors) Console.Error.WriteLine(error.ToDisplayString(file.ToString()));
                Console.Error.WriteLine($"{ex.Errors.Count} error(s) in {file}; nothing ran");
                return ExitCodes.InvalidJob;
            }
            if (parse.GetValue(output) is { } dir) spec = spec with { Output = dir };

            try
            {
                if (parse.GetValue(cluster) is { Length: > 0 } seeds)
                {
                    // The nodes build the job's context; here only the training step runs, before the job is submitted.
                    await PreSelectTrainingStep.EnsureAsync(spec, JobLoader.JobHash(spec with { Output = "" }), Environment.CurrentDirectory, Console.WriteLine, ct).ConfigureAwait(false);
                    var ticket = ClusterJobs.Ticket(spec, Environment.CurrentDirectory);
                    Console.WriteLine($"job {spec.Name} ({ticket.JobId}): submitting to the cluster at {string.Join(", ", seeds)} → {spec.Output}");
                    var manifest = await ProgressDisplay.RunAsync(observer => ClusterClient.RunJobAsync(clusterOptions.Client(parse, seeds), ticket, observer, ct)).ConfigureAwait(false);
                    PrintSummary(new RunOutcome(manifest, AlreadyComplete: false, Stats: null), spec.Output);
                    return ExitCodes.Ok;
                }
                var context = await ClusterJobs.CreateAsync(spec, Environment.CurrentDirectory, "", "", Console.WriteLine, ct).ConfigureAwait(false);
                var options = new RunOptions(workerCount, LeaseTimeout: null, KeepWork: parse.GetValue(keepWork));
                Console.WriteLine($"job {spec.Name}: {spec.Sources.Count} source(s), tokenizer {context.Tokenizer.Name}, seq_len {spec.Pack.SeqLen}, {workerCount} worker(s) → {spec.Output}");
                var outcome = await ProgressDisplay.RunAsync(observer => JobRunner.RunAsync(context, options, FaultInjection.Wrap(observer), ct)).ConfigureAwait(false);
                PrintSummary(outcome, spec.Output);
                return ExitCodes.Ok;
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("cancelled; rerun the same command to resume from the completed units");
                return ExitCodes.Cancelled;
            }
            catch (Exception ex) when (ex is JobFailedException or StorageException or TokenizerException or InvalidDataException or IOException or UnauthorizedAccessException
                or PreSelectInputException or FastTextTrainingException)
            {
                Console.Error.WriteLine($"job failed: {ex.Message}");
                return ExitCodes.Failed;
            }
        });
        return command;
    }

    private static void PrintSummary(RunOutcome outcome, string output)
    {
        var m = outcome.Manifest;
        var t = m.Totals;
        var table = new Table().AddColumn("").AddColumn(new TableColumn("").RightAligned()).HideHeaders().Border(TableBorder.Rounded);
        table.AddRow("documents read", N(t.DocumentsRead));
        table.AddRow("documents kept", N(t.DocumentsKept));
        table.AddRow("documents rejected", N(t.DocumentsRejected));
        foreach (var (reason, count) in t.RejectedByReason) table.AddRow($"  {Markup.Escape(reason)}", N(count));
        if (t.DocumentCopies > t.DocumentsKept) table.AddRow("document copies", N(t.DocumentCopies));
        if (m.Selection is { } selection)
        {
            var r = selection.Result;
            var basis = selection.Basis.ToString().ToLowerInvariant();
            table.AddRow("selection", string.Create(CultureInfo.InvariantCulture,
                $"{r.AchievedShare:P2} of {basis} (asked {r.TargetShare:P2}){(r.Exact ? ", exact" : $", ± {r.MaxShareError:P3}")}"));
            if (r.Decision.Kind == Core.Selection.ThresholdKind.Score) table.AddRow("  threshold score", r.Decision.Score.ToString("0.######", CultureInfo.InvariantCulture));
        }
        if (m.Mixture is { } mixture)
        {
            foreach (var s in mixture.Sources)
            {
                table.AddRow($"  {Markup.Escape(s.Source)} share", string.Create(CultureInfo.InvariantCulture, $"{s.RealisedShare:P2} (target {s.TargetShare:P2})"));
            }
        }
        table.AddRow("tokens", N(t.Tokens));
        table.AddRow("sequences", $"{N(t.Sequences)} × {m.SeqLen}");
        table.AddRow("fill rate", t.FillRate.ToString("P2", CultureInfo.InvariantCulture));
        table.AddRow("padding rate", t.PaddingRate.ToString("P2", CultureInfo.InvariantCulture));
        table.AddRow("documents split", N(t.DocumentsSplit));
        table.AddRow("shards", N(m.Shards.Count));
        if (outcome.Stats is { } stats)
        {
            table.AddRow("wall time", $"{stats.Seconds:0.0} s");
            table.AddRow("throughput", $"{stats.InputMegabytesPerSecond:0.0} MB/s ({stats.InputMegabytesPerCpuSecond:0.0} MB per CPU-second)");
        }
        AnsiConsole.Write(table);
        foreach (var shortfall in m.Mixture?.Shortfalls ?? []) Console.WriteLine($"warning: {shortfall.Message}");
        var status = outcome.AlreadyComplete ? "already complete (nothing to do)" : "done";
        Console.WriteLine($"{status}: {(BlobLocation.IsAzure(output) ? output : Path.GetFullPath(output))}");
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
