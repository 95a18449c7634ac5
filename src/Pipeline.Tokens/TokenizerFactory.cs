using System.Collections.Concurrent;
using System.Security.Cryptography;
using Pipeline.Core.Jobs;
using Pipeline.Tokens.Tiktoken;

namespace Pipeline.Tokens;

/// <summary>Creates <see cref="ITextTokenizer"/> instances from a job's <see cref="TokenizerSpec"/>.</summary>
public static class TokenizerFactory
{
    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Written), Lazy<TiktokenVocabulary>> FileCache = new();

    /// <summary>
    /// Creates a tokenizer. <paramref name="spec"/> names an encoding (<c>cl100k_base</c>, <c>o200k_base</c>,
    /// <c>gpt2</c>, <c>r50k_base</c>), or a tiktoken file (split like <c>cl100k_base</c>, or like the encoding named
    /// in <see cref="TokenizerSpec.Name"/>), or a SentencePiece model. <paramref name="baseDirectory"/> resolves
    /// relative file paths. Vocabularies are parsed once per process and shared read-only; each call returns a new
    /// instance, so call it once per worker thread.
    /// </summary>
    /// <exception cref="TokenizerException">Unknown name, missing or corrupt file, or an invalid combination.</exception>
    public static ITextTokenizer Create(TokenizerSpec spec, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrEmpty(baseDirectory);
        bool hasTiktoken = !string.IsNullOrWhiteSpace(spec.TiktokenFile);
        bool hasSentencePiece = !string.IsNullOrWhiteSpace(spec.SentencePieceFile);
        if (hasTiktoken && hasSentencePiece)
        {
            throw new TokenizerException("A tokenizer spec names both a tiktoken file and a SentencePiece model; give one.");
        }

        if (spec.EndOfTextId is < 0)
        {
            throw new TokenizerException($"End-of-text id {spec.EndOfTextId} must not be negative.");
        }

        if (hasSentencePiece)
        {
            string path = Resolve(spec.SentencePieceFile!, baseDirectory);
            byte[] model = ReadFile(path);
            return SentencePieceTextTokenizer.Create(model, path, Convert.ToHexStringLower(SHA256.HashData(model)), spec.EndOfTextId);
        }

        if (hasTiktoken)
        {
            SplitPattern pattern = SplitPattern.Cl100k;
            if (!string.IsNullOrWhiteSpace(spec.Name))
            {
                pattern = Definition(spec.Name).Pattern;
            }

            string path = Resolve(spec.TiktokenFile!, baseDirectory);
            TiktokenVocabulary vocab = LoadFile(path);
            int eot = spec.EndOfTextId ?? vocab.MaxRank + 1;
            var specials = new Dictionary<string, int>(StringComparer.Ordinal);
            if (eot > vocab.MaxRank)
            {
                specials["<|endoftext|>"] = eot;
            }

            return new TiktokenTextTokenizer("tiktoken:" + Path.GetFileName(path), vocab, pattern, specials, eot);
        }

        if (string.IsNullOrWhiteSpace(spec.Name))
        {
            throw new TokenizerException("A tokenizer spec needs a name, a tiktoken file or a SentencePiece model.");
        }

        NamedEncodings.Definition d = Definition(spec.Name);
        TiktokenVocabulary named = NamedEncodings.Vocabulary(spec.Name);
        int endOfText = spec.EndOfTextId ?? d.SpecialTokens["<|endoftext|>"];
        var tokenizer = new TiktokenTextTokenizer(spec.Name, named, d.Pattern, d.SpecialTokens, endOfText);
        if (spec.EndOfTextId is int overrideId && overrideId >= Math.Max(named.MaxRank + 1, MaxId(d.SpecialTokens) + 1))
        {
            throw new TokenizerException($"End-of-text id {overrideId} is outside the {spec.Name} vocabulary.");
        }

        return tokenizer;
    }

    private static NamedEncodings.Definition Definition(string name) =>
        NamedEncodings.TryGet(name, out NamedEncodings.Definition d)
            ? d
            : throw new TokenizerException($"Unknown tokenizer '{name}'. Known: {string.Join(", ", NamedEncodings.Names)}.");

    private static int MaxId(IReadOnlyDictionary<string, int> ids)
    {
        int max = -1;
        foreach (KeyValuePair<string, int> kv in ids)
        {
            max = Math.Max(max, kv.Value);
        }

        return max;
    }

    private static string Resolve(string path, string baseDirectory) => Path.GetFullPath(path, Path.GetFullPath(baseDirectory));

    private static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new TokenizerException($"Tokenizer file '{path}' does not exist.", path, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TokenizerException($"Tokenizer file '{path}' could not be read: {e.Message}", path, e);
        }
    }

    private static TiktokenVocabulary LoadFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new TokenizerException($"Tokenizer file '{path}' does not exist.", path);
        }

        var key = (path, info.Length, info.LastWriteTimeUtc);
        Lazy<TiktokenVocabulary> lazy = FileCache.GetOrAdd(
            key,
            k => new Lazy<TiktokenVocabulary>(() => TiktokenVocabulary.Parse(ReadFile(k.Path), k.Path), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch (TokenizerException)
        {
            // Do not cache failures: the file may be fixed and retried.
            FileCache.TryRemove(key, out _);
            throw;
        }
    }
}
