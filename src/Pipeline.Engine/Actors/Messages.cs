using System.Text.Json.Serialization;
using Pipeline.Engine.Planning;
using Pipeline.Engine.Stages;

namespace Pipeline.Engine.Actors;

/// <summary>
/// Marker of every message that may cross the network between nodes: the cluster binds it to the explicit
/// System.Text.Json serializer (<see cref="Cluster.ClusterMessageSerializer"/>), never to Akka's default.
/// </summary>
public interface IWorkMessage;

/// <summary>One task of a distributed stage.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(ScoreWork), "score")]
[JsonDerivedType(typeof(PackWork), "pack")]
[JsonDerivedType(typeof(LineageWork), "lineage")]
public abstract record WorkItem
{
    /// <summary>Position of the item in its stage (results are stored by it, never by arrival order).</summary>
    [JsonIgnore]
    public abstract int Slot { get; }
}

/// <summary>Score one unit.</summary>
public sealed record ScoreWork(UnitPlan Unit) : WorkItem
{
    /// <inheritdoc />
    public override int Slot => Unit.Index;
}

/// <summary>Pack one bucket.</summary>
public sealed record PackWork(int Bucket) : WorkItem
{
    /// <inheritdoc />
    public override int Slot => Bucket;
}

/// <summary>Write one unit's lineage file.</summary>
public sealed record LineageWork(UnitPlan Unit) : WorkItem
{
    /// <inheritdoc />
    public override int Slot => Unit.Index;
}

/// <summary>
/// What a worker needs to build (or find) a job's <see cref="JobContext"/>: everything else a task needs (the plan,
/// unit results, the selection) it reads from the job's output store, where the coordinator wrote it.
/// </summary>
/// <param name="JobId">Identity of the job and its output (<see cref="JobContext.Id"/>).</param>
/// <param name="JobJson">The effective job as canonical JSON, output included (empty in-process, where workers share
/// the coordinator's context).</param>
/// <param name="BaseDirectory">Folder that the job's relative paths resolve against (the submitter's).</param>
public sealed record JobTicket(string JobId, string JobJson, string BaseDirectory)
{
    /// <summary>One run of the job (each start by the cluster's job manager gets a new one; empty in-process). A node
    /// keeps what it read from the output (plan, unit results, selection) per run, so a later run of the same job (say,
    /// after its output was deleted and an input changed) never works from an earlier run's copy.</summary>
    public string RunId { get; init; } = "";
}

/// <summary>A worker asks for work (work-pulling); an idle worker repeats it now and then, so a coordinator that
/// restarted elsewhere learns about it.</summary>
public sealed record RequestWork : IWorkMessage
{
    /// <summary>The single instance.</summary>
    public static RequestWork Instance { get; } = new();
}

/// <summary>The coordinator leases an item of a job to a worker.</summary>
public sealed record Assign(JobTicket Job, long Lease, WorkItem Item) : IWorkMessage;

/// <summary>A worker finished a leased item; exactly one of the results is set, by the item's kind.</summary>
public sealed record WorkDone(long Lease, WorkItem Item, WorkProgress Progress, UnitResult? Unit = null, BucketResult? Bucket = null, LineageResult? Lineage = null) : IWorkMessage
{
    /// <summary>The worker process's total CPU time (all threads, seconds) as the item started and as it ended; a cluster
    /// run's CPU figure is, per node, the span from its first start to its last end.</summary>
    public ProcessCpu? Cpu { get; init; }
}

/// <summary>A process's total CPU time (all threads, seconds) at the start and the end of a task.</summary>
public sealed record ProcessCpu(double StartSeconds, double EndSeconds)
{
    /// <summary>The current process's total CPU time in seconds.</summary>
    public static double Now() => Environment.CpuUsage.TotalTime.TotalSeconds;
}

/// <summary>A worker failed a leased item.</summary>
public sealed record WorkFailed(long Lease, WorkItem Item, string Error, bool Transient) : IWorkMessage;

/// <summary>Work figures of a finished item, for progress.</summary>
/// <param name="Documents">Documents read (score) or packed (pack).</param>
/// <param name="Bytes">Input bytes read.</param>
/// <param name="Tokens">Tokens produced.</param>
public sealed record WorkProgress(long Documents, long Bytes, long Tokens)
{
    /// <summary>The figures of both.</summary>
    public WorkProgress Plus(WorkProgress other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Documents + other.Documents, Bytes + other.Bytes, Tokens + other.Tokens);
    }
}
