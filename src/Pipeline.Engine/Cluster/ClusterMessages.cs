using Pipeline.Engine.Actors;

namespace Pipeline.Engine.Cluster;

/// <summary>Every message type that may cross the network (each implements <see cref="IWorkMessage"/>).</summary>
public static class ClusterMessages
{
    /// <summary>The types, named by their type name in the serializer's manifest (names are unique).</summary>
    public static IReadOnlyList<Type> All { get; } =
    [
        typeof(RequestWork), typeof(Assign), typeof(WorkDone), typeof(WorkFailed),
        typeof(SubmitJob), typeof(JobAccepted), typeof(JobEvent), typeof(JobFinished), typeof(CancelJob),
        typeof(StatusRequest), typeof(StatusReply),
    ];
}
