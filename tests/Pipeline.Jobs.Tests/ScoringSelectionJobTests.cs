using Pipeline.Core.Jobs;
using Pipeline.Core.Selection;

namespace Pipeline.Jobs.Tests;

/// <summary>The scoring, selection and mixture sections: mapping, defaults, the rules the schema cannot express, the hash.</summary>
public sealed class ScoringSelectionJobTests
{
    private const string TwoSources = """
        name: t
        seed: 1
        output: out
        sources:
          - { name: web, uri: a/*.jsonl }
          - { name: math, uri: b/*.jsonl }
        tokenizer: { name: gpt2 }
        pack: { seq_len: 2048 }
        """;

    private const string Scoring = "\nscoring: { preselect: { model: m.bin } }";

    private static IReadOnlyList<JobError> Errors(string yaml)
    {
        var ex = Assert.Throws<JobValidationException>(() => JobLoader.Load(yaml, "job.yaml", []));
        return ex.Errors;
    }

    [Fact]
    public void Load_AllSections_MapsEveryFieldAndDefault()
    {
        var job = JobLoader.Load(TwoSources + """

            scoring: { preselect: { model: m.ftz, newlines: delete } }
            selection: { keep_top: 0.1 }
            mixture:
              total_tokens: 1000
              shortfall: shrink_total
              sources: [ { name: web, share: 0.7, sampling: score }, { name: math, share: 0.3, max_repeats: 3 } ]
            """, "job.yaml", []);

        Assert.Equal(new PreSelectSpec("m.ftz", "__label__1", NewlineMode.Delete), job.Scoring!.PreSelect);
        Assert.Equal(new SelectionSpec(KeepTop: 0.1, By: WeightBasis.Characters, ExactMemoryBytes: 256L << 20), job.Selection);
        Assert.Equal(1000, job.Mixture!.TotalTokens);
        Assert.Equal(ShortfallPolicy.ShrinkTotal, job.Mixture.Shortfall);
        Assert.Equal(new MixtureSourceSpec("web", 0.7, MixtureSampling.ByScore, 1), job.Mixture.Sources[0]);
        Assert.Equal(new MixtureSourceSpec("math", 0.3, MixtureSampling.Random, 3), job.Mixture.Sources[1]);
    }

    [Fact]
    public void Load_TrainSection_MapsSettingsWithPreSelectDefaults()
    {
        var job = JobLoader.Load(TwoSources + "\nscoring: { preselect: { train: { losses: l.parquet, benchmarks: b.json, docs: [d1, d2], dim: 16 } } }", "job.yaml", []);

        var train = job.Scoring!.PreSelect.Train!;
        Assert.Null(job.Scoring.PreSelect.Model);
        Assert.Equal(new PreSelectTrainSpec("l.parquet", "b.json", train.Documents, Dim: 16), train);
        Assert.Equal(["d1", "d2"], train.Documents);
        Assert.Equal((3, 0.1, 2, 2_000_000, 1), (train.Epoch, train.LearningRate, train.WordNgrams, train.Bucket, train.MinCount));
    }

    [Fact]
    public void Validate_PreSelectWithModelAndTrain_IsOneOfError()
    {
        var errors = Errors(TwoSources + "\nscoring: { preselect: { model: m.bin, train: { losses: l, benchmarks: b, docs: [d] } } }");

        Assert.Contains(errors, e => e.Path == "scoring.preselect" && e.Message.Contains("exactly one of model or train", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_SelectionWithoutScoring_NamesTheMissingScorer()
    {
        var error = Assert.Single(Errors(TwoSources + "\nselection: { keep_top: 0.1 }"));

        Assert.Equal("selection", error.Path);
        Assert.Contains("add scoring.preselect", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SelectionWithTwoTargets_IsOneOfError()
    {
        var errors = Errors(TwoSources + Scoring + "\nselection: { keep_top: 0.1, min_score: 0.5 }");

        Assert.Contains(errors, e => e.Path == "selection" && e.Message.Contains("exactly one of keep_top, min_score or max_tokens", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_MixtureProblems_EachNamedAtItsField()
    {
        var errors = Errors(TwoSources.Replace("uri: a/*.jsonl }", "uri: a/*.jsonl, max_tokens: 5 }", StringComparison.Ordinal)
            + "\nmixture: { total_tokens: 10, sources: [ { name: web, share: 1, sampling: score }, { name: wbe, share: 0 } ] }");

        Assert.Contains(errors, e => e.Path == "sources[0].max_tokens" && e.Message.Contains("cannot be combined with a mixture", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "mixture.sources[0].sampling" && e.Message.Contains("needs a scorer", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "mixture.sources[1].name" && e.Message == "unknown source 'wbe'; the job's sources are web, math");
        Assert.Contains(errors, e => e.Path == "mixture.sources" && e.Message.Contains("missing math", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_MixtureSharesSumToZero_IsAnError()
    {
        var errors = Errors(TwoSources + "\nmixture: { total_tokens: 10, sources: [ { name: web, share: 0 }, { name: math, share: 0 } ] }");

        Assert.Contains(errors, e => e.Path == "mixture.sources" && e.Message.Contains("sum to 0", StringComparison.Ordinal));
    }

    [Fact]
    public void CanonicalJson_NewSections_ChangeTheHashAndTheirDefaultsDoNot()
    {
        var plain = JobLoader.Load(TwoSources, "a.yaml", []);
        var scored = JobLoader.Load(TwoSources + Scoring + "\nselection: { keep_top: 0.1 }", "b.yaml", []);
        var explicitDefaults = JobLoader.Load(TwoSources + "\nscoring: { preselect: { model: m.bin, positive_label: __label__1, newlines: space } }"
            + "\nselection: { keep_top: 0.1, by: characters, exact_memory_bytes: 268435456 }", "c.yaml", []);

        Assert.DoesNotContain("scoring", JobLoader.CanonicalJson(plain), StringComparison.Ordinal);
        Assert.NotEqual(JobLoader.JobHash(plain), JobLoader.JobHash(scored));
        Assert.Equal(JobLoader.CanonicalJson(scored), JobLoader.CanonicalJson(explicitDefaults));
        Assert.Contains("\"selection\":{\"by\":\"characters\",\"exact_memory_bytes\":268435456,\"keep_top\":0.1,\"max_tokens\":null,\"min_score\":null}",
            JobLoader.CanonicalJson(scored), StringComparison.Ordinal);
    }
}
