using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using Pipeline.Core.Hashing;
using Pipeline.Core.Jobs;
using Pipeline.Core.Packing;
using Pipeline.Engine.Planning;
using Pipeline.Formats.Manifests;
using Pipeline.Formats.Shards;
using Pipeline.Storage;

namespace Pipeline.Engine.Stages;

/// <summary>
/// The Pack stage for one bucket: gathers the bucket's selected documents from every scored unit (plan order), each
/// as many times as the selection repeats it, orders them by a seeded key, packs them into <c>seq_len</c> sequences, shuffles the sequences with a seeded
/// permutation and writes token-packed shards, then the bucket's completion marker.
/// </summary>
/// <remarks>Memory: a bucket holds its selected tokens in one array (≈ 3.5M ints for 16 MiB of English JSONL, the
/// default <c>pack.bucket_bytes</c>), rented from a bounded pool and returned when the bucket is written, so packing many buckets reuses
/// the same few arrays instead of leaving one large-object-heap array per bucket for the GC.</remarks>
public sealed class PackBucketTask
{
    // Idle bucket token arrays kept per size class: one per concurrently packing worker is enough to stop the churn.
    private static readonly ArrayPool<int> TokenPool = ArrayPool<int>.Create(Array.MaxLength, 4);

    private readonly JobContext _job;
    private readonly WorkPlan _plan;
    private readonly IReadOnlyList<UnitResult> _units;
    private readonly SelectionPlan _selection;
    private readonly int _bucket;

    /// <summary>Creates the task.</summary>
    public PackBucketTask(JobContext job, WorkPlan plan, IReadOnlyList<UnitResult> units, SelectionPlan selection, int bucket)
    {
        _job = job;
        _plan = plan;
        _units = units;
        _selection = selection;
        _bucket = bucket;
    }

    /// <summary>Runs the bucket, unless its completion marker exists.</summary>
    public async Task<BucketResult> RunAsync(CancellationToken ct)
    {
        var doneKey = _job.Work.BucketDone(_bucket);
        var existing = await _job.TryReadJsonAsync<BucketResult>(doneKey, ct).ConfigureAwait(false);
        if (existing is not null) return existing;

        using var docs = await GatherAsync(ct).ConfigureAwait(false);
        var seed = _job.Spec.Seed;
        var order = new int[docs.Count];
        var keys = docs.Keys.ToArray();
        for (var i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(keys, order);
        var lengths = new int[order.Length];
        for (var i = 0; i < order.Length; i++) lengths[i] = docs.Lengths[order[i]];

        var spec = _job.Spec.Pack;
        var packed = spec.Strategy == PackStrategy.Concat ? ConcatPacker.Pack(lengths, spec.SeqLen) : BestFitPacker.Pack(lengths, spec.SeqLen);
        var sequenceOrder = Permutation(packed.SequenceCount, StableHash.Key(seed, _bucket, Purpose.SequenceOrder));
        var shards = await WriteShardsAsync(docs, order, packed, sequenceOrder, ct).ConfigureAwait(false);

        var result = new BucketResult(_bucket, shards, docs.Count, packed.DocumentsSplit, packed.SequenceCount, packed.Tokens, packed.PadTokens);
        await _job.WriteJsonAsync(doneKey, result, WriteMode.CreateNew, ct).ConfigureAwait(false);
        return result;
    }

    private async Task<BucketDocuments> GatherAsync(CancellationToken ct)
    {
        long total = 0;
        foreach (var unit in _units)
        {
            foreach (var segment in unit.Segments)
            {
                if (segment.Bucket == _bucket) total += segment.Count;
            }
        }
        if (total > Array.MaxLength)
        {
            throw new JobFailedException($"bucket {_bucket} holds {total} tokens, more than one bucket can pack; lower pack.bucket_bytes");
        }
        var docs = new BucketDocuments((int)total);
        try
        {
            await FillAsync(docs, ct).ConfigureAwait(false);
        }
        catch
        {
            docs.Dispose();
            throw;
        }
        return docs;
    }

    private async Task FillAsync(BucketDocuments docs, CancellationToken ct)
    {
        var seed = _job.Spec.Seed;
        for (var u = 0; u < _plan.Units.Count; u++)
        {
            var unit = _plan.Units[u];
            var result = _units[u];
            var unitStart = docs.TokensFilled;
            foreach (var segment in result.Segments)
            {
                if (segment.Bucket != _bucket) continue;
                var stream = await _job.Output.OpenReadAsync(_job.Work.UnitTokens(unit.Id), segment.Offset * sizeof(int), ct).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    await ReadIntsAsync(stream, docs.Tokens, docs.TokensFilled, (int)segment.Count, ct).ConfigureAwait(false);
                }
                docs.TokensFilled += (int)segment.Count;
            }
            if (docs.TokensFilled == unitStart) continue;

            // The unit's document index lists this bucket's readable documents in the order of their tokens.
            var at = unitStart;
            foreach (var segment in result.Index)
            {
                if (segment.Bucket != _bucket) continue;
                var entries = new byte[segment.Count * DocumentIndex.EntryBytes];
                var stream = await _job.Output.OpenReadAsync(_job.Work.UnitIndex(unit.Id), segment.Offset * DocumentIndex.EntryBytes, ct).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    await stream.ReadExactlyAsync(entries, ct).ConfigureAwait(false);
                }
                for (var i = 0; i < entries.Length; i += DocumentIndex.EntryBytes)
                {
                    var (docId, tokens, score) = DocumentIndex.Read(entries.AsSpan(i));
                    var (copies, _) = Selector.Fate(_selection, unit.Source, score, docId);
                    var key = StableHash.Key(seed, docId, Purpose.Order);
                    // Repeated copies of a document get their own seeded positions, derived from the first copy's key.
                    for (var c = 0; c < copies; c++) docs.Add(docId, at, tokens, c == 0 ? key : StableHash.Mix(key + (ulong)c));
                    at += tokens;
                }
            }
            if (at != docs.TokensFilled)
            {
                throw new JobFailedException($"unit {unit.Id} ({unit.Path}): token file and document table disagree for bucket {_bucket}");
            }
        }
    }

    private async Task<List<ShardEntry>> WriteShardsAsync(BucketDocuments docs, int[] order, PackResult packed, int[] sequenceOrder, CancellationToken ct)
    {
        var spec = _job.Spec.Pack;
        var rowsPerShard = (int)Math.Max(1, Math.Min(int.MaxValue, spec.MaxTokensPerShard / spec.SeqLen));
        var metadata = new Dictionary<string, string>
        {
            ["tokenizer"] = _job.Tokenizer.Name,
            ["tokenizer.vocab_sha256"] = _job.Tokenizer.VocabSha256,
            ["bucket"] = _bucket.ToString(CultureInfo.InvariantCulture),
        };
        var shards = new List<ShardEntry>();
        var tokens = new int[spec.SeqLen];
        var segments = new ShardSegment[spec.SeqLen];
        for (int part = 0, first = 0; first < sequenceOrder.Length; part++, first += rowsPerShard)
        {
            var last = Math.Min(sequenceOrder.Length, first + rowsPerShard);
            var key = OutputLayout.Shard(_bucket, part);
            ShardStats? stats = null;
            await _job.Output.WriteAsync(key, async (stream, c) =>
            {
                var writer = new TokenShardWriter(stream, spec.SeqLen, _job.Tokenizer.PadId, spec.RowGroupRows, metadata);
                await using (writer.ConfigureAwait(false))
                {
                    for (var s = first; s < last; s++)
                    {
                        var (count, filled) = Assemble(docs, order, packed.GetSequence(sequenceOrder[s]), tokens, segments);
                        await writer.AddSequenceAsync(tokens.AsSpan(0, filled), segments.AsSpan(0, count), c).ConfigureAwait(false);
                    }
                    stats = await writer.CompleteAsync(c).ConfigureAwait(false);
                }
            }, WriteMode.Overwrite, ct).ConfigureAwait(false);
            shards.Add(new ShardEntry(key, stats!.Rows, stats.Tokens, stats.PadTokens, stats.Bytes, stats.Sha256));
        }
        return shards;
    }

    private static (int Segments, int Tokens) Assemble(BucketDocuments docs, int[] order, ReadOnlySpan<PackedSegment> sequence, int[] tokens, ShardSegment[] segments)
    {
        var filled = 0;
        for (var i = 0; i < sequence.Length; i++)
        {
            var piece = sequence[i];
            var doc = order[piece.Document];
            docs.Tokens.AsSpan(docs.Starts[doc] + piece.Offset, piece.Length).CopyTo(tokens.AsSpan(filled));
            segments[i] = new ShardSegment(docs.Ids[doc], piece.Chunk, piece.Length);
            filled += piece.Length;
        }
        return (sequence.Length, filled);
    }

    private static async Task ReadIntsAsync(Stream stream, int[] destination, int start, int count, CancellationToken ct)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            var remaining = count * sizeof(int);
            var at = start;
            while (remaining > 0)
            {
                var chunk = Math.Min(remaining, buffer.Length);
                await stream.ReadExactlyAsync(buffer.AsMemory(0, chunk), ct).ConfigureAwait(false);
                MemoryMarshal.Cast<byte, int>(buffer.AsSpan(0, chunk)).CopyTo(destination.AsSpan(at));
                at += chunk / sizeof(int);
                remaining -= chunk;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int[] Permutation(int count, ulong seed)
    {
        var permutation = new int[count];
        for (var i = 0; i < count; i++) permutation[i] = i;
        var state = seed;
        for (var i = count - 1; i > 0; i--)
        {
            state = StableHash.Mix(state);
            var j = (int)(state % (ulong)(i + 1));
            (permutation[i], permutation[j]) = (permutation[j], permutation[i]);
        }
        return permutation;
    }

    /// <summary>The bucket's selected document copies: ids, order keys, token ranges into one pooled token array (returned on dispose).</summary>
    private sealed class BucketDocuments(int totalTokens) : IDisposable
    {
        private readonly List<long> _ids = [];
        private readonly List<ulong> _keys = [];
        private readonly List<int> _starts = [];
        private readonly List<int> _lengths = [];
        private int[]? _tokens = TokenPool.Rent(totalTokens);

        /// <summary>The token array; may be longer than the bucket (pool size classes): only <see cref="TokensFilled"/> are valid.</summary>
        public int[] Tokens => _tokens ?? throw new ObjectDisposedException(nameof(BucketDocuments));
        public int TokensFilled { get; set; }
        public int Count => _ids.Count;
        public List<long> Ids => _ids;
        public List<ulong> Keys => _keys;
        public List<int> Starts => _starts;
        public List<int> Lengths => _lengths;

        public void Add(long id, int start, int length, ulong key)
        {
            _ids.Add(id);
            _keys.Add(key);
            _starts.Add(start);
            _lengths.Add(length);
        }

        public void Dispose()
        {
            var tokens = _tokens;
            _tokens = null;
            if (tokens is { Length: > 0 }) TokenPool.Return(tokens);
        }
    }
}
