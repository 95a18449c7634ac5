using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Pipeline.Core.Hashing;
using Pipeline.FastText.Tests;
using Pipeline.Formats.Lineage;

namespace Pipeline.IntegrationTests;

/// <summary>
/// PreSelect scoring and corpus-wide selection end to end, on the quickstart (which scores with the committed
/// classifier and keeps the top half of the characters): exactness against a brute-force sort, sketch mode, the
/// other targets, mixtures, and clear errors.
/// </summary>
[Collection(PipelineProcesses.Name)]
public sealed class SelectionTests(QuickstartFixture quickstart) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static JsonElement Manifest(string output) => PipelineCli.OutputJson(output);

    private async Task<PipelineCli.Result> RunQuickstartAsync(string output, params string[] sets)
    {
        var args = new List<string> { "run", "jobs/quickstart.yaml", "--output", _dir[output] };
        foreach (var set in sets) args.AddRange(["--set", set]);
        var run = await PipelineCli.RunAsync(PipelineCli.RepoRoot, args.ToArray());
        Assert.True(run.ExitCode == 0, run.ToString());
        var verify = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "verify", _dir[output]);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        return run;
    }

    /// <summary>The kept set of "top share by characters", by a plain sort: score descending, seeded tie key ascending.</summary>
    private static HashSet<long> BruteForceTopShare(IReadOnlyList<LineageRow> rows, long seed, double share)
    {
        var readable = rows.Where(r => r.Score is not null).OrderByDescending(r => r.Score!.Value)
            .ThenBy(r => StableHash.Key(seed, r.DocId, Purpose.ScoreTie)).ToList();
        var target = share * readable.Sum(r => (long)r.Chars);
        var kept = new HashSet<long>();
        long cum = 0;
        foreach (var r in readable)
        {
            if (cum >= target) break;
            kept.Add(r.DocId);
            cum += r.Chars;
        }
        return kept;
    }

    [Fact]
    public async Task Quickstart_KeepTopHalfByCharacters_MatchesBruteForceSortWithinOneDocument()
    {
        var lineage = await PipelineCli.LineageAsync(quickstart.Output);
        var seed = quickstart.Manifest.GetProperty("seed").GetInt64();
        var expected = BruteForceTopShare(lineage, seed, 0.5);
        var kept = lineage.Where(r => r.Decision == LineageRow.Kept).Select(r => r.DocId).ToHashSet();
        Assert.True(expected.SetEquals(kept), $"kept {kept.Count}, brute force {expected.Count}");
        Assert.All(lineage.Where(r => r.Decision == LineageRow.Rejected), r => Assert.Equal("below_threshold", r.Reason));
        Assert.All(lineage, r => Assert.NotNull(r.Score));

        var total = lineage.Sum(r => (long)r.Chars);
        var keptChars = lineage.Where(r => r.Decision == LineageRow.Kept).Sum(r => (long)r.Chars);
        var lastKept = lineage.Where(r => r.Decision == LineageRow.Kept).MinBy(r => (r.Score, -(double)StableHash.Key(seed, r.DocId, Purpose.ScoreTie)))!;
        Assert.InRange(keptChars - (0.5 * total), 0, lastKept.Chars);

        var result = quickstart.Manifest.GetProperty("selection").GetProperty("result");
        Assert.True(result.GetProperty("exact").GetBoolean());
        Assert.Equal(0.5, result.GetProperty("target_share").GetDouble());
        Assert.Equal(keptChars, result.GetProperty("achieved_weight").GetInt64());
        Assert.Equal(total, result.GetProperty("total_weight").GetInt64());
        Assert.Equal((double)keptChars / total, result.GetProperty("achieved_share").GetDouble(), 12);
        var scorer = quickstart.Manifest.GetProperty("scorer");
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(PipelineCli.RepoRoot, "models/quickstart-preselect.ftz")))),
            scorer.GetProperty("model_sha256").GetString());
    }

    [Fact]
    public void Quickstart_ScoreHistograms_AccountForEveryDocumentAndTheKeptPart()
    {
        var m = quickstart.Manifest;
        var histograms = m.GetProperty("score_histograms");
        Assert.Equal(2, histograms.GetArrayLength());
        long docs = 0, kept = 0;
        foreach (var h in histograms.EnumerateArray())
        {
            Assert.Equal(0.05, h.GetProperty("bin_width").GetDouble(), 12);
            Assert.Equal(20, h.GetProperty("bins").GetArrayLength());
            foreach (var b in h.GetProperty("bins").EnumerateArray())
            {
                docs += b.GetProperty("documents").GetInt64();
                kept += b.GetProperty("kept_documents").GetInt64();
                Assert.InRange(b.GetProperty("kept_documents").GetInt64(), 0, b.GetProperty("documents").GetInt64());
            }
        }
        Assert.Equal(m.GetProperty("totals").GetProperty("documents_read").GetInt64(), docs);
        Assert.Equal(m.GetProperty("totals").GetProperty("documents_kept").GetInt64(), kept);
        var stats = PipelineCli.OutputJson(quickstart.Output, "stats.json");
        Assert.Equal(histograms.GetRawText(), stats.GetProperty("score_histograms").GetRawText());
    }

    [ReferenceCliFact]
    public async Task Quickstart_Scores_EqualReferenceFastTextPredictProb()
    {
        // The engine's scores for the first 40 web documents equal `fasttext predict-prob MODEL FILE -1` on the same
        // texts with newlines turned into spaces (the job's newline mode), read from the sample files independently.
        var lineage = (await PipelineCli.LineageAsync(quickstart.Output)).Where(r => r.Source == "web").Take(40).ToList();
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(PipelineCli.RepoRoot, "samples/web"), "*.jsonl.gz"))
        {
            using var reader = new StreamReader(new GZipStream(File.OpenRead(file), CompressionMode.Decompress), Encoding.UTF8);
            while (reader.ReadLine() is { } line)
            {
                using var doc = JsonDocument.Parse(line);
                texts[doc.RootElement.GetProperty("id").GetString()!] = doc.RootElement.GetProperty("text").GetString()!;
            }
        }
        var input = _dir["predict.txt"];
        File.WriteAllText(input, string.Concat(lineage.Select(r => texts[r.OriginalId!].Replace('\n', ' ') + "\n")), new UTF8Encoding(false));
        var (exit, stdout, stderr) = ReferenceCli.Run(["predict-prob", Path.Combine(PipelineCli.RepoRoot, "models/quickstart-preselect.ftz"), input, "-1"]);
        Assert.True(exit == 0, stderr);
        var lines = Encoding.UTF8.GetString(stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lineage.Count, lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            var fields = lines[i].Split(' ');
            var at = Array.IndexOf(fields, "__label__1");
            var reference = at < 0 ? 0 : double.Parse(fields[at + 1], CultureInfo.InvariantCulture);
            // The reference prints 6 significant digits; the engine keeps the float itself.
            Assert.True(Math.Abs(reference - lineage[i].Score!.Value) <= 5e-6, $"{lineage[i].OriginalId}: reference {reference}, ours {lineage[i].Score}");
        }
    }

    [Fact]
    public async Task SketchMode_BoundaryPassFits_SameOutputAsExact()
    {
        // 100 documents of working memory: the sketch locates the boundary bin, whose few documents are sorted exactly.
        await RunQuickstartAsync("sketch", "selection.exact_memory_bytes=2400");
        // Shards and lineage are identical; the manifest and plan differ only by the job hash and the selection details.
        static bool Data(KeyValuePair<string, string> f) => f.Key.StartsWith("shards/", StringComparison.Ordinal) || f.Key.StartsWith("lineage/", StringComparison.Ordinal);
        var exact = PipelineCli.DeterministicFiles(quickstart.Output);
        var sketch = PipelineCli.DeterministicFiles(_dir["sketch"]);
        Assert.Contains(exact, Data);
        Assert.True(exact.Where(Data).SequenceEqual(sketch.Where(Data)), PipelineCli.Describe(exact, sketch));
        Assert.True(Manifest(_dir["sketch"]).GetProperty("selection").GetProperty("result").GetProperty("exact").GetBoolean());
    }

    [Fact]
    public async Task SketchMode_TieHistogram_StaysWithinStatedBound()
    {
        await RunQuickstartAsync("ties", "selection.exact_memory_bytes=0");
        var result = Manifest(_dir["ties"]).GetProperty("selection").GetProperty("result");
        Assert.False(result.GetProperty("exact").GetBoolean());
        var lineage = await PipelineCli.LineageAsync(_dir["ties"]);
        var total = lineage.Sum(r => (long)r.Chars);
        var keptChars = lineage.Where(r => r.Decision == LineageRow.Kept).Sum(r => (long)r.Chars);
        var maxError = result.GetProperty("max_error").GetInt64();
        Assert.InRange(Math.Abs(keptChars - (0.5 * total)), 0, maxError + 1);
        Assert.InRange(result.GetProperty("max_share_error").GetDouble(), 0, 0.01);
        // Outside the boundary bin the order is exact: every kept document outscores every rejected one by more than a bin.
        var width = 1.0 / 65536;
        var minKept = lineage.Where(r => r.Decision == LineageRow.Kept).Min(r => r.Score!.Value);
        var maxRejected = lineage.Where(r => r.Decision == LineageRow.Rejected).Max(r => r.Score!.Value);
        Assert.True(maxRejected - minKept < width, $"rejected {maxRejected} vs kept {minKept}");
    }

    [Fact]
    public async Task MinScore_KeepsExactlyTheDocumentsAtOrAboveIt()
    {
        await RunQuickstartAsync("min", "selection.keep_top=", "selection.min_score=0.75");
        var lineage = await PipelineCli.LineageAsync(_dir["min"]);
        Assert.All(lineage, r => Assert.Equal(r.Score >= 0.75, r.Decision == LineageRow.Kept));
        Assert.Contains(lineage, r => r.Decision == LineageRow.Kept);
        Assert.Contains(lineage, r => r.Decision == LineageRow.Rejected);
    }

    [Fact]
    public async Task MaxTokens_FillsTheBudgetByScoreWithoutExceedingIt()
    {
        const long budget = 400_000;
        await RunQuickstartAsync("budget", "selection.keep_top=", $"selection.max_tokens={budget}");
        var lineage = await PipelineCli.LineageAsync(_dir["budget"]);
        var keptTokens = lineage.Where(r => r.Decision == LineageRow.Kept).Sum(r => (long)r.Tokens);
        Assert.InRange(keptTokens, 1, budget);
        // The best rejected document would not have fitted, and every kept document outscores every rejected one (or ties it).
        var seed = Manifest(_dir["budget"]).GetProperty("seed").GetInt64();
        var next = lineage.Where(r => r.Decision == LineageRow.Rejected).MinBy(r => (-r.Score!.Value, StableHash.Key(seed, r.DocId, Purpose.ScoreTie)))!;
        Assert.True(keptTokens + next.Tokens > budget);
        Assert.True(lineage.Where(r => r.Decision == LineageRow.Kept).Min(r => r.Score!.Value) >= next.Score!.Value);
    }

    [Fact]
    public async Task Mixture_RealisedSharesMatchTargetsWithinOneTenthPercent_RepeatCapRespected()
    {
        // After the threshold web holds ~0.59M tokens and synthetic ~0.71M: web 0.7 of 1.2M needs repeats (cap 2),
        // synthetic 0.3 is downsampled by score.
        const long total = 1_200_000;
        await RunQuickstartAsync("mix",
            $"mixture={{ total_tokens: {total}, sources: [ {{ name: web, share: 0.7, max_repeats: 2 }}, {{ name: synthetic, share: 0.3, sampling: score }} ] }}");
        var m = Manifest(_dir["mix"]);
        var lineage = await PipelineCli.LineageAsync(_dir["mix"]);
        var tokens = lineage.GroupBy(r => r.Source).ToDictionary(g => g.Key, g => g.Sum(r => (long)r.Tokens * r.Copies));
        var realised = tokens.Values.Sum();
        Assert.Equal(m.GetProperty("totals").GetProperty("tokens").GetInt64(), realised);
        Assert.InRange(Math.Abs(((double)tokens["web"] / realised) - 0.7), 0, 0.001);
        Assert.InRange(Math.Abs(((double)tokens["synthetic"] / realised) - 0.3), 0, 0.001);
        Assert.InRange(total - realised, 0, 2 * 20_000);
        Assert.All(lineage, r => Assert.InRange(r.Copies, 0, r.Source == "web" ? 2 : 1));
        Assert.Contains(lineage, r => r.Copies == 2);
        Assert.Contains(lineage, r => r.Reason == "over_budget" && r.Source == "synthetic");
        Assert.Empty(m.GetProperty("mixture").GetProperty("shortfalls").EnumerateArray());
        Assert.Equal(lineage.Sum(r => (long)r.Copies), m.GetProperty("totals").GetProperty("document_copies").GetInt64());

        // The same mixture with 2 workers gives the same bytes.
        var two = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", "jobs/quickstart.yaml", "--output", _dir["mix2"], "--workers", "2", "--set",
            $"mixture={{ total_tokens: {total}, sources: [ {{ name: web, share: 0.7, max_repeats: 2 }}, {{ name: synthetic, share: 0.3, sampling: score }} ] }}");
        Assert.True(two.ExitCode == 0, two.ToString());
        PipelineCli.AssertSameFiles(_dir["mix"], _dir["mix2"]);
    }

    [Fact]
    public async Task Mixture_SourceRunsShort_JobSaysWhichSource()
    {
        var run = await RunQuickstartAsync("short",
            "mixture={ total_tokens: 1200000, sources: [ { name: web, share: 0.7 }, { name: synthetic, share: 0.3 } ] }");
        var shortfalls = Manifest(_dir["short"]).GetProperty("mixture").GetProperty("shortfalls");
        Assert.Equal("web", Assert.Single(shortfalls.EnumerateArray()).GetProperty("source").GetString());
        Assert.Contains("Source 'web' ran short", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MissingModel_FailsBeforeAnyWorkNamingTheField()
    {
        var run = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", "jobs/quickstart.yaml", "--output", _dir["nomodel"], "--set", "scoring.preselect.model=models/missing.ftz");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("scoring.preselect.model", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("missing.ftz", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir["nomodel/manifest.json"]));
    }

    [Fact]
    public async Task Run_UnknownPositiveLabel_FailsListingTheModelsLabels()
    {
        var run = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", "jobs/quickstart.yaml", "--output", _dir["nolabel"], "--set", "scoring.preselect.positive_label=__label__good");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("__label__good", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("__label__1", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NotAModel_FailsWithClearMessage()
    {
        var run = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", "jobs/quickstart.yaml", "--output", _dir["badmodel"], "--set", "scoring.preselect.model=samples/README.md");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("not a usable fastText model", run.Stderr, StringComparison.Ordinal);
    }
}
