using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Jobs.Internal;

/// <summary>Rules the schema cannot express: unique source names, a shard that can hold a sequence.</summary>
internal static class JobChecks
{
    /// <summary>Adds an error for each violated rule; tolerates ill-typed trees (the schema reports those).</summary>
    public static void Check(JsonNode? root, SourceMap map, List<JobError> errors)
    {
        if (root is not JsonObject job)
        {
            return;
        }

        if (job["sources"] is JsonArray sources)
        {
            var firstUse = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < sources.Count; i++)
            {
                if (sources[i] is not JsonObject source || AsString(source["name"]) is not { } name)
                {
                    continue;
                }

                if (firstUse.TryGetValue(name, out var first))
                {
                    var path = FieldPath.Child(FieldPath.Item("sources", i), "name");
                    var previous = map.Locate(FieldPath.Child(FieldPath.Item("sources", first), "name"), atKey: false);
                    var where = previous.Line > 0 ? string.Create(CultureInfo.InvariantCulture, $" at line {previous.Line}") : string.Empty;
                    Add(errors, map, path, string.Create(
                        CultureInfo.InvariantCulture,
                        $"duplicate source name '{name}': sources[{first}]{where} already uses it; source names must be unique"));
                }
                else
                {
                    firstUse.Add(name, i);
                }
            }
        }

        if (job["pack"] is JsonObject pack
            && AsInteger(pack["seq_len"]) is { } seqLen
            && AsInteger(pack["max_tokens_per_shard"]) is { } perShard
            && perShard < seqLen)
        {
            Add(errors, map, "pack.max_tokens_per_shard", string.Create(
                CultureInfo.InvariantCulture,
                $"must be at least seq_len ({seqLen}) so that a shard holds at least one sequence, got {perShard}"));
        }
    }

    private static void Add(List<JobError> errors, SourceMap map, string path, string message)
    {
        var location = map.Locate(path, atKey: false);
        if (location.Override is not null)
        {
            message += $" (from --set {location.Override})";
        }

        errors.Add(new JobError(path, location.Line, location.Column, message));
    }

    private static string? AsString(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static decimal? AsInteger(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
        && decimal.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == decimal.Truncate(d)
            ? d
            : null;
}
