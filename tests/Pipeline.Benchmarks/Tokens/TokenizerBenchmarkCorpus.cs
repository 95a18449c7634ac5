using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Pipeline.Benchmarks.Tokens;

/// <summary>
/// Benchmark text: the documents of the committed golden corpus (tests/Pipeline.Tokens.Tests/golden/corpus.jsonl,
/// real prose in many scripts, code and edge cases; the seeded random "fuzz" documents are left out), replicated
/// <see cref="Replicas"/> times. scripts/golden-tokens/bench-tiktoken.mjs uses the same text.
/// </summary>
internal static class TokenizerBenchmarkCorpus
{
    /// <summary>How many times the corpus is repeated (bench-tiktoken.mjs uses the same default).</summary>
    public const int Replicas = 8;

    private static readonly Lazy<string[]> Docs = new(Load);

    /// <summary>The benchmark documents.</summary>
    public static string[] Documents => Docs.Value;

    /// <summary>UTF-8 size of all documents.</summary>
    public static long Utf8Bytes
    {
        get
        {
            long total = 0;
            foreach (string d in Documents)
            {
                total += Encoding.UTF8.GetByteCount(d);
            }

            return total;
        }
    }

    private static string[] Load()
    {
        string path = Environment.GetEnvironmentVariable("PIPELINE_TOKENS_CORPUS") ?? DefaultPath();
        var texts = new List<string>();
        foreach (string line in File.ReadLines(path))
        {
            if (line.Length == 0)
            {
                continue;
            }

            using JsonDocument doc = JsonDocument.Parse(line);
            string id = doc.RootElement.GetProperty("id").GetString()!;
            string raw = doc.RootElement.GetProperty("text").GetRawText();
            if (id.StartsWith("fuzz-", StringComparison.Ordinal) || raw.Contains("\\ud8", StringComparison.Ordinal))
            {
                continue;
            }

            texts.Add(doc.RootElement.GetProperty("text").GetString()!);
        }

        var all = new List<string>(texts.Count * Replicas);
        for (int r = 0; r < Replicas; r++)
        {
            all.AddRange(texts);
        }

        return [.. all];
    }

    // BenchmarkDotNet runs a generated copy of the project elsewhere, so locate the corpus from this source file.
    private static string DefaultPath([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "Pipeline.Tokens.Tests", "golden", "corpus.jsonl"));
}
