using System.Diagnostics;
using System.Globalization;
using Pipeline.Engine;
using Pipeline.Engine.Actors;

namespace Pipeline.Cli;

/// <summary>
/// Test hook for crash/resume tests: with <c>PIPELINE_KILL_AFTER_TASKS=N</c> the process kills itself (like
/// <c>kill -9</c>) right after the N-th finished task. Inert when the variable is unset.
/// </summary>
internal static class FaultInjection
{
    public const string Variable = "PIPELINE_KILL_AFTER_TASKS";

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

        public void OnWorkCompleted(string stage, WorkProgress progress)
        {
            inner.OnWorkCompleted(stage, progress);
            if (++_done >= limit)
            {
                Console.Error.WriteLine($"{Variable}: killing the process after {_done} tasks");
                Process.GetCurrentProcess().Kill();
            }
        }

        public void OnStageCompleted(string stage) => inner.OnStageCompleted(stage);

        public void OnMessage(string message) => inner.OnMessage(message);
    }
}
