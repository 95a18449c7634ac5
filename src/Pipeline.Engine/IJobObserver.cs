using Pipeline.Engine.Actors;

namespace Pipeline.Engine;

/// <summary>Receives progress of a running job; called from the coordinator, one call at a time.</summary>
public interface IJobObserver
{
    /// <summary>A stage started with <paramref name="tasks"/> tasks.</summary>
    void OnStageStarted(string stage, int tasks);

    /// <summary>A task of a stage finished.</summary>
    void OnWorkCompleted(string stage, WorkProgress progress);

    /// <summary>A stage finished.</summary>
    void OnStageCompleted(string stage);

    /// <summary>A notable event (retry, re-queue).</summary>
    void OnMessage(string message);
}
