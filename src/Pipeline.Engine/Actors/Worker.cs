using Akka.Actor;
using Akka.Streams;
using Pipeline.Engine.Stages;
using Pipeline.Storage;
using Pipeline.Tokens;

namespace Pipeline.Engine.Actors;

/// <summary>
/// A worker: pulls one item at a time from the coordinator and runs it off the actor's thread (the actor never
/// blocks; results come back through PipeTo). Finds each job's context through <c>contexts</c> (in-process: the
/// coordinator's own; on a cluster node: built once per job from its ticket) and reads a task's inputs from the
/// job's output store. Owns its tokenizer instance per job. While idle it repeats its request for work every few
/// seconds, so a coordinator that restarted on another node finds it.
/// </summary>
public sealed class Worker : ReceiveActor, IWithTimers, IDisposable
{
    private static readonly TimeSpan IdleRepeat = TimeSpan.FromSeconds(2);
    private readonly Func<JobTicket, JobContext> _contexts;
    private readonly IActorRef _coordinator;
    private readonly Action<WorkItem>? _onStart;
    private readonly CancellationTokenSource _stop = new();
    private (string JobId, ITextTokenizer Tokenizer)? _tokenizer;

    /// <summary>Creates the worker.</summary>
    /// <param name="contexts">Finds the context of a job.</param>
    /// <param name="coordinator">Where to ask for work and report results (the coordinator, or a cluster singleton proxy).</param>
    /// <param name="onStart">Called (off the actor thread) as each task starts: progress lines on a node, fault injection in tests.</param>
    public Worker(Func<JobTicket, JobContext> contexts, IActorRef coordinator, Action<WorkItem>? onStart = null)
    {
        _contexts = contexts;
        _coordinator = coordinator;
        _onStart = onStart;
        var materializer = Context.Materializer();
        Receive<Assign>(assign =>
        {
            Timers.Cancel(RequestWork.Instance);
            // Off the actor thread: loading a vocabulary or a big unit must never block the actor.
            var token = _stop.Token;
            Task.Run(() => RunAsync(assign, materializer, token), token).PipeTo(Self, Self,
                success: done => done,
                failure: ex => new WorkFailed(assign.Lease, assign.Item, Describe(ex), IsTransient(ex)));
        });
        Receive<WorkDone>(done => Report(done));
        Receive<WorkFailed>(failed => Report(failed));
        Receive<RequestWork>(_ => _coordinator.Tell(RequestWork.Instance));
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <inheritdoc />
    protected override void PreStart()
    {
        _coordinator.Tell(RequestWork.Instance);
        Timers.StartPeriodicTimer(RequestWork.Instance, RequestWork.Instance, IdleRepeat);
    }

    /// <inheritdoc />
    protected override void PostStop() => _stop.Cancel();

    /// <inheritdoc />
    public void Dispose() => _stop.Dispose();

    /// <summary>Reports a result (which also asks for the next item) and waits, repeating the request while idle.</summary>
    private void Report(IWorkMessage result)
    {
        _coordinator.Tell(result);
        Timers.StartPeriodicTimer(RequestWork.Instance, RequestWork.Instance, IdleRepeat);
    }

    private async Task<WorkDone> RunAsync(Assign assign, IMaterializer materializer, CancellationToken ct)
    {
        var cpuStart = ProcessCpu.Now();
        var done = await RunItemAsync(assign, materializer, ct).ConfigureAwait(false);
        return done with { Cpu = new ProcessCpu(cpuStart, ProcessCpu.Now()) };
    }

    private async Task<WorkDone> RunItemAsync(Assign assign, IMaterializer materializer, CancellationToken ct)
    {
        _onStart?.Invoke(assign.Item);
        var job = _contexts(assign.Job);
        var plan = await job.PlanAsync().ConfigureAwait(false);
        switch (assign.Item)
        {
            case ScoreWork score:
                if (_tokenizer?.JobId != assign.Job.JobId) _tokenizer = (assign.Job.JobId, job.CreateTokenizer());
                var unit = await new ScoreUnitTask(job, plan, score.Unit, _tokenizer.Value.Tokenizer).RunAsync(materializer, ct).ConfigureAwait(false);
                return new WorkDone(assign.Lease, assign.Item, new WorkProgress(unit.DocumentsRead, unit.Bytes, unit.Tokens), Unit: unit);
            case PackWork pack:
                var units = await job.UnitResultsAsync().ConfigureAwait(false);
                var selection = await job.SelectionAsync().ConfigureAwait(false);
                var bucket = await new PackBucketTask(job, plan, units, selection, pack.Bucket).RunAsync(ct).ConfigureAwait(false);
                return new WorkDone(assign.Lease, assign.Item, new WorkProgress(bucket.Documents, 0, bucket.Tokens), Bucket: bucket);
            case LineageWork lineage:
                var file = await new LineageTask(job, lineage.Unit, await job.SelectionAsync().ConfigureAwait(false)).RunAsync(ct).ConfigureAwait(false);
                return new WorkDone(assign.Lease, assign.Item, new WorkProgress(0, 0, 0), Lineage: file);
            default:
                throw new InvalidOperationException($"unknown work item {assign.Item.GetType().Name}");
        }
    }

    private static bool IsTransient(Exception ex) => ex switch
    {
        StorageException storage => storage.IsTransient,
        IOException => true,
        TimeoutException => true,
        _ => false,
    };

    private static string Describe(Exception ex) => ex is JobFailedException or StorageException or TokenizerException
        ? ex.Message
        : $"{ex.GetType().Name}: {ex.Message}";
}
