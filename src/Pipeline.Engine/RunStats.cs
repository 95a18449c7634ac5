using System.Diagnostics;
using Pipeline.Engine.Actors;
using Pipeline.Formats.Manifests;

namespace Pipeline.Engine;

/// <summary>Run-dependent figures written to <c>stats.json</c> (never to the manifest): timings and throughput.</summary>
/// <param name="Workers">Worker actors used.</param>
/// <param name="Seconds">Wall time of the run.</param>
/// <param name="StageSeconds">Wall time per stage.</param>
/// <param name="InputBytes">Document bytes read.</param>
/// <param name="InputMegabytesPerSecond">Input MB (10^6 bytes) per second of wall time.</param>
/// <param name="InputMegabytesPerSecondPerWorker">The same per worker.</param>
/// <param name="CpuSeconds">CPU time used during the run (all threads): the process's; on a cluster the worker nodes',
/// each from its first task's start to its last task's end (a node that ran no task, or the job manager's work outside
/// tasks, is not counted).</param>
/// <param name="InputMegabytesPerCpuSecond">Input MB per CPU-second: throughput per core, robust to a shared machine.</param>
/// <param name="Selection">The selection's threshold and asked/achieved shares (as in the manifest), or null.</param>
/// <param name="ScoreHistograms">Score histograms per source with the kept part (as in the manifest), or null.</param>
public sealed record RunStats(int Workers, double Seconds, IReadOnlyDictionary<string, double> StageSeconds, long InputBytes,
    double InputMegabytesPerSecond, double InputMegabytesPerSecondPerWorker, double? CpuSeconds, double? InputMegabytesPerCpuSecond,
    SelectionSummary? Selection = null, IReadOnlyList<SourceScoreHistogram>? ScoreHistograms = null);

/// <summary>Times stages and passes every event on to another observer.</summary>
internal sealed class TimingObserver(IJobObserver inner) : IJobObserver
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<string, TimeSpan> _started = [];

    public SortedDictionary<string, double> StageSeconds { get; } = new(StringComparer.Ordinal);

    public TimeSpan Elapsed => _clock.Elapsed;

    public void OnStageStarted(string stage, int tasks)
    {
        _started[stage] = _clock.Elapsed;
        inner.OnStageStarted(stage, tasks);
    }

    public void OnWorkCompleted(string stage, int tasks, WorkProgress progress) => inner.OnWorkCompleted(stage, tasks, progress);

    public void OnStageCompleted(string stage)
    {
        if (_started.TryGetValue(stage, out var start)) StageSeconds[stage] = Math.Round((_clock.Elapsed - start).TotalSeconds, 3);
        inner.OnStageCompleted(stage);
    }

    public void OnMessage(string message) => inner.OnMessage(message);
}
