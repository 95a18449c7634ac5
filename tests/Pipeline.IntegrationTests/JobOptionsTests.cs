using System.Text.Json;
using Pipeline.Formats.Lineage;

namespace Pipeline.IntegrationTests;

/// <summary>Job settings that change what a run does: budgets, the packing strategy, byte-range units.</summary>
[Collection(PipelineProcesses.Name)]
public sealed class JobOptionsTests(QuickstartFixture quickstart) : IDisposable
{
    private readonly TempDir _dir = new();

    private static JsonElement Manifest(string output) => PipelineCli.OutputJson(output);

    [Fact]
    public async Task Run_SourceTokenBudget_KeepsAtMostBudgetAndRecordsOverBudget()
    {
        const long budget = 300_000;
        var run = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", "jobs/quickstart.yaml", "--output", _dir["b"], "--set", $"sources[0].max_tokens={budget}");
        Assert.True(run.ExitCode == 0, run.ToString());
        var web = Manifest(_dir["b"]).GetProperty("sources")[0];
        var kept = web.GetProperty("tokens_kept").GetInt64();
        Assert.InRange(kept, budget * 9 / 10, budget);
        var lineage = await PipelineCli.LineageAsync(_dir["b"]);
        var webRows = lineage.Where(r => r.Source == "web").ToList();
        Assert.Equal(kept, webRows.Where(r => r.Decision == LineageRow.Kept).Sum(r => (long)r.Tokens));
        Assert.Contains(webRows, r => r.Reason == "over_budget");
        // The budget draws from the documents above the quickstart's score threshold, and only web has one.
        Assert.All(webRows.Where(r => r.Reason == "over_budget"), r => Assert.True(r.Score >= ThresholdOf(_dir["b"]), $"{r.DocId} {r.Score}"));
        Assert.DoesNotContain(lineage, r => r.Source == "synthetic" && r.Reason == "over_budget");
        var verify = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "verify", _dir["b"]);
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    private static double ThresholdOf(string output) =>
        Manifest(output).GetProperty("selection").GetProperty("result").GetProperty("decision").GetProperty("score").GetDouble();

    [Fact]
    public async Task Run_BudgetWithRepeatedIds_KeepsOrDropsRepeatsTogetherWithinBudget()
    {
        // Three files that number their ids from 0: every doc_id appears three times.
        Directory.CreateDirectory(_dir["dup"]);
        for (var f = 0; f < 3; f++)
        {
            File.WriteAllLines(_dir[$"dup/part-{f}.jsonl"], Enumerable.Range(0, 100).Select(i =>
                JsonSerializer.Serialize(new { id = i.ToString(System.Globalization.CultureInfo.InvariantCulture), text = $"file {f} document {i}: " + string.Concat(Enumerable.Repeat("words ", 10 + i)) })));
        }
        const long budget = 5_000;
        File.WriteAllText(_dir["dup.yaml"], $"name: dup\nseed: 9\noutput: {_dir["dup-out"]}\nsources:\n  - name: d\n    uri: {_dir["dup"]}/*.jsonl\n    id_field: id\n    max_tokens: {budget}\ntokenizer: {{ name: cl100k_base }}\npack: {{ seq_len: 256 }}\n");
        var run = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", _dir["dup.yaml"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var source = Manifest(_dir["dup-out"]).GetProperty("sources")[0];
        var lineage = await PipelineCli.LineageAsync(_dir["dup-out"]);
        var keptTokens = lineage.Where(r => r.Decision == LineageRow.Kept).Sum(r => (long)r.Tokens);
        Assert.InRange(keptTokens, 1, budget);
        Assert.Equal(keptTokens, source.GetProperty("tokens_kept").GetInt64());
        Assert.Equal(lineage.Count(r => r.Decision == LineageRow.Kept), source.GetProperty("documents_kept").GetInt64());
        Assert.All(lineage.GroupBy(r => r.DocId), g => Assert.Single(g.Select(r => r.Decision).Distinct()));
    }

    [Fact]
    public async Task Run_ConcatStrategy_VerifiesAndSplitsMoreDocumentsThanBestFit()
    {
        var run = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", "jobs/quickstart.yaml", "--output", _dir["c"], "--set", "pack.strategy=concat");
        Assert.True(run.ExitCode == 0, run.ToString());
        var verify = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "verify", _dir["c"]);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        var concat = Manifest(_dir["c"]).GetProperty("totals");
        var bestFit = quickstart.Manifest.GetProperty("totals");
        Assert.Equal(bestFit.GetProperty("tokens").GetInt64(), concat.GetProperty("tokens").GetInt64());
        Assert.True(concat.GetProperty("documents_split").GetInt64() > bestFit.GetProperty("documents_split").GetInt64());
    }

    [Fact]
    public async Task Run_LargeJsonlSplitIntoByteRanges_SameShardsAsOneUnit()
    {
        // One uncompressed JSONL file, read once as a whole and once cut into ~20 KB byte-range units.
        var lines = Enumerable.Range(0, 3000).Select(i => JsonSerializer.Serialize(new { text = $"Line {i}: " + string.Concat(Enumerable.Repeat($"word{i % 97} ", 5 + (i % 40))) }));
        Directory.CreateDirectory(_dir["in"]);
        File.WriteAllLines(_dir["in/big.jsonl"], lines);
        File.WriteAllText(_dir["job.yaml"], $"name: split\nseed: 3\noutput: {_dir["whole"]}\nsources:\n  - name: big\n    uri: {_dir["in/big.jsonl"]}\ntokenizer: {{ name: gpt2 }}\npack: {{ seq_len: 512 }}\n");
        var whole = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", _dir["job.yaml"]);
        Assert.True(whole.ExitCode == 0, whole.ToString());
        var split = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", _dir["job.yaml"], "--output", _dir["split"], "--set", "limits.unit_bytes=20000");
        Assert.True(split.ExitCode == 0, split.ToString());

        var units = Manifest(_dir["split"]).GetProperty("plan").GetProperty("units").GetInt32();
        Assert.True(units > 10, $"{units} units");
        var lineage = await PipelineCli.LineageAsync(_dir["split"]);
        Assert.Equal(3000, lineage.Count);
        Assert.Equal(3000, lineage.Select(r => r.ByteOffset).Distinct().Count());
        var shardsWhole = PipelineCli.DeterministicFiles(_dir["whole"]).Where(kv => kv.Key.StartsWith("shards/", StringComparison.Ordinal)).ToList();
        var shardsSplit = PipelineCli.DeterministicFiles(_dir["split"]).Where(kv => kv.Key.StartsWith("shards/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(shardsWhole);
        Assert.Equal(shardsWhole, shardsSplit);
    }

    public void Dispose() => _dir.Dispose();
}
