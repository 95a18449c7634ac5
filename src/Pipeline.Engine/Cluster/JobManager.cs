using Akka.Actor;
using Pipeline.Engine.Actors;
using Pipeline.Formats.Manifests;

namespace Pipeline.Engine.Cluster;

/// <summary>
/// The cluster's job manager, run as a ClusterSingleton on a node with role <c>coordinator</c>: runs one job at a
/// time with its <see cref="JobCoordinator"/> (with no local workers), queues the jobs submitted meanwhile in arrival
/// order, and passes requests and results between the cluster's workers and the coordinator. It keeps no durable state
/// of its own: the plan and the completion markers in the job's output store are the durable state, so when its node
/// dies the singleton starts on another coordinator node and the clients' next (periodic) <see cref="SubmitJob"/>
/// resumes the running job there, skipping every finished task, and queues the others again.
/// </summary>
public sealed class JobManager : ReceiveActor, IWithTimers
{
    /// <summary>A queued job whose clients have not re-submitted it for this long is dropped (they are gone).</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromSeconds(30);

    /// <summary>Finished tasks reach the clients in batches, at most one per this interval: a message per task would cost
    /// a client on the same busy machine a noticeable share of a core (receiving, and compiling the hot path).</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    private readonly Func<JobTicket, JobContext> _contexts;
    private readonly TimeSpan _leaseTimeout;
    private readonly HashSet<IActorRef> _waiting = [];
    private readonly List<Job> _queue = [];
    private Job? _job;

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
                if (done.Cpu is { } cpu) _job.AddCpu(Sender.Path.Address, cpu);
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
        Receive<ContextBuilt>(OnContextBuilt);
        Receive<Prepared>(OnPrepared);
        Receive<JobEvent>(OnEvent);
        Receive<Ended>(OnEnded);
        Receive<CancelJob>(OnCancel);
        Receive<StatusRequest>(_ =>
        {
            var members = Akka.Cluster.Cluster.Get(Context.System).State.Members
                .Select(m => $"{m.Address} {m.Status} [{string.Join(",", m.Roles.Order(StringComparer.Ordinal))}]")
                .Order(StringComparer.Ordinal).ToArray();
            var queued = _queue.Select(q => $"{q.Ticket.JobId} {q.Name}").ToArray();
            Sender.Tell(_job is { } job
                ? new StatusReply(job.Ticket.JobId, job.Name, job.Output, job.Stage, job.Done, job.Tasks, _waiting.Count, members) { Queued = queued }
                : new StatusReply(null, null, null, null, 0, 0, _waiting.Count, members) { Queued = queued });
        });
        Receive<DropAbandoned>(_ => DropAbandonedJobs());
        Receive<FlushProgress>(_ => _job?.FlushProgress());
        Receive<Terminated>(t => _waiting.Remove(t.ActorRef));
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <inheritdoc />
    protected override void PreStart() => Timers.StartPeriodicTimer(DropAbandoned.Instance, DropAbandoned.Instance, AbandonedAfter / 3);

    private void OnSubmit(SubmitJob submit)
    {
        var id = submit.Job.JobId;
        if ((_job?.Ticket.JobId == id ? _job : _queue.Find(q => q.Ticket.JobId == id)) is { } known)
        {
            known.Seen(submit.ClientId, Sender);
            Sender.Tell(new JobAccepted(id));
            return;
        }
        var job = new Job(submit.Job);
        job.Seen(submit.ClientId, Sender);
        Sender.Tell(new JobAccepted(id));
        if (_job is { } running)
        {
            _queue.Add(job);
            Sender.Tell(new JobEvent(id, JobEvent.MessageKind, "", 0, null,
                $"queued behind job {running.Name} ({running.Ticket.JobId}){(_queue.Count > 1 ? $" and {_queue.Count - 1} more" : "")}; it starts when they end"));
            return;
        }
        Start(job);
    }

    /// <summary>Builds the job's context off the actor thread (loading a tokenizer and hashing a model take a while).</summary>
    private void Start(Job job)
    {
        _job = job;
        var ticket = job.Ticket with { RunId = Guid.NewGuid().ToString("N") };
        job.RunId = ticket.RunId;
        Task.Run(() =>
        {
            var context = _contexts(ticket);
            _ = context.DocumentScorer; // a bad model fails the job now, not at its first task
            return context;
        }).PipeTo(Self,
            success: context => new ContextBuilt(ticket.RunId, context),
            failure: ex => new Ended(ticket.RunId, null, Unwrap(ex).Message));
    }

    /// <summary>The current job when <paramref name="runId"/> is its run (a message of a cancelled run is ignored).</summary>
    private Job? Current(string runId) => _job is { } job && job.RunId == runId ? job : null;

    private void OnContextBuilt(ContextBuilt built)
    {
        if (Current(built.RunId) is not { Context: null } job) return;
        job.Context = built.Context;
        JobRunner.PrepareAsync(built.Context, keepWork: false, CancellationToken.None).PipeTo(Self,
            success: existing => new Prepared(built.RunId, existing),
            failure: ex => new Ended(built.RunId, null, Unwrap(ex).Message));
    }

    private void OnPrepared(Prepared prepared)
    {
        if (Current(prepared.RunId) is not { Coordinator: null, Context: { } context } job) return;
        var runId = prepared.RunId;
        if (prepared.Existing is { } existing)
        {
            Self.Tell(new Ended(runId, existing, null));
            return;
        }
        var completion = new TaskCompletionSource<Manifest>(TaskCreationOptions.RunContinuationsAsynchronously);
        var timing = new TimingObserver(new EventObserver(Self, job.Ticket.JobId));
        job.Coordinator = Context.ActorOf(Props.Create(() => new JobCoordinator(context, timing, completion, 0, _leaseTimeout)), $"job-{job.Ticket.JobId}-{runId}");
        var workers = job.Workers;
        completion.Task.ContinueWith(async t =>
        {
            if (!t.IsCompletedSuccessfully) return new Ended(runId, null, t.IsCanceled ? "cancelled" : Unwrap(t.Exception!).Message);
            // The coordinator has handled its last result, so no worker joins the figures any more.
            await JobRunner.FinishAsync(context, t.Result, workers.Count, timing, job.CpuSeconds, keepWork: false, CancellationToken.None).ConfigureAwait(false);
            return new Ended(runId, t.Result, null);
        }, TaskScheduler.Default).Unwrap().PipeTo(Self, failure: ex => new Ended(runId, null, Unwrap(ex).Message));
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
                job.Done += e.Tasks;
                job.AddProgress(e);
                if (!Timers.IsTimerActive(FlushProgress.Instance)) Timers.StartSingleTimer(FlushProgress.Instance, FlushProgress.Instance, ProgressInterval);
                return;
        }
        job.Tell(e);
    }

    private void OnEnded(Ended ended)
    {
        if (Current(ended.RunId) is not { } job) return;
        var manifest = ended.Manifest is null ? null : System.Text.Encoding.UTF8.GetString(JsonFiles.Serialize(ended.Manifest));
        Finish(job, new JobFinished(job.Ticket.JobId, manifest, ended.Manifest is null ? ended.Error ?? "the job stopped" : null));
    }

    private void OnCancel(CancelJob cancel)
    {
        if (_queue.Find(q => q.Ticket.JobId == cancel.JobId) is { } queued)
        {
            _queue.Remove(queued);
            queued.Seen("", Sender);
            queued.Tell(new JobFinished(queued.Ticket.JobId, null, "cancelled before it started"));
            return;
        }
        if (_job is not { } job || (cancel.JobId.Length > 0 && cancel.JobId != job.Ticket.JobId))
        {
            Sender.Tell(new JobFinished(cancel.JobId, null, JobFinished.NoSuchJob));
            return;
        }
        job.Seen("", Sender);
        if (job.Coordinator is { } coordinator) Context.Stop(coordinator);
        Finish(job, new JobFinished(job.Ticket.JobId, null, "cancelled; submit the same job again to resume from the completed tasks"));
    }

    /// <summary>Tells the job's clients how it ended and starts the next queued job.</summary>
    private void Finish(Job job, JobFinished outcome)
    {
        job.Tell(outcome);
        _job = null;
        DropAbandonedJobs();
        if (_queue.Count == 0) return;
        var next = _queue[0];
        _queue.RemoveAt(0);
        Start(next);
    }

    private void DropAbandonedJobs()
    {
        var now = DateTime.UtcNow;
        _queue.RemoveAll(q => now - q.LastSubmitted > AbandonedAfter);
    }

    /// <summary>A submitted job: queued, or running (with its context and then its coordinator).</summary>
    private sealed class Job(JobTicket ticket)
    {
        /// <summary>Each client's latest reply address (a ClusterClient reply tunnel lives only while it is used).</summary>
        private readonly Dictionary<string, IActorRef> _clients = new(StringComparer.Ordinal);

        /// <summary>Finished tasks not yet sent to the clients (one work-completed event covering them all).</summary>
        private JobEvent? _progress;

        /// <summary>Per node, the earliest task start and the latest task end (process CPU seconds).</summary>
        private readonly Dictionary<Address, (double First, double Last)> _cpu = [];

        public JobTicket Ticket { get; } = ticket;
        public string Name { get; } = SpecField(ticket, "name");
        public string Output { get; } = SpecField(ticket, "output");
        public string RunId { get; set; } = "";
        public JobContext? Context { get; set; }
        public IActorRef? Coordinator { get; set; }
        public HashSet<IActorRef> Workers { get; } = [];
        public string Stage { get; set; } = "plan";
        public int Tasks { get; set; }
        public int Done { get; set; }
        public DateTime LastSubmitted { get; private set; }

        /// <summary>CPU seconds the worker nodes spent on the job: per node, from its first task start to its last task end.</summary>
        public double? CpuSeconds
        {
            get
            {
                lock (_cpu) return _cpu.Count == 0 ? null : _cpu.Values.Sum(c => c.Last - c.First);
            }
        }

        public void Seen(string clientId, IActorRef client)
        {
            _clients[clientId] = client;
            if (clientId.Length > 0) LastSubmitted = DateTime.UtcNow;
        }

        /// <summary>Sends a message to the job's clients, after the progress not yet sent (so they see events in order).</summary>
        public void Tell(object message)
        {
            FlushProgress();
            Send(message);
        }

        /// <summary>Adds finished tasks to the progress batch.</summary>
        public void AddProgress(JobEvent e) =>
            _progress = _progress is null ? e : _progress with { Tasks = _progress.Tasks + e.Tasks, Progress = Sum(_progress.Progress, e.Progress) };

        /// <summary>Sends the progress batch, if any.</summary>
        public void FlushProgress()
        {
            if (_progress is null) return;
            Send(_progress);
            _progress = null;
        }

        private static WorkProgress? Sum(WorkProgress? a, WorkProgress? b) => a is null ? b : b is null ? a : a.Plus(b);

        private void Send(object message)
        {
            foreach (var client in _clients.Values) client.Tell(message);
        }

        /// <summary>Adds a task's CPU sample (results may still arrive while the job's figures are read: locked).</summary>
        public void AddCpu(Address node, ProcessCpu cpu)
        {
            lock (_cpu)
            {
                _cpu[node] = _cpu.TryGetValue(node, out var seen)
                    ? (Math.Min(seen.First, cpu.StartSeconds), Math.Max(seen.Last, cpu.EndSeconds))
                    : (cpu.StartSeconds, cpu.EndSeconds);
            }
        }

        /// <summary>A top-level string of the ticket's job JSON (its name, its output), for status before the job is built.</summary>
        private static string SpecField(JobTicket ticket, string name)
        {
            try
            {
                using var json = System.Text.Json.JsonDocument.Parse(ticket.JobJson);
                return json.RootElement.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String ? value.GetString()! : "";
            }
            catch (System.Text.Json.JsonException)
            {
                return ""; // building the context reports the bad JSON
            }
        }
    }

    private sealed record ContextBuilt(string RunId, JobContext Context);

    private sealed record Ended(string RunId, Manifest? Manifest, string? Error);

    private sealed record Prepared(string RunId, Manifest? Existing);

    private sealed record DropAbandoned
    {
        public static DropAbandoned Instance { get; } = new();
    }

    private sealed record FlushProgress
    {
        public static FlushProgress Instance { get; } = new();
    }

    /// <summary>Turns the coordinator's observer calls into <see cref="JobEvent"/>s for the manager (and its clients).</summary>
    private sealed class EventObserver(IActorRef manager, string jobId) : IJobObserver
    {
        public void OnStageStarted(string stage, int tasks) => manager.Tell(new JobEvent(jobId, JobEvent.StageStarted, stage, tasks, null, null));

        public void OnWorkCompleted(string stage, int tasks, WorkProgress progress) => manager.Tell(new JobEvent(jobId, JobEvent.WorkCompleted, stage, tasks, progress, null));

        public void OnStageCompleted(string stage) => manager.Tell(new JobEvent(jobId, JobEvent.StageCompleted, stage, 0, null, null));

        public void OnMessage(string message) => manager.Tell(new JobEvent(jobId, JobEvent.MessageKind, "", 0, null, message));
    }
}
