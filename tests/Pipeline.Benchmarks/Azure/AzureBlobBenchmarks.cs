using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Pipeline.Storage;
using Pipeline.Storage.Azure;
using Pipeline.Storage.Tests.Azure;

namespace Pipeline.Benchmarks.Azure;

/// <summary>
/// Shared set-up of the Azure benchmarks: a real Azurite (installed into .tools/azurite on first use) in this process's
/// reach, and the store and SDK clients on it. Runs in-process (no generated benchmark project) with one
/// invocation per iteration: each operation moves hundreds of MB, so per-call overhead is irrelevant.
/// </summary>
public abstract class AzureBenchmarkBase
{
    /// <summary>In-process, 1 warm-up and 5 measured iterations of one invocation each; median and ratio columns.</summary>
    protected sealed class Config : ManualConfig
    {
        /// <summary>Creates the config.</summary>
        public Config()
        {
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5));
            AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max);
        }
    }

    /// <summary>Blob size in MiB (env PIPELINE_BENCH_BLOB_MB, default 256).</summary>
    protected static int BlobMiB => int.TryParse(Environment.GetEnvironmentVariable("PIPELINE_BENCH_BLOB_MB"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var mb) ? mb : 256;

    /// <summary>The server.</summary>
    protected AzuriteServer Server { get; private set; } = null!;

    /// <summary>Starts Azurite.</summary>
    protected async Task StartAsync() => Server = await AzuriteServer.StartAsync().ConfigureAwait(false);

    /// <summary>Options for the store: the server's connection string, defaults otherwise.</summary>
    protected AzureStoreOptions StoreOptions(int maxConcurrentBlocks = 2) => new() { ConnectionString = Server.ConnectionString, MaxConcurrentBlocks = maxConcurrentBlocks };

    /// <summary>The SDK's container client with the same client options as the store.</summary>
    protected BlobContainerClient SdkContainer(string name) =>
        new BlobServiceClient(Server.ConnectionString, AzureBlobStore.CreateClientOptions(StoreOptions())).GetBlobContainerClient(name);

    /// <summary>The transfer options of the SDK baselines (stack-notes §2: 4 × 8 MiB).</summary>
    protected static StorageTransferOptions SdkTransfer => new() { MaximumConcurrency = 4, InitialTransferSize = 8 << 20, MaximumTransferSize = 8 << 20 };

    /// <summary>Stops Azurite and removes its data.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        OnCleanup();
        Server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Clean-up of a derived benchmark, before Azurite stops.</summary>
    protected virtual void OnCleanup()
    {
    }
}

/// <summary>
/// Sequential read of one large blob: <see cref="AzureBlobStore.OpenReadAsync"/> (what the pipeline's readers use)
/// against the SDK's parallel <c>DownloadToAsync</c> of the same blob (baseline) and the SDK's own lazy
/// <c>OpenReadAsync</c> stream. Bytes go to <see cref="Stream.Null"/>. MB/s = size / median.
/// </summary>
[Config(typeof(Config))]
public class AzureBlobReadBenchmarks : AzureBenchmarkBase
{
    private const string Name = "bench/read.bin";
    private AzureBlobStore _store = null!;
    private BlobClient _blob = null!;

    /// <summary>Starts Azurite and uploads a random blob of <see cref="AzureBenchmarkBase.BlobMiB"/> MiB.</summary>
    [GlobalSetup]
    public void Setup()
    {
        StartAsync().GetAwaiter().GetResult();
        _store = new AzureBlobStore(AzureBlobAddress.Parse($"az://{AzuriteServer.Account}/bench-read"), StoreOptions());
        var data = new byte[BlobMiB << 20];
        new Random(42).NextBytes(data);
        _store.WriteAllBytesAsync(Name, data, WriteMode.Overwrite, CancellationToken.None).GetAwaiter().GetResult();
        _blob = _store.Container.GetBlobClient(_store.BlobName(Name));
        Console.WriteLine($"// AZURE read blob {data.Length:N0} bytes at {Server.BlobEndpoint}");
    }

    /// <summary>The SDK's partitioned parallel download (4 × 8 MiB ranges in flight).</summary>
    [Benchmark(Baseline = true)]
    public Task SdkDownloadTo() => _blob.DownloadToAsync(Stream.Null, new BlobDownloadToOptions { TransferOptions = SdkTransfer });

    /// <summary>The store's streaming read (one ranged GET at a time, windows doubling from 1 MiB to the end).</summary>
    [Benchmark]
    public async Task<long> StoreOpenRead()
    {
        var s = await _store.OpenReadAsync(Name, 0, CancellationToken.None).ConfigureAwait(false);
        await using (s.ConfigureAwait(false))
        {
            await s.CopyToAsync(Stream.Null, 1 << 20).ConfigureAwait(false);
            return s.Position;
        }
    }

    /// <summary>The SDK's lazy seekable stream with an 8 MiB buffer (one 8 MiB GET per refill).</summary>
    [Benchmark]
    public async Task<long> SdkOpenRead()
    {
        var s = await _blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { BufferSize = 8 << 20 }).ConfigureAwait(false);
        await using (s.ConfigureAwait(false))
        {
            await s.CopyToAsync(Stream.Null, 1 << 20).ConfigureAwait(false);
            return s.Position;
        }
    }
}

/// <summary>
/// Upload of one shard-sized blob written in 1 MiB pieces: <see cref="AzureBlobStore.WriteAsync"/> (8 MiB staged
/// blocks, <see cref="MaxConcurrentBlocks"/> in flight, one commit) against the SDK's parallel <c>UploadAsync</c> of
/// the same bytes (baseline, 4 × 8 MiB).
/// </summary>
[Config(typeof(Config))]
public class AzureBlobWriteBenchmarks : AzureBenchmarkBase
{
    private byte[] _data = [];
    private AzureBlobStore _store = null!;
    private BlobClient _blob = null!;

    /// <summary>Blocks the store's writer stages concurrently.</summary>
    [Params(2, 4)]
    public int MaxConcurrentBlocks { get; set; } = 2;

    /// <summary>Starts Azurite and makes the payload.</summary>
    [GlobalSetup]
    public void Setup()
    {
        StartAsync().GetAwaiter().GetResult();
        _data = new byte[BlobMiB << 20];
        new Random(7).NextBytes(_data);
        _store = new AzureBlobStore(AzureBlobAddress.Parse($"az://{AzuriteServer.Account}/bench-write"), StoreOptions(MaxConcurrentBlocks));
        _blob = SdkContainer("bench-write").GetBlobClient("sdk/shard.bin");
        _store.WriteAllBytesAsync("warm.bin", new byte[16], WriteMode.Overwrite, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>The SDK's partitioned upload from memory.</summary>
    [Benchmark(Baseline = true)]
    public Task SdkUpload() => _blob.UploadAsync(new BinaryData(_data), new BlobUploadOptions { TransferOptions = SdkTransfer });

    /// <summary>The store's atomic staged-block write, fed 1 MiB at a time like a shard writer.</summary>
    [Benchmark]
    public Task<bool> StoreWrite() => _store.WriteAsync("store/shard.bin", async (s, ct) =>
    {
        for (var i = 0; i < _data.Length; i += 1 << 20) await s.WriteAsync(_data.AsMemory(i, Math.Min(1 << 20, _data.Length - i)), ct).ConfigureAwait(false);
    }, WriteMode.Overwrite, CancellationToken.None);
}

/// <summary>
/// Peak RSS of the real <c>pipeline</c> process while it runs a job whose only input is one large JSONL blob on Azurite
/// (env PIPELINE_BENCH_INPUT_MB, default 2048) and whose output is on Azurite too; and, as the engine's baseline, the
/// same job on the same bytes in a local folder. The CLI is
/// PIPELINE_CLI_DLL (default <c>artifacts/cli/pipeline.dll</c>, built by <c>./pipeline</c>); it runs under
/// <c>/usr/bin/time</c>, and each run prints a <c>// AZURE-RSS</c> line with the peak RSS and wall time.
/// </summary>
[Config(typeof(ColdConfig))]
public class AzurePipelineMemoryBenchmarks : AzureBenchmarkBase
{
    private string _work = "";
    private string _job = "";
    private int _run;

    /// <summary>One cold run per launch: a run reads the whole input once.</summary>
    protected sealed class ColdConfig : ManualConfig
    {
        /// <summary>Creates the config.</summary>
        public ColdConfig() => AddJob(Job.Default.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(2), logOutput: true)).WithStrategy(RunStrategy.ColdStart)
            .WithLaunchCount(1).WithWarmupCount(0).WithIterationCount(Iterations));
    }

    private static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("PIPELINE_BENCH_RUNS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 1;

    private static long InputBytes => (int.TryParse(Environment.GetEnvironmentVariable("PIPELINE_BENCH_INPUT_MB"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var mb) ? mb : 2048) * (1L << 20);

    private static string CliDll => Environment.GetEnvironmentVariable("PIPELINE_CLI_DLL") ?? Path.Combine(AzuriteServer.RepoRoot, "artifacts", "cli", "pipeline.dll");

    /// <summary>Where the input and the output live: "azure" (Azurite) or "local" (the same JSONL as a local file, the
    /// engine's own baseline). Env PIPELINE_BENCH_WHERE, comma-separated; default both.</summary>
    [ParamsSource(nameof(Wheres))]
    public string Where { get; set; } = "azure";

    /// <summary>The values of <see cref="Where"/>.</summary>
    public static IEnumerable<string> Wheres => (Environment.GetEnvironmentVariable("PIPELINE_BENCH_WHERE") ?? "azure,local").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Starts Azurite, writes the input JSONL (the Brown sample documents repeated with distinct ids) and, for
    /// "azure", uploads it.</summary>
    [GlobalSetup]
    public void Setup()
    {
        if (!File.Exists(CliDll)) throw new FileNotFoundException($"pipeline CLI not found at {CliDll}: run ./pipeline --help once, or set PIPELINE_CLI_DLL");
        StartAsync().GetAwaiter().GetResult();
        _work = Path.Combine(Path.GetTempPath(), "pipeline-azure-rss-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(_work, "big"));
        var input = Path.Combine(_work, "big", "input.jsonl");
        var bytes = WriteInput(input, InputBytes);
        string uri;
        if (Where == "azure")
        {
            var upload = Stopwatch.StartNew();
            SdkContainer("corpus").CreateIfNotExists();
            SdkContainer("corpus").GetBlobClient("big/input.jsonl").Upload(input, new BlobUploadOptions { TransferOptions = SdkTransfer });
            File.Delete(input);
            Console.WriteLine($"// AZURE-RSS input {bytes:N0} bytes uploaded in {upload.Elapsed.TotalSeconds:0.0} s");
            uri = $"az://{AzuriteServer.Account}/corpus/big/*.jsonl";
        }
        else
        {
            uri = Path.Combine(_work, "big", "*.jsonl");
        }
        _job = Path.Combine(_work, "job.yaml");
        File.WriteAllText(_job, $"""
            name: azure-rss
            seed: 1
            output: unused
            sources:
              - name: big
                uri: {uri}
                text_field: text
                id_field: id
            tokenizer: {"{"} name: cl100k_base {"}"}
            pack: {"{"} seq_len: 2048, strategy: best_fit {"}"}
            """);
    }

    /// <summary>Runs the job once into a fresh output and prints the peak RSS of the process.</summary>
    [Benchmark]
    public void PipelineRun()
    {
        var output = Where == "azure" ? $"az://{AzuriteServer.Account}/bench-out/run-{_run++}" : Path.Combine(_work, $"out-{_run++}");
        var psi = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-f", "AZURE-RSS-TIME %M %e", "dotnet", CliDll, "run", _job, "--output", output, "--workers", "2" })
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment[AzureStoreOptions.ConnectionStringVariable] = Server.ConnectionString;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        var line = stderr.Split('\n').LastOrDefault(l => l.StartsWith("AZURE-RSS-TIME", StringComparison.Ordinal))?.Split(' ');
        if (process.ExitCode != 0 || line is null) throw new InvalidOperationException($"pipeline run failed (exit {process.ExitCode}):\n{stdout.Result}\n{stderr}");
        var rssMiB = long.Parse(line[1], CultureInfo.InvariantCulture) / 1024.0;
        Console.WriteLine($"// AZURE-RSS where={Where} peak_rss_mib={rssMiB:0} wall_s={line[2]} input_bytes={InputBytes:N0}");
        Console.WriteLine(stdout.Result);
        if (Where == "local") Directory.Delete(output, recursive: true);
    }

    /// <summary>Removes the working folder.</summary>
    protected override void OnCleanup()
    {
        if (Directory.Exists(_work)) Directory.Delete(_work, recursive: true);
    }

    private static long WriteInput(string path, long target)
    {
        var docs = new List<JsonObject>();
        foreach (var file in Directory.GetFiles(Path.Combine(AzuriteServer.RepoRoot, "samples", "web"), "*.jsonl.gz").Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(new GZipStream(File.OpenRead(file), CompressionMode.Decompress), Encoding.UTF8);
            while (reader.ReadLine() is { } line) docs.Add(JsonNode.Parse(line)!.AsObject());
        }
        long written = 0;
        using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        for (var copy = 0; written < target; copy++)
        {
            foreach (var doc in docs)
            {
                var clone = doc.DeepClone().AsObject();
                clone["id"] = $"{doc["id"]}-{copy.ToString("D5", CultureInfo.InvariantCulture)}";
                var bytes = Encoding.UTF8.GetBytes(clone.ToJsonString() + "\n");
                output.Write(bytes);
                written += bytes.Length;
                if (written >= target) break;
            }
        }
        return written;
    }
}

/// <summary>
/// Removing a job's intermediate files: <see cref="Blobs"/> small blobs in a few folders (the 156 MB cluster benchmark
/// job leaves 564 under <c>_work/</c>), deleted one at a time (baseline: the clean-up before 2026-11-29) against
/// <see cref="BlobStoreExtensions.DeleteAllAsync"/> (<see cref="BlobStoreExtensions.DeleteConcurrency"/> in flight), on
/// Azurite and on the local file system. Every iteration first writes the blobs again.
/// </summary>
[Config(typeof(Config))]
public class AzureCleanUpBenchmarks : AzureBenchmarkBase
{
    private const string Prefix = "_work/";
    private string _local = "";
    private IBlobStore _store = null!;

    /// <summary>Blobs to delete.</summary>
    [Params(564)]
    public int Blobs { get; set; }

    /// <summary>Where the blobs are: "azure" (Azurite) or "local" (a temporary folder).</summary>
    [Params("azure", "local")]
    public string Where { get; set; } = "azure";

    /// <summary>Starts Azurite (for "azure") or makes the folder.</summary>
    [GlobalSetup]
    public void Setup()
    {
        if (Where == "azure")
        {
            StartAsync().GetAwaiter().GetResult();
            _store = new AzureBlobStore(AzureBlobAddress.Parse($"az://{AzuriteServer.Account}/bench-clean-up"), StoreOptions());
        }
        else
        {
            _local = Path.Combine(Path.GetTempPath(), "pipeline-clean-up-" + Guid.NewGuid().ToString("N"));
            _store = new LocalBlobStore(_local);
        }
    }

    /// <summary>Writes the blobs: 4 per unit folder, 1 KiB each.</summary>
    [IterationSetup]
    public void WriteBlobs()
    {
        var payload = new byte[1024];
        Parallel.For(0, Blobs, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            _store.WriteAllBytesAsync($"{Prefix}units/{i / 4:D4}/part{i % 4}.bin", payload, WriteMode.Overwrite, CancellationToken.None).GetAwaiter().GetResult());
    }

    /// <summary>List, then delete one blob at a time.</summary>
    [Benchmark(Baseline = true)]
    public async Task OneAtATime()
    {
        var paths = new List<string>();
        await foreach (var blob in _store.ListAsync(Prefix, CancellationToken.None).ConfigureAwait(false)) paths.Add(blob.Path);
        foreach (var path in paths) await _store.DeleteAsync(path, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>List, then delete <see cref="BlobStoreExtensions.DeleteConcurrency"/> at a time.</summary>
    [Benchmark]
    public Task DeleteAll() => _store.DeleteAllAsync(Prefix, CancellationToken.None);

    /// <inheritdoc />
    protected override void OnCleanup()
    {
        if (_local.Length > 0 && Directory.Exists(_local)) Directory.Delete(_local, recursive: true);
    }
}
