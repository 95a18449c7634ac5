
namespace Pipeline.Storage.Tests;

public sealed class BlobLocationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pipeline-loc-" + Guid.NewGuid().ToString("N"));

    public BlobLocationTests()
    {
        foreach (var f in new[] { "data/web/a.jsonl.gz", "data/web/b.jsonl.gz", "data/web/c.txt", "data/web/deep/d.jsonl.gz", "data/other/e.jsonl.gz" })
        {
            var full = Path.Combine(_dir, f);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, f);
        }
    }

    private static async Task<List<string>> List(BlobLocation loc)
    {
        var keys = new List<string>();
        await foreach (var b in loc.ListMatchingAsync(CancellationToken.None)) keys.Add(loc.Display(b.Path));
        return keys;
    }

    [Fact]
    public async Task ForInput_StarGlob_MatchesOneLevelSorted()
    {
        var loc = BlobLocation.ForInput("data/web/*.jsonl.gz", _dir);
        Assert.Equal(new[] { "data/web/a.jsonl.gz", "data/web/b.jsonl.gz" }, await List(loc));
    }

    [Fact]
    public async Task ForInput_DoubleStar_MatchesRecursively()
    {
        var loc = BlobLocation.ForInput("file://data/**/*.jsonl.gz", _dir);
        Assert.Equal(new[] { "data/other/e.jsonl.gz", "data/web/a.jsonl.gz", "data/web/b.jsonl.gz", "data/web/deep/d.jsonl.gz" }, await List(loc));
    }

    [Fact]
    public async Task ForInput_PlainPath_MatchesThatFile()
    {
        var loc = BlobLocation.ForInput("data/web/c.txt", _dir);
        Assert.Equal(new[] { "data/web/c.txt" }, await List(loc));
    }

    [Fact]
    public void ForInput_UnknownScheme_ThrowsClearError()
    {
        var ex = Assert.Throws<StorageException>(() => BlobLocation.ForInput("s3://bucket/x", _dir));
        Assert.Contains("unsupported location scheme", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
