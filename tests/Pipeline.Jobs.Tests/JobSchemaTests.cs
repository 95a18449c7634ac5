using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Core.Jobs;

namespace Pipeline.Jobs.Tests;

public sealed class JobSchemaTests
{
    private static JsonNode Schema => JsonNode.Parse(JobLoader.SchemaText)!;

    [Fact]
    public void SchemaText_IsTheRepositoryFile()
    {
        var onDisk = File.ReadAllText(Path.Combine(TestJobs.RepoRoot(), "schemas", "job.schema.json"));

        Assert.Equal(onDisk, JobLoader.SchemaText);
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", Schema["$schema"]!.GetValue<string>());
    }

    [Fact]
    public void Schema_EveryPropertyAndObject_HasDescriptionAndClosedShape()
    {
        var properties = AllProperties(Schema).ToList();

        Assert.True(properties.Count >= 25, $"found {properties.Count} properties");
        Assert.All(properties, p => Assert.False(string.IsNullOrWhiteSpace(p.Schema["description"]?.GetValue<string>()), p.Path));
        Assert.All(
            properties.Where(p => p.Schema["type"]?.GetValue<string>() == "object").Select(p => p.Schema).Append(Schema).Append(Schema["$defs"]!["source"]!),
            o => Assert.False(o["additionalProperties"]!.GetValue<bool>()));
    }

    [Fact]
    public void Schema_Defaults_MatchCoreRecordDefaults()
    {
        var pack = Schema["properties"]!["pack"]!["properties"]!;
        var limits = Schema["properties"]!["limits"]!["properties"]!;
        var source = Schema["$defs"]!["source"]!["properties"]!;
        var packDefaults = new PackSpec();
        var limitDefaults = new LimitsSpec();
        var sourceDefaults = new SourceSpec("n", "u");

        Assert.Equal("best_fit", pack["strategy"]!["default"]!.GetValue<string>());
        Assert.Equal(PackStrategy.BestFit, packDefaults.Strategy);
        Assert.Equal(packDefaults.MaxTokensPerShard, pack["max_tokens_per_shard"]!["default"]!.GetValue<long>());
        Assert.Equal(packDefaults.BucketBytes, pack["bucket_bytes"]!["default"]!.GetValue<long>());
        Assert.Equal(packDefaults.RowGroupRows, pack["row_group_rows"]!["default"]!.GetValue<int>());
        Assert.Equal(limitDefaults.MaxDocumentBytes, limits["max_document_bytes"]!["default"]!.GetValue<int>());
        Assert.Equal(limitDefaults.ErrorBudget, limits["error_budget"]!["default"]!.GetValue<double>());
        Assert.Equal(limitDefaults.UnitBytes, limits["unit_bytes"]!["default"]!.GetValue<long>());
        Assert.Equal(sourceDefaults.TextField, source["text_field"]!["default"]!.GetValue<string>());
        Assert.Equal("auto", source["format"]!["default"]!.GetValue<string>());
        Assert.Equal(InputFormat.Auto, sourceDefaults.Format);
    }

    [Fact]
    public void JobFileDoc_DocumentsEverySchemaField()
    {
        var doc = File.ReadAllText(Path.Combine(TestJobs.RepoRoot(), "docs", "job-file.md"));

        Assert.All(AllProperties(Schema), p => Assert.Contains($"`{p.Path}`", doc, StringComparison.Ordinal));
    }

    [Fact]
    public void JobFileDoc_QuickstartExample_IsValid()
    {
        var doc = File.ReadAllText(Path.Combine(TestJobs.RepoRoot(), "docs", "job-file.md"));
        var start = doc.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        var end = doc.IndexOf("```", start, StringComparison.Ordinal);

        var errors = JobLoader.Validate(doc[start..end], "docs/job-file.md", []);

        Assert.True(start > "```yaml\n".Length - 1 && end > start, "docs/job-file.md has no yaml example");
        Assert.Empty(errors);
    }

    // Yields (dotted path, schema) for every property, sources' items as "sources[].field".
    private static IEnumerable<(string Path, JsonNode Schema)> AllProperties(JsonNode root)
    {
        var stack = new Stack<(string Prefix, JsonNode Node)>();
        stack.Push((string.Empty, root));
        while (stack.Count > 0)
        {
            var (prefix, node) = stack.Pop();
            if (node["properties"] is not JsonObject properties)
            {
                continue;
            }

            foreach (var (name, child) in properties)
            {
                var path = prefix.Length == 0 ? name : $"{prefix}.{name}";
                yield return (path, child!);
                if (child!["items"]?["$ref"] is JsonValue reference)
                {
                    var target = reference.GetValue<string>().TrimStart('#', '/').Split('/');
                    stack.Push((path + "[]", root[target[0]]![target[1]]!));
                }
                else if (child.GetValueKind() == JsonValueKind.Object)
                {
                    stack.Push((path, child));
                }
            }
        }
    }
}
