namespace Pipeline.Formats.Input;

/// <summary>
/// Wraps the stream the store opened. It records whether an exception came from the store itself, so the
/// readers can tell transient I/O failures (which must propagate) from decoding failures of the bytes
/// (which become rejects): decompressors throw <see cref="IOException"/> subclasses too (ZstdSharp throws
/// <see cref="EndOfStreamException"/> on truncation, Parquet.Net <see cref="IOException"/> for a bad footer),
/// so the exception type alone cannot tell them apart. Optionally it serves a trailer after the real end
/// (see <see cref="GzipEndGuardStream"/>).
/// </summary>
internal sealed class SourceStream : Stream
{
    private readonly Stream _inner;
    private readonly ReadOnlyMemory<byte> _trailer;
    private int _trailerPos = -1;

    public SourceStream(Stream inner, ReadOnlyMemory<byte> trailer = default)
    {
        _inner = inner;
        _trailer = trailer;
    }

    /// <summary>True once any call on the store's stream has thrown.</summary>
    public bool StoreFaulted { get; private set; }

    /// <summary>True once the real end was reached and the trailer began to be served.</summary>
    public bool TrailerStarted => _trailerPos >= 0;

    public override bool CanRead => true;

    public override bool CanSeek => _inner.CanSeek && _trailer.IsEmpty;

    public override bool CanWrite => false;

    public override long Length
    {
        get
        {
            try
            {
                return _inner.Length;
            }
            catch (Exception) when (MarkFault())
            {
                throw;
            }
        }
    }

    public override long Position
    {
        get
        {
            try
            {
                return _inner.Position;
            }
            catch (Exception) when (MarkFault())
            {
                throw;
            }
        }

        set
        {
            try
            {
                _inner.Position = value;
            }
            catch (Exception) when (MarkFault())
            {
                throw;
            }
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_trailerPos < 0)
        {
            int n;
            try
            {
                n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (MarkFault())
            {
                throw;
            }

            if (n > 0 || buffer.IsEmpty)
            {
                return n;
            }

            _trailerPos = 0;
        }

        return ServeTrailer(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(Span<byte> buffer)
    {
        if (_trailerPos < 0)
        {
            int n;
            try
            {
                n = _inner.Read(buffer);
            }
            catch (Exception) when (MarkFault())
            {
                throw;
            }

            if (n > 0 || buffer.IsEmpty)
            {
                return n;
            }

            _trailerPos = 0;
        }

        return ServeTrailer(buffer);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override long Seek(long offset, SeekOrigin origin)
    {
        try
        {
            return _inner.Seek(offset, origin);
        }
        catch (Exception) when (MarkFault())
        {
            throw;
        }
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int ServeTrailer(Span<byte> buffer)
    {
        int k = Math.Min(buffer.Length, _trailer.Length - _trailerPos);
        _trailer.Span.Slice(_trailerPos, k).CopyTo(buffer);
        _trailerPos += k;
        return k;
    }

    // Exception filter: records the fault and lets the exception pass unchanged (stack intact).
    private bool MarkFault()
    {
        StoreFaulted = true;
        return false;
    }
}
