using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Akka.Streams;
using Akka.Streams.Dsl;
using Pipeline.Core.Documents;
using Pipeline.Core.Hashing;
using Pipeline.Core.Selection;
using Pipeline.Engine.Planning;
using Pipeline.Formats.Input;
using Pipeline.Formats.Work;
using Pipeline.Storage;
using Pipeline.Tokens;

namespace Pipeline.Engine.Stages;

/// <summary>
/// The Score stage for one unit, as an Akka.Streams graph: read → parse → score → tokenize (count) → write. Writes
/// the unit's token file (tokens grouped by pack bucket), its document index and table, its score sketch (when the job
/// selects by score), then its completion marker.
/// </summary>
public sealed class ScoreUnitTask
{
    private const int BatchSize = 256;
    private readonly JobContext _job;
    private readonly WorkPlan _plan;
    private readonly UnitPlan _unit;
    private readonly ITextTokenizer _tokenizer;
    private readonly IDocumentScorer? _scorer;
    // Batches are recycled once their tokens are copied into the bucket buffers: a fresh 512 KB token list per
    // batch would land on the large-object heap and force gen-2 collections that stall every worker.
    private readonly ConcurrentQueue<ScoredBatch> _batches = new();

    /// <summary>Creates the task.</summary>
    public ScoreUnitTask(JobContext job, WorkPlan plan, UnitPlan unit, ITextTokenizer tokenizer)
    {
        _job = job;
        _plan = plan;
        _unit = unit;
        _tokenizer = tokenizer;
        _scorer = job.DocumentScorer;
    }

    /// <summary>Runs the unit, unless its completion marker exists; returns its result.</summary>
    public async Task<UnitResult> RunAsync(IMaterializer materializer, CancellationToken ct)
    {
        var doneKey = _job.Work.UnitDone(_unit.Id);
        var existing = await _job.TryReadJsonAsync<UnitResult>(doneKey, ct).ConfigureAwait(false);
        if (existing is not null) return existing;

        var source = _job.Spec.Sources[_unit.Source];
        var store = _job.SourceLocations[_unit.Source].Store;
        var options = new ReaderOptions(source.TextField, source.IdField, _job.Spec.Limits.MaxDocumentBytes);
        var sketch = _job.Spec.Selection is { } selection ? new UnitSketch(Selector.WeightBasisOf(selection)) : null;
        var accumulator = new UnitAccumulator(_plan.Buckets, _unit.Path, _batches, sketch);
        await _job.Output.WriteAsync(_job.Work.UnitTokens(_unit.Id), async (tokenStream, c) =>
        {
            accumulator.Attach(tokenStream);
            var documents = DocumentReaders.ReadAsync(_unit.Key, source.Format, (offset, oc) => store.OpenReadAsync(_unit.Key, offset, oc),
                _unit.RangeStart, _unit.RangeEnd, options, c);
            await Source.From(() => documents)
                .Grouped(BatchSize)
                .SelectAsync(1, batch => Task.Run(() => Score(batch, source.Name), c))
                .SelectAsync(1, batch => accumulator.AddAsync(batch, c))
                .RunWith(Sink.Ignore<bool>(), materializer).ConfigureAwait(false);
            await accumulator.FlushAsync(c).ConfigureAwait(false);
        }, WriteMode.Overwrite, ct).ConfigureAwait(false);

        await _job.Output.WriteAsync(_job.Work.UnitIndex(_unit.Id), accumulator.WriteIndexAsync, WriteMode.Overwrite, ct).ConfigureAwait(false);
        await _job.Output.WriteAsync(_job.Work.UnitDocuments(_unit.Id),
            (s, c) => ParquetTables.WriteAsync(accumulator.Rows, s, c), WriteMode.Overwrite, ct).ConfigureAwait(false);
        if (sketch is not null)
        {
            await _job.Output.WriteAllBytesAsync(_job.Work.UnitSketch(_unit.Id), sketch.Sketch.ToBytes(), WriteMode.Overwrite, ct).ConfigureAwait(false);
        }
        var result = accumulator.ToResult(_unit.Id);
        await _job.WriteJsonAsync(doneKey, result, WriteMode.CreateNew, ct).ConfigureAwait(false);
        return result;
    }

    private ScoredBatch Score(IEnumerable<SourceDocument> documents, string sourceName)
    {
        if (!_batches.TryDequeue(out var batch)) batch = new ScoredBatch();
        var eos = _tokenizer.EndOfTextId;
        foreach (var doc in documents)
        {
            var docId = StableHash.DocumentId(sourceName, doc.OriginalId ?? $"{_unit.Path}@{doc.ByteOffset}");
            var row = new ScoredDocumentRow
            {
                DocId = docId,
                Line = doc.Line,
                ByteOffset = doc.ByteOffset,
                OriginalId = doc.OriginalId,
                Bytes = doc.ByteLength,
                Bucket = StableHash.Bucket(_job.Spec.Seed, docId, _plan.Buckets),
                Reject = doc.Reject,
                RejectDetail = doc.RejectDetail,
            };
            if (doc.Text is not null)
            {
                var before = batch.Tokens.Count;
                _tokenizer.EncodeOrdinary(doc.Text, batch.Tokens);
                batch.Tokens.Add(eos);
                row.Chars = CodePoints(doc.Text);
                if (_scorer is not null) row.Score = CheckedScore(_scorer.Score(doc.Text), row);
                row.Tokens = batch.Tokens.Count - before;
            }
            batch.Rows.Add(row);
        }
        return batch;
    }

    /// <summary>A finite score, or a job failure naming the document (a model with broken weights scores NaN).</summary>
    private double CheckedScore(double score, ScoredDocumentRow row) => double.IsFinite(score)
        ? score
        : throw new JobFailedException($"the scorer returned {score} for {_unit.Path} line {row.Line} (byte offset {row.ByteOffset}); scores must be finite — is the model file damaged?");

    /// <summary>Unicode code points of a text, as Python's <c>len</c> counts them (a lone surrogate counts as one).</summary>
    internal static int CodePoints(string text)
    {
        var n = text.Length;
        for (var i = 0; i + 1 < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && char.IsLowSurrogate(text[i + 1]))
            {
                n--;
                i++;
            }
        }
        return n;
    }

    /// <summary>The unit's score sketch, weighted by the selection's basis.</summary>
    private sealed class UnitSketch(WeightBasis basis)
    {
        public ScoreSketch Sketch { get; } = new(Selector.SketchBins);

        public void Add(ScoredDocumentRow row) => Sketch.Add(new ScoredItem(row.DocId, row.Score, Selector.Weight(row, basis)));
    }

    /// <summary>A batch of scored documents with their tokens concatenated in order.</summary>
    private sealed class ScoredBatch
    {
        public List<ScoredDocumentRow> Rows { get; } = new(BatchSize);
        public List<int> Tokens { get; } = new(BatchSize * 512);

        public void Clear()
        {
            Rows.Clear();
            Tokens.Clear();
        }
    }

    /// <summary>Collects rows and per-bucket token buffers; spills the buffers as segments when they grow large.</summary>
    private sealed class UnitAccumulator
    {
        private const long SpillTokens = 8L << 20;
        private readonly List<int>[] _buffers;
        private readonly List<(long DocId, int Tokens, double Score)>[] _index;
        private readonly UnitSketch? _sketch;
        private readonly List<BucketSegment> _indexSegments = [];
        private readonly string _path;
        private readonly List<BucketSegment> _segments = [];
        private readonly SortedDictionary<string, long> _rejected = new(StringComparer.Ordinal);
        private Stream? _tokens;
        private long _buffered;
        private long _written;
        private long _readable;
        private long _malformed;
        private long _bytes;
        private long _tokenCount;
        private FirstProblem? _firstProblem;

        private readonly ConcurrentQueue<ScoredBatch> _recycle;

        public UnitAccumulator(int buckets, string path, ConcurrentQueue<ScoredBatch> recycle, UnitSketch? sketch)
        {
            _buffers = new List<int>[buckets];
            _index = new List<(long, int, double)>[buckets];
            _sketch = sketch;
            _path = path;
            _recycle = recycle;
        }

        public List<ScoredDocumentRow> Rows { get; } = [];

        public void Attach(Stream tokens) => _tokens = tokens;

        public async Task<bool> AddAsync(ScoredBatch batch, CancellationToken ct)
        {
            var tokens = CollectionsMarshal.AsSpan(batch.Tokens);
            var at = 0;
            foreach (var row in batch.Rows)
            {
                Rows.Add(row);
                _bytes += row.Bytes;
                if (row.Reject is not null)
                {
                    _rejected[row.Reject] = _rejected.GetValueOrDefault(row.Reject) + 1;
                    if (RejectReasons.IsMalformed(row.Reject))
                    {
                        _malformed++;
                        _firstProblem ??= new FirstProblem(_path, row.Line, row.ByteOffset, row.Reject, row.RejectDetail ?? "");
                    }
                    continue;
                }
                _readable++;
                _tokenCount += row.Tokens;
                var buffer = _buffers[row.Bucket] ??= new List<int>(1024);
                buffer.AddRange(tokens.Slice(at, row.Tokens));
                (_index[row.Bucket] ??= []).Add((row.DocId, row.Tokens, row.Score));
                _sketch?.Add(row);
                at += row.Tokens;
                _buffered += row.Tokens;
            }
            batch.Clear();
            _recycle.Enqueue(batch);
            if (_buffered >= SpillTokens) await FlushAsync(ct).ConfigureAwait(false);
            return true;
        }

        public async Task FlushAsync(CancellationToken ct)
        {
            for (var b = 0; b < _buffers.Length; b++)
            {
                var buffer = _buffers[b];
                if (buffer is null || buffer.Count == 0) continue;
                await WriteTokensAsync(buffer, ct).ConfigureAwait(false);
                _segments.Add(new BucketSegment(b, _written, buffer.Count));
                _written += buffer.Count;
                buffer.Clear();
            }
            _buffered = 0;
        }

        /// <summary>Writes a bucket buffer's tokens through a pooled 1 MiB chunk (no copy of the whole buffer).</summary>
        private async Task WriteTokensAsync(List<int> buffer, CancellationToken ct)
        {
            var chunk = ArrayPool<byte>.Shared.Rent(1 << 20);
            try
            {
                var perChunk = chunk.Length / sizeof(int);
                for (var at = 0; at < buffer.Count; at += perChunk)
                {
                    var count = Math.Min(perChunk, buffer.Count - at);
                    MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(buffer).Slice(at, count)).CopyTo(chunk);
                    await _tokens!.WriteAsync(chunk.AsMemory(0, count * sizeof(int)), ct).ConfigureAwait(false);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }

        /// <summary>Writes the document index: each bucket's (doc id, tokens, score) entries in reading order, buckets ascending.</summary>
        public async Task WriteIndexAsync(Stream stream, CancellationToken ct)
        {
            long written = 0;
            for (var b = 0; b < _index.Length; b++)
            {
                var entries = _index[b];
                if (entries is null || entries.Count == 0) continue;
                var bytes = new byte[entries.Count * DocumentIndex.EntryBytes];
                for (var i = 0; i < entries.Count; i++)
                {
                    DocumentIndex.Write(bytes.AsSpan(i * DocumentIndex.EntryBytes), entries[i].DocId, entries[i].Tokens, entries[i].Score);
                }
                await stream.WriteAsync(bytes, ct).ConfigureAwait(false);
                _indexSegments.Add(new BucketSegment(b, written, entries.Count));
                written += entries.Count;
            }
        }

        public UnitResult ToResult(string unitId) =>
            new(unitId, Rows.Count, _readable, _malformed, _rejected, _bytes, _tokenCount, _segments, _indexSegments, _firstProblem);
    }
}
