using System.Globalization;
using System.Text.Json.Nodes;
using Pipeline.Core.Jobs;
using Pipeline.Core.Selection;

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
                limits = limits with { ErrorBudget = Num(errorBudget) };
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
            limits,
            job["scoring"] is JsonObject scoring ? MapScoring(scoring) : null,
            job["selection"] is JsonObject selection ? MapSelection(selection) : null,
            job["mixture"] is JsonObject mixture ? MapMixture(mixture) : null);
    }

    /// <summary>Job-file spelling of each <see cref="NewlineMode"/>.</summary>
    public static string NewlinesName(NewlineMode mode) => mode == NewlineMode.Delete ? "delete" : "space";

    /// <summary>Job-file spelling of each <see cref="WeightBasis"/>.</summary>
    public static string BasisName(WeightBasis basis) => basis switch
    {
        WeightBasis.Documents => "documents",
        WeightBasis.Characters => "characters",
        WeightBasis.Tokens => "tokens",
        _ => throw new ArgumentOutOfRangeException(nameof(basis), basis, "unknown weight basis"),
    };

    /// <summary>Job-file spelling of each <see cref="MixtureSampling"/>.</summary>
    public static string SamplingName(MixtureSampling sampling) => sampling == MixtureSampling.ByScore ? "score" : "random";

    /// <summary>Job-file spelling of each <see cref="ShortfallPolicy"/>.</summary>
    public static string ShortfallName(ShortfallPolicy policy) => policy == ShortfallPolicy.ShrinkTotal ? "shrink_total" : "fill_from_others";

    private static ScoringSpec MapScoring(JsonObject node)
    {
        var p = (JsonObject)node["preselect"]!;
        var spec = new PreSelectSpec(Str(p["model"]), Train: p["train"] is JsonObject train ? MapTraining(train) : null);
        if (p["positive_label"] is { } label) spec = spec with { PositiveLabel = Str(label)! };
        if (p["newlines"] is { } newlines) spec = spec with { Newlines = Str(newlines) == "delete" ? NewlineMode.Delete : NewlineMode.Space };
        return new ScoringSpec(spec);
    }

    private static PreSelectTrainSpec MapTraining(JsonObject t)
    {
        var docs = ((JsonArray)t["docs"]!).Select(d => Str(d)!).ToArray();
        var spec = new PreSelectTrainSpec(Str(t["losses"])!, Str(t["benchmarks"])!, docs);
        if (t["id_field"] is { } id) spec = spec with { IdField = Str(id)! };
        if (t["text_field"] is { } text) spec = spec with { TextField = Str(text)! };
        if (t["epoch"] is { } epoch) spec = spec with { Epoch = checked((int)Int(epoch)) };
        if (t["lr"] is { } lr) spec = spec with { LearningRate = Num(lr) };
        if (t["word_ngrams"] is { } ngrams) spec = spec with { WordNgrams = checked((int)Int(ngrams)) };
        if (t["dim"] is { } dim) spec = spec with { Dim = checked((int)Int(dim)) };
        if (t["bucket"] is { } bucket) spec = spec with { Bucket = checked((int)Int(bucket)) };
        if (t["min_count"] is { } minCount) spec = spec with { MinCount = checked((int)Int(minCount)) };
        if (t["seed"] is { } seed) spec = spec with { Seed = checked((int)Int(seed)) };
        return spec;
    }

    private static SelectionSpec MapSelection(JsonObject node)
    {
        var spec = new SelectionSpec(
            node["keep_top"] is { } top ? Num(top) : null,
            node["min_score"] is { } min ? Num(min) : null,
            node["max_tokens"] is { } max ? Int(max) : null);
        if (node["by"] is { } by)
        {
            spec = spec with
            {
                By = Str(by) switch
                {
                    "documents" => WeightBasis.Documents,
                    "tokens" => WeightBasis.Tokens,
                    _ => WeightBasis.Characters,
                },
            };
        }

        if (node["exact_memory_bytes"] is { } memory) spec = spec with { ExactMemoryBytes = Int(memory) };
        return spec;
    }

    private static MixtureSpec MapMixture(JsonObject node)
    {
        var sources = new List<MixtureSourceSpec>();
        foreach (var item in (JsonArray)node["sources"]!)
        {
            var s = (JsonObject)item!;
            var source = new MixtureSourceSpec(Str(s["name"])!, Num(s["share"]!));
            if (s["sampling"] is { } sampling) source = source with { Sampling = Str(sampling) == "score" ? MixtureSampling.ByScore : MixtureSampling.Random };
            if (s["max_repeats"] is { } repeats) source = source with { MaxRepeats = checked((int)Int(repeats)) };
            sources.Add(source);
        }

        var spec = new MixtureSpec(Int(node["total_tokens"]!), sources);
        if (node["shortfall"] is { } shortfall) spec = spec with { Shortfall = Str(shortfall) == "shrink_total" ? ShortfallPolicy.ShrinkTotal : ShortfallPolicy.FillFromOthers };
        return spec;
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

    private static double Num(JsonNode node) => double.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    // Integers may arrive as long, decimal or an integral double (1e6); the schema has checked integrality and range.
    private static long Int(JsonNode node) =>
        node.AsValue().TryGetValue<long>(out var l)
            ? l
            : (long)decimal.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
}
