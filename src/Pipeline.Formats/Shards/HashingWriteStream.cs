using System.Security.Cryptography;

namespace Pipeline.Formats.Shards;

/// <summary>
/// Forward-only write stream that SHA-256-hashes and counts every byte before passing it to the inner stream.
/// After <see cref="Abandon"/> writes are dropped, so a writer disposed without completing cannot append a
/// footer that would make a partial file look valid. Does not own the inner stream.
/// </summary>
internal sealed class HashingWriteStream : Stream
{
    private readonly Stream _inner;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _written;
    private bool _abandoned;

    /// <summary>Wraps <paramref name="inner"/>, which stays owned by the caller.</summary>
    public HashingWriteStream(Stream inner) => _inner = inner;

    /// <summary>Bytes passed to the inner stream so far.</summary>
    public long BytesWritten => _written;

    /// <inheritdoc/>
    public override bool CanRead => false;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => true;

    /// <inheritdoc/>
    public override long Length => _written;

    /// <inheritdoc/>
    public override long Position
    {
        get => _written;
        set => throw new NotSupportedException("Shard output is forward-only.");
    }

    /// <summary>Drops all later writes and flushes.</summary>
    public void Abandon() => _abandoned = true;

    /// <summary>Lower-case hex SHA-256 of the bytes written so far (resets the hash).</summary>
    public string HashHexLower() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_abandoned)
        {
            return;
        }

        _hash.AppendData(buffer);
        _inner.Write(buffer);
        _written += buffer.Length;
    }

    /// <inheritdoc/>
    public override void WriteByte(byte value) => Write([value]);

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_abandoned)
        {
            return;
        }

        _hash.AppendData(buffer.Span);
        await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        _written += buffer.Length;
    }

    /// <inheritdoc/>
    public override void Flush()
    {
        if (!_abandoned)
        {
            _inner.Flush();
        }
    }

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) =>
        _abandoned ? Task.CompletedTask : _inner.FlushAsync(cancellationToken);

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("Shard output is forward-only.");

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
