namespace Pipeline.IntegrationTests;

/// <summary>
/// <c>scoring.preselect.train</c>: the job labels and trains its classifier as its first step, from a real loss table
/// made by <c>pipeline preselect losses</c> on the samples, then scores and selects with it.
/// </summary>
[Collection(PipelineProcesses.Name)]
public sealed class PreSelectTrainingStepTests : IDisposable
{
    // sha256 of the .bin that scripts/preselect-quickstart/make-model.sh trains with `pipeline preselect train --dim 16
    // --bucket 100000` on the same labels (models/PROVENANCE.md): the job step must train the same bytes.
    private const string ProvenanceBinSha256 = "762fdd0f9922f03d60ce618a48a6e247ba9e5f1de7f8b9a7fd98f402221be70f";

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private async Task<string> WriteJobAsync()
    {
        var losses = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "preselect", "losses",
            "--reference", "samples/web/brown-part-00.jsonl.gz", "samples/web/brown-part-01.jsonl.gz", "--target", "samples/web/brown-part-02.jsonl.gz",
            "--docs", "samples/web/brown-part-03.jsonl.gz", "samples/synthetic", "--out", _dir["losses"]);
        Assert.True(losses.ExitCode == 0, losses.ToString());
        var job = _dir["train.yaml"];
        File.WriteAllText(job, $$"""
            name: train-step
            seed: 1234
            output: {{_dir["out"]}}
            sources:
              - { name: web, uri: samples/web/*.jsonl.gz, id_field: id }
              - { name: synthetic, uri: samples/synthetic/*.jsonl.zst, id_field: id }
            scoring:
              preselect:
                train:
                  losses: {{_dir["losses/losses.parquet"]}}
                  benchmarks: {{_dir["losses/benchmarks.json"]}}
                  docs: [samples/web/brown-part-03.jsonl.gz, samples/synthetic]
                  dim: 16
                  bucket: 100000
            selection: { keep_top: 0.5 }
            tokenizer: { name: cl100k_base }
            pack: { seq_len: 2048 }
            """);
        return job;
    }

    [Fact]
    public async Task Run_TrainStep_TrainsTheSameModelAsTheCli_ScoresWithIt_AndReusesItOnRerun()
    {
        var job = await WriteJobAsync();
        var run = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", job, "--workers", "2");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("2,665 positive and 1,461 negative", run.Stdout, StringComparison.Ordinal);

        var manifest = PipelineCli.OutputJson(_dir["out"]);
        var scorer = manifest.GetProperty("scorer");
        Assert.Equal("preselect/model.bin", scorer.GetProperty("model").GetString());
        Assert.Equal(ProvenanceBinSha256, scorer.GetProperty("model_sha256").GetString());
        Assert.Equal(ProvenanceBinSha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(_dir["out/preselect/model.bin"]))));
        Assert.Equal(2, scorer.GetProperty("trained_files").GetArrayLength());
        var lineage = await PipelineCli.LineageAsync(_dir["out"]);
        Assert.Contains(lineage, r => r.Reason == "below_threshold");
        Assert.All(lineage, r => Assert.InRange(r.Score!.Value, 0, 1));

        // Without the manifest, a rerun reuses the trained model and writes the same bytes.
        var before = PipelineCli.DeterministicFiles(_dir["out"]);
        File.Delete(_dir["out/manifest.json"]);
        var rerun = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", job, "--workers", "1");
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.Contains("reusing the classifier trained by this job", rerun.Stdout, StringComparison.Ordinal);
        var after = PipelineCli.DeterministicFiles(_dir["out"]);
        Assert.True(before.SequenceEqual(after), PipelineCli.Describe(before, after));

        // verify checks the trained files too.
        var verify = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "verify", _dir["out"]);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        var bytes = File.ReadAllBytes(_dir["out/preselect/strength.parquet"]);
        bytes[bytes.Length / 2] ^= 0x55;
        File.WriteAllBytes(_dir["out/preselect/strength.parquet"], bytes);
        var tampered = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "verify", _dir["out"]);
        Assert.Equal(1, tampered.ExitCode);
        Assert.Contains("preselect/strength.parquet", tampered.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_TrainStepWithMissingLossTable_FailsNamingTheFile()
    {
        var job = await WriteJobAsync();
        File.Delete(_dir["losses/losses.parquet"]);
        var run = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", job);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("losses.parquet", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir["out/manifest.json"]));
    }
}
