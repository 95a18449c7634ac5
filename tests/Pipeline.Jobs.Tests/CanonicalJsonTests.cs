using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Pipeline.Core.Jobs;

namespace Pipeline.Jobs.Tests;

public sealed class CanonicalJsonTests
{
    // Pinned: the job hash of every existing output depends on this exact text. Change it only on purpose.
    private static readonly string MinimalCanonical = (
        "{'limits':{'error_budget':0.01,'max_document_bytes':8388608,'unit_bytes':67108864},'name':'t','output':'out'," +
        "'pack':{'bucket_bytes':16777216,'max_tokens_per_shard':50000000,'row_group_rows':1024,'seq_len':2048,'strategy':'best_fit'}," +
        "'seed':1,'sources':[{'format':'auto','id_field':null,'max_tokens':null,'name':'web','text_field':'text','uri':'a/*.jsonl'}]," +
        "'tokenizer':{'eot_id':null,'name':'gpt2','sentencepiece':null,'tiktoken':null}}").Replace('\'', '"');

    [Fact]
    public void CanonicalJson_MinimalJob_MatchesPinnedText()
    {
        var job = JobLoader.Load(TestJobs.Minimal, "job.yaml", []);

        Assert.Equal(MinimalCanonical, JobLoader.CanonicalJson(job));
    }

    [Fact]
    public void CanonicalJson_SameSpec_SameString()
    {
        var a = JobLoader.Load(TestJobs.Quickstart, "a.yaml", []);
        var b = JobLoader.Load(TestJobs.Quickstart, "b.yaml", []);

        Assert.Equal(JobLoader.CanonicalJson(a), JobLoader.CanonicalJson(b));
        Assert.Equal(JobLoader.JobHash(a), JobLoader.JobHash(b));
    }

    [Fact]
    public void CanonicalJson_KeyOrderAndStyleInYaml_DoNotMatter()
    {
        const string reordered = """
            pack: { seq_len: 2048 }
            tokenizer: { name: gpt2 }
            sources:
              - uri: a/*.jsonl
                name: web
            output: out
            seed: 1
            name: t
            """;

        var job = JobLoader.Load(reordered, "reordered.yaml", []);

        Assert.Equal(MinimalCanonical, JobLoader.CanonicalJson(job));
    }

    [Fact]
    public void CanonicalJson_DefaultsWrittenExplicitly_SameAsOmitted()
    {
        var explicitDefaults = TestJobs.Minimal + "\n  strategy: best_fit\n  row_group_rows: 1024\nlimits: { error_budget: 0.01 }";

        var job = JobLoader.Load(explicitDefaults, "explicit.yaml", []);

        Assert.Equal(MinimalCanonical, JobLoader.CanonicalJson(job));
    }

    [Fact]
    public void CanonicalJson_ValueChanges_StringAndHashChange()
    {
        var baseline = JobLoader.Load(TestJobs.Minimal, "job.yaml", []);
        var changed = new[]
        {
            JobLoader.Load(TestJobs.Minimal, "job.yaml", ["seed=2"]),
            JobLoader.Load(TestJobs.Minimal, "job.yaml", ["pack.seq_len=4096"]),
            JobLoader.Load(TestJobs.Minimal, "job.yaml", ["sources[0].uri=b/*.jsonl"]),
            JobLoader.Load(TestJobs.Minimal, "job.yaml", ["limits.error_budget=0.02"]),
            JobLoader.Load(TestJobs.Minimal, "job.yaml", ["tokenizer.eot_id=0"]),
        };

        var hashes = changed.Select(JobLoader.JobHash).Append(JobLoader.JobHash(baseline)).ToHashSet();

        Assert.Equal(changed.Length + 1, hashes.Count);
        Assert.All(changed, c => Assert.NotEqual(JobLoader.CanonicalJson(baseline), JobLoader.CanonicalJson(c)));
    }

    [Fact]
    public void CanonicalJson_LoadedAndHandBuiltSpec_AreIdentical()
    {
        var handBuilt = new JobSpec(
            "t", 1, "out", [new SourceSpec("web", "a/*.jsonl")], new TokenizerSpec("gpt2"), new PackSpec(), new LimitsSpec());

        Assert.Equal(MinimalCanonical, JobLoader.CanonicalJson(handBuilt));
    }

    [Fact]
    public void CanonicalJson_EveryObject_HasOrdinallySortedKeys()
    {
        var job = JobLoader.Load(TestJobs.Quickstart, "quickstart.yaml", ["tokenizer.eot_id=5"]);

        using var document = JsonDocument.Parse(JobLoader.CanonicalJson(job));

        var objects = 0;
        AssertSorted(document.RootElement, ref objects);
        Assert.Equal(6, objects); // root, limits, pack, two sources, tokenizer
    }

    [Fact]
    public void JobHash_IsSha256OfCanonicalJson()
    {
        var job = JobLoader.Load(TestJobs.Quickstart, "quickstart.yaml", []);

        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JobLoader.CanonicalJson(job))));

        Assert.Equal(expected, JobLoader.JobHash(job));
        Assert.Matches("^[0-9a-f]{64}$", JobLoader.JobHash(job));
    }

    private static void AssertSorted(JsonElement element, ref int objects)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            objects++;
            var names = element.EnumerateObject().Select(p => p.Name).ToArray();
            Assert.Equal(names.Order(StringComparer.Ordinal).ToArray(), names);
            foreach (var property in element.EnumerateObject())
            {
                AssertSorted(property.Value, ref objects);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                AssertSorted(item, ref objects);
            }
        }
    }
}
