using Pipeline.Engine.Actors;

namespace Pipeline.Engine;

/// <summary>Receives progress of a running job; called from the coordinator, one call at a time.</summary>
public interface IJobObserver
{
    /// <summary>A stage started with <paramref name="tasks"/> tasks.</summary>
    void OnStageStarted(string stage, int tasks);

    /// <summary>Tasks of a stage finished: one per call in-process; a cluster's client gets them in batches.</summary>
    /// <param name="stage">The stage.</param>
    /// <param name="tasks">How many tasks finished.</param>
    /// <param name="progress">Their figures, summed.</param>
    void OnWorkCompleted(string stage, int tasks, WorkProgress progress);

    /// <summary>A stage finished.</summary>
    void OnStageCompleted(string stage);

    /// <summary>A notable event (retry, re-queue).</summary>
    void OnMessage(string message);
}
