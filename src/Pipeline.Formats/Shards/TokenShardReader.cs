using System.Globalization;
using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Schema;

namespace Pipeline.Formats.Shards;

/// <summary>Reads token shards written by <see cref="TokenShardWriter"/> and checks their row invariants.</summary>
public static class TokenShardReader
{
    /// <summary>
    /// Streams the rows of a shard, one row group in memory at a time. Throws <see cref="ShardFormatException"/>
    /// when the schema or footer keys are not those of a token shard, or when a row breaks an invariant
    /// (input_ids length ≠ seq_len, per-segment columns of different lengths, sum(seq_lengths) + num_pad ≠ seq_len).
    /// </summary>
    /// <param name="seekableParquet">Readable, seekable stream; left open.</param>
    /// <param name="ct">Cancellation.</param>
    public static async IAsyncEnumerable<ShardRow> ReadAsync(Stream seekableParquet, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(seekableParquet);
        var reader = await OpenAsync(seekableParquet, ct).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        var (seqLen, _) = ReadReservedKeys(new Dictionary<string, string>(reader.CustomMetadata, StringComparer.Ordinal));
        var f = ResolveFields(reader.Schema);
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            ct.ThrowIfCancellationRequested();
            using var rg = reader.OpenRowGroupReader(g);
            var rows = checked((int)rg.RowCount);
            var ids = await ReadListColumnAsync<int>(rg, f.Ids, rows, ct).ConfigureAwait(false);
            var lengths = await ReadListColumnAsync<int>(rg, f.Lengths, rows, ct).ConfigureAwait(false);
            var docs = await ReadListColumnAsync<long>(rg, f.Docs, rows, ct).ConfigureAwait(false);
            var chunks = await ReadListColumnAsync<int>(rg, f.Chunks, rows, ct).ConfigureAwait(false);
            var pads = new int[rows];
            await rg.ReadAsync<int>(f.Pad, pads.AsMemory(), null, ct).ConfigureAwait(false);

            for (var r = 0; r < rows; r++)
            {
                var (idStart, idEnd) = ids.Row(r);
                var (segStart, segEnd) = lengths.Row(r);
                if (idEnd - idStart != seqLen)
                {
                    throw new ShardFormatException($"Row group {g} row {r}: input_ids has {idEnd - idStart} values, expected seq_len {seqLen}.");
                }

                if (docs.Row(r) != (segStart, segEnd) || chunks.Row(r) != (segStart, segEnd))
                {
                    throw new ShardFormatException($"Row group {g} row {r}: seq_lengths, doc_ids and chunk_index have different lengths.");
                }

                var row = new ShardRow(
                    ids.Values.AsSpan(idStart, idEnd - idStart).ToArray(),
                    lengths.Values.AsSpan(segStart, segEnd - segStart).ToArray(),
                    docs.Values.AsSpan(segStart, segEnd - segStart).ToArray(),
                    chunks.Values.AsSpan(segStart, segEnd - segStart).ToArray(),
                    pads[r]);
                long sum = row.NumPad;
                foreach (var len in row.SeqLengths)
                {
                    sum += len;
                }

                if (sum != seqLen)
                {
                    throw new ShardFormatException($"Row group {g} row {r}: sum(seq_lengths) + num_pad = {sum}, expected seq_len {seqLen}.");
                }

                yield return row;
            }
        }
    }

    /// <summary>Reads only the footer: columns, row groups, rows, seq_len, pad id and all key-value metadata.</summary>
    /// <param name="seekableParquet">Readable, seekable stream; left open.</param>
    /// <param name="ct">Cancellation.</param>
    public static async Task<ShardSchemaInfo> ReadSchemaAsync(Stream seekableParquet, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(seekableParquet);
        var reader = await OpenAsync(seekableParquet, ct).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        var metadata = new Dictionary<string, string>(reader.CustomMetadata, StringComparer.Ordinal);
        var (seqLen, padId) = ReadReservedKeys(metadata);
        ResolveFields(reader.Schema);
        var columns = new string[reader.Schema.Fields.Count];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = reader.Schema.Fields[i].Name;
        }

        long rows = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            rows += rg.RowCount;
        }

        return new ShardSchemaInfo(columns, reader.RowGroupCount, rows, seqLen, padId, metadata);
    }

    private static async Task<ParquetReader> OpenAsync(Stream stream, CancellationToken ct)
    {
        try
        {
            return await ParquetReader.CreateAsync(stream, null, leaveStreamOpen: true, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ParquetException)
        {
            throw new ShardFormatException($"Not a readable Parquet file: {e.Message}", e);
        }
    }

    private static (int SeqLen, int PadId) ReadReservedKeys(Dictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(ShardSchema.FormatKey, out var format) || format != ShardSchema.FormatVersion)
        {
            throw new ShardFormatException($"Footer key '{ShardSchema.FormatKey}' is '{format ?? "<missing>"}', expected '{ShardSchema.FormatVersion}'.");
        }

        return (ParseInt(metadata, ShardSchema.SeqLenKey), ParseInt(metadata, ShardSchema.PadIdKey));
    }

    private static int ParseInt(Dictionary<string, string> metadata, string key)
    {
        if (metadata.TryGetValue(key, out var s) && int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
        {
            return v;
        }

        throw new ShardFormatException($"Footer key '{key}' is missing or not an integer.");
    }

    private static (DataField Ids, DataField Lengths, DataField Docs, DataField Chunks, DataField Pad) ResolveFields(ParquetSchema schema)
    {
        return (
            ListItem(schema, ShardSchema.InputIds, typeof(int)),
            ListItem(schema, ShardSchema.SeqLengths, typeof(int)),
            ListItem(schema, ShardSchema.DocIds, typeof(long)),
            ListItem(schema, ShardSchema.ChunkIndex, typeof(int)),
            Flat(schema, ShardSchema.NumPad, typeof(int)));
    }

    private static Field Top(ParquetSchema schema, string name)
    {
        foreach (var field in schema.Fields)
        {
            if (field.Name == name)
            {
                return field;
            }
        }

        throw new ShardFormatException($"Column '{name}' is missing.");
    }

    private static DataField ListItem(ParquetSchema schema, string name, Type type)
    {
        if (Top(schema, name) is ListField { Item: DataField item } && item.ClrType == type)
        {
            return item;
        }

        throw new ShardFormatException($"Column '{name}' must be list<{type.Name}>.");
    }

    private static DataField Flat(ParquetSchema schema, string name, Type type)
    {
        if (Top(schema, name) is DataField field && field.ClrType == type && !field.IsArray)
        {
            return field;
        }

        throw new ShardFormatException($"Column '{name}' must be {type.Name}.");
    }

    private static async Task<ListColumn<T>> ReadListColumnAsync<T>(ParquetRowGroupReader rg, DataField field, int rows, CancellationToken ct)
        where T : struct
    {
        var levels = checked((int)(rg.GetMetadata(field)?.MetaData?.NumValues
            ?? throw new ShardFormatException($"Column '{field.Path}' has no chunk metadata.")));
        var values = new T[levels];
        var defs = new int[levels];
        var reps = new int[levels];
        await rg.ReadRawAsync<T>(field, values, defs, reps, ct).ConfigureAwait(false);

        // Every list is non-empty and every element present, so values align 1:1 with levels.
        var rowStarts = new int[rows + 1];
        var row = 0;
        for (var i = 0; i < levels; i++)
        {
            if (defs[i] != field.MaxDefinitionLevel)
            {
                throw new ShardFormatException($"Column '{field.Path}' has a null or empty list at level {i}.");
            }

            if (reps[i] == 0)
            {
                if (row == rows)
                {
                    throw new ShardFormatException($"Column '{field.Path}' has more lists than the row group's {rows} rows.");
                }

                rowStarts[row++] = i;
            }
        }

        if (row != rows)
        {
            throw new ShardFormatException($"Column '{field.Path}' has {row} lists, expected {rows}.");
        }

        rowStarts[rows] = levels;
        return new ListColumn<T>(values, rowStarts);
    }

    private sealed record ListColumn<T>(T[] Values, int[] RowStarts)
    {
        public (int Start, int End) Row(int r) => (RowStarts[r], RowStarts[r + 1]);
    }
}
