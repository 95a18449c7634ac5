using Akka.Actor;
using Pipeline.Engine.Planning;
using Pipeline.Engine.Stages;
using Pipeline.Formats.Manifests;

namespace Pipeline.Engine.Actors;

/// <summary>
/// Owns the job's state machine (Plan → Score → Select → Pack → Commit). Distributed stages are handed out by
/// work-pulling: idle workers wait in a queue, items are leased with a timeout, results are stored by slot so
/// arrival order never matters, and a late result from a lease that was given away is ignored.
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
    private readonly Dictionary<long, (WorkItem Item, IActorRef Worker, long Deadline)> _leases = [];
    private int _liveWorkers;
    private readonly Dictionary<WorkItem, int> _attempts = [];
    private long _nextLease;
    private int _remaining;
    private string _stage = "plan";
    private StageInputs? _inputs;
    private UnitResult[]? _units;
    private BucketResult[]? _buckets;
    private LineageResult[]? _lineage;

    /// <summary>Creates the coordinator.</summary>
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
        Receive<Status.Failure>(f => Fail(f.Cause));
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
        for (var i = 0; i < _workers; i++)
        {
            var worker = Context.ActorOf(Props.Create(() => new Worker(_job, Self)), $"worker-{i}");
            Context.Watch(worker);
            _liveWorkers++;
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
        _inputs = new StageInputs(plan, null, null);
        _units = new UnitResult[plan.Units.Count];
        Stage("score", plan.Units.Count);
        foreach (var unit in plan.Units) _pending.Enqueue(new ScoreWork(unit));
        Dispatch();
    }

    private void OnSelected(SelectionPlan selection)
    {
        var plan = _inputs!.Plan;
        _inputs = _inputs with { Selection = selection };
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
        if (!_leases.Remove(done.Lease, out var lease))
        {
            Idle(Sender);
            return;
        }
        switch (done.Result)
        {
            case UnitResult unit: _units![lease.Item.Slot] = unit; break;
            case BucketResult bucket: _buckets![lease.Item.Slot] = bucket; break;
            case LineageResult lineage: _lineage![lease.Item.Slot] = lineage; break;
        }
        _observer.OnWorkCompleted(_stage, done.Progress);
        _remaining--;
        if (_remaining == 0) Advance();
        Idle(Sender);
    }

    private void OnWorkFailed(WorkFailed failed)
    {
        if (!_leases.Remove(failed.Lease, out var lease))
        {
            Idle(Sender);
            return;
        }
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
                _inputs = _inputs! with { Units = _units };
                Stage("select", 1);
                Selector.SelectAsync(_job, _inputs.Plan, _units!, CancellationToken.None).PipeTo(Self);
                break;
            case "pack":
                Stage("commit", 1);
                var inputs = _inputs!;
                Committer.CommitAsync(_job, inputs.Plan, inputs.Units!, inputs.Selection!, _buckets!, _lineage!, CancellationToken.None).PipeTo(Self);
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

    private void Idle(IActorRef worker)
    {
        _idle.Enqueue(worker);
        Dispatch();
    }

    private void Dispatch()
    {
        while (_pending.Count > 0 && _idle.Count > 0)
        {
            var worker = _idle.Dequeue();
            var item = _pending.Dequeue();
            var lease = ++_nextLease;
            var deadline = _leaseTimeout is { } timeout ? Environment.TickCount64 + (long)timeout.TotalMilliseconds : long.MaxValue;
            _leases[lease] = (item, worker, deadline);
            worker.Tell(new Assign(lease, item, _inputs!));
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
        _liveWorkers--;
        var idle = _idle.Where(w => !w.Equals(stopped.ActorRef)).ToArray();
        _idle.Clear();
        foreach (var w in idle) _idle.Enqueue(w);
        Requeue(lease => lease.Worker.Equals(stopped.ActorRef), "worker stopped");
        if (_liveWorkers == 0) Fail(new JobFailedException("every worker stopped; the job cannot continue"));
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
