using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Pipeline.Benchmarks.Tokens;

/// <summary>
/// Benchmark texts. <see cref="Golden"/>: the documents of the committed golden corpus
/// (tests/Pipeline.Tokens.Tests/golden/corpus.jsonl, real prose in many scripts, code and edge cases; the seeded random
/// "fuzz" documents are left out), replicated <see cref="Replicas"/> times. <see cref="Brown"/>: the "text" field of
/// every document of samples/web/*.jsonl.gz (the Brown corpus, English prose: the pipeline's main workload), once.
/// scripts/golden-tokens/bench-tiktoken.mjs uses the same texts.
/// </summary>
internal static class TokenizerBenchmarkCorpus
{
    /// <summary>Name of the multilingual golden corpus.</summary>
    public const string Golden = "golden";

    /// <summary>Name of the English Brown corpus.</summary>
    public const string Brown = "brown";

    /// <summary>How many times the golden corpus is repeated (bench-tiktoken.mjs uses the same default).</summary>
    public const int Replicas = 8;

    private static readonly Lazy<string[]> GoldenDocs = new(LoadGolden);
    private static readonly Lazy<string[]> BrownDocs = new(LoadBrown);

    /// <summary>The benchmark documents of corpus <paramref name="name"/>.</summary>
    public static string[] Documents(string name) => name switch
    {
        Golden => GoldenDocs.Value,
        Brown => BrownDocs.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown benchmark corpus."),
    };

    /// <summary>UTF-8 size of all documents of corpus <paramref name="name"/>.</summary>
    public static long Utf8Bytes(string name)
    {
        long total = 0;
        foreach (string d in Documents(name))
        {
            total += Encoding.UTF8.GetByteCount(d);
        }

        return total;
    }

    private static string[] LoadGolden()
    {
        string path = Environment.GetEnvironmentVariable("PIPELINE_TOKENS_CORPUS") ?? Path.Combine(RepoRoot(), "tests", "Pipeline.Tokens.Tests", "golden", "corpus.jsonl");
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

    private static string[] LoadBrown()
    {
        string dir = Path.Combine(RepoRoot(), "samples", "web");
        string[] files = Directory.GetFiles(dir, "*.jsonl.gz");
        Array.Sort(files, StringComparer.Ordinal);
        var texts = new List<string>();
        foreach (string file in files)
        {
            using var gz = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
            using var reader = new StreamReader(gz, Encoding.UTF8);
            while (reader.ReadLine() is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                using JsonDocument doc = JsonDocument.Parse(line);
                texts.Add(doc.RootElement.GetProperty("text").GetString()!);
            }
        }

        return [.. texts];
    }

    // BenchmarkDotNet runs a generated copy of the project elsewhere, so locate the texts from this source file.
    private static string RepoRoot([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", ".."));
}
