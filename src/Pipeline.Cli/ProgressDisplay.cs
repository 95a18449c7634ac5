using System.Diagnostics;
using System.Globalization;
using Pipeline.Engine;
using Pipeline.Engine.Actors;
using Spectre.Console;

namespace Pipeline.Cli;

/// <summary>
/// Shows a running job: live bars (units, docs/s, MB/s, ETA) on a terminal; one plain line every few seconds
/// when output is redirected (CI logs).
/// </summary>
internal static class ProgressDisplay
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    public static async Task<T> RunAsync<T>(Func<IJobObserver, Task<T>> run)
    {
        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
        {
            T result = default!;
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async ctx => result = await run(new LiveObserver(ctx)).ConfigureAwait(false)).ConfigureAwait(false);
            return result;
        }
        var plain = new PlainObserver();
        using var timer = new Timer(_ => plain.Tick(), null, PlainInterval, PlainInterval);
        return await run(plain).ConfigureAwait(false);
    }

    /// <summary>Counts shared by both displays.</summary>
    private class Counters
    {
        protected readonly object Gate = new();
        protected readonly Stopwatch Clock = Stopwatch.StartNew();
        protected string Stage = "plan";
        protected int Total;
        protected int Done;
        protected long Documents;
        protected long Bytes;
        protected long Tokens;
        protected TimeSpan StageStart;

        /// <summary>Resets the counters for a new stage; call under <see cref="Gate"/>.</summary>
        protected void Begin(string stage, int tasks) =>
            (Stage, Total, Done, Documents, Bytes, Tokens, StageStart) = (stage, tasks, 0, 0, 0, 0, Clock.Elapsed);

        /// <summary>Adds finished tasks; call under <see cref="Gate"/>.</summary>
        protected void Add(int tasks, WorkProgress progress)
        {
            Done += tasks;
            Documents += progress.Documents;
            Bytes += progress.Bytes;
            Tokens += progress.Tokens;
        }

        protected string Rates()
        {
            var seconds = Math.Max((Clock.Elapsed - StageStart).TotalSeconds, 1e-3);
            return Bytes > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{Documents:N0} docs, {Documents / seconds:N0} docs/s, {Bytes / 1e6 / seconds:0.0} MB/s")
                : string.Create(CultureInfo.InvariantCulture, $"{Documents:N0} docs, {Tokens:N0} tokens, {Tokens / 1e6 / seconds:0.0} M tokens/s");
        }
    }

    private sealed class PlainObserver : Counters, IJobObserver
    {
        public void OnStageStarted(string stage, int tasks)
        {
            lock (Gate)
            {
                Begin(stage, tasks);
                Console.WriteLine($"[{Clock.Elapsed.TotalSeconds,6:0.0}s] {stage}: {tasks} task(s)");
            }
        }

        public void OnWorkCompleted(string stage, int tasks, WorkProgress progress)
        {
            lock (Gate) Add(tasks, progress);
        }

        public void OnStageCompleted(string stage)
        {
            lock (Gate) Console.WriteLine($"[{Clock.Elapsed.TotalSeconds,6:0.0}s] {stage} done{(Stage == stage && Total > 1 ? $": {Rates()}" : "")}");
        }

        public void OnMessage(string message)
        {
            lock (Gate) Console.WriteLine($"[{Clock.Elapsed.TotalSeconds,6:0.0}s] {message}");
        }

        public void Tick()
        {
            lock (Gate)
            {
                if (Total > 1) Console.WriteLine($"[{Clock.Elapsed.TotalSeconds,6:0.0}s] {Stage}: {Done}/{Total} tasks, {Rates()}");
            }
        }
    }

    private sealed class LiveObserver(ProgressContext ctx) : Counters, IJobObserver
    {
        private ProgressTask? _task;

        public void OnStageStarted(string stage, int tasks)
        {
            lock (Gate)
            {
                Begin(stage, tasks);
                _task = ctx.AddTask(stage, maxValue: Math.Max(1, tasks));
            }
        }

        public void OnWorkCompleted(string stage, int tasks, WorkProgress progress)
        {
            lock (Gate)
            {
                Add(tasks, progress);
                if (_task is null) return;
                _task.Increment(tasks);
                _task.Description = Markup.Escape($"{stage} {Done}/{Total}: {Rates()}");
            }
        }

        public void OnStageCompleted(string stage)
        {
            lock (Gate)
            {
                if (_task is null) return;
                _task.Value = _task.MaxValue;
                _task.StopTask();
            }
        }

        public void OnMessage(string message) => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(message)}[/]");
    }
}
