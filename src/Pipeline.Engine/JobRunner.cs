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
        var existing = await CheckOutputBelongsToAsync(job.Output, job.JobHash, ct).ConfigureAwait(false);
        if (existing is not null)
        {
            // A crash between the manifest and the clean-up leaves intermediates behind: finish the clean-up.
            if (!options.KeepWork) await Committer.CleanUpAsync(job, ct).ConfigureAwait(false);
            return new RunOutcome(existing, AlreadyComplete: true, Stats: null);
        }
        // Staging files of writes that a crash interrupted are never part of the output.
        await job.Output.PurgeIncompleteWritesAsync(ct).ConfigureAwait(false);

        // Load the scoring model before any work starts: a bad model fails the job at once, with its reason.
        _ = job.DocumentScorer;
        var cpuAtStart = ProcessCpu();
        var timing = new TimingObserver(observer);
        var workers = Math.Max(1, options.Workers);
        var completion = new TaskCompletionSource<Manifest>(TaskCreationOptions.RunContinuationsAsynchronously);
        var system = ActorSystem.Create("pipeline", ConfigurationFactory.ParseString(Hocon));
        try
        {
            system.ActorOf(Props.Create(() => new JobCoordinator(job, timing, completion, workers, options.LeaseTimeout)), "coordinator");
            await using var registration = ct.Register(() => completion.TrySetCanceled(ct)).ConfigureAwait(false);
            var manifest = await completion.Task.ConfigureAwait(false);
            if (!options.KeepWork) await Committer.CleanUpAsync(job, ct).ConfigureAwait(false);
            var seconds = timing.Elapsed.TotalSeconds;
            var mbps = manifest.Totals.InputBytes / 1e6 / Math.Max(seconds, 1e-9);
            var cpu = (ProcessCpu() - cpuAtStart).TotalSeconds;
            var stats = new RunStats(workers, Math.Round(seconds, 3), timing.StageSeconds, manifest.Totals.InputBytes,
                Math.Round(mbps, 3), Math.Round(mbps / workers, 3), Math.Round(cpu, 3), Math.Round(manifest.Totals.InputBytes / 1e6 / Math.Max(cpu, 1e-9), 3),
                manifest.Selection, manifest.ScoreHistograms);
            await job.WriteJsonAsync(OutputLayout.Stats, stats, Storage.WriteMode.Overwrite, ct).ConfigureAwait(false);
            return new RunOutcome(manifest, AlreadyComplete: false, stats);
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
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

    private static TimeSpan ProcessCpu()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
