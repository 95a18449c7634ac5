using Pipeline.Core.Jobs;

namespace Pipeline.Jobs.Tests;

public sealed class JobLoaderLoadTests
{
    [Fact]
    public void Load_QuickstartExample_MapsEveryField()
    {
        var job = JobLoader.Load(TestJobs.Quickstart, "quickstart.yaml", []);

        Assert.Equal("quickstart", job.Name);
        Assert.Equal(1234L, job.Seed);
        Assert.Equal("out/quickstart", job.Output);
        Assert.Equal(2, job.Sources.Count);
        Assert.Equal(new SourceSpec("web", "samples/web/*.jsonl.gz", "text", "id", InputFormat.Auto, 1_000_000), job.Sources[0]);
        Assert.Equal(new SourceSpec("synthetic", "samples/synthetic/*.jsonl.zst", "text", null, InputFormat.Auto, null), job.Sources[1]);
        Assert.Equal(new TokenizerSpec("cl100k_base", null, null, null), job.Tokenizer);
        Assert.Equal(new PackSpec(2048, PackStrategy.BestFit, 50_000_000, 16_777_216, 1024), job.Pack);
        Assert.Equal(new LimitsSpec(8_388_608, 0.01, 67_108_864), job.Limits);
    }

    [Fact]
    public void Load_MinimalJob_FillsRecordDefaults()
    {
        var job = JobLoader.Load(TestJobs.Minimal, "minimal.yaml", []);

        var source = Assert.Single(job.Sources);
        Assert.Equal("text", source.TextField);
        Assert.Null(source.IdField);
        Assert.Equal(InputFormat.Auto, source.Format);
        Assert.Null(source.MaxTokens);
        Assert.Equal(new TokenizerSpec("gpt2"), job.Tokenizer);
        Assert.Equal(new PackSpec(SeqLen: 2048), job.Pack);
        Assert.Equal(PackStrategy.BestFit, job.Pack.Strategy);
        Assert.Equal(50_000_000L, job.Pack.MaxTokensPerShard);
        Assert.Equal(16L << 20, job.Pack.BucketBytes);
        Assert.Equal(1024, job.Pack.RowGroupRows);
        Assert.Equal(new LimitsSpec(), job.Limits);
        Assert.Equal(8 << 20, job.Limits.MaxDocumentBytes);
        Assert.Equal(0.01, job.Limits.ErrorBudget);
        Assert.Equal(64L << 20, job.Limits.UnitBytes);
    }

    [Fact]
    public void Load_NonDefaultValues_MapsThemAll()
    {
        const string yaml = """
            name: custom.job-1
            seed: 0x10
            output: file:///data/out
            sources:
              - { name: books, uri: "file:///data/books/*.parquet", text_field: body, id_field: doc_id, format: parquet, max_tokens: 1e6 }
              - { name: code, uri: code/*.jsonl, format: jsonl, max_tokens: 2_000_000 }
            tokenizer: { tiktoken: vocab/my.tiktoken, eot_id: 100257 }
            pack: { seq_len: 4096, strategy: concat, max_tokens_per_shard: 8192, bucket_bytes: 1048576, row_group_rows: 64 }
            limits: { max_document_bytes: 1024, error_budget: 0, unit_bytes: 4096 }
            """;

        var job = JobLoader.Load(yaml, "custom.yaml", []);

        Assert.Equal("custom.job-1", job.Name);
        Assert.Equal(16L, job.Seed);
        Assert.Equal("file:///data/out", job.Output);
        Assert.Equal(new SourceSpec("books", "file:///data/books/*.parquet", "body", "doc_id", InputFormat.Parquet, 1_000_000), job.Sources[0]);
        Assert.Equal(new SourceSpec("code", "code/*.jsonl", "text", null, InputFormat.Jsonl, 2_000_000), job.Sources[1]);
        Assert.Equal(new TokenizerSpec(null, "vocab/my.tiktoken", null, 100257), job.Tokenizer);
        Assert.Equal(new PackSpec(4096, PackStrategy.Concat, 8192, 1_048_576, 64), job.Pack);
        Assert.Equal(new LimitsSpec(1024, 0.0, 4096), job.Limits);
    }

    [Fact]
    public void Load_SentencePieceTokenizer_SetsOnlyTheFile()
    {
        var yaml = TestJobs.Minimal.Replace("  name: gpt2", "  sentencepiece: models/sp.model", StringComparison.Ordinal);

        var job = JobLoader.Load(yaml, "sp.yaml", []);

        Assert.Equal(new TokenizerSpec(null, null, "models/sp.model", null), job.Tokenizer);
    }

    [Fact]
    public void Load_QuotedScalars_StayStrings()
    {
        const string yaml = """
            name: "007"
            seed: 1
            output: '2024'
            sources: [{ name: 'true', uri: "1.5" }]
            tokenizer: { name: gpt2 }
            pack: { seq_len: 16 }
            """;

        var job = JobLoader.Load(yaml, "quoted.yaml", []);

        Assert.Equal("007", job.Name);
        Assert.Equal("2024", job.Output);
        Assert.Equal("true", job.Sources[0].Name);
        Assert.Equal("1.5", job.Sources[0].Uri);
    }

    [Fact]
    public void Load_AnchorsAndAliases_AreExpanded()
    {
        const string yaml = """
            name: t
            seed: 1
            output: out
            sources:
              - name: a
                uri: &glob shared/*.jsonl
              - name: b
                uri: *glob
            tokenizer: { name: gpt2 }
            pack: { seq_len: 64 }
            """;

        var job = JobLoader.Load(yaml, "alias.yaml", []);

        Assert.Equal("shared/*.jsonl", job.Sources[1].Uri);
    }

    [Fact]
    public void Load_UriKeptExactlyAsWritten()
    {
        var yaml = TestJobs.Minimal.Replace("uri: a/*.jsonl", "uri: ./rel/../x/*.jsonl.gz", StringComparison.Ordinal);

        var job = JobLoader.Load(yaml, "uri.yaml", []);

        Assert.Equal("./rel/../x/*.jsonl.gz", job.Sources[0].Uri);
    }

    [Fact]
    public void Validate_ValidJob_ReturnsNoErrors()
    {
        Assert.Empty(JobLoader.Validate(TestJobs.Quickstart, "quickstart.yaml", []));
        Assert.Empty(JobLoader.Validate(TestJobs.Minimal, "minimal.yaml", []));
    }

    [Fact]
    public void LoadFile_RepositoryJobFiles_AreAllValid()
    {
        var files = Directory.GetFiles(Path.Combine(TestJobs.RepoRoot(), "jobs"), "*.yaml");

        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.Empty(JobLoader.Validate(File.ReadAllText(f), f, [])));
    }

    [Fact]
    public void LoadFile_ExistingFile_LoadsIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"job-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, TestJobs.Quickstart);
        try
        {
            var job = JobLoader.LoadFile(path, ["seed=99"]);

            Assert.Equal("quickstart", job.Name);
            Assert.Equal(99L, job.Seed);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadFile_MissingFile_ThrowsValidationExceptionNamingTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}", "job.yaml");

        var ex = Assert.Throws<JobValidationException>(() => JobLoader.LoadFile(path, []));

        Assert.Equal(path, ex.FileName);
        Assert.Equal("job file not found", Assert.Single(ex.Errors).Message);
        Assert.StartsWith(path + ": ", ex.Message, StringComparison.Ordinal);
    }
}
