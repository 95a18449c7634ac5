using System.Runtime.CompilerServices;

namespace Pipeline.Jobs.Tests;

/// <summary>Job texts shared by the tests; line numbers in comments are relied on by assertions.</summary>
internal static class TestJobs
{
    /// <summary>The quickstart example from docs/job-file.md.</summary>
    public const string Quickstart = """
        name: quickstart
        seed: 1234
        output: out/quickstart
        sources:
          - name: web
            uri: samples/web/*.jsonl.gz        # path or glob; file:// works too
            text_field: text
            id_field: id
            format: auto
            max_tokens: 1000000
          - name: synthetic
            uri: samples/synthetic/*.jsonl.zst
        tokenizer: { name: cl100k_base }
        pack: { seq_len: 2048, strategy: best_fit, max_tokens_per_shard: 50000000, bucket_bytes: 16777216, row_group_rows: 1024 }
        limits: { max_document_bytes: 8388608, error_budget: 0.01, unit_bytes: 67108864 }
        """;

    /// <summary>The smallest valid job (block style). Lines: 1 name, 2 seed, 3 output, 4 sources, 5 "- name: web", 6 uri, 7 tokenizer, 8 name, 9 pack, 10 seq_len.</summary>
    public const string Minimal = """
        name: t
        seed: 1
        output: out
        sources:
          - name: web
            uri: a/*.jsonl
        tokenizer:
          name: gpt2
        pack:
          seq_len: 2048
        """;

    /// <summary>Repository root, found from this file's compile-time path (tests run from an artifacts folder elsewhere).</summary>
    public static string RepoRoot([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", ".."));
}
