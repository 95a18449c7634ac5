using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Pipeline.Storage.Azure;
using Pipeline.Storage.Tests.Azure;

namespace Pipeline.IntegrationTests;

/// <summary>
/// The real <c>pipeline</c> process against a real Azurite: output and inputs in blob storage give the same bytes as
/// the local quickstart run (the collection's <see cref="QuickstartFixture"/>), an Azurite restart in the middle of a
/// run loses nothing, and a bad credential fails clearly without printing the secret.
/// </summary>
[Collection(PipelineProcesses.Name)]
public sealed class AzureTests(QuickstartFixture quickstart, AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly TempDir _dir = new();

    private static Dictionary<string, string> Env(AzuriteServer server) =>
        new() { [AzureStoreOptions.ConnectionStringVariable] = server.ConnectionString, [AzureStoreOptions.SasTokenVariable] = "" };

    private static BlobContainerClient Container(AzuriteServer server, string name) =>
        new BlobServiceClient(server.ConnectionString, AzureBlobStore.CreateClientOptions(new AzureStoreOptions { MaxRetries = 1 })).GetBlobContainerClient(name);

    /// <summary>Downloads every committed blob under <paramref name="prefix"/> into <paramref name="dir"/>.</summary>
    private static async Task<List<string>> DownloadAsync(BlobContainerClient container, string prefix, string dir)
    {
        var names = new List<string>();
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix + "/" }))
        {
            var relative = item.Name[(prefix.Length + 1)..];
            names.Add(relative);
            var file = Path.Combine(dir, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await container.GetBlobClient(item.Name).DownloadToAsync(file);
        }
        return names;
    }

    private static async Task UploadSamplesAsync(BlobContainerClient container)
    {
        await container.CreateIfNotExistsAsync();
        foreach (var folder in new[] { "samples/web", "samples/synthetic" })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(PipelineCli.RepoRoot, folder)))
            {
                if (file.EndsWith(".md", StringComparison.Ordinal)) continue;
                await container.GetBlobClient($"{folder}/{Path.GetFileName(file)}").UploadAsync(file, overwrite: true);
            }
        }
    }

    private static List<string> LocalFiles(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task Run_QuickstartWithOutputOnAzurite_ByteIdenticalToLocalAndVerifies()
    {
        Assert.True(quickstart.Run.ExitCode == 0, quickstart.Run.ToString());
        var server = azurite.Server;
        var container = "out-" + Guid.NewGuid().ToString("N")[..12];
        var output = $"az://{AzuriteServer.Account}/{container}/runs/quickstart";
        var run = await PipelineCli.RunAsync(PipelineCli.RepoRoot, Env(server), "run", "jobs/quickstart.yaml", "--output", output, "--workers", "2");
        Assert.True(run.ExitCode == 0, run.ToString());

        var names = await DownloadAsync(Container(server, container), "runs/quickstart", _dir["downloaded"]);
        Assert.Equal(LocalFiles(quickstart.Output), names.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(names, n => n.StartsWith("_work/", StringComparison.Ordinal));
        PipelineCli.AssertSameFiles(quickstart.Output, _dir["downloaded"]);

        var verify = await PipelineCli.RunAsync(PipelineCli.RepoRoot, Env(server), "verify", output);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        var rerun = await PipelineCli.RunAsync(PipelineCli.RepoRoot, Env(server), "run", "jobs/quickstart.yaml", "--output", output, "--workers", "1");
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.Contains("already complete", rerun.Stdout, StringComparison.Ordinal);
        foreach (var text in new[] { run.Stdout, run.Stderr, verify.Stdout, rerun.Stdout, File.ReadAllText(Path.Combine(_dir["downloaded"], "stats.json")) })
        {
            Assert.DoesNotContain(AzuriteServer.AccountKey, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Run_AzureQuickstartJob_InputsOnAzurite_SameShardsAndLineageAsLocal()
    {
        Assert.True(quickstart.Run.ExitCode == 0, quickstart.Run.ToString());
        var server = azurite.Server;
        await UploadSamplesAsync(Container(server, "corpus"));
        var container = "out-" + Guid.NewGuid().ToString("N")[..12];
        var output = $"az://{AzuriteServer.Account}/{container}/azure-quickstart";
        var run = await PipelineCli.RunAsync(PipelineCli.RepoRoot, Env(server), "run", "jobs/azure-quickstart.yaml", "--output", output, "--workers", "2");
        Assert.True(run.ExitCode == 0, run.ToString());
        await DownloadAsync(Container(server, container), "azure-quickstart", _dir["aq"]);

        // Shards depend only on the documents: byte-identical.
        var expected = PipelineCli.DeterministicFiles(quickstart.Output).Where(kv => kv.Key.StartsWith("shards/", StringComparison.Ordinal)).ToList();
        var actual = PipelineCli.DeterministicFiles(_dir["aq"]).Where(kv => kv.Key.StartsWith("shards/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);

        // Lineage records where each document came from: the same rows, with the Azure location as the path.
        var local = await PipelineCli.LineageAsync(quickstart.Output);
        var remote = await PipelineCli.LineageAsync(_dir["aq"]);
        Assert.Equal(local.Count, remote.Count);
        for (var i = 0; i < local.Count; i++)
        {
            Assert.Equal($"az://{AzuriteServer.Account}/corpus/{local[i].Path}", remote[i].Path);
            remote[i].Path = local[i].Path;
            Assert.Equal(JsonSerializer.Serialize(local[i]), JsonSerializer.Serialize(remote[i]));
        }

        // The manifest differs only where the job differs: its name, its hash, the source URIs and the lineage files' hashes.
        var localManifest = JsonNode.Parse(File.ReadAllText(Path.Combine(quickstart.Output, "manifest.json")))!.AsObject();
        var remoteManifest = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir["aq"], "manifest.json")))!.AsObject();
        Assert.Equal("azure-quickstart", remoteManifest["name"]!.GetValue<string>());
        Assert.Equal($"az://{AzuriteServer.Account}/corpus/samples/web/*.jsonl.gz", remoteManifest["sources"]![0]!["uri"]!.GetValue<string>());
        foreach (var m in new[] { localManifest, remoteManifest })
        {
            m.Remove("name");
            m.Remove("job_hash");
            foreach (var source in m["sources"]!.AsArray()) source!.AsObject().Remove("uri");
            foreach (var entry in m["lineage"]!.AsArray()) entry!.AsObject().Remove("sha256");
            foreach (var entry in m["lineage"]!.AsArray()) entry!.AsObject().Remove("bytes");
        }
        Assert.Equal(localManifest.ToJsonString(), remoteManifest.ToJsonString());
    }

    [Fact]
    public async Task Run_AzuriteRestartedMidRun_CompletesWithIdenticalOutputAndNoPartialBlob()
    {
        Assert.True(quickstart.Run.ExitCode == 0, quickstart.Run.ToString());
        await using var server = await AzuriteServer.StartAsync();
        var container = Container(server, "faults");
        var output = $"az://{AzuriteServer.Account}/faults/quickstart";
        var args = new[] { "run", "jobs/quickstart.yaml", "--output", output, "--workers", "2" };
        var first = PipelineCli.RunAsync(PipelineCli.RepoRoot, Env(server), args);

        // Wait until the run has committed its first unit, then take the server away for a few seconds.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        var sawProgress = false;
        while (!first.IsCompleted && DateTime.UtcNow < deadline && !sawProgress)
        {
            try
            {
                await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = "quickstart/_work/" }))
                {
                    if (item.Name.EndsWith(".done.json", StringComparison.Ordinal)) sawProgress = true;
                }
            }
            catch (Azure.RequestFailedException)
            {
                // The container does not exist yet.
            }
            if (!sawProgress) await Task.Delay(50);
        }
        if (!sawProgress)
        {
            Assert.Fail(first.IsCompleted ? $"the run ended before a committed unit was seen: {await first}" : "no unit was committed within 2 minutes");
        }
        await server.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        await server.RestartAsync();

        var result = await first;
        var attempts = new List<PipelineCli.Result> { result };
        if (result.ExitCode != 0)
        {
            // The outage outlasted the retries: the documented recovery is to run the same command again.
            Assert.Contains("transient", result.Stderr + result.Stdout, StringComparison.Ordinal);
            result = await PipelineCli.RunAsync(PipelineCli.RepoRoot, Env(server), args);
            attempts.Add(result);
        }
        Assert.True(result.ExitCode == 0, string.Join("\n=====\n", attempts));

        var names = await DownloadAsync(container, "quickstart", _dir["faults"]);
        Assert.Equal(LocalFiles(quickstart.Output), names.Order(StringComparer.Ordinal));
        PipelineCli.AssertSameFiles(quickstart.Output, _dir["faults"]);
    }

    [Fact]
    public async Task Run_WrongAccountKey_FailsFastWithClearMessageWithoutTheSecret()
    {
        const string badKey = "SW52YWxpZEtleURvTm90UHJpbnRNZUFueXdoZXJlLTAxMjM0NTY3ODlhYmNkZWY=";
        var env = new Dictionary<string, string>
        {
            [AzureStoreOptions.ConnectionStringVariable] = azurite.Server.ConnectionStringWithKey(badKey),
            [AzureStoreOptions.SasTokenVariable] = "",
        };
        var started = DateTime.UtcNow;
        var run = await PipelineCli.RunAsync(PipelineCli.RepoRoot, env, "run", "jobs/quickstart.yaml", "--output", $"az://{AzuriteServer.Account}/denied/out");
        Assert.Equal(1, run.ExitCode);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(60), "an auth failure must not be retried");
        Assert.Contains("access denied", run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"'{AzuriteServer.Account}'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("'denied'", run.Stderr, StringComparison.Ordinal);
        foreach (var text in new[] { run.Stdout, run.Stderr })
        {
            Assert.DoesNotContain(badKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain("AccountKey", text, StringComparison.Ordinal);
        }
    }

    public void Dispose() => _dir.Dispose();
}
