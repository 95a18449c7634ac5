using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Jobs.Internal;

/// <summary>Rules the schema cannot express: unique source names, a shard that can hold a sequence, selection and
/// mixtures that refer to scores and sources the job has.</summary>
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

        CheckSelectionAndMixture(job, map, errors);

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

    private static void CheckSelectionAndMixture(JsonObject job, SourceMap map, List<JobError> errors)
    {
        var scored = job["scoring"] is JsonObject;
        if (job["selection"] is JsonObject && !scored)
        {
            Add(errors, map, "selection", "selection ranks documents by score, so it needs a scorer: add scoring.preselect");
        }

        if (job["mixture"] is not JsonObject mixture || mixture["sources"] is not JsonArray entries)
        {
            return;
        }

        var jobSources = new List<string>();
        if (job["sources"] is JsonArray sources)
        {
            for (var i = 0; i < sources.Count; i++)
            {
                if (sources[i] is not JsonObject source || AsString(source["name"]) is not { } name)
                {
                    continue;
                }

                jobSources.Add(name);
                if (source["max_tokens"] is not null)
                {
                    Add(errors, map, FieldPath.Child(FieldPath.Item("sources", i), "max_tokens"),
                        "cannot be combined with a mixture: give the source a share in mixture.sources instead");
                }
            }
        }

        var listed = new HashSet<string>(StringComparer.Ordinal);
        double shares = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i] is not JsonObject entry)
            {
                continue;
            }

            var path = FieldPath.Item("mixture.sources", i);
            if (AsNumber(entry["share"]) is { } share)
            {
                shares += share;
            }

            if (!scored && AsString(entry["sampling"]) == "score")
            {
                Add(errors, map, FieldPath.Child(path, "sampling"), "sampling by score needs a scorer: add scoring.preselect, or use random");
            }

            if (AsString(entry["name"]) is not { } name)
            {
                continue;
            }

            if (!jobSources.Contains(name))
            {
                Add(errors, map, FieldPath.Child(path, "name"), $"unknown source '{name}'; the job's sources are {string.Join(", ", jobSources)}");
            }
            else if (!listed.Add(name))
            {
                Add(errors, map, FieldPath.Child(path, "name"), $"source '{name}' is listed twice; list every source once");
            }
        }

        var missing = jobSources.Where(n => !listed.Contains(n)).ToArray();
        if (missing.Length > 0)
        {
            Add(errors, map, "mixture.sources", $"must list every source of the job; missing {string.Join(", ", missing)} (give it share 0 to drop it)");
        }

        if (entries.Count > 0 && !(shares > 0))
        {
            Add(errors, map, "mixture.sources", "the shares sum to 0; at least one source needs a positive share");
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

    private static double? AsNumber(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
        && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? d
            : null;

    private static decimal? AsInteger(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
        && decimal.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == decimal.Truncate(d)
            ? d
            : null;
}
