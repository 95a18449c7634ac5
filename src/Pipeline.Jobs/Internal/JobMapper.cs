using System.Globalization;
using System.Text.Json.Nodes;
using Pipeline.Core.Jobs;

namespace Pipeline.Jobs.Internal;

/// <summary>Maps a schema-valid job tree to <see cref="JobSpec"/>; absent optional fields take the record defaults.</summary>
internal static class JobMapper
{
    /// <summary>Job-file spelling of each <see cref="InputFormat"/>.</summary>
    public static string FormatName(InputFormat format) => format switch
    {
        InputFormat.Auto => "auto",
        InputFormat.Jsonl => "jsonl",
        InputFormat.Parquet => "parquet",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown input format"),
    };

    /// <summary>Job-file spelling of each <see cref="PackStrategy"/>.</summary>
    public static string StrategyName(PackStrategy strategy) => strategy switch
    {
        PackStrategy.BestFit => "best_fit",
        PackStrategy.Concat => "concat",
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "unknown pack strategy"),
    };

    /// <summary>Builds the job from a tree that passed validation.</summary>
    public static JobSpec Map(JsonObject job)
    {
        var sources = new List<SourceSpec>();
        foreach (var item in (JsonArray)job["sources"]!)
        {
            sources.Add(MapSource((JsonObject)item!));
        }

        var tokenizerNode = (JsonObject)job["tokenizer"]!;
        var tokenizer = new TokenizerSpec(
            Str(tokenizerNode["name"]),
            Str(tokenizerNode["tiktoken"]),
            Str(tokenizerNode["sentencepiece"]),
            tokenizerNode["eot_id"] is { } eot ? checked((int)Int(eot)) : null);

        var packNode = (JsonObject)job["pack"]!;
        var pack = new PackSpec(SeqLen: checked((int)Int(packNode["seq_len"]!)));
        if (packNode["strategy"] is { } strategy)
        {
            pack = pack with { Strategy = ParseStrategy(Str(strategy)!) };
        }

        if (packNode["max_tokens_per_shard"] is { } perShard)
        {
            pack = pack with { MaxTokensPerShard = Int(perShard) };
        }

        if (packNode["bucket_bytes"] is { } bucketBytes)
        {
            pack = pack with { BucketBytes = Int(bucketBytes) };
        }

        if (packNode["row_group_rows"] is { } rowGroupRows)
        {
            pack = pack with { RowGroupRows = checked((int)Int(rowGroupRows)) };
        }

        var limits = new LimitsSpec();
        if (job["limits"] is JsonObject limitsNode)
        {
            if (limitsNode["max_document_bytes"] is { } maxDocumentBytes)
            {
                limits = limits with { MaxDocumentBytes = checked((int)Int(maxDocumentBytes)) };
            }

            if (limitsNode["error_budget"] is { } errorBudget)
            {
                limits = limits with { ErrorBudget = double.Parse(errorBudget.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture) };
            }

            if (limitsNode["unit_bytes"] is { } unitBytes)
            {
                limits = limits with { UnitBytes = Int(unitBytes) };
            }
        }

        return new JobSpec(
            Str(job["name"])!,
            Int(job["seed"]!),
            Str(job["output"])!,
            sources,
            tokenizer,
            pack,
            limits);
    }

    private static SourceSpec MapSource(JsonObject node)
    {
        var source = new SourceSpec(Str(node["name"])!, Str(node["uri"])!);
        if (node["text_field"] is { } textField)
        {
            source = source with { TextField = Str(textField)! };
        }

        if (node["id_field"] is { } idField)
        {
            source = source with { IdField = Str(idField) };
        }

        if (node["format"] is { } format)
        {
            source = source with { Format = ParseFormat(Str(format)!) };
        }

        if (node["max_tokens"] is { } maxTokens)
        {
            source = source with { MaxTokens = Int(maxTokens) };
        }

        return source;
    }

    private static InputFormat ParseFormat(string name) => name switch
    {
        "auto" => InputFormat.Auto,
        "jsonl" => InputFormat.Jsonl,
        "parquet" => InputFormat.Parquet,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown input format"),
    };

    private static PackStrategy ParseStrategy(string name) => name switch
    {
        "best_fit" => PackStrategy.BestFit,
        "concat" => PackStrategy.Concat,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown pack strategy"),
    };

    private static string? Str(JsonNode? node) => node?.GetValue<string>();

    // Integers may arrive as long, decimal or an integral double (1e6); the schema has checked integrality and range.
    private static long Int(JsonNode node) =>
        node.AsValue().TryGetValue<long>(out var l)
            ? l
            : (long)decimal.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
}
