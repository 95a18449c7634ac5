using ParquetSharp;

namespace Pipeline.IntegrationTests;

[Collection(PipelineProcesses.Name)]
public sealed class QuickstartTests(QuickstartFixture quickstart)
{
    [Fact]
    public void Run_Quickstart_SucceedsWithSummary()
    {
        Assert.True(quickstart.Run.ExitCode == 0, quickstart.Run.ToString());
        Assert.Contains("documents read", quickstart.Run.Stdout, StringComparison.Ordinal);
        Assert.Contains("fill rate", quickstart.Run.Stdout, StringComparison.Ordinal);
        var totals = quickstart.Manifest.GetProperty("totals");
        Assert.Equal(4500, totals.GetProperty("documents_read").GetInt64());
        // The quickstart keeps the top half of the characters by PreSelect score; the rest is below the threshold.
        var kept = totals.GetProperty("documents_kept").GetInt64();
        Assert.InRange(kept, 1, 4499);
        Assert.Equal(4500 - kept, totals.GetProperty("rejected_by_reason").GetProperty("below_threshold").GetInt64());
        Assert.Equal(2048, quickstart.Manifest.GetProperty("seq_len").GetInt32());
        Assert.False(Directory.Exists(Path.Combine(quickstart.Output, "_work")), "intermediate files are removed after commit");
    }

    [Fact]
    public void Run_QuickstartBestFit_FillsAtLeast99Percent()
    {
        var fill = quickstart.Manifest.GetProperty("totals").GetProperty("fill_rate").GetDouble();
        Assert.True(fill >= 0.99, $"fill rate {fill}");
    }

    [Fact]
    public async Task Verify_QuickstartOutput_ExitsZero()
    {
        var verify = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "verify", quickstart.Output);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("verify OK", verify.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_TamperedShard_FailsNamingTheShard()
    {
        using var dir = new TempDir();
        CopyTree(quickstart.Output, dir.Path);
        var shard = Directory.GetFiles(Path.Combine(dir.Path, "shards"))[0];
        var bytes = File.ReadAllBytes(shard);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(shard, bytes);
        var verify = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "verify", dir.Path);
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("sha256", verify.Stderr, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(shard), verify.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_Shard_ShowsSchemaAndDecodedSegments()
    {
        var shard = Directory.GetFiles(Path.Combine(quickstart.Output, "shards"))[0];
        var inspect = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "inspect", shard, "--rows", "1");
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Contains("input_ids", inspect.Stdout, StringComparison.Ordinal);
        Assert.Contains("sequence 0", inspect.Stdout, StringComparison.Ordinal);
        Assert.Contains("chunk 0", inspect.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shards_ReadByParquetSharpAndOurReader_SameSums()
    {
        foreach (var entry in quickstart.Manifest.GetProperty("shards").EnumerateArray())
        {
            var path = Path.Combine(quickstart.Output, entry.GetProperty("path").GetString()!);
            long oursIds = 0, oursDocs = 0, theirsIds = 0, theirsDocs = 0;
            await using (var stream = File.OpenRead(path))
            {
                await foreach (var row in Pipeline.Formats.Shards.TokenShardReader.ReadAsync(stream))
                {
                    foreach (var id in row.InputIds) oursIds += id;
                    foreach (var doc in row.DocIds) oursDocs ^= doc;
                }
            }
            using var file = new ParquetFileReader(path);
            for (var g = 0; g < file.FileMetaData.NumRowGroups; g++)
            {
                using var rg = file.RowGroup(g);
                var n = checked((int)rg.MetaData.NumRows);
                foreach (var ids in rg.Column(0).LogicalReader<int[]>().ReadAll(n)) foreach (var id in ids) theirsIds += id;
                foreach (var docs in rg.Column(2).LogicalReader<long[]>().ReadAll(n)) foreach (var doc in docs) theirsDocs ^= doc;
            }
            Assert.NotEqual(0, theirsIds);
            Assert.Equal(theirsIds, oursIds);
            Assert.Equal(theirsDocs, oursDocs);
        }
    }

    [Fact]
    public void Shards_ReadByParquetSharp_MatchManifestCountsAndInvariants()
    {
        var manifest = quickstart.Manifest;
        var seqLen = manifest.GetProperty("seq_len").GetInt32();
        var vocab = manifest.GetProperty("tokenizer").GetProperty("vocab_size").GetInt32();
        long rows = 0, tokens = 0;
        foreach (var entry in manifest.GetProperty("shards").EnumerateArray())
        {
            using var file = new ParquetFileReader(Path.Combine(quickstart.Output, entry.GetProperty("path").GetString()!));
            long shardRows = 0, shardTokens = 0;
            for (var g = 0; g < file.FileMetaData.NumRowGroups; g++)
            {
                using var rg = file.RowGroup(g);
                var n = checked((int)rg.MetaData.NumRows);
                var ids = rg.Column(0).LogicalReader<int[]>().ReadAll(n);
                var lengths = rg.Column(1).LogicalReader<int[]>().ReadAll(n);
                var docs = rg.Column(2).LogicalReader<long[]>().ReadAll(n);
                var pads = rg.Column(4).LogicalReader<int>().ReadAll(n);
                for (var r = 0; r < n; r++)
                {
                    Assert.Equal(seqLen, ids[r].Length);
                    Assert.Equal(seqLen, lengths[r].Sum() + pads[r]);
                    Assert.Equal(lengths[r].Length, docs[r].Length);
                    Assert.All(ids[r], id => Assert.InRange(id, 0, vocab - 1));
                    shardTokens += lengths[r].Sum();
                }
                shardRows += n;
            }
            Assert.Equal(entry.GetProperty("rows").GetInt64(), shardRows);
            Assert.Equal(entry.GetProperty("tokens").GetInt64(), shardTokens);
            rows += shardRows;
            tokens += shardTokens;
        }
        Assert.Equal(manifest.GetProperty("totals").GetProperty("sequences").GetInt64(), rows);
        Assert.Equal(manifest.GetProperty("totals").GetProperty("tokens").GetInt64(), tokens);
    }

    [Fact]
    public async Task Run_TwoWorkers_ByteIdenticalToOneWorker()
    {
        using var dir = new TempDir();
        var run = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", "jobs/quickstart.yaml", "--output", dir["w2"], "--workers", "2");
        Assert.True(run.ExitCode == 0, run.ToString());
        var one = PipelineCli.AssertSameFiles(quickstart.Output, dir["w2"]);
        Assert.Contains("manifest.json", one.Keys);
        Assert.Contains(one.Keys, k => k.StartsWith("shards/", StringComparison.Ordinal));
        Assert.Contains(one.Keys, k => k.StartsWith("lineage/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(9)]
    public async Task Run_KilledPartWayThenRerun_ByteIdentical(int killAfterTasks)
    {
        using var dir = new TempDir();
        var env = new Dictionary<string, string> { ["PIPELINE_KILL_AFTER_TASKS"] = killAfterTasks.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var killed = await PipelineCli.RunAsync(PipelineCli.RepoRoot, env, "run", "jobs/quickstart.yaml", "--output", dir["r"], "--workers", "1");
        Assert.NotEqual(0, killed.ExitCode);
        Assert.False(File.Exists(dir["r/manifest.json"]), "a killed run has no manifest");
        Assert.True(Directory.Exists(dir["r/_work"]), "a killed run leaves its completed units for the rerun");
        var rerun = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", "jobs/quickstart.yaml", "--output", dir["r"], "--workers", "2");
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        PipelineCli.AssertSameFiles(quickstart.Output, dir["r"]);
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
