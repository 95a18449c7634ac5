using Akka.Actor;
using Pipeline.Engine.Planning;
using Pipeline.Engine.Stages;
using Pipeline.Formats.Manifests;

namespace Pipeline.Engine.Actors;

/// <summary>
/// Owns the job's state machine (Plan → Score → Select → Pack → Commit). Distributed stages are handed out by
/// work-pulling: idle workers wait in a queue, items are leased with a timeout, results are stored by slot so
/// arrival order never matters, and a late result from a lease that was given away is ignored. Workers are its
/// children in-process, or arrive from cluster nodes through their requests for work; either way it watches them and
/// re-queues the items of a worker that stops or whose node is downed.
/// </summary>
public sealed class JobCoordinator : ReceiveActor, IWithTimers
{
    private const int MaxAttempts = 3;
    private readonly JobContext _job;
    private readonly IJobObserver _observer;
    private readonly TaskCompletionSource<Manifest> _completion;
    private readonly int _workers;
    private readonly TimeSpan? _leaseTimeout;
    private readonly Queue<WorkItem> _pending = new();
    private readonly Queue<IActorRef> _idle = new();
    private readonly HashSet<IActorRef> _idleSet = [];
    private readonly HashSet<IActorRef> _watched = [];
    private readonly Dictionary<long, (WorkItem Item, IActorRef Worker, long Deadline)> _leases = [];
    private int _liveWorkers;
    private readonly Dictionary<WorkItem, int> _attempts = [];
    // Leases start at a random point, so a result for a lease of an earlier coordinator incarnation (before a
    // failover) never matches one of this incarnation's leases.
    private long _nextLease = Random.Shared.NextInt64(1, 1L << 40) << 20;
    private int _remaining;
    private string _stage = "plan";
    private WorkPlan? _plan;
    private SelectionPlan? _selection;
    private UnitResult[]? _units;
    private BucketResult[]? _buckets;
    private LineageResult[]? _lineage;

    /// <summary>Creates the coordinator.</summary>
    /// <param name="job">The job.</param>
    /// <param name="observer">Receives stage and progress events.</param>
    /// <param name="completion">Completed with the manifest, or failed with the job's error.</param>
    /// <param name="workers">Worker children to start (0 on a cluster, where workers come from the nodes).</param>
    /// <param name="leaseTimeout">Time after which a task leased to a silent worker is handed to another; null for none.</param>
    public JobCoordinator(JobContext job, IJobObserver observer, TaskCompletionSource<Manifest> completion, int workers, TimeSpan? leaseTimeout)
    {
        _job = job;
        _observer = observer;
        _completion = completion;
        _workers = workers;
        _leaseTimeout = leaseTimeout;

        Receive<WorkPlan>(OnPlanned);
        Receive<SelectionPlan>(OnSelected);
        Receive<Manifest>(OnCommitted);
        Receive<RequestWork>(_ => Idle(Sender));
        Receive<WorkDone>(OnWorkDone);
        Receive<WorkFailed>(OnWorkFailed);
        Receive<Status.Failure>(f => Fail(AsJobFailure(f.Cause)));
        Receive<Terminated>(OnWorkerStopped);
        Receive<CheckLeases>(_ => Requeue(lease => lease.Deadline < Environment.TickCount64, "lease expired"));
        Receive<RetryWork>(retry =>
        {
            _pending.Enqueue(retry.Item);
            Dispatch();
        });
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <inheritdoc />
    protected override void PreStart()
    {
        var job = _job;
        for (var i = 0; i < _workers; i++)
        {
            var worker = Context.ActorOf(Props.Create(() => new Worker(_ => job, Self)), $"worker-{i}");
            Watch(worker);
        }
        if (_leaseTimeout is not null) Timers.StartPeriodicTimer("leases", CheckLeases.Instance, TimeSpan.FromSeconds(1));
        Stage("plan", 1);
        Task.Run(RunPlanAsync).PipeTo(Self);
    }

    private async Task<WorkPlan> RunPlanAsync()
    {
        var plan = await Planner.PlanAsync(_job, CancellationToken.None).ConfigureAwait(false);
        var existing = await _job.TryReadJsonAsync<WorkPlan>(OutputLayout.Plan, CancellationToken.None).ConfigureAwait(false);
        if (existing is not null && !JsonFiles.Serialize(existing).AsSpan().SequenceEqual(JsonFiles.Serialize(plan)))
        {
            throw new JobFailedException($"{_job.Output.Describe(OutputLayout.Plan)} was written for a different job or different inputs; choose another output folder, or delete this output folder to start over");
        }
        await _job.WriteJsonAsync(OutputLayout.Plan, plan, Storage.WriteMode.Overwrite, CancellationToken.None).ConfigureAwait(false);
        return plan;
    }

    private void OnPlanned(WorkPlan plan)
    {
        _plan = plan;
        _units = new UnitResult[plan.Units.Count];
        Stage("score", plan.Units.Count);
        foreach (var unit in plan.Units) _pending.Enqueue(new ScoreWork(unit));
        Dispatch();
    }

    private void OnSelected(SelectionPlan selection)
    {
        var plan = _plan!;
        _selection = selection;
        _buckets = new BucketResult[plan.Buckets];
        _lineage = new LineageResult[plan.Units.Count];
        Stage("pack", plan.Buckets + plan.Units.Count);
        for (var b = 0; b < plan.Buckets; b++) _pending.Enqueue(new PackWork(b));
        foreach (var unit in plan.Units) _pending.Enqueue(new LineageWork(unit));
        Dispatch();
    }

    private void OnCommitted(Manifest manifest)
    {
        _observer.OnStageCompleted("commit");
        _completion.TrySetResult(manifest);
        Context.Stop(Self);
    }

    private void OnWorkDone(WorkDone done)
    {
        if (!_leases.TryGetValue(done.Lease, out var lease) || !lease.Item.Equals(done.Item))
        {
            Idle(Sender);
            return;
        }
        _leases.Remove(done.Lease);
        switch (lease.Item)
        {
            case ScoreWork: _units![lease.Item.Slot] = done.Unit ?? throw new InvalidOperationException("a score result without its unit result"); break;
            case PackWork: _buckets![lease.Item.Slot] = done.Bucket ?? throw new InvalidOperationException("a pack result without its bucket result"); break;
            case LineageWork: _lineage![lease.Item.Slot] = done.Lineage ?? throw new InvalidOperationException("a lineage result without its file"); break;
        }
        _observer.OnWorkCompleted(_stage, 1, done.Progress);
        _remaining--;
        if (_remaining == 0) Advance();
        Idle(Sender);
    }

    private void OnWorkFailed(WorkFailed failed)
    {
        if (!_leases.TryGetValue(failed.Lease, out var lease) || !lease.Item.Equals(failed.Item))
        {
            Idle(Sender);
            return;
        }
        _leases.Remove(failed.Lease);
        var attempts = _attempts[lease.Item] = _attempts.GetValueOrDefault(lease.Item) + 1;
        if (failed.Transient && attempts < MaxAttempts)
        {
            var delay = TimeSpan.FromSeconds(Math.Pow(2, attempts - 1));
            _observer.OnMessage($"retrying {Describe(lease.Item)} in {delay.TotalSeconds:0} s after a transient failure (attempt {attempts} of {MaxAttempts}): {failed.Error}");
            Timers.StartSingleTimer(lease.Item, new RetryWork(lease.Item), delay);
            Idle(Sender);
            return;
        }
        Fail(new JobFailedException($"{Describe(lease.Item)} failed: {failed.Error}"));
    }

    private void Advance()
    {
        switch (_stage)
        {
            case "score":
                Stage("select", 1);
                Selector.SelectAsync(_job, _plan!, _units!, CancellationToken.None).PipeTo(Self);
                break;
            case "pack":
                Stage("commit", 1);
                Committer.CommitAsync(_job, _plan!, _units!, _selection!, _buckets!, _lineage!, CancellationToken.None).PipeTo(Self);
                break;
        }
    }

    private void Stage(string name, int tasks)
    {
        if (_stage != name) _observer.OnStageCompleted(_stage);
        _stage = name;
        _remaining = tasks;
        _observer.OnStageStarted(name, tasks);
    }

    /// <summary>A worker is ready: watch it (once), and queue it unless it is queued already or still holds a lease
    /// (an idle worker repeats its request, which may cross an assignment on the way).</summary>
    private void Idle(IActorRef worker)
    {
        Watch(worker);
        if (_leases.Values.Any(l => l.Worker.Equals(worker)) || !_idleSet.Add(worker)) return;
        _idle.Enqueue(worker);
        Dispatch();
    }

    private void Watch(IActorRef worker)
    {
        if (!_watched.Add(worker)) return;
        Context.Watch(worker);
        _liveWorkers++;
    }

    private void Dispatch()
    {
        while (_pending.Count > 0 && _idle.Count > 0)
        {
            var worker = _idle.Dequeue();
            _idleSet.Remove(worker);
            var item = _pending.Dequeue();
            var lease = ++_nextLease;
            var deadline = _leaseTimeout is { } timeout ? Environment.TickCount64 + (long)timeout.TotalMilliseconds : long.MaxValue;
            _leases[lease] = (item, worker, deadline);
            worker.Tell(new Assign(_job.Ticket, lease, item));
        }
    }

    private void Requeue(Func<(WorkItem Item, IActorRef Worker, long Deadline), bool> lost, string why)
    {
        foreach (var (lease, value) in _leases.Where(l => lost(l.Value)).ToArray())
        {
            _leases.Remove(lease);
            _observer.OnMessage($"re-queued {Describe(value.Item)}: {why}");
            _pending.Enqueue(value.Item);
        }
        Dispatch();
    }

    private void OnWorkerStopped(Terminated stopped)
    {
        if (!_watched.Remove(stopped.ActorRef)) return;
        _liveWorkers--;
        _idleSet.Remove(stopped.ActorRef);
        var idle = _idle.Where(w => !w.Equals(stopped.ActorRef)).ToArray();
        _idle.Clear();
        foreach (var w in idle) _idle.Enqueue(w);
        Requeue(lease => lease.Worker.Equals(stopped.ActorRef), "worker stopped");
        // In-process every worker is a child, so none left means none will come; on a cluster a node may still join.
        if (_workers > 0 && _liveWorkers == 0) Fail(new JobFailedException("every worker stopped; the job cannot continue"));
    }

    /// <summary>A coordinator-side failure (plan, select, commit) as a job failure with a message for the user.</summary>
    private JobFailedException AsJobFailure(Exception cause)
    {
        if (cause is AggregateException { InnerExceptions.Count: 1 } aggregate) cause = aggregate.InnerExceptions[0];
        return cause as JobFailedException ?? new JobFailedException($"{_stage} stage failed: {cause.GetType().Name}: {cause.Message}", cause);
    }

    private void Fail(Exception cause)
    {
        _completion.TrySetException(cause);
        Context.Stop(Self);
    }

    private static string Describe(WorkItem item) => item switch
    {
        ScoreWork s => $"unit {s.Unit.Index} ({s.Unit.Path})",
        PackWork p => $"bucket {p.Bucket}",
        LineageWork l => $"lineage of unit {l.Unit.Index} ({l.Unit.Path})",
        _ => item.ToString() ?? "work item",
    };

    private sealed record RetryWork(WorkItem Item);

    private sealed record CheckLeases
    {
        public static CheckLeases Instance { get; } = new();
    }
}
