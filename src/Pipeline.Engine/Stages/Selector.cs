using System.Globalization;
using Pipeline.Core.Hashing;
using Pipeline.Engine.Planning;
using Pipeline.Formats.Work;

namespace Pipeline.Engine.Stages;

/// <summary>
/// The Select stage: merges unit statistics in plan order, enforces the error budget, and turns per-source
/// token budgets into thresholds on a seeded per-document key. Reads no text.
/// </summary>
public static class Selector
{
    /// <summary>Computes (or loads) the selection plan.</summary>
    public static async Task<SelectionPlan> SelectAsync(JobContext job, WorkPlan plan, IReadOnlyList<UnitResult> units, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(units);
        CheckErrorBudget(job, plan, units);
        var existing = await job.TryReadJsonAsync<SelectionPlan>(job.Work.Selection, ct).ConfigureAwait(false);
        if (existing is not null) return existing;

        var sources = new List<SourceSelection>();
        for (var s = 0; s < job.Spec.Sources.Count; s++)
        {
            var spec = job.Spec.Sources[s];
            var available = 0L;
            var docs = 0L;
            for (var u = 0; u < plan.Units.Count; u++)
            {
                if (plan.Units[u].Source != s) continue;
                available += units[u].Tokens;
                docs += units[u].DocumentsReadable;
            }
            if (spec.MaxTokens is not { } budget || available <= budget)
            {
                sources.Add(new SourceSelection(spec.Name, spec.MaxTokens, ulong.MaxValue, available, available, docs));
                continue;
            }
            sources.Add(await BudgetAsync(job, plan, s, budget, available, ct).ConfigureAwait(false));
        }
        var selection = new SelectionPlan(sources);
        await job.WriteJsonAsync(job.Work.Selection, selection, Storage.WriteMode.Overwrite, ct).ConfigureAwait(false);
        return selection;
    }

    /// <summary>True when a readable document of a source is kept by the selection.</summary>
    public static bool Keeps(SourceSelection source, long seed, long docId) =>
        source.ThresholdKey is { } threshold && StableHash.Key(seed, docId, Purpose.Budget) <= threshold;

    private static async Task<SourceSelection> BudgetAsync(JobContext job, WorkPlan plan, int s, long budget, long available, CancellationToken ct)
    {
        var keys = new List<(ulong Key, int Tokens)>();
        foreach (var unit in plan.Units)
        {
            if (unit.Source != s) continue;
            var stream = await job.Output.OpenReadAsync(job.Work.UnitDocuments(unit.Id), 0, ct).ConfigureAwait(false);
            foreach (var row in await ParquetTables.ReadAsync<ScoredDocumentRow>(stream, ct).ConfigureAwait(false))
            {
                if (row.Reject is null) keys.Add((StableHash.Key(job.Spec.Seed, row.DocId, Purpose.Budget), row.Tokens));
            }
        }
        keys.Sort((a, b) => a.Key.CompareTo(b.Key));
        // Documents with equal keys (a repeated original id gives a repeated doc_id) are kept or dropped together,
        // so the threshold only ever moves past a whole group that fits.
        long kept = 0, docs = 0;
        ulong? threshold = null;
        for (var i = 0; i < keys.Count;)
        {
            var end = i;
            long groupTokens = 0;
            for (; end < keys.Count && keys[end].Key == keys[i].Key; end++) groupTokens += keys[end].Tokens;
            if (kept + groupTokens > budget) break;
            kept += groupTokens;
            docs += end - i;
            threshold = keys[i].Key;
            i = end;
        }
        return new SourceSelection(job.Spec.Sources[s].Name, budget, threshold, available, kept, docs);
    }

    private static void CheckErrorBudget(JobContext job, WorkPlan plan, IReadOnlyList<UnitResult> units)
    {
        long read = 0, malformed = 0;
        foreach (var u in units)
        {
            read += u.DocumentsRead;
            malformed += u.MalformedDocuments;
        }
        var budget = job.Spec.Limits.ErrorBudget;
        if (read == 0 || malformed <= budget * read) return;
        for (var i = 0; i < units.Count; i++)
        {
            if (units[i].FirstProblem is not { } first) continue;
            var source = job.Spec.Sources[plan.Units[i].Source].Name;
            var where = first.Line > 0 ? $"line {first.Line}" : $"byte offset {first.ByteOffset}";
            throw new JobFailedException(string.Create(CultureInfo.InvariantCulture,
                $"{malformed} of {read} documents ({100.0 * malformed / read:0.##}%) are malformed, above the error budget of {100 * budget:0.##}% (limits.error_budget). First: source '{source}', file {first.Path}, {where}: {first.Reason}: {first.Detail}"));
        }
    }
}
