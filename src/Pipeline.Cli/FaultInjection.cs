using System.Diagnostics;
using System.Globalization;
using Pipeline.Engine;
using Pipeline.Engine.Actors;

namespace Pipeline.Cli;

/// <summary>
/// Test hooks for crash/resume tests, inert when their variables are unset: with <c>PIPELINE_KILL_AFTER_TASKS=N</c>
/// <c>run</c> kills its process (like <c>kill -9</c>) right after the N-th finished task; with
/// <c>PIPELINE_KILL_ON_TASK=STAGE:N</c> (STAGE score or pack; the Pack stage's tasks are pack and lineage tasks) a
/// <c>node</c> kills its process as its N-th task of that stage starts, so the task's lease is in flight; with <c>PIPELINE_TASK_DELAY_MS=N</c> a node waits N ms before each
/// task (a slow node, so that a test can act in the middle of a stage).
/// </summary>
internal static class FaultInjection
{
    public const string Variable = "PIPELINE_KILL_AFTER_TASKS";
    public const string NodeVariable = "PIPELINE_KILL_ON_TASK";
    public const string DelayVariable = "PIPELINE_TASK_DELAY_MS";

    /// <summary>A node's task-start hook: prints each task, and applies <see cref="NodeVariable"/>.</summary>
    public static Action<WorkItem> NodeTaskHook()
    {
        var value = Environment.GetEnvironmentVariable(NodeVariable);
        string? kind = null;
        var limit = 0;
        if (value?.Split(':') is [var k, var n] && int.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)) (kind, limit) = (k, parsed);
        var seen = 0;
        var delay = int.TryParse(Environment.GetEnvironmentVariable(DelayVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) ? ms : 0;
        return item =>
        {
            var name = item switch { ScoreWork => "score", PackWork => "pack", _ => "lineage" };
            Console.WriteLine($"task {name} {item.Slot}");
            if (delay > 0) Thread.Sleep(delay);
            var stage = item is ScoreWork ? "score" : "pack";
            if (stage != kind || Interlocked.Increment(ref seen) != limit) return;
            Console.Error.WriteLine($"{NodeVariable}: killing the node as its {name} task {item.Slot} starts");
            Console.Out.Flush();
            Process.GetCurrentProcess().Kill();
        };
    }

    public static IJobObserver Wrap(IJobObserver inner)
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        return value is not null && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? new KillAfter(inner, n)
            : inner;
    }

    private sealed class KillAfter(IJobObserver inner, int limit) : IJobObserver
    {
        private int _done;

        public void OnStageStarted(string stage, int tasks) => inner.OnStageStarted(stage, tasks);

        public void OnWorkCompleted(string stage, int tasks, WorkProgress progress)
        {
            inner.OnWorkCompleted(stage, tasks, progress);
            if ((_done += tasks) >= limit)
            {
                Console.Error.WriteLine($"{Variable}: killing the process after {_done} tasks");
                Process.GetCurrentProcess().Kill();
            }
        }

        public void OnStageCompleted(string stage) => inner.OnStageCompleted(stage);

        public void OnMessage(string message) => inner.OnMessage(message);
    }
}
