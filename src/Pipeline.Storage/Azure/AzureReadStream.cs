using System.Buffers;
using System.Globalization;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Pipeline.Storage.Azure;

/// <summary>
/// A seekable read stream over one version of a blob (every request carries If-Match with the ETag seen at open).
/// It holds no buffer of its own: each read is served from the body of a streamed ranged GET. The first request after
/// an open or a seek fetches <see cref="InitialWindow"/> bytes and each sequential follow-up doubles the range, up to
/// a request that reads to the end, so small random reads (Parquet footers) cost little and long sequential reads cost
/// a handful of requests. Dropped connections are resumed from the current offset by the SDK's retriable stream.
/// </summary>
internal sealed class AzureReadStream : Stream
{
    /// <summary>Bytes of the first request after an open or a seek.</summary>
    public const int InitialWindow = 1 << 20;

    /// <summary>Once a range would be this long, the request reads to the end of the blob.</summary>
    private const long ToEndWindow = 64L << 20;

    /// <summary>A forward seek within this distance of the open response reads through it instead of reopening.</summary>
    private const int MaxSkip = 256 << 10;

    private readonly BlobBaseClient _blob;
    private readonly string _location;
    private readonly AzureStoreContext _context;
    private readonly ETag _etag;
    private readonly long _length;
    private long _position;
    private Stream? _body;
    private long _bodyPosition;
    private long _bodyEnd;
    private long _window = InitialWindow;
    private bool _disposed;

    private AzureReadStream(BlobBaseClient blob, string location, AzureStoreContext context, ETag etag, long length, long position)
    {
        _blob = blob;
        _location = location;
        _context = context;
        _etag = etag;
        _length = length;
        _position = position;
    }

    /// <summary>Opens the blob at <paramref name="offset"/>; the first ranged GET doubles as the existence and length probe.</summary>
    public static async Task<AzureReadStream> OpenAsync(BlobBaseClient blob, long offset, string location, AzureStoreContext context, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        try
        {
            try
            {
                var response = await blob.DownloadStreamingAsync(new BlobDownloadOptions { Range = new HttpRange(offset, InitialWindow) }, ct).ConfigureAwait(false);
                var result = response.Value;
                var length = TotalLength(result.Details.ContentRange) ?? offset + result.Details.ContentLength;
                var stream = new AzureReadStream(blob, location, context, result.Details.ETag, length, offset);
                stream.Attach(result.Content, offset, offset + result.Details.ContentLength);
                stream._window = InitialWindow * 2;
                return stream;
            }
            catch (RequestFailedException ex) when (ex.Status == 416)
            {
                // The offset is at or past the end (or the blob is empty): ask for the length instead.
                var properties = await blob.GetPropertiesAsync(cancellationToken: ct).ConfigureAwait(false);
                return new AzureReadStream(blob, location, context, properties.Value.ETag, properties.Value.ContentLength, offset);
            }
        }
        catch (Exception ex) when (AzureErrors.ShouldMap(ex, ct))
        {
            throw AzureErrors.Map(ex, "read", location, context);
        }
    }

    /// <inheritdoc />
    public override bool CanRead => !_disposed;

    /// <inheritdoc />
    public override bool CanSeek => !_disposed;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => _length;

    /// <inheritdoc />
    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        if (target < 0) throw new IOException("an attempt was made to seek before the beginning of the blob");
        _position = target;
        return target;
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        // Synchronous callers get the synchronous SDK calls; the buffer is pooled because spans cannot cross awaits.
        var rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            var n = ReadCoreAsync(rented.AsMemory(0, buffer.Length), async: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            rented.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadCoreAsync(buffer.AsMemory(offset, count), async: true, cancellationToken).AsTask();

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ReadCoreAsync(buffer, async: true, cancellationToken);

    private async ValueTask<int> ReadCoreAsync(Memory<byte> buffer, bool async, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty || _position >= _length) return 0;
        try
        {
            while (true)
            {
                if (_body is not null && _bodyPosition != _position)
                {
                    var gap = _position - _bodyPosition;
                    if (gap > 0 && gap <= MaxSkip && _position < _bodyEnd)
                    {
                        await SkipAsync((int)gap, async, ct).ConfigureAwait(false);
                    }
                    else
                    {
                        DropBody();
                        _window = InitialWindow;
                    }
                }
                if (_body is null) await OpenBodyAsync(async, ct).ConfigureAwait(false);
                var want = (int)Math.Min(buffer.Length, _bodyEnd - _bodyPosition);
                var n = async
                    ? await _body!.ReadAsync(buffer[..want], ct).ConfigureAwait(false)
                    : _body!.Read(buffer.Span[..want]);
                if (n == 0)
                {
                    // The SDK resumes dropped connections itself; an early end that still gets here is a lost response.
                    throw new IOException($"the response ended {_bodyEnd - _bodyPosition} bytes before the end of the requested range");
                }
                _bodyPosition += n;
                _position += n;
                // A fully read response frees its connection for reuse.
                if (_bodyPosition == _bodyEnd) DropBody();
                return n;
            }
        }
        catch (Exception ex) when (AzureErrors.ShouldMap(ex, ct))
        {
            DropBody();
            if (ex is RequestFailedException { Status: 412 })
            {
                throw new StorageException($"{_location} changed while it was being read (ETag mismatch); inputs must not change during a run", false, ex);
            }
            throw AzureErrors.Map(ex, "read", _location, _context);
        }
    }

    private async Task OpenBodyAsync(bool async, CancellationToken ct)
    {
        long? length = _window >= ToEndWindow ? null : Math.Min(_window, _length - _position);
        var options = new BlobDownloadOptions
        {
            Range = new HttpRange(_position, length),
            Conditions = new BlobRequestConditions { IfMatch = _etag },
        };
        var response = async
            ? await _blob.DownloadStreamingAsync(options, ct).ConfigureAwait(false)
            : _blob.DownloadStreaming(options, ct);
        var result = response.Value;
        Attach(result.Content, _position, _position + result.Details.ContentLength);
        _window = Math.Min(_window * 2, ToEndWindow);
    }

    private void Attach(Stream body, long start, long end)
    {
        _body = body;
        _bodyPosition = start;
        _bodyEnd = end;
    }

    private async Task SkipAsync(int count, bool async, CancellationToken ct)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(Math.Min(count, 64 << 10));
        try
        {
            while (count > 0)
            {
                var chunk = Math.Min(count, scratch.Length);
                var n = async ? await _body!.ReadAsync(scratch.AsMemory(0, chunk), ct).ConfigureAwait(false) : _body!.Read(scratch, 0, chunk);
                if (n == 0) throw new IOException("the response ended early");
                count -= n;
                _bodyPosition += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private void DropBody()
    {
        _body?.Dispose();
        _body = null;
    }

    private static long? TotalLength(string? contentRange)
    {
        // "bytes 0-1048575/268435456"
        if (string.IsNullOrEmpty(contentRange)) return null;
        var slash = contentRange.LastIndexOf('/');
        return slash >= 0 && long.TryParse(contentRange.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var total) ? total : null;
    }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException("blob read streams are read-only");

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("blob read streams are read-only");

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) DropBody();
        _disposed = true;
        base.Dispose(disposing);
    }
}
