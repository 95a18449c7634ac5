using System.Runtime.CompilerServices;
using System.Text;
using Parquet;
using Parquet.Schema;
using Pipeline.Core.Documents;

namespace Pipeline.Formats.Input;

/// <summary>Reads documents from a Parquet file row group by row group, only the text and id columns.</summary>
/// <remarks>
/// Memory is bounded by one row group's text column. Line is the 1-based row number in the file and
/// ByteOffset the 0-based row index. A file that cannot be opened, has no usable text column, or fails to
/// decode yields one <c>unreadable</c> reject (Line 0 for a file-level failure, else the first row of the
/// failing row group) and ends; exceptions from the store propagate.
/// </remarks>
internal static class ParquetDocumentReader
{
    private enum IdKind
    {
        None,
        String,
        Int64,
        Int32,
    }

    public static async IAsyncEnumerable<SourceDocument> ReadAsync(
        OpenAt open, ReaderOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        Stream store = await open(0, ct).ConfigureAwait(false);
        var source = new SourceStream(store);
        await using (source.ConfigureAwait(false))
        {
            if (!source.CanSeek)
            {
                throw new NotSupportedException("Reading Parquet needs a seekable stream; OpenAt returned one that is not.");
            }

            ParquetReader? reader = null;
            string? failure = null;
            try
            {
                reader = await ParquetReader.CreateAsync(source, null, leaveStreamOpen: true, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsDecodeFailure(ex, source))
            {
                failure = $"not a readable Parquet file: {ex.Message}";
            }

            if (reader is null)
            {
                yield return Unreadable(0, 0, failure ?? "not a readable Parquet file");
                yield break;
            }

            await using (reader.ConfigureAwait(false))
            {
                var textField = FindTextField(reader.Schema, options.TextField, out failure);
                if (textField is null)
                {
                    yield return Unreadable(0, 0, failure!);
                    yield break;
                }

                var (idField, idKind) = FindIdField(reader.Schema, options.IdField);
                long row = 0;
                for (int g = 0; g < reader.RowGroupCount; g++)
                {
                    string?[]? texts = null;
                    string?[]? ids = null;
                    failure = null;
                    try
                    {
                        using var group = reader.OpenRowGroupReader(g);
                        int rows = checked((int)group.RowCount);
                        texts = new string?[rows];
                        await group.ReadAsync(textField, texts.AsMemory(), null, ct).ConfigureAwait(false);
                        ids = await ReadIdsAsync(group, idField, idKind, rows, ct).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (IsDecodeFailure(ex, source))
                    {
                        failure = $"row group {g} could not be decoded: {ex.Message}";
                    }

                    if (failure is not null || texts is null)
                    {
                        yield return Unreadable(row + 1, row, failure ?? $"row group {g} could not be decoded");
                        yield break;
                    }

                    for (int r = 0; r < texts.Length; r++, row++)
                    {
                        yield return ToDocument(texts[r], ids?[r], row, options);
                    }
                }
            }
        }
    }

    private static SourceDocument ToDocument(string? text, string? id, long row, ReaderOptions options)
    {
        if (text is null)
        {
            return SourceDocument.Rejected(row + 1, row, id, RejectReasons.MissingText,
                $"column '{options.TextField}' is null", 0);
        }

        if (text.Length == 0)
        {
            return SourceDocument.Rejected(row + 1, row, id, RejectReasons.EmptyText,
                $"column '{options.TextField}' is an empty string", 0);
        }

        // A UTF-16 length beyond the limit is always beyond it in UTF-8 too (1 char -> 1..3 bytes).
        int bytes = text.Length > options.MaxDocumentBytes ? int.MaxValue : Encoding.UTF8.GetByteCount(text);
        if (bytes > options.MaxDocumentBytes)
        {
            int count = text.Length > options.MaxDocumentBytes
                ? (int)Math.Min(int.MaxValue, (long)Encoding.UTF8.GetByteCount(text))
                : bytes;
            return SourceDocument.Rejected(row + 1, row, id, RejectReasons.TooLong,
                $"text of {count} bytes exceeds the limit of {options.MaxDocumentBytes} bytes", count);
        }

        return SourceDocument.Ok(row + 1, row, id, text, bytes);
    }

    private static DataField? FindTextField(ParquetSchema schema, string name, out string? failure)
    {
        failure = null;
        foreach (var field in schema.Fields)
        {
            if (field.Name != name)
            {
                continue;
            }

            if (field is DataField data && !data.IsArray && IsStringType(data.ClrType))
            {
                return data;
            }

            failure = $"column '{name}' is not a string column ({Describe(field)})";
            return null;
        }

        var names = new StringBuilder();
        foreach (var field in schema.Fields)
        {
            names.Append(names.Length == 0 ? string.Empty : ", ").Append(field.Name);
        }

        failure = $"column '{name}' not found; columns: {names}";
        return null;
    }

    private static (DataField? Field, IdKind Kind) FindIdField(ParquetSchema schema, string? name)
    {
        if (name is null)
        {
            return (null, IdKind.None);
        }

        foreach (var field in schema.Fields)
        {
            if (field.Name == name && field is DataField data && !data.IsArray)
            {
                if (IsStringType(data.ClrType))
                {
                    return (data, IdKind.String);
                }

                if (data.ClrType == typeof(long))
                {
                    return (data, IdKind.Int64);
                }

                if (data.ClrType == typeof(int))
                {
                    return (data, IdKind.Int32);
                }
            }
        }

        // A missing (or non-scalar) id column means documents have no original id, as with JSONL.
        return (null, IdKind.None);
    }

    private static async Task<string?[]?> ReadIdsAsync(
        ParquetRowGroupReader group, DataField? field, IdKind kind, int rows, CancellationToken ct)
    {
        if (field is null)
        {
            return null;
        }

        var ids = new string?[rows];
        switch (kind)
        {
            case IdKind.String:
                await group.ReadAsync(field, ids.AsMemory(), null, ct).ConfigureAwait(false);
                break;
            case IdKind.Int64:
            {
                var values = new long?[rows];
                await group.ReadAsync<long>(field, values.AsMemory(), null, ct).ConfigureAwait(false);
                for (int i = 0; i < rows; i++)
                {
                    ids[i] = values[i]?.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                break;
            }

            case IdKind.Int32:
            {
                var values = new int?[rows];
                await group.ReadAsync<int>(field, values.AsMemory(), null, ct).ConfigureAwait(false);
                for (int i = 0; i < rows; i++)
                {
                    ids[i] = values[i]?.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                break;
            }

            default:
                return null;
        }

        return ids;
    }

    private static bool IsStringType(Type type) => type == typeof(string) || type == typeof(ReadOnlyMemory<char>);

    private static string Describe(Field field) => field is DataField data
        ? $"{data.ClrType.Name}{(data.IsArray ? "[]" : string.Empty)}"
        : field.SchemaType.ToString();

    private static SourceDocument Unreadable(long line, long offset, string detail) =>
        SourceDocument.Rejected(line, offset, null, RejectReasons.Unreadable, detail, 0);

    // Parquet.Net reports a bad file with IOException, InvalidDataException and others; anything that did not
    // start in the store's stream (and is not a cancellation) is a problem of the file's bytes.
    private static bool IsDecodeFailure(Exception ex, SourceStream source) =>
        !source.StoreFaulted && ex is not OperationCanceledException and not OutOfMemoryException;
}
