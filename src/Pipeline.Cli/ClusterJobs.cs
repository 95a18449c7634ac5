using System.Collections.Concurrent;
using System.Text.Json;
using Pipeline.Core.Jobs;
using Pipeline.Engine;
using Pipeline.Engine.Actors;
using Pipeline.Formats.Manifests;
using Pipeline.Jobs;
using Pipeline.Scoring.PreSelect;

namespace Pipeline.Cli;

/// <summary>
/// How the CLI (the composition root) turns a job into a <see cref="JobContext"/>: in-process for <c>run</c>, and from a
/// <see cref="JobTicket"/> on a cluster node, where the job arrives as JSON from the submitting client.
/// </summary>
internal static class ClusterJobs
{
    /// <summary>The context of a validated job: runs its PreSelect training step first when it has one.</summary>
    public static async Task<JobContext> CreateAsync(JobSpec spec, string baseDirectory, string jobJson, string runId, Action<string> log, CancellationToken ct)
    {
        var jobHash = JobLoader.JobHash(spec with { Output = "" });
        var trained = await PreSelectTrainingStep.EnsureAsync(spec, jobHash, baseDirectory, log, ct).ConfigureAwait(false);
        return new JobContext(spec, jobHash, baseDirectory, PreSelectScorer.ForJob, trained, jobJson, runId);
    }

    /// <summary>The ticket a cluster node needs to build the job's context: the effective job as JSON.</summary>
    public static JobTicket Ticket(JobSpec spec, string baseDirectory)
    {
        var jobHash = JobLoader.JobHash(spec with { Output = "" });
        return new JobTicket(JobContext.IdOf(jobHash, spec.Output), JsonSerializer.Serialize(spec, JsonFiles.Options), baseDirectory);
    }

    /// <summary>A node's context factory: one context per run of a job (the two most recent are kept), built from the ticket.</summary>
    public static Func<JobTicket, JobContext> NodeContexts(Action<string> log)
    {
        var cache = new ConcurrentDictionary<string, Lazy<JobContext>>(StringComparer.Ordinal);
        var order = new ConcurrentQueue<string>();
        return ticket =>
        {
            var key = ticket.JobId + "/" + ticket.RunId;
            var lazy = cache.GetOrAdd(key, id =>
            {
                order.Enqueue(id);
                while (order.Count > 2 && order.TryDequeue(out var old)) cache.TryRemove(old, out _);
                return new Lazy<JobContext>(() => FromTicket(ticket, log), LazyThreadSafetyMode.ExecutionAndPublication);
            });
            try
            {
                return lazy.Value;
            }
            catch
            {
                cache.TryRemove(key, out _);
                throw;
            }
        };
    }

    private static JobContext FromTicket(JobTicket ticket, Action<string> log)
    {
        var spec = JsonFiles.Deserialize<JobSpec>(System.Text.Encoding.UTF8.GetBytes(ticket.JobJson), $"job {ticket.JobId}");
        var context = CreateAsync(spec, ticket.BaseDirectory, ticket.JobJson, ticket.RunId, log, CancellationToken.None).GetAwaiter().GetResult();
        if (context.Id != ticket.JobId)
        {
            throw new JobFailedException($"job {ticket.JobId} reads as job {context.Id} on this node: the nodes run different Pipeline versions");
        }
        return context;
    }
}
