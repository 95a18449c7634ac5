namespace Pipeline.Jobs.Tests;

public sealed class JobLoaderErrorTests
{
    private static JobError SingleError(string yaml, params string[] overrides) =>
        Assert.Single(JobLoader.Validate(yaml, "job.yaml", overrides));

    private static string Edit(string oldText, string newText) => TestJobs.Minimal.Replace(oldText, newText, StringComparison.Ordinal);

    [Fact]
    public void Validate_UnknownField_ReportsKeyPositionAndSuggestion()
    {
        var yaml = TestJobs.Minimal + "\n  strtegy: concat";

        var error = SingleError(yaml);

        Assert.Equal("pack.strtegy", error.Path);
        Assert.Equal((11, 3), (error.Line, error.Column));
        Assert.Equal("unknown field 'strtegy' (did you mean 'strategy'?)", error.Message);
    }

    [Fact]
    public void Validate_UnknownTopLevelField_ListsAllowedFields()
    {
        var yaml = "bogus: 1\n" + TestJobs.Minimal;

        var error = SingleError(yaml);

        Assert.Equal("bogus", error.Path);
        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.Contains("unknown field 'bogus'; allowed fields: name, seed, output, sources, tokenizer, pack, limits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownFieldInSource_ReportsSourcePath()
    {
        var yaml = Edit("    uri: a/*.jsonl", "    uri: a/*.jsonl\n    txt_field: body");

        var error = SingleError(yaml);

        Assert.Equal("sources[0].txt_field", error.Path);
        Assert.Equal((7, 5), (error.Line, error.Column));
        Assert.Contains("did you mean 'text_field'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WrongType_ReportsValuePosition()
    {
        var error = SingleError(Edit("seed: 1", "seed: abc"));

        Assert.Equal("seed", error.Path);
        Assert.Equal((2, 7), (error.Line, error.Column));
        Assert.Equal("must be an integer, got string 'abc'", error.Message);
    }

    [Fact]
    public void Validate_QuotedNumberForInteger_SuggestsRemovingQuotes()
    {
        var error = SingleError(Edit("seed: 1", "seed: \"7\""));

        Assert.Equal("seed", error.Path);
        Assert.Equal("must be an integer, got string '7' (remove the quotes to use it as a number)", error.Message);
    }

    [Fact]
    public void Validate_NumberForString_SuggestsQuotes()
    {
        var error = SingleError(Edit("output: out", "output: 123"));

        Assert.Equal("output", error.Path);
        Assert.Equal((3, 9), (error.Line, error.Column));
        Assert.Equal("must be a string, got number 123 (put it in quotes to use it as text)", error.Message);
    }

    [Fact]
    public void Validate_MissingRequiredNestedField_ReportsParentPosition()
    {
        var error = SingleError(Edit("  seq_len: 2048", "  strategy: concat"));

        Assert.Equal("pack.seq_len", error.Path);
        Assert.Equal((9, 1), (error.Line, error.Column));
        Assert.Equal("missing required field 'seq_len'", error.Message);
    }

    [Fact]
    public void Validate_MissingRequiredTopLevelField_ReportsRootPosition()
    {
        var error = SingleError(Edit("output: out\n", string.Empty));

        Assert.Equal("output", error.Path);
        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.Equal("missing required field 'output'", error.Message);
    }

    [Fact]
    public void Validate_MissingSourceUri_ReportsTheListItem()
    {
        var error = SingleError(Edit("    uri: a/*.jsonl", "    format: jsonl"));

        Assert.Equal("sources[0].uri", error.Path);
        Assert.Equal((5, 5), (error.Line, error.Column));
        Assert.Equal("missing required field 'uri'", error.Message);
    }

    [Fact]
    public void Validate_BadEnum_ListsAllowedValues()
    {
        var error = SingleError(Edit("    uri: a/*.jsonl", "    uri: a/*.jsonl\n    format: jsonlines"));

        Assert.Equal("sources[0].format", error.Path);
        Assert.Equal((7, 13), (error.Line, error.Column));
        Assert.StartsWith("must be one of auto, jsonl or parquet, got 'jsonlines'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EnumTypo_SuggestsClosestValue()
    {
        var error = SingleError(Edit("  name: gpt2", "  name: cl100k_bse"));

        Assert.Equal("tokenizer.name", error.Path);
        Assert.Equal((8, 9), (error.Line, error.Column));
        Assert.Equal(
            "must be one of cl100k_base, o200k_base, gpt2 or r50k_base, got 'cl100k_bse' (did you mean 'cl100k_base'?)",
            error.Message);
    }

    [Fact]
    public void Validate_SeqLenBelowMinimum_ReportsBoundAndValue()
    {
        var error = SingleError(Edit("seq_len: 2048", "seq_len: 4"));

        Assert.Equal("pack.seq_len", error.Path);
        Assert.Equal((10, 12), (error.Line, error.Column));
        Assert.Equal("must be ≥ 16, got 4", error.Message);
    }

    [Fact]
    public void Validate_ErrorBudgetAboveOne_ReportsUpperBound()
    {
        var error = SingleError(TestJobs.Minimal + "\nlimits: { error_budget: 1.5 }");

        Assert.Equal("limits.error_budget", error.Path);
        Assert.Equal((11, 25), (error.Line, error.Column));
        Assert.Equal("must be ≤ 1, got 1.5", error.Message);
    }

    [Fact]
    public void Validate_BadSourceName_ExplainsAllowedCharacters()
    {
        var error = SingleError(Edit("  - name: web", "  - name: my web"));

        Assert.Equal("sources[0].name", error.Path);
        Assert.Equal("must use only letters, digits, '_', '.' and '-', got 'my web'", error.Message);
    }

    [Fact]
    public void Validate_EmptySourceList_ReportsMinItems()
    {
        var yaml = Edit("sources:\n  - name: web\n    uri: a/*.jsonl", "sources: []");

        var error = SingleError(yaml);

        Assert.Equal("sources", error.Path);
        Assert.Equal((4, 10), (error.Line, error.Column));
        Assert.Equal("must list at least one item", error.Message);
    }

    [Fact]
    public void Validate_TwoTokenizerKinds_ReportsTokenizerLine()
    {
        var error = SingleError(Edit("  name: gpt2", "  name: gpt2\n  tiktoken: vocab.tiktoken"));

        Assert.Equal("tokenizer", error.Path);
        Assert.Equal((7, 1), (error.Line, error.Column));
        Assert.Equal("must set exactly one of name, tiktoken or sentencepiece; found name and tiktoken", error.Message);
    }

    [Fact]
    public void Validate_NoTokenizerKind_SaysNoneIsSet()
    {
        var error = SingleError(Edit("  name: gpt2", "  eot_id: 7"));

        Assert.Equal("tokenizer", error.Path);
        Assert.Equal((7, 1), (error.Line, error.Column));
        Assert.Equal("must set exactly one of name, tiktoken or sentencepiece; none is set", error.Message);
    }

    [Fact]
    public void Validate_DuplicateSourceNames_ReportsSecondName()
    {
        var error = SingleError(Edit("    uri: a/*.jsonl", "    uri: a/*.jsonl\n  - name: web\n    uri: b/*.jsonl"));

        Assert.Equal("sources[1].name", error.Path);
        Assert.Equal((7, 11), (error.Line, error.Column));
        Assert.Equal("duplicate source name 'web': sources[0] at line 5 already uses it; source names must be unique", error.Message);
    }

    [Fact]
    public void Validate_ShardSmallerThanSequence_ReportsShardField()
    {
        var error = SingleError(TestJobs.Minimal + "\n  max_tokens_per_shard: 1024");

        Assert.Equal("pack.max_tokens_per_shard", error.Path);
        Assert.Equal((11, 25), (error.Line, error.Column));
        Assert.Equal("must be at least seq_len (2048) so that a shard holds at least one sequence, got 1024", error.Message);
    }

    [Fact]
    public void Validate_YamlSyntaxError_ReportsParserPosition()
    {
        var yaml = Edit("  seq_len: 2048", "  seq_len: 2048\n bad_indent: 1");

        var error = SingleError(yaml);

        Assert.Equal(string.Empty, error.Path);
        Assert.Equal((11, 2), (error.Line, error.Column));
        Assert.StartsWith("invalid YAML: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnclosedFlowMapping_ReportsSyntaxError()
    {
        var error = SingleError("name: t\npack: { seq_len: 16\nseed: 1\n");

        Assert.Equal(string.Empty, error.Path);
        Assert.Equal(2, error.Line);
        Assert.StartsWith("invalid YAML: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AliasWithoutAnchor_ReportsAliasPosition()
    {
        var error = SingleError(Edit("output: out", "output: *nowhere"));

        Assert.Equal((3, 9), (error.Line, error.Column));
        Assert.Equal("invalid YAML: alias *nowhere refers to no anchor defined before it", error.Message);
    }

    [Fact]
    public void Validate_ExcessiveNesting_IsRejected()
    {
        var yaml = TestJobs.Minimal + "\nlimits: " + new string('[', 100) + new string(']', 100);

        var error = SingleError(yaml);

        Assert.Equal(11, error.Line);
        Assert.Contains("nesting is deeper than 64 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DuplicateKey_ReportsSecondOccurrence()
    {
        var error = SingleError(Edit("seed: 1\n", "seed: 1\nseed: 2\n"));

        Assert.Equal("seed", error.Path);
        Assert.Equal((3, 1), (error.Line, error.Column));
        Assert.Equal("duplicate key 'seed' (first defined at line 2)", error.Message);
    }

    [Fact]
    public void Validate_EmptyFile_ReportsEmpty()
    {
        var error = SingleError("# only a comment\n");

        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.Equal("the job file is empty", error.Message);
    }

    [Fact]
    public void Validate_TopLevelList_ReportsMappingExpected()
    {
        var error = SingleError("- a\n- b\n");

        Assert.Equal(string.Empty, error.Path);
        Assert.Equal("must be a mapping, got a list", error.Message);
    }

    [Fact]
    public void Validate_SecondDocument_IsAnError()
    {
        var error = SingleError(TestJobs.Minimal + "\n---\nname: other\n");

        Assert.Equal((11, 1), (error.Line, error.Column));
        Assert.Contains("one YAML document", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsEveryOneInFileOrder()
    {
        const string yaml = """
            name: bad name
            seed: -1
            output: out
            sources:
              - name: web
                uri: ""
            tokenizer: { name: gpt3 }
            pack: { seq_len: 2048, strategy: fastest }
            limits: { error_budget: 2, unit_bytes: 0 }
            extra: true
            """;

        var errors = JobLoader.Validate(yaml, "job.yaml", []);

        Assert.Equal(
            [
                ("name", 1), ("seed", 2), ("sources[0].uri", 6), ("tokenizer.name", 7), ("pack.strategy", 8),
                ("limits.error_budget", 9), ("limits.unit_bytes", 9), ("extra", 10),
            ],
            errors.Select(e => (e.Path, e.Line)).ToArray());
        Assert.Equal("must not be empty", errors[2].Message);
        Assert.Equal("must be ≥ 0, got -1", errors[1].Message);
    }

    [Fact]
    public void Load_InvalidJob_ThrowsWithCompilerStyleLines()
    {
        var yaml = Edit("seq_len: 2048", "seq_len: 4").Replace("seed: 1", "seed: x", StringComparison.Ordinal);

        var ex = Assert.Throws<JobValidationException>(() => JobLoader.Load(yaml, "jobs/bad.yaml", []));

        Assert.Equal(2, ex.Errors.Count);
        Assert.Equal("jobs/bad.yaml", ex.FileName);
        Assert.Equal(
            "jobs/bad.yaml:2:7: seed: must be an integer, got string 'x'\njobs/bad.yaml:10:12: pack.seq_len: must be ≥ 16, got 4",
            ex.Message);
    }
}
