using System.Diagnostics;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using Pipeline.Storage.Azure;

namespace Pipeline.Storage.Tests.Azure;

/// <summary>The collection of tests that talk to Azurite: they share one server.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteTests : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}

/// <summary>The blob-store contract suite on a real Azurite, each test in a fresh container under a root prefix.</summary>
[Collection(AzuriteTests.Name)]
public sealed class AzureBlobStoreContractTests(AzuriteFixture azurite) : BlobStoreContractTests
{
    protected override IBlobStore CreateStore() =>
        new AzureBlobStore(AzureBlobAddress.Parse($"az://{AzuriteServer.Account}/contract-{Guid.NewGuid():N}/some/root"),
            new AzureStoreOptions { ConnectionString = azurite.Server.ConnectionString, MaxRetries = 1 });
}

/// <summary>What only the Azure store does: staged blocks, conditional commits, ranged streaming, errors and secrets.</summary>
[Collection(AzuriteTests.Name)]
public sealed class AzureBlobStoreTests(AzuriteFixture azurite)
{
    private AzuriteServer Server => azurite.Server;

    private AzureStoreOptions Options(int blockSize = 8 << 20) =>
        new() { ConnectionString = Server.ConnectionString, MaxRetries = 1, BlockSize = blockSize };

    private static string NewContainer() => "t-" + Guid.NewGuid().ToString("N");

    private AzureBlobStore NewStore(int blockSize = 8 << 20, string root = "root") =>
        new(AzureBlobAddress.Parse($"az://{AzuriteServer.Account}/{NewContainer()}/{root}"), Options(blockSize));

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]> ReadAll(AzureBlobStore store, string path, long offset = 0)
    {
        await using var s = await store.OpenReadAsync(path, offset, CancellationToken.None);
        using var copy = new MemoryStream();
        await s.CopyToAsync(copy, 64 << 10);
        return copy.ToArray();
    }

    private static Task<bool> WriteChunked(AzureBlobStore store, string path, byte[] data, WriteMode mode, int chunk = 700, Func<Task>? midway = null) =>
        store.WriteAsync(path, async (s, ct) =>
        {
            for (var i = 0; i < data.Length; i += chunk)
            {
                await s.WriteAsync(data.AsMemory(i, Math.Min(chunk, data.Length - i)), ct);
                if (midway is not null && i <= data.Length / 2 && data.Length / 2 < i + chunk) await midway();
            }
        }, mode, CancellationToken.None);

    [Fact]
    public async Task WriteAsync_ManyBlocks_InvisibleUntilCommitThenCommittedAsBlockList()
    {
        var store = NewStore(blockSize: 1024);
        var data = RandomBytes(10 * 1024 + 300, 1);
        BlobInfo? seenMidway = new("sentinel", -1);
        var listedMidway = -1;
        Assert.True(await WriteChunked(store, "big/blob.bin", data, WriteMode.CreateNew, midway: async () =>
        {
            seenMidway = await store.GetInfoAsync("big/blob.bin", CancellationToken.None);
            listedMidway = 0;
            await foreach (var _ in store.ListAsync("", CancellationToken.None)) listedMidway++;
        }));
        Assert.Null(seenMidway);
        Assert.Equal(0, listedMidway);
        Assert.Equal(data, await ReadAll(store, "big/blob.bin"));
        var blocks = await store.Container.GetBlockBlobClient(store.BlobName("big/blob.bin")).GetBlockListAsync(BlockListTypes.All);
        Assert.Equal(11, blocks.Value.CommittedBlocks.Count());
        Assert.Empty(blocks.Value.UncommittedBlocks);
    }

    [Fact]
    public async Task WriteAsync_SyncWritesAcrossBlocks_RoundTrip()
    {
        var store = NewStore(blockSize: 4096);
        var data = RandomBytes(20_000, 2);
        Assert.True(await store.WriteAsync("sync.bin", (s, _) =>
        {
            for (var i = 0; i < data.Length; i += 999) s.Write(data, i, Math.Min(999, data.Length - i));
            return Task.CompletedTask;
        }, WriteMode.Overwrite, CancellationToken.None));
        Assert.Equal(data, await ReadAll(store, "sync.bin"));
    }

    [Fact]
    public async Task WriteAsync_RacingMultiBlockCreateNew_ExactlyOneWinsBlobIsTheWinners()
    {
        var store = NewStore(blockSize: 1024);
        var payloads = Enumerable.Range(0, 6).Select(i => RandomBytes(5 * 1024, 100 + i)).ToArray();
        var results = await Task.WhenAll(payloads.Select(p => WriteChunked(store, "race/shard.parquet", p, WriteMode.CreateNew)));
        Assert.Equal(1, results.Count(r => r));
        var winner = payloads[Array.IndexOf(results, true)];
        Assert.Equal(winner, await ReadAll(store, "race/shard.parquet"));
    }

    [Fact]
    public async Task WriteAsync_MultiBlockCreateNewOnExisting_ReturnsFalseAndKeepsBlob()
    {
        var store = NewStore(blockSize: 1024);
        var first = RandomBytes(3000, 3);
        Assert.True(await WriteChunked(store, "m.done", first, WriteMode.CreateNew));
        Assert.False(await WriteChunked(store, "m.done", RandomBytes(5000, 4), WriteMode.CreateNew));
        Assert.Equal(first, await ReadAll(store, "m.done"));
    }

    [Fact]
    public async Task WriteAsync_WriterThrowsAfterStagingBlocks_NothingVisible()
    {
        var store = NewStore(blockSize: 1024);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.WriteAsync("partial.bin", async (s, ct) =>
        {
            await s.WriteAsync(RandomBytes(5000, 5), ct);
            throw new InvalidOperationException("writer failed");
        }, WriteMode.Overwrite, CancellationToken.None));
        Assert.Null(await store.GetInfoAsync("partial.bin", CancellationToken.None));
        await store.PurgeIncompleteWritesAsync(CancellationToken.None);
        Assert.Null(await store.GetInfoAsync("partial.bin", CancellationToken.None));
        // The next write of the name replaces the leftover blocks.
        var data = RandomBytes(2500, 6);
        Assert.True(await WriteChunked(store, "partial.bin", data, WriteMode.CreateNew));
        Assert.Equal(data, await ReadAll(store, "partial.bin"));
    }

    [Fact]
    public async Task OpenReadAsync_SequentialAcrossWindowsAndFromOffset_ReturnsSameBytes()
    {
        var store = NewStore();
        var data = RandomBytes(5 * 1024 * 1024 + 123, 7);
        await store.WriteAllBytesAsync("large.bin", data, WriteMode.Overwrite, CancellationToken.None);
        Assert.Equal(data, await ReadAll(store, "large.bin"));
        Assert.Equal(data.AsSpan(3_000_001).ToArray(), await ReadAll(store, "large.bin", 3_000_001));
        Assert.Empty(await ReadAll(store, "large.bin", data.Length));
    }

    [Fact]
    public async Task OpenReadAsync_RandomSeeksAsyncAndSync_ReturnExactRanges()
    {
        var store = NewStore();
        var data = RandomBytes(3 * 1024 * 1024, 8);
        await store.WriteAllBytesAsync("seek.bin", data, WriteMode.Overwrite, CancellationToken.None);
        await using var s = await store.OpenReadAsync("seek.bin", 0, CancellationToken.None);
        Assert.True(s.CanSeek);
        Assert.Equal(data.Length, s.Length);
        var rng = new Random(9);
        var buffer = new byte[70_000];
        for (var i = 0; i < 40; i++)
        {
            // Parquet-like: jumps back and forth, short forward skips, reads at the very end.
            long at = (i % 5) switch
            {
                0 => data.Length - 8,
                1 => s.Position + rng.Next(1, 200_000),
                _ => rng.Next(0, data.Length - 1),
            };
            at = Math.Min(at, data.Length - 1);
            s.Seek(at, SeekOrigin.Begin);
            var want = (int)Math.Min(buffer.Length, data.Length - at);
            if (i % 2 == 0) await s.ReadExactlyAsync(buffer.AsMemory(0, want));
            else s.ReadExactly(buffer, 0, want);
            Assert.True(data.AsSpan((int)at, want).SequenceEqual(buffer.AsSpan(0, want)), $"mismatch at read {i} offset {at}");
            Assert.Equal(at + want, s.Position);
        }
        s.Seek(0, SeekOrigin.End);
        Assert.Equal(0, await s.ReadAsync(buffer));
    }

    [Fact]
    public async Task OpenReadAsync_EmptyBlob_ReadsNothing()
    {
        var store = NewStore();
        await store.WriteAllBytesAsync("empty.bin", Array.Empty<byte>(), WriteMode.CreateNew, CancellationToken.None);
        Assert.Equal(0, (await store.GetInfoAsync("empty.bin", CancellationToken.None))!.Length);
        Assert.Empty(await ReadAll(store, "empty.bin"));
    }

    [Fact]
    public async Task OpenReadAsync_BlobReplacedWhileReading_FailsAsChangedNotTransient()
    {
        var store = NewStore();
        await store.WriteAllBytesAsync("changing.bin", RandomBytes(3 * 1024 * 1024, 10), WriteMode.Overwrite, CancellationToken.None);
        await using var s = await store.OpenReadAsync("changing.bin", 0, CancellationToken.None);
        var buffer = new byte[AzureReadStreamWindow];
        await s.ReadExactlyAsync(buffer);
        await store.WriteAllBytesAsync("changing.bin", RandomBytes(3 * 1024 * 1024, 11), WriteMode.Overwrite, CancellationToken.None);
        var ex = await Assert.ThrowsAsync<StorageException>(async () => await s.ReadExactlyAsync(buffer));
        Assert.False(ex.IsTransient);
        Assert.Contains("changed while it was being read", ex.Message, StringComparison.Ordinal);
    }

    private const int AzureReadStreamWindow = 1 << 20;

    [Fact]
    public async Task ListAsync_MissingContainer_IsEmptyAndFirstWriteCreatesIt()
    {
        var store = NewStore(root: "");
        await foreach (var blob in store.ListAsync("", CancellationToken.None)) Assert.Fail($"unexpected {blob.Path}");
        Assert.Null(await store.GetInfoAsync("a.txt", CancellationToken.None));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.OpenReadAsync("a.txt", 0, CancellationToken.None));
        await store.DeleteAsync("a.txt", CancellationToken.None);
        await store.PurgeIncompleteWritesAsync(CancellationToken.None);
        Assert.True(await store.WriteAllBytesAsync("a.txt", "x"u8.ToArray(), WriteMode.CreateNew, CancellationToken.None));
        Assert.Equal("x"u8.ToArray(), await store.ReadAllBytesAsync("a.txt", CancellationToken.None));
    }

    [Fact]
    public async Task Describe_NamesAccountContainerAndKey()
    {
        var store = NewStore(root: "out/job");
        var container = store.Address.Container;
        Assert.Equal($"az://{AzuriteServer.Account}/{container}/out/job/shards/a.parquet", store.Describe("shards/a.parquet"));
        var ex = await Assert.ThrowsAsync<BlobNotFoundException>(() => store.OpenReadAsync("shards/a.parquet", 0, CancellationToken.None));
        Assert.Contains($"az://{AzuriteServer.Account}/{container}/out/job/shards/a.parquet", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyOperation_WrongAccountKey_FailsFastNotTransientWithoutSecret()
    {
        const string badKey = "QkFES0VZLWRvLW5vdC1sZWFrLXRoaXMtc2VjcmV0LXZhbHVlLTAxMjM0NTY3ODk=";
        var options = new AzureStoreOptions { ConnectionString = Server.ConnectionStringWithKey(badKey), MaxRetries = 3 };
        var container = NewContainer();
        var store = new AzureBlobStore(AzureBlobAddress.Parse($"az://{AzuriteServer.Account}/{container}/p"), options);
        var clock = Stopwatch.StartNew();
        var read = await Assert.ThrowsAsync<StorageException>(() => store.GetInfoAsync("x.json", CancellationToken.None));
        var write = await Assert.ThrowsAsync<StorageException>(() => store.WriteAllBytesAsync("x.json", "{}"u8.ToArray(), WriteMode.CreateNew, CancellationToken.None));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"auth failures must not be retried ({clock.Elapsed})");
        foreach (var ex in new[] { read, write })
        {
            Assert.False(ex.IsTransient);
            Assert.Contains("access denied", ex.Message, StringComparison.Ordinal);
            Assert.Contains($"'{AzuriteServer.Account}'", ex.Message, StringComparison.Ordinal);
            Assert.Contains($"'{container}'", ex.Message, StringComparison.Ordinal);
            var everything = ex.ToString();
            Assert.DoesNotContain(badKey, everything, StringComparison.Ordinal);
            Assert.DoesNotContain("AccountKey", everything, StringComparison.Ordinal);
        }
        Assert.DoesNotContain(badKey, options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(badKey, store.Authentication, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SasToken_ValidAndTampered_WorksAndFailsWithoutLeakingTheSignature()
    {
        var container = NewContainer();
        var admin = new BlobServiceClient(Server.ConnectionString, AzureBlobStore.CreateClientOptions(new AzureStoreOptions())).GetBlobContainerClient(container);
        await admin.CreateAsync();
        var sasUri = admin.GenerateSasUri(BlobContainerSasPermissions.All, DateTimeOffset.UtcNow.AddHours(1));
        var sas = sasUri.Query.TrimStart('?');
        var address = AzureBlobAddress.Parse($"{Server.BlobEndpoint}/{container}/data");
        var store = new AzureBlobStore(address, new AzureStoreOptions { SasToken = sas, MaxRetries = 1 });
        Assert.True(await store.WriteAllBytesAsync("a.bin", "sas"u8.ToArray(), WriteMode.CreateNew, CancellationToken.None));
        Assert.Equal("sas"u8.ToArray(), await store.ReadAllBytesAsync("a.bin", CancellationToken.None));
        Assert.Contains("SAS token", store.Authentication, StringComparison.Ordinal);

        var signature = System.Web.HttpUtility.ParseQueryString(sas)["sig"]!;
        var tampered = sas.Replace("sig=", "sig=AAAA", StringComparison.Ordinal);
        var bad = new AzureBlobStore(address, new AzureStoreOptions { SasToken = tampered, MaxRetries = 1 });
        var ex = await Assert.ThrowsAsync<StorageException>(() => bad.GetInfoAsync("a.bin", CancellationToken.None));
        Assert.False(ex.IsTransient);
        Assert.Contains("access denied", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sig=", ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(signature, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(signature, bad.Describe("a.bin"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyOperation_NothingListening_FailsTransientNamingTheEndpoint()
    {
        var port = ClosedPort();
        var options = new AzureStoreOptions
        {
            ConnectionString = $"DefaultEndpointsProtocol=http;AccountName={AzuriteServer.Account};AccountKey={AzuriteServer.AccountKey};BlobEndpoint=http://127.0.0.1:{port}/{AzuriteServer.Account};",
            MaxRetries = 1,
            RetryDelay = TimeSpan.FromMilliseconds(50),
        };
        var store = new AzureBlobStore(AzureBlobAddress.Parse($"az://{AzuriteServer.Account}/nothing-here/p"), options);
        var ex = await Assert.ThrowsAsync<StorageException>(() => store.GetInfoAsync("x", CancellationToken.None));
        Assert.True(ex.IsTransient, ex.Message);
        Assert.Contains($"127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteServer.AccountKey, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PurgeIncompleteWritesAsync_UncommittedBlocksLeft_InvisibleAndCompleteBlobsKept()
    {
        var store = NewStore();
        await store.WriteAllBytesAsync("done.bin", "complete"u8.ToArray(), WriteMode.CreateNew, CancellationToken.None);
        var staged = store.Container.GetBlockBlobClient(store.BlobName("crashed.bin"));
        await staged.StageBlockAsync(Convert.ToBase64String("block-0"u8.ToArray()), new MemoryStream(new byte[100]));
        // A complete blob with stray uncommitted blocks (an interrupted overwrite) must survive the purge.
        var overwritten = store.Container.GetBlockBlobClient(store.BlobName("done.bin"));
        await overwritten.StageBlockAsync(Convert.ToBase64String("block-1"u8.ToArray()), new MemoryStream(new byte[100]));
        await store.PurgeIncompleteWritesAsync(CancellationToken.None);
        var listed = new List<string>();
        await foreach (var blob in store.ListAsync("", CancellationToken.None)) listed.Add(blob.Path);
        Assert.Equal(new[] { "done.bin" }, listed);
        Assert.Null(await store.GetInfoAsync("crashed.bin", CancellationToken.None));
        Assert.Equal("complete"u8.ToArray(), await store.ReadAllBytesAsync("done.bin", CancellationToken.None));
        // Azurite deletes names that hold only uncommitted blocks (Azure may keep them until its own clean-up).
        var uncommitted = new List<string>();
        await foreach (var item in store.Container.GetBlobsAsync(new GetBlobsOptions { States = BlobStates.Uncommitted })) uncommitted.Add(item.Name);
        Assert.Equal(new[] { store.BlobName("done.bin") }, uncommitted);
    }

    private static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
