using System.Buffers;
using System.Globalization;
using System.Text;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Pipeline.Storage.Azure;

/// <summary>
/// The staging stream of one atomic blob write. Bytes collect in a pooled block buffer; each full block is staged
/// (Put Block, at most <c>maxInFlight</c> at a time) and the blob appears only when <see cref="CommitAsync"/> commits
/// the block list (Put Block List, with If-None-Match: * for create-new). A blob that fits in one block is written
/// with a single Put Blob instead. Staged blocks are invisible until committed; an abandoned write leaves only
/// uncommitted blocks, which the service discards with the next commit of the same name or after a week.
/// </summary>
internal sealed class BlockWriteStream : Stream
{
    private readonly BlockBlobClient _blob;
    private readonly string _location;
    private readonly AzureStoreContext _context;
    private readonly Func<CancellationToken, Task> _createContainer;
    private readonly int _blockSize;
    private readonly int _maxInFlight;
    private readonly string _writeId = Guid.NewGuid().ToString("N");
    private readonly List<string> _blockIds = [];
    private readonly Queue<Task> _inFlight = new();
    private readonly CancellationTokenSource _abandon = new();
    private byte[]? _buffer;
    private int _filled;
    private long _length;
    private bool _done;
    private bool _released;

    /// <summary>Creates the stream; <paramref name="createContainer"/> runs once when the container turns out to be missing.</summary>
    public BlockWriteStream(BlockBlobClient blob, string location, AzureStoreContext context, Func<CancellationToken, Task> createContainer, int blockSize, int maxInFlight)
    {
        _blob = blob;
        _location = location;
        _context = context;
        _createContainer = createContainer;
        _blockSize = blockSize;
        _maxInFlight = Math.Max(1, maxInFlight);
    }

    /// <summary>Blocks staged so far (for tests).</summary>
    public int StagedBlocks => _blockIds.Count;

    /// <inheritdoc />
    public override bool CanRead => false;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => !_done;

    /// <inheritdoc />
    public override long Length => _length;

    /// <inheritdoc />
    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException("blob write streams are forward-only");
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfDone();
        while (!buffer.IsEmpty)
        {
            var n = Append(buffer);
            buffer = buffer[n..];
            if (_filled == _blockSize) StageFullBlockAsync(async: false, CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    /// <inheritdoc />
    public override void WriteByte(byte value) => Write([value]);

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfDone();
        while (!buffer.IsEmpty)
        {
            var n = Append(buffer.Span);
            buffer = buffer[n..];
            if (_filled == _blockSize) await StageFullBlockAsync(async: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Flushing cannot publish anything early: blocks are staged when full and the blob appears at commit.</summary>
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Publishes the blob: stages the last block, waits for every staged block and commits the list (or writes a
    /// small blob with one Put Blob). Returns false when <paramref name="createNew"/> and the blob already existed.
    /// </summary>
    public async Task<bool> CommitAsync(bool createNew, CancellationToken ct)
    {
        ThrowIfDone();
        _done = true;
        var conditions = createNew ? new BlobRequestConditions { IfNoneMatch = ETag.All } : null;
        try
        {
            if (_blockIds.Count == 0)
            {
                var content = new MemoryStream(_buffer ?? [], 0, _filled, writable: false);
                await using (content.ConfigureAwait(false))
                {
                    await WithContainerAsync(
                        c => _blob.UploadAsync(content, new BlobUploadOptions { Conditions = conditions }, c),
                        () => content.Position = 0, ct).ConfigureAwait(false);
                }
                return true;
            }
            if (_filled > 0) StartStage(TakeBuffer(), _filled);
            await DrainAsync(ct).ConfigureAwait(false);
            await _blob.CommitBlockListAsync(_blockIds, new CommitBlockListOptions { Conditions = conditions }, ct).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (createNew && ex.Status is 409 or 412 && ex.ErrorCode is "BlobAlreadyExists" or "ConditionNotMet")
        {
            return false;
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == "InvalidBlockList")
        {
            // Another writer committed the same name meanwhile, which discards every other writer's uncommitted blocks.
            if (createNew && await ExistsAsync(ct).ConfigureAwait(false)) return false;
            throw new StorageException($"could not commit {_location}: a concurrent write of the same blob discarded this write's staged blocks (transient; retry the write)", true, ex);
        }
        catch (Exception ex) when (AzureErrors.ShouldMap(ex, ct))
        {
            throw AzureErrors.Map(ex, "write", _location, _context);
        }
    }

    private async Task<bool> ExistsAsync(CancellationToken ct)
    {
        var exists = await _blob.ExistsAsync(ct).ConfigureAwait(false);
        return exists.Value;
    }

    private int Append(ReadOnlySpan<byte> data)
    {
        _buffer ??= ArrayPool<byte>.Shared.Rent(_blockSize);
        var n = Math.Min(data.Length, _blockSize - _filled);
        data[..n].CopyTo(_buffer.AsSpan(_filled));
        _filled += n;
        _length += n;
        return n;
    }

    private byte[] TakeBuffer()
    {
        var buffer = _buffer!;
        _buffer = null;
        return buffer;
    }

    private async Task StageFullBlockAsync(bool async, CancellationToken ct)
    {
        try
        {
            if (!async)
            {
                // Synchronous writers stage inline; blocks still in flight from async writes finish first.
                while (_inFlight.Count > 0) _inFlight.Dequeue().GetAwaiter().GetResult();
                var id = NextBlockId();
                var buffer = TakeBuffer();
                try
                {
                    using var content = new MemoryStream(buffer, 0, _filled, writable: false);
                    StageSync(id, content);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    _filled = 0;
                }
                return;
            }
            while (_inFlight.Count >= _maxInFlight) await _inFlight.Dequeue().ConfigureAwait(false);
            StartStage(TakeBuffer(), _filled);
            _filled = 0;
        }
        catch (Exception ex) when (AzureErrors.ShouldMap(ex, ct))
        {
            throw AzureErrors.Map(ex, "write", _location, _context);
        }
    }

    private void StageSync(string id, MemoryStream content)
    {
        try
        {
            _blob.StageBlock(id, content, new BlockBlobStageBlockOptions(), _abandon.Token);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == "ContainerNotFound")
        {
            _createContainer(_abandon.Token).GetAwaiter().GetResult();
            content.Position = 0;
            _blob.StageBlock(id, content, new BlockBlobStageBlockOptions(), _abandon.Token);
        }
    }

    private void StartStage(byte[] buffer, int count)
    {
        var id = NextBlockId();
        _inFlight.Enqueue(StageAsync(id, buffer, count));
    }

    private async Task StageAsync(string id, byte[] buffer, int count)
    {
        try
        {
            var content = new MemoryStream(buffer, 0, count, writable: false);
            await using (content.ConfigureAwait(false))
            {
                await WithContainerAsync(c => _blob.StageBlockAsync(id, content, new BlockBlobStageBlockOptions(), c), () => content.Position = 0, _abandon.Token)
                    .ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task WithContainerAsync<T>(Func<CancellationToken, Task<T>> request, Action rewind, CancellationToken ct)
    {
        try
        {
            await request(ct).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == "ContainerNotFound")
        {
            await _createContainer(ct).ConfigureAwait(false);
            rewind();
            await request(ct).ConfigureAwait(false);
        }
    }

    private async Task DrainAsync(CancellationToken ct)
    {
        while (_inFlight.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            await _inFlight.Dequeue().ConfigureAwait(false);
        }
    }

    private string NextBlockId()
    {
        // Block ids of one blob must all have the same length; the write id keeps racing writers' blocks apart.
        var raw = _writeId + _blockIds.Count.ToString("D8", CultureInfo.InvariantCulture);
        var id = Convert.ToBase64String(Encoding.ASCII.GetBytes(raw));
        _blockIds.Add(id);
        return id;
    }

    private void ThrowIfDone()
    {
        if (_done) throw new InvalidOperationException($"the write of {_location} is already committed or abandoned");
    }

    /// <summary>Abandons an uncommitted write: cancels staging, waits for it and returns the buffers.</summary>
    public override async ValueTask DisposeAsync()
    {
        if (!_released)
        {
            _released = true;
            _done = true;
            await _abandon.CancelAsync().ConfigureAwait(false);
            while (_inFlight.Count > 0) await _inFlight.Dequeue().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Release();
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_released)
        {
            _released = true;
            _done = true;
            _abandon.Cancel();
            while (_inFlight.Count > 0) _inFlight.Dequeue().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
            Release();
        }
        base.Dispose(disposing);
    }

    private void Release()
    {
        if (_buffer is not null) ArrayPool<byte>.Shared.Return(TakeBuffer());
        _abandon.Dispose();
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("blob write streams are write-only");

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("blob write streams are forward-only");

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException("blob write streams are forward-only");
}
