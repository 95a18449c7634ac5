using Parquet;
using Parquet.Serialization;

namespace Pipeline.Formats.Work;

/// <summary>
/// Reads and writes small typed tables (one POCO per row) as Zstd Parquet with an explicit compression level
/// (Parquet.Net 6.1.0 defaults to Zstd level 19, far too slow). Output bytes depend only on the rows.
/// </summary>
public static class ParquetTables
{
    private static ParquetOptions Options(int rowGroupSize) => new()
    {
        CompressionMethod = CompressionMethod.Zstd,
        CompressionLevel = System.IO.Compression.CompressionLevel.Optimal,
        RowGroupSize = rowGroupSize,
    };

    /// <summary>Writes rows to a stream.</summary>
    public static async Task WriteAsync<T>(IReadOnlyCollection<T> rows, Stream destination, CancellationToken ct) where T : new()
    {
        await ParquetSerializer.SerializeAsync(rows, destination, Options(64 * 1024), null, ct).ConfigureAwait(false);
    }

    /// <summary>Reads every row of a seekable Parquet stream.</summary>
    public static async Task<IList<T>> ReadAsync<T>(Stream source, CancellationToken ct) where T : class, new()
    {
        var seekable = await Seekable(source, ct).ConfigureAwait(false);
        await using (seekable.ConfigureAwait(false))
        {
            return (await ParquetSerializer.DeserializeAsync<T>(seekable, Options(64 * 1024), null, ct).ConfigureAwait(false)).Data;
        }
    }

    /// <summary>Returns the stream itself when seekable, otherwise a copy in memory.</summary>
    public static async Task<Stream> Seekable(Stream source, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.CanSeek) return source;
        var copy = new MemoryStream();
        await using (source.ConfigureAwait(false))
        {
            await source.CopyToAsync(copy, ct).ConfigureAwait(false);
        }
        copy.Position = 0;
        return copy;
    }
}
