using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Pipeline.Tokens;

/// <summary>How the Microsoft.ML.Tokenizers baseline gets its split regex.</summary>
internal enum MlRegexMode
{
    /// <summary>The library's source-generated regex singleton, shared by every instance (what <c>CreateForEncoding</c> does).</summary>
    SharedGenerated,

    /// <summary>A new <see cref="RegexOptions.Compiled"/> regex per tokenizer instance, same pattern.</summary>
    PerInstanceCompiled,
}

/// <summary>
/// Baseline for benchmarks: Microsoft.ML.Tokenizers' <see cref="TiktokenTokenizer"/> built without special tokens
/// (deterministic <c>encode_ordinary</c>, see stack-notes §4). Not used by the pipeline.
/// </summary>
internal sealed class MlTiktokenTextTokenizer : ITextTokenizer
{
    private readonly TiktokenTokenizer _tokenizer;
    private readonly ITextTokenizer _identity;

    /// <summary>Creates the baseline for a named encoding (cl100k_base, o200k_base, r50k_base).</summary>
    public MlTiktokenTextTokenizer(string encoding, MlRegexMode mode)
    {
        _identity = TokenizerFactory.Create(new Pipeline.Core.Jobs.TokenizerSpec(encoding), AppContext.BaseDirectory);
        TiktokenTokenizer full = TiktokenTokenizer.CreateForEncoding(encoding);
        FieldInfo field = typeof(RegexPreTokenizer).GetField("_regex", BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new TokenizerException("RegexPreTokenizer._regex not found (Microsoft.ML.Tokenizers changed).");
        var shared = (Regex)field.GetValue(full.PreTokenizer)!;
        Regex regex = mode == MlRegexMode.SharedGenerated ? shared : new Regex(shared.ToString(), RegexOptions.Compiled);
        using Stream vocab = NamedEncodings.OpenDecompressed(encoding);
        _tokenizer = TiktokenTokenizer.Create(vocab, new RegexPreTokenizer(regex, null), normalizer: null, specialTokens: null);
    }

    /// <inheritdoc/>
    public string Name => _identity.Name;

    /// <inheritdoc/>
    public int VocabSize => _identity.VocabSize;

    /// <inheritdoc/>
    public int EndOfTextId => _identity.EndOfTextId;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, int> SpecialTokens => _identity.SpecialTokens;

    /// <inheritdoc/>
    public string VocabSha256 => _identity.VocabSha256;

    /// <inheritdoc/>
    public void EncodeOrdinary(ReadOnlySpan<char> text, List<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        IReadOnlyList<int> encoded = _tokenizer.EncodeToIds(text);
        for (int i = 0; i < encoded.Count; i++)
        {
            ids.Add(encoded[i]);
        }
    }

    /// <inheritdoc/>
    public int CountTokens(ReadOnlySpan<char> text) => _tokenizer.CountTokens(text);

    /// <inheritdoc/>
    public string Decode(ReadOnlySpan<int> ids) => _tokenizer.Decode(ids.ToArray());
}
