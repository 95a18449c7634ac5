using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Pipeline.Formats.Input;

namespace Pipeline.Benchmarks.Readers;

/// <summary>
/// Single-threaded read + parse throughput of <see cref="DocumentReaders"/> over 64 MiB of uncompressed JSONL held
/// in memory (so the store is not measured). Corpora are built from the bundled samples: "web" repeats the 500
/// Brown documents (~12 KB each), "math" the 4,000 synthetic problems (~0.9 KB each); each blob is padded to exactly
/// 64 MiB. OperationsPerInvoke = 64, so the reported time is per MiB of uncompressed JSONL: MiB/s = 1e9 / (ns per op).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 6)]
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class ReaderBenchmarks
{
    private const int MiB = 64;
    private static readonly ReaderOptions Options = new("text", "id", 8 << 20);
    private byte[] _plain = [];
    private byte[] _gzip = [];
    private byte[] _zstd = [];

    /// <summary>Which sample corpus the documents come from.</summary>
    [Params("web", "math")]
    public string Corpus { get; set; } = "web";

    /// <summary>Builds the 64 MiB blobs and their compressed forms.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var lines = LoadSampleLines(Corpus).GetAwaiter().GetResult();
        _plain = Fill(lines, MiB << 20);
        using (var ms = new MemoryStream())
        {
            using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true))
            {
                gz.Write(_plain);
            }

            _gzip = ms.ToArray();
        }

        using (var z = new ZstdSharp.Compressor(3))
        {
            _zstd = z.Wrap(_plain).ToArray();
        }

        Console.WriteLine($"// READERS corpus={Corpus} plain={_plain.Length:N0} gzip={_gzip.Length:N0} zstd={_zstd.Length:N0} lines={_plain.AsSpan().Count((byte)'\n'):N0}");
    }

    /// <summary>Uncompressed JSONL.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = MiB)]
    public Task<long> Jsonl() => Consume("bench.jsonl", _plain);

    /// <summary>Gzip-compressed JSONL (GZipStream + end guard).</summary>
    [Benchmark(OperationsPerInvoke = MiB)]
    public Task<long> JsonlGzip() => Consume("bench.jsonl.gz", _gzip);

    /// <summary>Zstd-compressed JSONL (ZstdSharp DecompressionStream).</summary>
    [Benchmark(OperationsPerInvoke = MiB)]
    public Task<long> JsonlZstd() => Consume("bench.jsonl.zst", _zstd);

    private static async Task<long> Consume(string path, byte[] blob)
    {
        OpenAt open = (offset, _) => Task.FromResult<Stream>(new MemoryStream(blob, (int)offset, blob.Length - (int)offset, writable: false));
        long chars = 0;
        await foreach (var d in DocumentReaders.ReadAsync(path, open, 0, null, Options, CancellationToken.None).ConfigureAwait(false))
        {
            chars += d.Text?.Length ?? -1;
        }

        return chars;
    }

    private static async Task<List<byte[]>> LoadSampleLines(string corpus)
    {
        string dir = Path.Combine(RepoRoot(), "samples", corpus == "web" ? "web" : "synthetic");
        var lines = new List<byte[]>();
        foreach (var file in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
        {
            OpenAt open = (offset, _) => Task.FromResult<Stream>(File.OpenRead(file));
            await foreach (var d in DocumentReaders.ReadAsync(file, open, 0, null, Options, CancellationToken.None).ConfigureAwait(false))
            {
                lines.Add(JsonSerializer.SerializeToUtf8Bytes(new { id = d.OriginalId, text = d.Text }));
            }
        }

        return lines;
    }

    // Repeats the lines (with a counter in the id) and pads the last line so the blob is exactly `size` bytes.
    private static byte[] Fill(List<byte[]> lines, int size)
    {
        var blob = new byte[size];
        int pos = 0;
        for (int i = 0; ; i++)
        {
            var line = lines[i % lines.Count];
            if (pos + line.Length + 1 > size - 64)
            {
                break;
            }

            line.CopyTo(blob, pos);
            pos += line.Length;
            blob[pos++] = (byte)'\n';
        }

        var head = Encoding.UTF8.GetBytes("{\"id\":\"pad\",\"text\":\"");
        head.CopyTo(blob, pos);
        pos += head.Length;
        int padEnd = size - 3;
        blob.AsSpan(pos, padEnd - pos).Fill((byte)'x');
        "\"}\n"u8.CopyTo(blob.AsSpan(padEnd));
        return blob;
    }

    private static string RepoRoot([CallerFilePath] string here = "")
    {
        var dir = new DirectoryInfo(Path.GetDirectoryName(here)!);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("Pipeline.sln not found above " + here);
    }
}
