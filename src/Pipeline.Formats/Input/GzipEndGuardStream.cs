using System.IO.Compression;

namespace Pipeline.Formats.Input;

/// <summary>
/// Decompresses gzip (multi-member) with <see cref="GZipStream"/> and detects truncation, which
/// <see cref="GZipStream"/> does not report: it returns end-of-stream when its input ends inside a member
/// (the check added in dotnet/runtime#61768 was reverted in #72742).
/// </summary>
/// <remarks>
/// After the real end of the compressed bytes, <see cref="SourceStream"/> serves one extra, complete gzip
/// member whose content is <see cref="Marker"/>. If the file ended on a member boundary, that member decodes
/// to exactly the marker, which is swallowed. If the file was cut inside a member, the marker member's bytes
/// are taken as the continuation of the cut member: decoding fails, or yields bytes other than the marker (a
/// false match would need the garbage to close the member with a matching CRC-32 and length). Everything
/// decoded before the trailer was first served comes from real input: <see cref="GZipStream"/> returns all
/// output of the bytes it holds before it reads more. The reader tests cut a multi-member file at every
/// byte to pin this down. A file cut exactly between two members is a valid gzip file and reads as such.
/// </remarks>
internal sealed class GzipEndGuardStream : Stream
{
    /// <summary>Content of the sentinel member; arbitrary bytes unlikely to appear by chance.</summary>
    internal static readonly byte[] Marker = "\u0001pipeline:gzip-end-sentinel:7f3a9c51e2\u0002"u8.ToArray();

    private static readonly byte[] SentinelMember = BuildSentinel();

    private readonly GZipStream _gzip;
    private readonly SourceStream _source;
    private bool _done;

    private GzipEndGuardStream(SourceStream source)
    {
        _source = source;
        _gzip = new GZipStream(source, CompressionMode.Decompress, leaveOpen: false);
    }

    /// <summary>The wrapper over the store's stream (for fault classification).</summary>
    public SourceStream Source => _source;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Wraps the store's stream.</summary>
    public static GzipEndGuardStream Create(Stream store) => new(new SourceStream(store, SentinelMember));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_done || buffer.IsEmpty)
        {
            return 0;
        }

        int n = await _gzip.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (!_source.TrailerStarted)
        {
            if (n == 0)
            {
                // GZipStream stopped before the compressed bytes ran out: trailing bytes that are not a gzip member.
                throw new InvalidDataException("gzip: data after the last member is not a gzip member");
            }

            return n;
        }

        // The sentinel has been reached: everything from here must decode to exactly the marker.
        var tail = new byte[Marker.Length + 1];
        int have = 0;
        if (n > tail.Length)
        {
            throw Truncated();
        }

        buffer.Span[..n].CopyTo(tail);
        have = n;
        while (true)
        {
            if (have == tail.Length)
            {
                throw Truncated();
            }

            int k = await _gzip.ReadAsync(tail.AsMemory(have), cancellationToken).ConfigureAwait(false);
            if (k == 0)
            {
                break;
            }

            have += k;
        }

        if (!tail.AsSpan(0, have).SequenceEqual(Marker))
        {
            throw Truncated();
        }

        _done = true;
        return 0;
    }

    // The readers are asynchronous end to end; a synchronous path would only invite blocking on I/O.
    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("GzipEndGuardStream is read with ReadAsync only.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        await _gzip.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gzip.Dispose();
        }

        base.Dispose(disposing);
    }

    private static InvalidDataException Truncated() =>
        new("gzip: unexpected end of data inside a gzip member (the archive is truncated)");

    private static byte[] BuildSentinel()
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.NoCompression, leaveOpen: true))
        {
            gz.Write(Marker);
        }

        return ms.ToArray();
    }
}
