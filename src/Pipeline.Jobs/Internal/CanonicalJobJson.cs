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
            // Keys are written in ordinal order by hand; a test parses the output and checks the order.
            w.WriteStartObject();

            w.WriteStartObject("limits");
            w.WriteNumber("error_budget", spec.Limits.ErrorBudget);
            w.WriteNumber("max_document_bytes", spec.Limits.MaxDocumentBytes);
            w.WriteNumber("unit_bytes", spec.Limits.UnitBytes);
            w.WriteEndObject();

            w.WriteString("name", spec.Name);
            w.WriteString("output", spec.Output);

            w.WriteStartObject("pack");
            w.WriteNumber("bucket_bytes", spec.Pack.BucketBytes);
            w.WriteNumber("max_tokens_per_shard", spec.Pack.MaxTokensPerShard);
            w.WriteNumber("row_group_rows", spec.Pack.RowGroupRows);
            w.WriteNumber("seq_len", spec.Pack.SeqLen);
            w.WriteString("strategy", JobMapper.StrategyName(spec.Pack.Strategy));
            w.WriteEndObject();

            w.WriteNumber("seed", spec.Seed);

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
