using System.Runtime.CompilerServices;
using Pipeline.Core.Documents;
using Pipeline.Core.Jobs;
using ZstdSharp;

namespace Pipeline.Formats.Input;

/// <summary>
/// Streaming readers for input corpora: JSONL (plain, .gz, .zst) and Parquet. Memory stays bounded whatever
/// the file size; per-document problems come back as rejected <see cref="SourceDocument"/>s, never as exceptions.
/// </summary>
/// <remarks>
/// <para>Errors: an exception from the store's stream (e.g. an <see cref="IOException"/> from a blob download)
/// propagates unchanged, since it is transient and job-level. A failure to decode the bytes (a truncated or corrupt
/// .gz or .zst, an unreadable Parquet file) becomes one <c>truncated_archive</c> or <c>unreadable</c> reject
/// and ends the file. The two are told apart by where the exception started (the store's stream is wrapped and
/// records its own faults), not by type, because decompressors throw <see cref="IOException"/> subclasses too.</para>
/// <para>Line numbers: <see cref="SourceDocument.Line"/> is the 1-based physical line number when the unit starts
/// at offset 0. For a byte range starting after 0 the number of earlier lines is unknown and Line is 0; the
/// line is identified by <see cref="SourceDocument.ByteOffset"/>.</para>
/// </remarks>
public static class DocumentReaders
{
    private enum Compression
    {
        None,
        Gzip,
        Zstd,
    }

    /// <summary>Picks the format from the file name: .jsonl/.json/.ndjson (optionally .gz/.zst) or .parquet.</summary>
    /// <param name="path">File path or URI.</param>
    /// <exception cref="UnsupportedInputFormatException">The extension is not one the readers support.</exception>
    public static InputFormat Detect(string path) => Classify(path, InputFormat.Auto).Format;

    /// <summary>True when the file can be read in byte ranges: uncompressed JSONL only.</summary>
    /// <param name="path">File path or URI.</param>
    /// <exception cref="UnsupportedInputFormatException">The extension is not one the readers support.</exception>
    public static bool IsSplittable(string path) => IsSplittable(path, InputFormat.Auto);

    /// <summary>True when the file can be read in byte ranges, with the format given by the job (Auto: from the name).</summary>
    /// <param name="path">File path or URI.</param>
    /// <param name="format">The source's declared format; with Jsonl only a .gz/.zst/.zstd suffix is looked at.</param>
    /// <exception cref="UnsupportedInputFormatException">Auto was given and the extension is not supported.</exception>
    public static bool IsSplittable(string path, InputFormat format)
    {
        var (resolved, compression) = Classify(path, format);
        return resolved == InputFormat.Jsonl && compression == Compression.None;
    }

    /// <summary>
    /// Streams the documents of one work unit: a whole file, or for uncompressed JSONL the lines that start in
    /// [<paramref name="rangeStart"/>, <paramref name="rangeEnd"/>) (the last one is read to its end, even past
    /// <paramref name="rangeEnd"/>). Blank lines are skipped; Line is 0 when <paramref name="rangeStart"/> &gt; 0.
    /// </summary>
    /// <param name="path">File path or URI; its extension picks the format (see <see cref="Detect"/>).</param>
    /// <param name="open">Opens the blob at an offset.</param>
    /// <param name="rangeStart">First byte of the unit; must be 0 for files that are not splittable.</param>
    /// <param name="rangeEnd">Exclusive end of the unit, or null for the end of the file; must be null for files that are not splittable.</param>
    /// <param name="options">Field names and limits.</param>
    /// <param name="ct">Cancellation token.</param>
    /// <exception cref="UnsupportedInputFormatException">The extension is not supported.</exception>
    /// <exception cref="ArgumentException">A range was given for a file that is not splittable, or the range is invalid.</exception>
    public static IAsyncEnumerable<SourceDocument> ReadAsync(
        string path, OpenAt open, long rangeStart, long? rangeEnd, ReaderOptions options, CancellationToken ct) =>
        ReadAsync(path, InputFormat.Auto, open, rangeStart, rangeEnd, options, ct);

    /// <summary>
    /// As <see cref="ReadAsync(string, OpenAt, long, long?, ReaderOptions, CancellationToken)"/>, with the format declared
    /// by the job: Jsonl reads any file name as JSONL (decompressed by a .gz/.zst/.zstd suffix), Parquet reads it as
    /// Parquet, Auto picks from the name.
    /// </summary>
    /// <param name="path">File path or URI.</param>
    /// <param name="format">The source's declared format.</param>
    /// <param name="open">Opens the blob at an offset.</param>
    /// <param name="rangeStart">First byte of the unit; must be 0 for files that are not splittable.</param>
    /// <param name="rangeEnd">Exclusive end of the unit, or null for the end of the file; must be null for files that are not splittable.</param>
    /// <param name="options">Field names and limits.</param>
    /// <param name="ct">Cancellation token.</param>
    /// <exception cref="UnsupportedInputFormatException">Auto was given and the extension is not supported.</exception>
    /// <exception cref="ArgumentException">A range was given for a file that is not splittable, or the range is invalid.</exception>
    public static IAsyncEnumerable<SourceDocument> ReadAsync(
        string path, InputFormat format, OpenAt open, long rangeStart, long? rangeEnd, ReaderOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(rangeStart);
        if (rangeEnd is long end)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(end, rangeStart, nameof(rangeEnd));
        }

        (format, var compression) = Classify(path, format);
        if ((format != InputFormat.Jsonl || compression != Compression.None) && (rangeStart != 0 || rangeEnd is not null))
        {
            throw new ArgumentException(
                $"'{path}' is not splittable (only uncompressed JSONL is); read it whole with rangeStart 0 and rangeEnd null.",
                nameof(rangeStart));
        }

        return format == InputFormat.Parquet
            ? ParquetDocumentReader.ReadAsync(open, options, ct)
            : ReadJsonlAsync(open, compression, rangeStart, rangeEnd, options, ct);
    }

    private static async IAsyncEnumerable<SourceDocument> ReadJsonlAsync(
        OpenAt open, Compression compression, long rangeStart, long? rangeEnd, ReaderOptions options,
        [EnumeratorCancellation] CancellationToken ct)
    {
        if (rangeEnd is long end && end == rangeStart)
        {
            yield break;
        }

        long streamOffset = rangeStart > 0 ? rangeStart - 1 : 0;
        Stream store = await open(streamOffset, ct).ConfigureAwait(false);
        SourceStream source;
        Stream stream;
        switch (compression)
        {
            case Compression.Gzip:
                var guard = GzipEndGuardStream.Create(store);
                source = guard.Source;
                stream = guard;
                break;
            case Compression.Zstd:
                source = new SourceStream(store);
                stream = new DecompressionStream(source, JsonlLineScanner.ReadChunk, checkEndOfStream: true, leaveOpen: false);
                break;
            default:
                source = new SourceStream(store);
                stream = source;
                break;
        }

        await using (stream.ConfigureAwait(false))
        {
            using var scanner = new JsonlLineScanner(options, streamOffset, rangeStart, rangeEnd);
            bool eof = false;
            while (true)
            {
                while (scanner.Next(eof, out var document))
                {
                    if (document is not null)
                    {
                        yield return document;
                    }
                }

                if (eof || scanner.IsDone)
                {
                    yield break;
                }

                int n = 0;
                string? failure = null;
                try
                {
                    n = await stream.ReadAsync(scanner.GetReadBuffer(), ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsDecodeFailure(ex, source))
                {
                    failure = $"{(compression == Compression.Gzip ? "gzip" : "zstd")} ({ex.GetType().Name}): {ex.Message}";
                }

                if (failure is not null)
                {
                    yield return scanner.Truncated(failure);
                    yield break;
                }

                if (n == 0)
                {
                    eof = true;
                }
                else
                {
                    scanner.Advance(n);
                }
            }
        }
    }

    /// <summary>A failure of the decompressor on the bytes, as opposed to a failure of the store or a cancellation.</summary>
    internal static bool IsDecodeFailure(Exception ex, SourceStream source) =>
        !source.StoreFaulted && ex is InvalidDataException or ZstdException or IOException;

    private static (InputFormat Format, Compression Compression) Classify(string path, InputFormat declared)
    {
        ArgumentNullException.ThrowIfNull(path);
        string name = path;
        int query = name.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0 && name.Contains("://", StringComparison.Ordinal))
        {
            name = name[..query];
        }

        var compression = Compression.None;
        if (name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            compression = Compression.Gzip;
            name = name[..^3];
        }
        else if (name.EndsWith(".zst", StringComparison.OrdinalIgnoreCase))
        {
            compression = Compression.Zstd;
            name = name[..^4];
        }
        else if (name.EndsWith(".zstd", StringComparison.OrdinalIgnoreCase))
        {
            compression = Compression.Zstd;
            name = name[..^5];
        }

        if (declared == InputFormat.Parquet)
        {
            return (InputFormat.Parquet, Compression.None);
        }

        if (declared == InputFormat.Jsonl
            || name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            return (InputFormat.Jsonl, compression);
        }

        if (compression == Compression.None && name.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
        {
            return (InputFormat.Parquet, compression);
        }

        throw new UnsupportedInputFormatException(path,
            $"Cannot tell the input format of '{path}': expected .jsonl, .json or .ndjson (optionally .gz, .zst), or .parquet.");
    }
}
