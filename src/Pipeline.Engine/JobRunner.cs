using Akka.Actor;
using Akka.Configuration;
using Pipeline.Engine.Actors;
using Pipeline.Engine.Stages;
using Pipeline.Formats.Manifests;
using Pipeline.Storage;

namespace Pipeline.Engine;

/// <summary>How to run a job on this machine.</summary>
/// <param name="Workers">Worker actors (each runs one task at a time).</param>
/// <param name="LeaseTimeout">Time after which a task leased to a silent worker is handed to another; null for none
/// (in-process workers are watched, so a stopped worker's tasks are re-queued without a timeout).</param>
/// <param name="KeepWork">Keep intermediate files (<c>_work/</c>) after commit.</param>
public sealed record RunOptions(int Workers, TimeSpan? LeaseTimeout = null, bool KeepWork = false);

/// <summary>What a finished run produced.</summary>
/// <param name="Manifest">The manifest.</param>
/// <param name="AlreadyComplete">True when the output already held this job's manifest and nothing ran.</param>
/// <param name="Stats">Timings of this run (null when nothing ran).</param>
public sealed record RunOutcome(Manifest Manifest, bool AlreadyComplete, RunStats? Stats);

/// <summary>
/// Runs a job in an in-process ActorSystem (the embedded default): a JobCoordinator and worker actors, the same
/// actors a cluster runs.
/// </summary>
public static class JobRunner
{
    private const string Hocon = """
        akka {
          loglevel = WARNING
          stdout-loglevel = WARNING
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
          actor.provider = local
          coordinated-shutdown.run-by-clr-shutdown-hook = off
        }
        """;

    /// <summary>Runs the job to completion (or resumes it) and returns its manifest.</summary>
    public static async Task<RunOutcome> RunAsync(JobContext job, RunOptions options, IJobObserver observer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(options);
        if (await PrepareAsync(job, options.KeepWork, ct).ConfigureAwait(false) is { } existing)
        {
            return new RunOutcome(existing, AlreadyComplete: true, Stats: null);
        }

        // Load the scoring model before any work starts: a bad model fails the job at once, with its reason.
        _ = job.DocumentScorer;
        var cpuAtStart = ProcessCpu.Now();
        var timing = new TimingObserver(observer);
        var workers = Math.Max(1, options.Workers);
        var completion = new TaskCompletionSource<Manifest>(TaskCreationOptions.RunContinuationsAsynchronously);
        var system = ActorSystem.Create("pipeline", ConfigurationFactory.ParseString(Hocon));
        try
        {
            system.ActorOf(Props.Create(() => new JobCoordinator(job, timing, completion, workers, options.LeaseTimeout)), "coordinator");
            await using var registration = ct.Register(() => completion.TrySetCanceled(ct)).ConfigureAwait(false);
            var manifest = await completion.Task.ConfigureAwait(false);
            var stats = await FinishAsync(job, manifest, workers, timing, ProcessCpu.Now() - cpuAtStart, options.KeepWork, ct).ConfigureAwait(false);
            return new RunOutcome(manifest, AlreadyComplete: false, stats);
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Before a run (in-process or on a cluster): the output's manifest when it already holds this job's finished output
    /// (finishing an interrupted clean-up), otherwise null after removing what interrupted writes left behind.
    /// </summary>
    /// <exception cref="JobFailedException">The output holds another job's output, or one scored with another model.</exception>
    public static async Task<Manifest?> PrepareAsync(JobContext job, bool keepWork, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        var existing = await CheckOutputBelongsToAsync(job.Output, job.JobHash, ct).ConfigureAwait(false);
        if (existing is not null)
        {
            if (existing.Scorer?.ModelSha256 != job.Scorer?.ModelSha256)
            {
                throw new JobFailedException($"{job.Output.Describe(OutputLayout.Manifest)} was scored with model sha256 {existing.Scorer?.ModelSha256?[..12]}…, but {job.Scorer?.Model} is now {job.Scorer?.ModelSha256?[..12]}…; choose another output folder, or delete this output folder to score again");
            }
            // A crash between the manifest and the clean-up leaves intermediates behind: finish the clean-up.
            if (!keepWork) await Committer.CleanUpAsync(job, ct).ConfigureAwait(false);
            return existing;
        }
        // Staging files of writes that a crash interrupted are never part of the output.
        await job.Output.PurgeIncompleteWritesAsync(ct).ConfigureAwait(false);
        return null;
    }

    /// <summary>After the manifest: removes the intermediates (unless kept) and writes <c>stats.json</c>.</summary>
    /// <param name="job">The job.</param>
    /// <param name="manifest">Its manifest.</param>
    /// <param name="workers">Workers that ran its tasks.</param>
    /// <param name="timing">Its stage timings.</param>
    /// <param name="cpuSeconds">CPU time of the run: the process's, or on a cluster the worker nodes' (null if unknown).</param>
    /// <param name="keepWork">Keep <c>_work/</c>.</param>
    /// <param name="ct">Cancellation.</param>
    internal static async Task<RunStats> FinishAsync(JobContext job, Manifest manifest, int workers, TimingObserver timing, double? cpuSeconds, bool keepWork, CancellationToken ct)
    {
        if (!keepWork) await Committer.CleanUpAsync(job, ct).ConfigureAwait(false);
        var seconds = timing.Elapsed.TotalSeconds;
        var mbps = manifest.Totals.InputBytes / 1e6 / Math.Max(seconds, 1e-9);
        var stats = new RunStats(workers, Math.Round(seconds, 3), timing.StageSeconds, manifest.Totals.InputBytes,
            Math.Round(mbps, 3), Math.Round(mbps / Math.Max(1, workers), 3),
            cpuSeconds is { } cpu ? Math.Round(cpu, 3) : null,
            cpuSeconds is { } c ? Math.Round(manifest.Totals.InputBytes / 1e6 / Math.Max(c, 1e-9), 3) : null,
            manifest.Selection, manifest.ScoreHistograms);
        await job.WriteJsonAsync(OutputLayout.Stats, stats, Storage.WriteMode.Overwrite, ct).ConfigureAwait(false);
        return stats;
    }

    /// <summary>The output's manifest when it holds this job's finished output, null when there is none.</summary>
    /// <exception cref="JobFailedException">The output holds another job's finished output.</exception>
    public static async Task<Manifest?> CheckOutputBelongsToAsync(IBlobStore output, string jobHash, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(jobHash);
        var bytes = await output.TryReadAllBytesAsync(OutputLayout.Manifest, ct).ConfigureAwait(false);
        if (bytes is null) return null;
        var existing = JsonFiles.Deserialize<Manifest>(bytes, output.Describe(OutputLayout.Manifest));
        if (existing.JobHash != jobHash)
        {
            throw new JobFailedException($"{output.Describe(OutputLayout.Manifest)} belongs to a different job (job hash {existing.JobHash[..12]}…); choose another output folder, or delete this output folder to start over");
        }
        return existing;
    }
}
