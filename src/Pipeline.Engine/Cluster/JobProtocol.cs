using Pipeline.Engine.Actors;

namespace Pipeline.Engine.Cluster;

/// <summary>A client submits (or re-submits, which is idempotent) a job to the cluster's job manager.</summary>
/// <param name="Job">The job.</param>
/// <param name="ClientId">Identity of the submitting client: the manager keeps only its latest reply address.</param>
public sealed record SubmitJob(JobTicket Job, string ClientId) : IWorkMessage;

/// <summary>The job manager runs (or already runs, or has queued) the job; events and the outcome follow.</summary>
public sealed record JobAccepted(string JobId) : IWorkMessage;

/// <summary>Progress of a running job, for its clients (the <see cref="IJobObserver"/> events).</summary>
/// <param name="JobId">The job.</param>
/// <param name="Kind">stage-started, work-completed, stage-completed or message.</param>
/// <param name="Stage">The stage.</param>
/// <param name="Tasks">Tasks of a starting stage; of a work-completed event, the tasks it covers (the job manager sends
/// progress in batches).</param>
/// <param name="Progress">Figures of the completed tasks, summed.</param>
/// <param name="Message">Text of a message event.</param>
public sealed record JobEvent(string JobId, string Kind, string Stage, int Tasks, WorkProgress? Progress, string? Message) : IWorkMessage
{
    /// <summary><see cref="Kind"/> of <see cref="IJobObserver.OnStageStarted"/>.</summary>
    public const string StageStarted = "stage-started";

    /// <summary><see cref="Kind"/> of <see cref="IJobObserver.OnWorkCompleted"/>.</summary>
    public const string WorkCompleted = "work-completed";

    /// <summary><see cref="Kind"/> of <see cref="IJobObserver.OnStageCompleted"/>.</summary>
    public const string StageCompleted = "stage-completed";

    /// <summary><see cref="Kind"/> of <see cref="IJobObserver.OnMessage"/>.</summary>
    public const string MessageKind = "message";

    /// <summary>Replays the event on an observer.</summary>
    public void ReplayOn(IJobObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        switch (Kind)
        {
            case StageStarted: observer.OnStageStarted(Stage, Tasks); break;
            case WorkCompleted: observer.OnWorkCompleted(Stage, Tasks, Progress ?? new WorkProgress(0, 0, 0)); break;
            case StageCompleted: observer.OnStageCompleted(Stage); break;
            default: observer.OnMessage(Message ?? ""); break;
        }
    }
}

/// <summary>The job ended: with its manifest (JSON), or with an error.</summary>
public sealed record JobFinished(string JobId, string? ManifestJson, string? Error) : IWorkMessage
{
    /// <summary>The <see cref="Error"/> of the answer to a <see cref="CancelJob"/> for a job the manager does not have.</summary>
    public const string NoSuchJob = "no such job is running or queued";
}

/// <summary>A client asks to stop a job, running or queued (Ctrl-C on <c>run --cluster</c>, or <c>pipeline cancel</c>); an
/// empty id cancels the running job.</summary>
public sealed record CancelJob(string JobId) : IWorkMessage;

/// <summary>A client asks what the job manager is doing.</summary>
public sealed record StatusRequest : IWorkMessage
{
    /// <summary>The single instance.</summary>
    public static StatusRequest Instance { get; } = new();
}

/// <summary>What the job manager is doing.</summary>
/// <param name="JobId">The running job, or null.</param>
/// <param name="JobName">Its name.</param>
/// <param name="Output">Its output location.</param>
/// <param name="Stage">Its stage.</param>
/// <param name="TasksDone">Tasks finished in the stage.</param>
/// <param name="Tasks">Tasks of the stage.</param>
/// <param name="WaitingWorkers">Workers that asked for work while no job ran.</param>
/// <param name="Members">The cluster's members as the manager's node sees them: address, status, roles.</param>
public sealed record StatusReply(string? JobId, string? JobName, string? Output, string? Stage, int TasksDone, int Tasks, int WaitingWorkers, IReadOnlyList<string> Members) : IWorkMessage
{
    /// <summary>The queued jobs in the order they will run: id and name.</summary>
    public IReadOnlyList<string> Queued { get; init; } = [];
}
