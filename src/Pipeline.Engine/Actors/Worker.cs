using Akka.Actor;
using Akka.Streams;
using Pipeline.Engine.Stages;
using Pipeline.Storage;
using Pipeline.Tokens;

namespace Pipeline.Engine.Actors;

/// <summary>
/// A worker: pulls one item at a time from the coordinator and runs it off the actor's thread (the actor never
/// blocks; results come back through PipeTo). Owns its tokenizer instance.
/// </summary>
public sealed class Worker : ReceiveActor, IDisposable
{
    private readonly JobContext _job;
    private readonly IActorRef _coordinator;
    private readonly CancellationTokenSource _stop = new();
    private ITextTokenizer? _tokenizer;

    /// <summary>Creates the worker.</summary>
    public Worker(JobContext job, IActorRef coordinator)
    {
        _job = job;
        _coordinator = coordinator;
        var materializer = Context.Materializer();
        Receive<Assign>(assign =>
        {
            // Off the actor thread: loading a vocabulary or a big unit must never block the actor.
            var token = _stop.Token;
            Task.Run(() => RunAsync(assign, materializer, token), token).PipeTo(_coordinator, Self,
                success: done => done,
                failure: ex => new WorkFailed(assign.Lease, assign.Item, Describe(ex), IsTransient(ex)));
        });
    }

    /// <inheritdoc />
    protected override void PreStart() => _coordinator.Tell(RequestWork.Instance);

    /// <inheritdoc />
    protected override void PostStop() => _stop.Cancel();

    /// <inheritdoc />
    public void Dispose() => _stop.Dispose();

    private async Task<WorkDone> RunAsync(Assign assign, IMaterializer materializer, CancellationToken ct)
    {
        var inputs = assign.Inputs;
        switch (assign.Item)
        {
            case ScoreWork score:
                _tokenizer ??= _job.CreateTokenizer();
                var unit = await new ScoreUnitTask(_job, inputs.Plan, score.Unit, _tokenizer).RunAsync(materializer, ct).ConfigureAwait(false);
                return new WorkDone(assign.Lease, assign.Item, unit, new WorkProgress(unit.DocumentsRead, unit.Bytes, unit.Tokens));
            case PackWork pack:
                var bucket = await new PackBucketTask(_job, inputs.Plan, inputs.Units!, inputs.Selection!, pack.Bucket).RunAsync(ct).ConfigureAwait(false);
                return new WorkDone(assign.Lease, assign.Item, bucket, new WorkProgress(bucket.Documents, 0, bucket.Tokens));
            case LineageWork lineage:
                var file = await new LineageTask(_job, lineage.Unit, inputs.Selection!).RunAsync(ct).ConfigureAwait(false);
                return new WorkDone(assign.Lease, assign.Item, file, new WorkProgress(0, 0, 0));
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
