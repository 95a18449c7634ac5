using Pipeline.Core.Selection;
using Pipeline.Engine.Planning;
using Pipeline.Formats.Lineage;
using Pipeline.Formats.Manifests;
using Pipeline.Formats.Work;
using Pipeline.Storage;

namespace Pipeline.Engine.Stages;

/// <summary>Writes one unit's lineage file: every document of the unit with its final decision and reason.</summary>
public sealed class LineageTask
{
    private readonly JobContext _job;
    private readonly UnitPlan _unit;
    private readonly SelectionPlan _selection;

    /// <summary>Creates the task.</summary>
    public LineageTask(JobContext job, UnitPlan unit, SelectionPlan selection)
    {
        _job = job;
        _unit = unit;
        _selection = selection;
    }

    /// <summary>Runs the task, unless its completion marker exists.</summary>
    public async Task<LineageResult> RunAsync(CancellationToken ct)
    {
        var doneKey = _job.Work.LineageDone(_unit.Index);
        var existing = await _job.TryReadJsonAsync<LineageResult>(doneKey, ct).ConfigureAwait(false);
        if (existing is not null) return existing;

        var stream = await _job.Output.OpenReadAsync(_job.Work.UnitDocuments(_unit.Id), 0, ct).ConfigureAwait(false);
        var rows = await ParquetTables.ReadAsync<ScoredDocumentRow>(stream, ct).ConfigureAwait(false);
        var source = _job.Spec.Sources[_unit.Source].Name;
        var scored = _job.Spec.Scoring is not null;
        var histogram = scored ? new ScoreHistogram(Selector.ReportBins) : null;
        var selectionRejects = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var lineage = new List<LineageRow>(rows.Count);
        long kept = 0, copies = 0;
        foreach (var row in rows)
        {
            var (count, reason) = row.Reject is null ? Selector.Fate(_selection, _unit.Source, row.Score, row.DocId) : (0, row.Reject);
            if (row.Reject is null)
            {
                histogram?.Add(row.Score, row.Chars, row.Tokens, count);
                if (reason is not null) selectionRejects[reason] = selectionRejects.GetValueOrDefault(reason) + 1;
            }
            if (count > 0) kept++;
            copies += count;
            lineage.Add(new LineageRow
            {
                DocId = row.DocId,
                Source = source,
                Path = _unit.Path,
                Line = row.Line,
                ByteOffset = row.ByteOffset,
                OriginalId = row.OriginalId,
                Bytes = row.Bytes,
                Tokens = row.Tokens,
                Chars = row.Chars,
                Score = scored && row.Reject is null ? row.Score : null,
                Copies = count,
                Decision = count > 0 ? LineageRow.Kept : LineageRow.Rejected,
                Reason = reason,
                Detail = row.Reject is null ? null : row.RejectDetail,
            });
        }
        var key = OutputLayout.Lineage(_unit.Index);
        using var buffer = new MemoryStream();
        await ParquetTables.WriteAsync(lineage, buffer, ct).ConfigureAwait(false);
        var bytes = buffer.ToArray();
        await _job.Output.WriteAllBytesAsync(key, bytes, WriteMode.Overwrite, ct).ConfigureAwait(false);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        var bins = histogram is null ? null : Enumerable.Range(0, histogram.Bins.Count).Select(histogram.Bin).ToArray();
        var result = new LineageResult(_unit.Index, new FileEntry(key, lineage.Count, bytes.LongLength, sha), kept, lineage.Count - kept, copies, selectionRejects, bins);
        await _job.WriteJsonAsync(doneKey, result, WriteMode.CreateNew, ct).ConfigureAwait(false);
        return result;
    }
}
