using Pipeline.Engine.Planning;
using Pipeline.Engine.Stages;

namespace Pipeline.Engine.Actors;

/// <summary>Marker of messages between the coordinator and workers.</summary>
public interface IWorkMessage;

/// <summary>One task of a distributed stage.</summary>
public abstract record WorkItem
{
    /// <summary>Position of the item in its stage (results are stored by it, never by arrival order).</summary>
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

/// <summary>What a task needs from earlier stages.</summary>
/// <param name="Plan">The plan.</param>
/// <param name="Units">Score results in plan order (null while scoring).</param>
/// <param name="Selection">The selection plan (null before Select).</param>
public sealed record StageInputs(WorkPlan Plan, IReadOnlyList<UnitResult>? Units, SelectionPlan? Selection);

/// <summary>A worker asks for work (work-pulling).</summary>
public sealed record RequestWork : IWorkMessage
{
    /// <summary>The single instance.</summary>
    public static RequestWork Instance { get; } = new();
}

/// <summary>The coordinator leases an item to a worker.</summary>
public sealed record Assign(long Lease, WorkItem Item, StageInputs Inputs) : IWorkMessage;

/// <summary>A worker finished a leased item.</summary>
public sealed record WorkDone(long Lease, WorkItem Item, object Result, WorkProgress Progress) : IWorkMessage;

/// <summary>A worker failed a leased item.</summary>
public sealed record WorkFailed(long Lease, WorkItem Item, string Error, bool Transient) : IWorkMessage;

/// <summary>Work figures of a finished item, for progress.</summary>
/// <param name="Documents">Documents read (score) or packed (pack).</param>
/// <param name="Bytes">Input bytes read.</param>
/// <param name="Tokens">Tokens produced.</param>
public sealed record WorkProgress(long Documents, long Bytes, long Tokens);
