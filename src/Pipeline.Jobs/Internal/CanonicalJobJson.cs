using System.Buffers;
using System.Text;
using System.Text.Json;
using Pipeline.Core.Jobs;

namespace Pipeline.Jobs.Internal;

/// <summary>Writes the effective job as compact JSON with every field present and keys in ordinal order at every level.</summary>
internal static class CanonicalJobJson
{
    /// <summary>The canonical JSON text of <paramref name="spec"/>.</summary>
    public static string Write(JobSpec spec)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, SkipValidation = false }))
        {
            // Keys are written in ordinal order by hand; a test parses the output and checks the order. The optional
            // sections added later (mixture, scoring, selection) are omitted when absent rather than written as null,
            // so jobs without them keep the hash they had before those sections existed.
            w.WriteStartObject();

            w.WriteStartObject("limits");
            w.WriteNumber("error_budget", spec.Limits.ErrorBudget);
            w.WriteNumber("max_document_bytes", spec.Limits.MaxDocumentBytes);
            w.WriteNumber("unit_bytes", spec.Limits.UnitBytes);
            w.WriteEndObject();

            WriteMixture(w, spec.Mixture);
            w.WriteString("name", spec.Name);
            w.WriteString("output", spec.Output);

            w.WriteStartObject("pack");
            w.WriteNumber("bucket_bytes", spec.Pack.BucketBytes);
            w.WriteNumber("max_tokens_per_shard", spec.Pack.MaxTokensPerShard);
            w.WriteNumber("row_group_rows", spec.Pack.RowGroupRows);
            w.WriteNumber("seq_len", spec.Pack.SeqLen);
            w.WriteString("strategy", JobMapper.StrategyName(spec.Pack.Strategy));
            w.WriteEndObject();

            WriteScoring(w, spec.Scoring);
            w.WriteNumber("seed", spec.Seed);
            WriteSelection(w, spec.Selection);

            w.WriteStartArray("sources");
            foreach (var source in spec.Sources)
            {
                w.WriteStartObject();
                w.WriteString("format", JobMapper.FormatName(source.Format));
                WriteStringOrNull(w, "id_field", source.IdField);
                if (source.MaxTokens is { } maxTokens)
                {
                    w.WriteNumber("max_tokens", maxTokens);
                }
                else
                {
                    w.WriteNull("max_tokens");
                }

                w.WriteString("name", source.Name);
                w.WriteString("text_field", source.TextField);
                w.WriteString("uri", source.Uri);
                w.WriteEndObject();
            }

            w.WriteEndArray();

            w.WriteStartObject("tokenizer");
            if (spec.Tokenizer.EndOfTextId is { } eot)
            {
                w.WriteNumber("eot_id", eot);
            }
            else
            {
                w.WriteNull("eot_id");
            }

            WriteStringOrNull(w, "name", spec.Tokenizer.Name);
            WriteStringOrNull(w, "sentencepiece", spec.Tokenizer.SentencePieceFile);
            WriteStringOrNull(w, "tiktoken", spec.Tokenizer.TiktokenFile);
            w.WriteEndObject();

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteMixture(Utf8JsonWriter w, MixtureSpec? mixture)
    {
        if (mixture is null)
        {
            return;
        }

        w.WriteStartObject("mixture");
        w.WriteString("shortfall", JobMapper.ShortfallName(mixture.Shortfall));
        w.WriteStartArray("sources");
        foreach (var s in mixture.Sources)
        {
            w.WriteStartObject();
            w.WriteNumber("max_repeats", s.MaxRepeats);
            w.WriteString("name", s.Name);
            w.WriteString("sampling", JobMapper.SamplingName(s.Sampling));
            w.WriteNumber("share", s.Share);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("total_tokens", mixture.TotalTokens);
        w.WriteEndObject();
    }

    private static void WriteScoring(Utf8JsonWriter w, ScoringSpec? scoring)
    {
        if (scoring is null)
        {
            return;
        }

        w.WriteStartObject("scoring");
        var p = scoring.PreSelect;
        w.WriteStartObject("preselect");
        WriteStringOrNull(w, "model", p.Model);
        w.WriteString("newlines", JobMapper.NewlinesName(p.Newlines));
        w.WriteString("positive_label", p.PositiveLabel);
        if (p.Train is { } t)
        {
            w.WriteStartObject("train");
            w.WriteString("benchmarks", t.Benchmarks);
            w.WriteNumber("bucket", t.Bucket);
            w.WriteNumber("dim", t.Dim);
            w.WriteStartArray("docs");
            foreach (var d in t.Documents) w.WriteStringValue(d);
            w.WriteEndArray();
            w.WriteNumber("epoch", t.Epoch);
            w.WriteString("id_field", t.IdField);
            w.WriteString("losses", t.Losses);
            w.WriteNumber("lr", t.LearningRate);
            w.WriteNumber("min_count", t.MinCount);
            w.WriteNumber("seed", t.Seed);
            w.WriteString("text_field", t.TextField);
            w.WriteNumber("word_ngrams", t.WordNgrams);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("train");
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteSelection(Utf8JsonWriter w, SelectionSpec? selection)
    {
        if (selection is null)
        {
            return;
        }

        w.WriteStartObject("selection");
        w.WriteString("by", JobMapper.BasisName(selection.By));
        w.WriteNumber("exact_memory_bytes", selection.ExactMemoryBytes);
        WriteNumberOrNull(w, "keep_top", selection.KeepTop);
        if (selection.MaxTokens is { } maxTokens)
        {
            w.WriteNumber("max_tokens", maxTokens);
        }
        else
        {
            w.WriteNull("max_tokens");
        }

        WriteNumberOrNull(w, "min_score", selection.MinScore);
        w.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteStringOrNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }
}
