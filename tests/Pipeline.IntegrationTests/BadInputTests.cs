using System.IO.Compression;
using System.Text;
using Pipeline.Formats.Lineage;
using Pipeline.Formats.Work;

namespace Pipeline.IntegrationTests;

[Collection(PipelineProcesses.Name)]
public sealed class BadInputTests : IDisposable
{
    private readonly TempDir _dir = new();

    public BadInputTests()
    {
        Directory.CreateDirectory(_dir["in"]);
        var lines = new List<byte[]>
        {
            Utf8("{\"id\":\"good-1\",\"text\":\"A perfectly good document.\"}"),
            Utf8("{\"id\":\"broken\",\"text\":\"unterminated"),
            Utf8("{\"id\":\"bad-utf8\",\"text\":\"caf").Concat(new byte[] { 0xC3, 0x28 }).Concat(Utf8("\"}")).ToArray(),
            Utf8("{\"id\":\"no-text\",\"body\":\"text is elsewhere\"}"),
            Utf8("{\"id\":\"huge\",\"text\":\"" + new string('a', 30 << 20) + "\"}"),
            Utf8("[1,2,3]"),
            Utf8("{\"id\":\"good-2\",\"text\":\"Another good document after the bad ones.\"}"),
        };
        File.WriteAllBytes(_dir["in/mixed.jsonl"], [.. lines.SelectMany(l => l.Append((byte)'\n'))]);
        File.WriteAllBytes(_dir["in/empty.jsonl"], []);

        var many = string.Concat(Enumerable.Range(0, 5000).Select(i => $"{{\"id\":\"gz-{i}\",\"text\":\"document {i} of the compressed file: {i * 7919 % 104729} {i * 31 % 997}.\"}}\n"));
        using (var gz = new MemoryStream())
        {
            using (var z = new GZipStream(gz, CompressionLevel.Optimal, leaveOpen: true)) z.Write(Utf8(many));
            File.WriteAllBytes(_dir["in/truncated.jsonl.gz"], gz.ToArray()[..(int)(gz.Length * 2 / 3)]);
        }
        using var zstd = new ZstdSharp.Compressor(3);
        var zst = zstd.Wrap(Utf8(many.Replace("gz-", "zst-", StringComparison.Ordinal))).ToArray();
        File.WriteAllBytes(_dir["in/truncated.jsonl.zst"], zst[..(zst.Length * 2 / 3)]);

        File.WriteAllText(_dir["job.yaml"], $"""
            name: bad-input
            seed: 7
            output: {_dir["out"]}
            sources:
              - name: mixed
                uri: {_dir["in"]}/*.jsonl*
                id_field: id
            tokenizer: {"{"} name: cl100k_base {"}"}
            pack: {"{"} seq_len: 256 {"}"}
            limits: {"{"} max_document_bytes: 8388608 {"}"}
            """);
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Run_BadInputWithinBudget_RejectsEachWithReasonAndKeepsTheRest()
    {
        var run = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", _dir["job.yaml"], "--workers", "2", "--set", "limits.error_budget=1");
        Assert.True(run.ExitCode == 0, run.ToString());
        var lineage = new List<LineageRow>();
        foreach (var file in Directory.GetFiles(_dir["out/lineage"]).Order(StringComparer.Ordinal))
        {
            await using var s = File.OpenRead(file);
            lineage.AddRange(await ParquetTables.ReadAsync<LineageRow>(s, CancellationToken.None));
        }
        var mixed = lineage.Where(r => r.Path.EndsWith("mixed.jsonl", StringComparison.Ordinal)).ToDictionary(r => r.Line);
        Assert.Equal(7, mixed.Count);
        Assert.Equal(LineageRow.Kept, mixed[1].Decision);
        Assert.Equal("malformed_json", mixed[2].Reason);
        Assert.Equal("invalid_utf8", mixed[3].Reason);
        Assert.Equal("missing_text", mixed[4].Reason);
        Assert.Equal("too_long", mixed[5].Reason);
        Assert.Equal("malformed_json", mixed[6].Reason);
        Assert.Equal(LineageRow.Kept, mixed[7].Decision);

        foreach (var ext in new[] { "gz", "zst" })
        {
            var rows = lineage.Where(r => r.Path.EndsWith("truncated.jsonl." + ext, StringComparison.Ordinal)).ToList();
            var truncated = Assert.Single(rows, r => r.Reason == "truncated_archive");
            Assert.Equal(rows.Count, truncated.Line);
            Assert.All(rows.Where(r => r != truncated), r => Assert.Equal(LineageRow.Kept, r.Decision));
            Assert.True(rows.Count > 50, $"{ext}: the documents before the damage are kept ({rows.Count})");
        }
        Assert.DoesNotContain(lineage, r => r.Path.EndsWith("empty.jsonl", StringComparison.Ordinal));
        Assert.Equal(lineage.Count, lineage.Select(r => r.DocId).Distinct().Count());

        var verify = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "verify", _dir["out"]);
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    [Fact]
    public async Task Run_BadInputOverDefaultBudget_FailsNamingSourceFileAndLine()
    {
        // 5 of the 7 documents of mixed.jsonl are malformed: far above the default budget of 1%.
        var run = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", _dir["job.yaml"], "--workers", "1", "--set", $"sources[0].uri={_dir["in/mixed.jsonl"]}");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error budget", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("source 'mixed'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("mixed.jsonl, line 2", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir["out/manifest.json"]));
    }

    [Fact]
    public async Task Validate_BrokenJob_ReportsFieldAndLine()
    {
        File.WriteAllText(_dir["broken.yaml"], "name: x\nseed: 1\noutput: out\nsources:\n  - name: a\n    uri: a/*.jsonl\n    txt_field: body\ntokenizer: { name: cl100k_base }\npack: { seq_len: 4 }\n");
        var run = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "validate", _dir["broken.yaml"]);
        Assert.Equal(3, run.ExitCode);
        Assert.Contains(":7:", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("txt_field", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(":9:", run.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
