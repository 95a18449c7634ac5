using System.Text;

namespace Pipeline.Storage.Tests;

/// <summary>The contract every <see cref="IBlobStore"/> must honour; each store runs it through a subclass.</summary>
public abstract class BlobStoreContractTests
{
    /// <summary>A fresh, empty store.</summary>
    protected abstract IBlobStore CreateStore();

    private static Task<bool> WriteText(IBlobStore store, string path, string text, WriteMode mode = WriteMode.Overwrite) =>
        store.WriteAsync(path, (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes(text), ct).AsTask(), mode, CancellationToken.None);

    private static async Task<string> ReadText(IBlobStore store, string path, long offset = 0)
    {
        await using var s = await store.OpenReadAsync(path, offset, CancellationToken.None);
        using var r = new StreamReader(s, Encoding.UTF8);
        return await r.ReadToEndAsync();
    }

    [Fact]
    public async Task WriteAsync_ThenRead_ReturnsSameBytes()
    {
        var store = CreateStore();
        await WriteText(store, "a/b/c.txt", "hello world");
        Assert.Equal("hello world", await ReadText(store, "a/b/c.txt"));
        Assert.Equal(11, (await store.GetInfoAsync("a/b/c.txt", CancellationToken.None))!.Length);
    }

    [Fact]
    public async Task OpenReadAsync_WithOffset_StartsThere()
    {
        var store = CreateStore();
        await WriteText(store, "x.txt", "0123456789");
        Assert.Equal("56789", await ReadText(store, "x.txt", 5));
    }

    [Fact]
    public async Task OpenReadAsync_Missing_ThrowsBlobNotFound()
    {
        var store = CreateStore();
        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.OpenReadAsync("nope.txt", 0, CancellationToken.None));
        Assert.Null(await store.GetInfoAsync("nope.txt", CancellationToken.None));
    }

    [Fact]
    public async Task WriteAsync_CreateNewWhenPresent_ReturnsFalseAndKeepsContent()
    {
        var store = CreateStore();
        await WriteText(store, "m.done", "first", WriteMode.CreateNew);
        var created = await store.WriteAsync("m.done", (s, ct) => s.WriteAsync("second"u8.ToArray(), ct).AsTask(), WriteMode.CreateNew, CancellationToken.None);
        Assert.False(created);
        Assert.Equal("first", await ReadText(store, "m.done"));
    }

    [Fact]
    public async Task WriteAsync_ConcurrentCreateNew_ExactlyOneWins()
    {
        var store = CreateStore();
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            store.WriteAsync("race.bin", (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes($"writer {i}"), ct).AsTask(), WriteMode.CreateNew, CancellationToken.None)));
        Assert.Equal(1, results.Count(r => r));
        Assert.StartsWith("writer ", await ReadText(store, "race.bin"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_WriterThrows_NothingVisible()
    {
        var store = CreateStore();
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.WriteAsync("partial.bin", async (s, ct) =>
        {
            await s.WriteAsync(new byte[1000], ct);
            throw new InvalidOperationException("writer failed");
        }, WriteMode.Overwrite, CancellationToken.None));
        Assert.Null(await store.GetInfoAsync("partial.bin", CancellationToken.None));
        await foreach (var blob in store.ListAsync("", CancellationToken.None)) Assert.Fail($"unexpected blob {blob.Path}");
    }

    [Fact]
    public async Task WriteAsync_Overwrite_ReplacesContent()
    {
        var store = CreateStore();
        await WriteText(store, "o.txt", "one");
        await WriteText(store, "o.txt", "two");
        Assert.Equal("two", await ReadText(store, "o.txt"));
    }

    [Fact]
    public async Task ListAsync_ByPrefix_SortedAndRecursive()
    {
        var store = CreateStore();
        foreach (var p in new[] { "d/b.txt", "d/a.txt", "d/sub/c.txt", "e/x.txt", "dz.txt" }) await WriteText(store, p, p);
        var listed = new List<string>();
        await foreach (var blob in store.ListAsync("d/", CancellationToken.None)) listed.Add(blob.Path);
        Assert.Equal(new[] { "d/a.txt", "d/b.txt", "d/sub/c.txt" }, listed);
    }

    [Fact]
    public async Task DeleteAsync_RemovesAndIgnoresMissing()
    {
        var store = CreateStore();
        await WriteText(store, "del.txt", "x");
        await store.DeleteAsync("del.txt", CancellationToken.None);
        await store.DeleteAsync("del.txt", CancellationToken.None);
        Assert.Null(await store.GetInfoAsync("del.txt", CancellationToken.None));
    }

    [Fact]
    public async Task DeleteAllAsync_RemovesEveryBlobUnderThePrefixAndNothingElse()
    {
        var store = CreateStore();
        // More blobs than deletes in flight, several per folder, so concurrent deletes empty the same folders.
        var doomed = Enumerable.Range(0, 3 * BlobStoreExtensions.DeleteConcurrency).Select(i => $"work/{i % 3}/part{i % 2}/b{i}.bin").ToList();
        foreach (var path in doomed) await WriteText(store, path, path);
        await WriteText(store, "workers.txt", "kept");
        await WriteText(store, "keep/work/a.txt", "kept");

        await store.DeleteAllAsync("work/", CancellationToken.None);

        var left = new List<string>();
        await foreach (var blob in store.ListAsync("", CancellationToken.None)) left.Add(blob.Path);
        Assert.Equal(new[] { "keep/work/a.txt", "workers.txt" }, left);
        await store.DeleteAllAsync("work/", CancellationToken.None); // nothing left to delete: no error
    }

    [Fact]
    public async Task WriteAllBytesAsync_ThenTryReadAllBytes_RoundTripsAndMissingIsNull()
    {
        var store = CreateStore();
        Assert.True(await store.WriteAllBytesAsync("m/a.json", new byte[] { 1, 2, 3 }, WriteMode.CreateNew, CancellationToken.None));
        Assert.Equal(new byte[] { 1, 2, 3 }, await store.TryReadAllBytesAsync("m/a.json", CancellationToken.None));
        Assert.Null(await store.TryReadAllBytesAsync("m/missing.json", CancellationToken.None));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.ReadAllBytesAsync("m/missing.json", CancellationToken.None));
    }

    [Fact]
    public async Task PurgeIncompleteWritesAsync_KeepsCompleteBlobs()
    {
        var store = CreateStore();
        await WriteText(store, "keep/a.txt", "complete");
        await store.PurgeIncompleteWritesAsync(CancellationToken.None);
        Assert.Equal("complete", await ReadText(store, "keep/a.txt"));
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("/abs.txt")]
    [InlineData("a//b.txt")]
    [InlineData("a/./b.txt")]
    [InlineData("a\\b.txt")]
    public async Task WriteAsync_InvalidPath_Throws(string path)
    {
        var store = CreateStore();
        await Assert.ThrowsAsync<InvalidBlobPathException>(() => WriteText(store, path, "x"));
    }
}

/// <summary>The contract suite on the local file system.</summary>
public sealed class LocalBlobStoreContractTests : BlobStoreContractTests, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pipeline-store-" + Guid.NewGuid().ToString("N"));

    protected override IBlobStore CreateStore() => new LocalBlobStore(_dir);

    [Fact]
    public async Task PurgeIncompleteWritesAsync_RemovesStagingFilesACrashLeft()
    {
        var store = new LocalBlobStore(_dir);
        await store.WriteAsync("shards/a.parquet", (s, ct) => s.WriteAsync(new byte[] { 1, 2, 3 }, ct).AsTask(), WriteMode.Overwrite, CancellationToken.None);
        var leftover = Path.Combine(_dir, "shards", "b.parquet.0123456789abcdef.pipeline-tmp");
        File.WriteAllBytes(leftover, new byte[100]);
        var listed = new List<string>();
        await foreach (var blob in store.ListAsync("", CancellationToken.None)) listed.Add(blob.Path);
        Assert.Equal(new[] { "shards/a.parquet" }, listed);
        await store.PurgeIncompleteWritesAsync(CancellationToken.None);
        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(Path.Combine(_dir, "shards", "a.parquet")));
    }

    [Fact]
    public async Task DeleteAllAsync_LeavesNoEmptyFolders()
    {
        var store = new LocalBlobStore(_dir);
        await store.WriteAllBytesAsync("manifest.json", new byte[] { 2 }, WriteMode.Overwrite, CancellationToken.None);
        // Concurrent deletes race for the same emptied folders only now and then: repeat to make the race likely.
        for (var round = 0; round < 10; round++)
        {
            for (var i = 0; i < 4 * BlobStoreExtensions.DeleteConcurrency; i++) await store.WriteAllBytesAsync($"_work/u{i % 5}/t{i}.bin", new byte[] { 1 }, WriteMode.Overwrite, CancellationToken.None);

            await store.DeleteAllAsync("_work/", CancellationToken.None);

            Assert.False(Directory.Exists(Path.Combine(_dir, "_work")), $"round {round}: _work/ is still there");
            Assert.Equal(new[] { Path.Combine(_dir, "manifest.json") }, Directory.GetFileSystemEntries(_dir));
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
