using System.Reflection;
using Microsoft.ML.Tokenizers;

namespace Pipeline.Tokens;

/// <summary>
/// SentencePiece model (<c>.model</c> protobuf, BPE or Unigram) through Microsoft.ML.Tokenizers, without
/// beginning/end-of-sentence ids. Known divergences from <c>spm_encode</c> for BPE models are listed in the tests.
/// </summary>
internal sealed class SentencePieceTextTokenizer : ITextTokenizer
{
    private readonly SentencePieceTokenizer _tokenizer;

    private SentencePieceTextTokenizer(SentencePieceTokenizer tokenizer, string name, string sha256, int? endOfTextId)
    {
        _tokenizer = tokenizer;
        Name = name;
        VocabSha256 = sha256;
        int max = -1;
        foreach (KeyValuePair<string, int> kv in tokenizer.Vocabulary)
        {
            max = Math.Max(max, kv.Value);
        }

        VocabSize = max + 1;
        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        AddSpecial(specials, tokenizer.BeginningOfSentenceToken, tokenizer.BeginningOfSentenceId);
        AddSpecial(specials, tokenizer.EndOfSentenceToken, tokenizer.EndOfSentenceId);
        AddSpecial(specials, tokenizer.UnknownToken, tokenizer.UnknownId);
        SpecialTokens = specials;
        EndOfTextId = endOfTextId ?? tokenizer.EndOfSentenceId;
        if (EndOfTextId < 0 || EndOfTextId >= VocabSize)
        {
            throw new TokenizerException($"End-of-text id {EndOfTextId} is outside the vocabulary of {name} (size {VocabSize}).");
        }
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public int VocabSize { get; }

    /// <inheritdoc/>
    public int EndOfTextId { get; }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <inheritdoc/>
    public string VocabSha256 { get; }

    /// <summary>Loads a model from its file bytes.</summary>
    public static SentencePieceTextTokenizer Create(byte[] model, string fullPath, string sha256, int? endOfTextId)
    {
        SentencePieceTokenizer tokenizer;
        try
        {
            using var stream = new MemoryStream(model, writable: false);
            tokenizer = SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false);
            FixUnigramByteFallback(tokenizer);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new TokenizerException($"SentencePiece model '{fullPath}' could not be loaded: {e.Message}", fullPath, e);
        }

        return new SentencePieceTextTokenizer(tokenizer, "sentencepiece:" + Path.GetFileName(fullPath), sha256, endOfTextId);
    }

    /// <inheritdoc/>
    public void EncodeOrdinary(ReadOnlySpan<char> text, List<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (text.IsEmpty)
        {
            return;
        }

        IReadOnlyList<int> encoded = _tokenizer.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false);
        for (int i = 0; i < encoded.Count; i++)
        {
            ids.Add(encoded[i]);
        }
    }

    /// <inheritdoc/>
    public int CountTokens(ReadOnlySpan<char> text) =>
        text.IsEmpty ? 0 : _tokenizer.CountTokens(text, addBeginningOfSentence: false, addEndOfSentence: false);

    /// <inheritdoc/>
    public string Decode(ReadOnlySpan<int> ids) => _tokenizer.Decode(ids.ToArray()) ?? string.Empty;

    /// <summary>
    /// Microsoft.ML.Tokenizers 2.0.1 bug: for Unigram models with byte fallback it sets the id offset of the
    /// <c>&lt;0x00&gt;</c>…<c>&lt;0xFF&gt;</c> pieces to the id of <c>&lt;0xFF&gt;</c> (258 instead of 3 in a
    /// spm_train model), so every byte-fallback id comes out 255 too high (e.g. "ì" → 453 430 instead of
    /// 198 175). The BPE model computes it correctly. Byte pieces are contiguous, so the right offset is
    /// <c>MaxByteId - 255</c>; the derived values are recomputed from it. Nothing changes when the library is
    /// already right or its internals differ (the parity test with spm_encode then reports it).
    /// </summary>
    private static void FixUnigramByteFallback(SentencePieceTokenizer tokenizer)
    {
        const BindingFlags Flags = BindingFlags.NonPublic | BindingFlags.Instance;
        object? model = typeof(SentencePieceTokenizer).GetField("_model", Flags)?.GetValue(tokenizer);
        if (model is null || model.GetType().Name != "SentencePieceUnigramModel" || !tokenizer.ByteFallback)
        {
            return;
        }

        Type baseType = model.GetType().BaseType!;
        FieldInfo? offset = baseType.GetField("<ByteCodeToIdOffset>k__BackingField", Flags);
        FieldInfo? maxByte = baseType.GetField("<MaxByteId>k__BackingField", Flags);
        FieldInfo? oneByteMax = baseType.GetField("<OneByteUtf8EncodingMaxId>k__BackingField", Flags);
        FieldInfo? maxFallback = model.GetType().GetField("<MaxIdByteFallbackId>k__BackingField", Flags);
        if (offset?.GetValue(model) is not int current || maxByte?.GetValue(model) is not int maxByteId || oneByteMax is null || maxFallback is null)
        {
            return;
        }

        int correct = maxByteId - 255;
        if (current != correct && correct >= 0)
        {
            offset.SetValue(model, correct);
            oneByteMax.SetValue(model, correct + 0x7F);
            maxFallback.SetValue(model, maxByteId);
        }
    }

    private static void AddSpecial(Dictionary<string, int> specials, string? token, int id)
    {
        if (!string.IsNullOrEmpty(token) && id >= 0)
        {
            specials[token] = id;
        }
    }
}
