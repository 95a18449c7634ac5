using Akka.Actor;
using Pipeline.Engine.Actors;
using Pipeline.Formats.Manifests;

namespace Pipeline.Engine.Cluster;

/// <summary>
/// The cluster's job manager, run as a ClusterSingleton on a node with role <c>coordinator</c>: accepts one job at a
/// time from clients, runs its <see cref="JobCoordinator"/> (with no local workers), and passes requests and results
/// between the cluster's workers and it. It keeps no state of its own beyond the running job: the plan and the
/// completion markers in the job's output store are the durable state, so when its node dies the singleton starts on
/// another coordinator node and the client's next (periodic) <see cref="SubmitJob"/> resumes the job there, skipping
/// every finished task.
/// </summary>
public sealed class JobManager : ReceiveActor
{
    private readonly Func<JobTicket, JobContext> _contexts;
    private readonly TimeSpan _leaseTimeout;
    private readonly HashSet<IActorRef> _waiting = [];
    private Running? _job;

    /// <summary>Creates the manager.</summary>
    /// <param name="contexts">Builds (or finds) a job's context from its ticket on this node.</param>
    /// <param name="leaseTimeout">Time after which a task leased to a silent worker is handed to another.</param>
    public JobManager(Func<JobTicket, JobContext> contexts, TimeSpan leaseTimeout)
    {
        _contexts = contexts;
        _leaseTimeout = leaseTimeout;
        Receive<SubmitJob>(OnSubmit);
        Receive<RequestWork>(request =>
        {
            if (_job?.Coordinator is { } coordinator) coordinator.Forward(request);
            else _waiting.Add(Sender);
        });
        Receive<WorkDone>(done =>
        {
            // With no job the result belongs to a job that ended or to an earlier incarnation: the task's marker is
            // written, so a rerun finds it; the worker is waiting again.
            if (_job?.Coordinator is { } coordinator)
            {
                _job.Workers.Add(Sender);
                coordinator.Forward(done);
            }
            else
            {
                _waiting.Add(Sender);
            }
        });
        Receive<WorkFailed>(failed =>
        {
            if (_job?.Coordinator is { } coordinator) coordinator.Forward(failed);
            else _waiting.Add(Sender);
        });
        Receive<Prepared>(OnPrepared);
        Receive<JobEvent>(OnEvent);
        Receive<Ended>(OnEnded);
        Receive<CancelJob>(cancel =>
        {
            if (_job is not { } job || (cancel.JobId.Length > 0 && cancel.JobId != job.Ticket.JobId))
            {
                Sender.Tell(new JobFinished(cancel.JobId, null, "no such job is running"));
                return;
            }
            job.Clients[""] = Sender;
            if (job.Coordinator is { } coordinator) Context.Stop(coordinator);
            Finish(job, new JobFinished(job.Ticket.JobId, null, "cancelled; submit the same job again to resume from the completed tasks"));
        });
        Receive<StatusRequest>(_ =>
        {
            var members = Akka.Cluster.Cluster.Get(Context.System).State.Members
                .Select(m => $"{m.Address} {m.Status} [{string.Join(",", m.Roles.Order(StringComparer.Ordinal))}]")
                .Order(StringComparer.Ordinal).ToArray();
            Sender.Tell(_job is { } job
                ? new StatusReply(job.Ticket.JobId, job.Context.Spec.Name, job.Context.Spec.Output, job.Stage, job.Done, job.Tasks, _waiting.Count, members)
                : new StatusReply(null, null, null, null, 0, 0, _waiting.Count, members));
        });
        Receive<Terminated>(t => _waiting.Remove(t.ActorRef));
    }

    private void OnSubmit(SubmitJob submit)
    {
        if (_job is { } running)
        {
            if (running.Ticket.JobId == submit.Job.JobId)
            {
                running.Clients[submit.ClientId] = Sender;
                Sender.Tell(new JobAccepted(running.Ticket.JobId));
            }
            else
            {
                Sender.Tell(new JobRejected(submit.Job.JobId, $"the cluster is running job {running.Context.Spec.Name} ({running.Ticket.JobId}); one job runs at a time"));
            }
            return;
        }
        JobContext context;
        try
        {
            context = _contexts(submit.Job);
            _ = context.DocumentScorer; // a bad model fails the submission, not the first task
        }
        catch (Exception ex) when (ex is JobFailedException or IOException or InvalidDataException or ArgumentException or Storage.StorageException)
        {
            Sender.Tell(new JobRejected(submit.Job.JobId, ex.Message));
            return;
        }
        var job = new Running(submit.Job, context, null) { Clients = { [submit.ClientId] = Sender } };
        _job = job;
        Sender.Tell(new JobAccepted(submit.Job.JobId));
        JobRunner.PrepareAsync(context, keepWork: false, CancellationToken.None).PipeTo(Self,
            success: existing => new Prepared(submit.Job.JobId, existing),
            failure: ex => new Ended(submit.Job.JobId, null, Unwrap(ex).Message));
    }

    private void OnPrepared(Prepared prepared)
    {
        if (_job is not { Coordinator: null } job || job.Ticket.JobId != prepared.JobId) return;
        if (prepared.Existing is { } existing)
        {
            Self.Tell(new Ended(prepared.JobId, existing, null));
            return;
        }
        var completion = new TaskCompletionSource<Manifest>(TaskCreationOptions.RunContinuationsAsynchronously);
        var timing = new TimingObserver(new EventObserver(Self, prepared.JobId));
        var context = job.Context;
        job.Coordinator = Context.ActorOf(Props.Create(() => new JobCoordinator(context, timing, completion, 0, _leaseTimeout)), $"job-{prepared.JobId}-{Guid.NewGuid():N}");
        var workers = job.Workers;
        completion.Task.ContinueWith(async t =>
        {
            if (!t.IsCompletedSuccessfully) return new Ended(prepared.JobId, null, t.IsCanceled ? "cancelled" : Unwrap(t.Exception!).Message);
            await JobRunner.FinishAsync(context, t.Result, workers.Count, timing, cpuSeconds: null, keepWork: false, CancellationToken.None).ConfigureAwait(false);
            return new Ended(prepared.JobId, t.Result, null);
        }, TaskScheduler.Default).Unwrap().PipeTo(Self, failure: ex => new Ended(prepared.JobId, null, Unwrap(ex).Message));
        foreach (var worker in _waiting) job.Coordinator.Tell(RequestWork.Instance, worker);
        _waiting.Clear();
    }

    private static Exception Unwrap(Exception ex) => ex is AggregateException { InnerExceptions.Count: 1 } a ? Unwrap(a.InnerExceptions[0]) : ex;

    private void OnEvent(JobEvent e)
    {
        if (_job is not { } job || job.Ticket.JobId != e.JobId) return;
        switch (e.Kind)
        {
            case JobEvent.StageStarted:
                job.Stage = e.Stage;
                job.Tasks = e.Tasks;
                job.Done = 0;
                break;
            case JobEvent.WorkCompleted:
                job.Done++;
                break;
        }
        foreach (var client in job.Clients.Values) client.Tell(e);
    }

    private void OnEnded(Ended ended)
    {
        if (_job is not { } job || job.Ticket.JobId != ended.JobId) return;
        var manifest = ended.Manifest is null ? null : System.Text.Encoding.UTF8.GetString(JsonFiles.Serialize(ended.Manifest));
        Finish(job, new JobFinished(ended.JobId, manifest, ended.Manifest is null ? ended.Error ?? "the job stopped" : null));
    }

    private void Finish(Running job, JobFinished outcome)
    {
        foreach (var client in job.Clients.Values) client.Tell(outcome);
        _job = null;
    }

    /// <summary>The running job; its coordinator starts once the output is prepared.</summary>
    private sealed record Running(JobTicket Ticket, JobContext Context, IActorRef? Coordinator)
    {
        public IActorRef? Coordinator { get; set; } = Coordinator;
        /// <summary>Each client's latest reply address (a ClusterClient reply tunnel lives only while it is used).</summary>
        public Dictionary<string, IActorRef> Clients { get; } = new(StringComparer.Ordinal);
        public HashSet<IActorRef> Workers { get; } = [];
        public string Stage { get; set; } = "plan";
        public int Tasks { get; set; }
        public int Done { get; set; }
    }

    private sealed record Ended(string JobId, Manifest? Manifest, string? Error);

    private sealed record Prepared(string JobId, Manifest? Existing);

    /// <summary>Turns the coordinator's observer calls into <see cref="JobEvent"/>s for the manager (and its clients).</summary>
    private sealed class EventObserver(IActorRef manager, string jobId) : IJobObserver
    {
        public void OnStageStarted(string stage, int tasks) => manager.Tell(new JobEvent(jobId, JobEvent.StageStarted, stage, tasks, null, null));

        public void OnWorkCompleted(string stage, WorkProgress progress) => manager.Tell(new JobEvent(jobId, JobEvent.WorkCompleted, stage, 0, progress, null));

        public void OnStageCompleted(string stage) => manager.Tell(new JobEvent(jobId, JobEvent.StageCompleted, stage, 0, null, null));

        public void OnMessage(string message) => manager.Tell(new JobEvent(jobId, JobEvent.MessageKind, "", 0, null, message));
    }
}
