using Pipeline.Core.Jobs;

namespace Pipeline.Jobs.Tests;

public sealed class JobLoaderOverrideTests
{
    private static JobSpec Load(params string[] overrides) => JobLoader.Load(TestJobs.Minimal, "job.yaml", overrides);

    [Fact]
    public void Load_NumberOverride_BecomesNumber()
    {
        var job = Load("pack.seq_len=4096", "seed=7");

        Assert.Equal(4096, job.Pack.SeqLen);
        Assert.Equal(7L, job.Seed);
    }

    [Fact]
    public void Load_StringOverride_ReplacesValue()
    {
        var job = Load("tokenizer.name=o200k_base", "output=out/other");

        Assert.Equal("o200k_base", job.Tokenizer.Name);
        Assert.Equal("out/other", job.Output);
    }

    [Fact]
    public void Load_NestedOverrideOfAbsentSection_CreatesIt()
    {
        var job = Load("limits.error_budget=0.05", "pack.strategy=concat");

        Assert.Equal(0.05, job.Limits.ErrorBudget);
        Assert.Equal(new LimitsSpec().MaxDocumentBytes, job.Limits.MaxDocumentBytes);
        Assert.Equal(PackStrategy.Concat, job.Pack.Strategy);
    }

    [Fact]
    public void Load_ListIndexOverride_ChangesThatSource()
    {
        var job = JobLoader.Load(TestJobs.Quickstart, "quickstart.yaml", ["sources[1].uri=x/*.jsonl", "sources[1].max_tokens=5"]);

        Assert.Equal("x/*.jsonl", job.Sources[1].Uri);
        Assert.Equal(5L, job.Sources[1].MaxTokens);
        Assert.Equal("samples/web/*.jsonl.gz", job.Sources[0].Uri);
    }

    [Fact]
    public void Load_ValueThatIsNotYaml_IsTakenLiterally()
    {
        var job = Load("sources[0].uri=*.jsonl");

        Assert.Equal("*.jsonl", job.Sources[0].Uri);
    }

    [Fact]
    public void Load_QuotedOverrideValue_StaysString()
    {
        var job = Load("name='007'");

        Assert.Equal("007", job.Name);
    }

    [Fact]
    public void Load_MappingOverride_ReplacesWholeSection()
    {
        var job = Load("tokenizer={tiktoken: v.tiktoken, eot_id: 3}");

        Assert.Equal(new TokenizerSpec(null, "v.tiktoken", null, 3), job.Tokenizer);
    }

    [Fact]
    public void Load_NullOverride_RemovesFieldSoDefaultApplies()
    {
        var job = JobLoader.Load(TestJobs.Quickstart, "quickstart.yaml", ["sources[0].max_tokens=null", "pack.strategy="]);

        Assert.Null(job.Sources[0].MaxTokens);
        Assert.Equal(PackStrategy.BestFit, job.Pack.Strategy);
    }

    [Fact]
    public void Load_LaterOverride_Wins()
    {
        Assert.Equal(3L, Load("seed=2", "seed=3").Seed);
    }

    [Fact]
    public void Load_OverrideFixesInvalidFile_ValidatesAfterOverrides()
    {
        var yaml = TestJobs.Minimal.Replace("seq_len: 2048", "seq_len: 4", StringComparison.Ordinal);

        var job = JobLoader.Load(yaml, "job.yaml", ["pack.seq_len=4096"]);

        Assert.Equal(4096, job.Pack.SeqLen);
    }

    [Fact]
    public void Validate_OverrideWithInvalidValue_NamesTheOverride()
    {
        var error = Assert.Single(JobLoader.Validate(TestJobs.Minimal, "job.yaml", ["pack.seq_len=4"]));

        Assert.Equal("pack.seq_len", error.Path);
        Assert.Equal((0, 0), (error.Line, error.Column));
        Assert.Equal("must be ≥ 16, got 4 (from --set pack.seq_len=4)", error.Message);
        Assert.Equal("job.yaml: pack.seq_len: must be ≥ 16, got 4 (from --set pack.seq_len=4)", error.ToDisplayString("job.yaml"));
    }

    [Fact]
    public void Validate_OverrideIndexOutOfRange_IsAnErrorNamingTheOverride()
    {
        var error = Assert.Single(JobLoader.Validate(TestJobs.Minimal, "job.yaml", ["sources[5].uri=x"]));

        Assert.Equal("sources[5].uri", error.Path);
        Assert.Equal(0, error.Line);
        Assert.Equal("invalid override '--set sources[5].uri=x': index [5] is out of range: sources has 1 item", error.Message);
    }

    [Fact]
    public void Validate_OverrideThroughScalar_IsAnError()
    {
        var error = Assert.Single(JobLoader.Validate(TestJobs.Minimal, "job.yaml", ["seed.x=1"]));

        Assert.Equal("seed.x", error.Path);
        Assert.Equal("invalid override '--set seed.x=1': seed is number 1, not a mapping, so it has no field 'x'", error.Message);
    }

    [Fact]
    public void Validate_OverrideWithoutEquals_IsAnError()
    {
        var error = Assert.Single(JobLoader.Validate(TestJobs.Minimal, "job.yaml", ["pack.seq_len"]));

        Assert.Equal("pack.seq_len", error.Path);
        Assert.Equal(0, error.Line);
        Assert.Equal("invalid override '--set pack.seq_len': expected PATH=VALUE, e.g. pack.seq_len=4096", error.Message);
    }

    [Fact]
    public void Validate_MalformedOverridePath_IsAnError()
    {
        var error = Assert.Single(JobLoader.Validate(TestJobs.Minimal, "job.yaml", ["pack..seq_len=1"]));

        Assert.Equal("pack..seq_len", error.Path);
        Assert.StartsWith("invalid override '--set pack..seq_len=1': 'pack..seq_len' is not a field path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OverrideCreatingUnknownLeaf_IsReportedAsUnknownField()
    {
        var error = Assert.Single(JobLoader.Validate(TestJobs.Minimal, "job.yaml", ["pack.seqlen=4096"]));

        Assert.Equal("pack.seqlen", error.Path);
        Assert.Equal(0, error.Line);
        Assert.Equal("unknown field 'seqlen' (did you mean 'seq_len'?) (from --set pack.seqlen=4096)", error.Message);
    }

    [Fact]
    public void Validate_OverrideErrorsAndFileErrors_AreAllReported()
    {
        var yaml = TestJobs.Minimal.Replace("seed: 1", "seed: x", StringComparison.Ordinal);

        var errors = JobLoader.Validate(yaml, "job.yaml", ["sources[3].uri=y", "pack.seq_len=8"]);

        Assert.Equal(["seed", "pack.seq_len", "sources[3].uri"], errors.Select(e => e.Path).ToArray());
        Assert.Equal(2, errors[0].Line);
        Assert.Equal(0, errors[1].Line);
    }
}
