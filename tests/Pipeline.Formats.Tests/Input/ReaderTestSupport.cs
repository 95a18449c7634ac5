using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using Pipeline.Core.Documents;
using Pipeline.Formats.Input;

namespace Pipeline.Formats.Tests.Input;

/// <summary>Helpers shared by the reader tests: in-memory blobs, compression, collecting documents.</summary>
internal static class ReaderTestSupport
{
    public static readonly ReaderOptions Options = new("text", "id", 8 << 20);

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>An <see cref="OpenAt"/> over bytes in memory; optionally trickles reads of 1..maxRead bytes.</summary>
    public static OpenAt Open(byte[] blob, int maxRead = 0) => (offset, _) =>
    {
        Stream s = new MemoryStream(blob, (int)offset, blob.Length - (int)offset, writable: false);
        if (maxRead > 0)
        {
            s = new TrickleStream(s, maxRead, seed: (int)offset);
        }

        return Task.FromResult(s);
    };

    /// <summary>An <see cref="OpenAt"/> over a file on disk (the real local store's behaviour).</summary>
    public static OpenAt OpenFile(string path) => (offset, _) =>
    {
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.Asynchronous);
        fs.Seek(offset, SeekOrigin.Begin);
        return Task.FromResult<Stream>(fs);
    };

    public static async Task<List<SourceDocument>> ReadAll(
        string path, byte[] blob, long start = 0, long? end = null, ReaderOptions? options = null, int maxRead = 0)
    {
        var list = new List<SourceDocument>();
        await foreach (var d in DocumentReaders.ReadAsync(path, Open(blob, maxRead), start, end, options ?? Options, CancellationToken.None))
        {
            list.Add(d);
        }

        return list;
    }

    public static async Task<List<SourceDocument>> ReadAll(string path, OpenAt open, ReaderOptions? options = null)
    {
        var list = new List<SourceDocument>();
        await foreach (var d in DocumentReaders.ReadAsync(path, open, 0, null, options ?? Options, CancellationToken.None))
        {
            list.Add(d);
        }

        return list;
    }

    public static byte[] Gzip(byte[] data, CompressionLevel level = CompressionLevel.Optimal)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, level, leaveOpen: true))
        {
            gz.Write(data);
        }

        return ms.ToArray();
    }

    public static byte[] Zstd(byte[] data, int level = 3)
    {
        using var c = new ZstdSharp.Compressor(level);
        return c.Wrap(data).ToArray();
    }

    /// <summary>JSONL of <paramref name="count"/> documents with ids 1..count and varied text lengths.</summary>
    public static byte[] MakeJsonl(int count, int seed = 7, string newline = "\n")
    {
        var rnd = new Random(seed);
        var sb = new StringBuilder();
        for (int i = 1; i <= count; i++)
        {
            sb.Append("{\"id\":\"doc-").Append(i).Append("\",\"text\":\"").Append(TextFor(i, rnd)).Append("\"}").Append(newline);
        }

        return Utf8(sb.ToString());
    }

    public static string TextFor(int i, Random rnd)
    {
        int words = rnd.Next(1, 60);
        var sb = new StringBuilder();
        sb.Append("doc ").Append(i);
        for (int w = 0; w < words; w++)
        {
            sb.Append(' ').Append((char)('a' + rnd.Next(26))).Append((char)('a' + rnd.Next(26))).Append('é');
        }

        return sb.ToString();
    }

    /// <summary>Finds the repository root from this source file's location.</summary>
    public static string RepoRoot([CallerFilePath] string here = "")
    {
        var dir = new DirectoryInfo(Path.GetDirectoryName(here)!);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("repository root (Pipeline.sln) not found above " + here);
    }
}

/// <summary>Returns reads of a random 1..max bytes, to exercise every buffer boundary of the readers.</summary>
internal sealed class TrickleStream(Stream inner, int max, int seed) : Stream
{
    private readonly Random _rnd = new(seed);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, _rnd.Next(1, max + 1)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer[..Math.Min(buffer.Length, _rnd.Next(1, max + 1))], cancellationToken);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>A store stream that fails with an <see cref="IOException"/> after a number of bytes (a dropped connection).</summary>
internal sealed class FailingStream(byte[] data, int failAfter, IOException error) : Stream
{
    private int _pos;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_pos >= failAfter)
        {
            throw error;
        }

        int n = Math.Min(buffer.Length, Math.Min(failAfter, data.Length) - _pos);
        data.AsSpan(_pos, n).CopyTo(buffer);
        _pos += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
