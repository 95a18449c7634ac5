using System.Buffers;
using System.IO.Compression;
using Parquet;
using Parquet.Schema;

namespace Pipeline.Formats.Shards;

/// <summary>
/// Writes token-packed Parquet shards: one row per training sequence of exactly <c>seqLen</c> tokens, with
/// columns <c>input_ids list&lt;int32&gt;</c> (padded at the end with the pad id), <c>seq_lengths list&lt;int32&gt;</c>,
/// <c>doc_ids list&lt;int64&gt;</c>, <c>chunk_index list&lt;int32&gt;</c> and <c>num_pad int32</c>.
/// </summary>
/// <remarks>
/// <para>Zstd at <see cref="CompressionLevel.Optimal"/> (level 3), PLAIN encoding, row groups of <c>rowGroupRows</c> rows.
/// DELTA_BINARY_PACKED for <c>input_ids</c> was measured and rejected: token ids are not monotonic, and bit-packed
/// deltas hide repeats from Zstd (20M cl100k tokens: 34.9 MB vs 18.6 MB PLAIN, and slower; see docs/benchmarks-packing.md).
/// Identical input gives identical bytes (caller metadata is written in ordinal key order).</para>
/// <para>Rows are buffered synchronously into preallocated arrays (no per-token allocation); a full row group is
/// flushed asynchronously. Await each call before the next; the writer is not thread-safe.</para>
/// <para>Memory: the row-group token buffer (<c>seqLen × rowGroupRows</c> ints, 8 MiB at 2048 × 1024) comes from a
/// bounded pool and goes back on <see cref="DisposeAsync"/>; the <c>input_ids</c> repetition and definition levels
/// are constant for a (<c>seqLen</c>, <c>rowGroupRows</c>) pair and shared read-only by all writers. A shard therefore
/// allocates no large arrays of its own, so writing many shards does not grow the large-object heap.</para>
/// <para>The writer hashes the bytes as it writes them: <see cref="CompleteAsync"/> returns their count and SHA-256.
/// The destination stream needs no seeking and is not disposed. Disposing without completing drops all further
/// output, so the stream is left without a Parquet footer (an invalid file) rather than a valid partial shard.</para>
/// </remarks>
public sealed class TokenShardWriter : IAsyncDisposable
{
    private readonly HashingWriteStream _out;
    private readonly int _seqLen;
    private readonly int _padId;
    private readonly int _rowGroupRows;
    private readonly Dictionary<string, string> _metadata;
    private readonly ParquetSchema _schema;
    private readonly DataField _idsField;
    private readonly DataField _lengthsField;
    private readonly DataField _docsField;
    private readonly DataField _chunksField;
    private readonly DataField _padField;

    // Row-group token buffers: at most this many idle ones are kept (enough for several concurrent writers).
    private static readonly ArrayPool<int> CellPool = ArrayPool<int>.Create(Array.MaxLength, 8);
    private static readonly Lock LevelsLock = new();
    private static readonly WeakReference<IdLevels?> SharedLevels = new(null);

    // Row-group buffers, reused for every row group. _ids is pooled; _idsRep/_idsDef are shared and never written.
    private int[]? _ids;
    private readonly int[] _idsRep;
    private readonly int[] _idsDef;
    private readonly int[] _numPad;
    private int[] _segLengths = new int[1024];
    private long[] _segDocs = new long[1024];
    private int[] _segChunks = new int[1024];
    private int[] _segRep = new int[1024];
    private int[] _segDef = [];
    private int _rows;
    private int _segments;

    private ParquetWriter? _writer;
    private long _totalRows;
    private long _totalTokens;
    private long _totalPad;
    private int _rowGroups;
    private State _state;

    /// <summary>Creates a writer over <paramref name="destination"/>; nothing is written until the first row group or <see cref="CompleteAsync"/>.</summary>
    /// <param name="destination">Writable stream; seeking is not needed; not disposed by the writer.</param>
    /// <param name="seqLen">Tokens per row.</param>
    /// <param name="padId">Token id used for padding.</param>
    /// <param name="rowGroupRows">Rows per Parquet row group (e.g. 1024).</param>
    /// <param name="metadata">Caller footer metadata (e.g. tokenizer name); keys starting with <c>pipeline.shard.</c> are reserved.</param>
    public TokenShardWriter(Stream destination, int seqLen, int padId, int rowGroupRows, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(metadata);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The destination stream must be writable.", nameof(destination));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(seqLen, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowGroupRows, 1);
        if ((long)seqLen * rowGroupRows > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(rowGroupRows), rowGroupRows, $"rowGroupRows × seqLen must fit in one array (seqLen {seqLen}).");
        }

        _metadata = new Dictionary<string, string>(metadata.Count + 3, StringComparer.Ordinal);
        var keys = new string[metadata.Count];
        var n = 0;
        foreach (var kv in metadata)
        {
            if (kv.Key.StartsWith(ShardSchema.ReservedPrefix, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Metadata key '{kv.Key}' uses the reserved prefix '{ShardSchema.ReservedPrefix}'.", nameof(metadata));
            }

            keys[n++] = kv.Key;
        }

        // Footer order follows insertion order: make it independent of the caller's dictionary.
        Array.Sort(keys, StringComparer.Ordinal);
        _metadata[ShardSchema.FormatKey] = ShardSchema.FormatVersion;
        _metadata[ShardSchema.PadIdKey] = padId.ToString(ShardSchema.Invariant);
        _metadata[ShardSchema.SeqLenKey] = seqLen.ToString(ShardSchema.Invariant);
        foreach (var key in keys)
        {
            _metadata[key] = metadata[key];
        }

        _out = new HashingWriteStream(destination);
        _seqLen = seqLen;
        _padId = padId;
        _rowGroupRows = rowGroupRows;
        (_schema, _idsField, _lengthsField, _docsField, _chunksField, _padField) = ShardSchema.Create();

        var cells = seqLen * rowGroupRows;
        var levels = GetLevels(seqLen, cells, _idsField.MaxDefinitionLevel);
        _idsRep = levels.Repetition;
        _idsDef = levels.Definition;
        _numPad = new int[rowGroupRows];
        _ids = CellPool.Rent(cells);
    }

    private enum State
    {
        Open,
        Completed,
        Faulted,
        Disposed,
    }

    /// <summary>Tokens per row.</summary>
    public int SeqLen => _seqLen;

    /// <summary>Rows added so far.</summary>
    public long Rows => _totalRows + _rows;

    /// <summary>
    /// Appends one sequence. <paramref name="tokens"/> are the real tokens (1..seqLen; the writer pads);
    /// <paramref name="segments"/> describe them in order and their lengths sum to <c>tokens.Length</c>.
    /// The spans are copied before this returns; the returned task completes when a full row group is flushed.
    /// </summary>
    public ValueTask AddSequenceAsync(ReadOnlySpan<int> tokens, ReadOnlySpan<ShardSegment> segments, CancellationToken ct = default)
    {
        EnsureOpen();
        ct.ThrowIfCancellationRequested();
        if (tokens.Length < 1 || tokens.Length > _seqLen)
        {
            throw new ArgumentException($"A sequence needs 1..{_seqLen} tokens, got {tokens.Length}.", nameof(tokens));
        }

        if (segments.IsEmpty)
        {
            throw new ArgumentException("A sequence needs at least one segment.", nameof(segments));
        }

        long sum = 0;
        foreach (var s in segments)
        {
            if (s.Length < 1)
            {
                throw new ArgumentException($"Segment of document {s.DocId} chunk {s.ChunkIndex} has length {s.Length}; lengths must be >= 1.", nameof(segments));
            }

            if (s.ChunkIndex < 0)
            {
                throw new ArgumentException($"Segment of document {s.DocId} has negative chunk index {s.ChunkIndex}.", nameof(segments));
            }

            sum += s.Length;
        }

        if (sum != tokens.Length)
        {
            throw new ArgumentException($"Segment lengths sum to {sum} but the sequence has {tokens.Length} tokens.", nameof(segments));
        }

        var row = _ids!.AsSpan(_rows * _seqLen, _seqLen);
        tokens.CopyTo(row);
        row[tokens.Length..].Fill(_padId);
        var pad = _seqLen - tokens.Length;
        _numPad[_rows] = pad;

        EnsureSegmentCapacity(_segments + segments.Length);
        for (var i = 0; i < segments.Length; i++)
        {
            var s = segments[i];
            var at = _segments + i;
            _segLengths[at] = s.Length;
            _segDocs[at] = s.DocId;
            _segChunks[at] = s.ChunkIndex;
            _segRep[at] = i == 0 ? 0 : 1;
        }

        _segments += segments.Length;
        _rows++;
        _totalTokens += tokens.Length;
        _totalPad += pad;
        return _rows == _rowGroupRows ? FlushAsync(ct) : ValueTask.CompletedTask;
    }

    /// <summary>Flushes the last row group, writes the footer and returns the shard totals with the byte count and SHA-256 of the output.</summary>
    public async ValueTask<ShardStats> CompleteAsync(CancellationToken ct = default)
    {
        EnsureOpen();
        if (_rows > 0)
        {
            await FlushAsync(ct).ConfigureAwait(false);
        }

        try
        {
            var writer = await GetWriterAsync(ct).ConfigureAwait(false);
            await writer.DisposeAsync().ConfigureAwait(false);
            _writer = null;
            await _out.FlushAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            _state = State.Faulted;
            throw;
        }

        _state = State.Completed;
        return new ShardStats(_totalRows, _totalTokens, _totalPad, _rowGroups, _out.BytesWritten, _out.HashHexLower());
    }

    /// <summary>Releases buffers; if <see cref="CompleteAsync"/> did not run, no footer is written (the output is not a valid shard).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_state == State.Disposed)
        {
            return;
        }

        if (_state != State.Completed)
        {
            _out.Abandon();
        }

        _state = State.Disposed;
        try
        {
            if (_writer is not null)
            {
                await _writer.DisposeAsync().ConfigureAwait(false);
                _writer = null;
            }

            await _out.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            // Parquet.Net copies what it writes before WriteAllPartsAsync returns, so nothing refers to the buffer now.
            var ids = _ids;
            _ids = null;
            if (ids is not null)
            {
                CellPool.Return(ids);
            }
        }
    }

    private static IdLevels GetLevels(int seqLen, int cells, int maxDefinitionLevel)
    {
        lock (LevelsLock)
        {
            if (SharedLevels.TryGetTarget(out var shared) && shared is not null && shared.SeqLen == seqLen && shared.Cells == cells
                && shared.MaxDefinitionLevel == maxDefinitionLevel)
            {
                return shared;
            }

            var repetition = new int[cells];
            for (var i = 1; i < cells; i++)
            {
                repetition[i] = i % seqLen == 0 ? 0 : 1;
            }

            var definition = new int[cells];
            Array.Fill(definition, maxDefinitionLevel);
            var levels = new IdLevels(seqLen, cells, maxDefinitionLevel, repetition, definition);
            SharedLevels.SetTarget(levels);
            return levels;
        }
    }

    private void EnsureOpen()
    {
        switch (_state)
        {
            case State.Open:
                return;
            case State.Completed:
                throw new InvalidOperationException("The shard is already completed.");
            case State.Faulted:
                throw new InvalidOperationException("A previous write failed; the shard is unusable.");
            default:
                throw new ObjectDisposedException(nameof(TokenShardWriter));
        }
    }

    private void EnsureSegmentCapacity(int needed)
    {
        if (needed <= _segLengths.Length)
        {
            return;
        }

        var size = Math.Max(needed, _segLengths.Length * 2);
        Array.Resize(ref _segLengths, size);
        Array.Resize(ref _segDocs, size);
        Array.Resize(ref _segChunks, size);
        Array.Resize(ref _segRep, size);
    }

    private async ValueTask<ParquetWriter> GetWriterAsync(CancellationToken ct)
    {
        if (_writer is not null)
        {
            return _writer;
        }

        var options = new ParquetOptions
        {
            CompressionMethod = CompressionMethod.Zstd,

            // Parquet.Net 6.1.0 defaults to SmallestSize (Zstd 19, ~30x slower); Optimal is Zstd level 3.
            CompressionLevel = CompressionLevel.Optimal,
        };
        var writer = await ParquetWriter.CreateAsync(_schema, _out, options, append: false, ct).ConfigureAwait(false);
        writer.CustomMetadata = _metadata;
        _writer = writer;
        return writer;
    }

    private async ValueTask FlushAsync(CancellationToken ct)
    {
        try
        {
            var writer = await GetWriterAsync(ct).ConfigureAwait(false);
            var cells = _rows * _seqLen;
            var segs = _segments;
            if (_segDef.Length < segs)
            {
                _segDef = new int[Math.Max(segs, _segLengths.Length)];
                Array.Fill(_segDef, _lengthsField.MaxDefinitionLevel);
            }

            using (var rg = writer.CreateRowGroup())
            {
                await rg.WriteAllPartsAsync<int>(_idsField, _ids!.AsMemory(0, cells), _idsDef.AsMemory(0, cells), _idsRep.AsMemory(0, cells), ct).ConfigureAwait(false);
                await rg.WriteAllPartsAsync<int>(_lengthsField, _segLengths.AsMemory(0, segs), _segDef.AsMemory(0, segs), _segRep.AsMemory(0, segs), ct).ConfigureAwait(false);
                await rg.WriteAllPartsAsync<long>(_docsField, _segDocs.AsMemory(0, segs), _segDef.AsMemory(0, segs), _segRep.AsMemory(0, segs), ct).ConfigureAwait(false);
                await rg.WriteAllPartsAsync<int>(_chunksField, _segChunks.AsMemory(0, segs), _segDef.AsMemory(0, segs), _segRep.AsMemory(0, segs), ct).ConfigureAwait(false);
                await rg.WriteAsync<int>(_padField, _numPad.AsMemory(0, _rows), null, null, ct).ConfigureAwait(false);
                rg.CompleteValidate();
            }

            _rowGroups++;
            _totalRows += _rows;
            _rows = 0;
            _segments = 0;
        }
        catch
        {
            _state = State.Faulted;
            throw;
        }
    }

    /// <summary>The <c>input_ids</c> levels of a full row group: read-only once built, shared by all writers of that shape.</summary>
    private sealed record IdLevels(int SeqLen, int Cells, int MaxDefinitionLevel, int[] Repetition, int[] Definition);
}
