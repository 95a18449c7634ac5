namespace Pipeline.Tokens;

/// <summary>
/// A tokenizer with <c>encode_ordinary</c> semantics: text that looks like a special token is ordinary text.
/// Instances are not thread-safe; create one per worker thread.
/// </summary>
public interface ITextTokenizer
{
    /// <summary>Identity of the tokenizer, e.g. <c>cl100k_base</c>, <c>tiktoken:my.tiktoken</c> or <c>sentencepiece:m.model</c>.</summary>
    string Name { get; }

    /// <summary>Number of ids including special tokens (largest id + 1).</summary>
    int VocabSize { get; }

    /// <summary>Id the pipeline appends after every document.</summary>
    int EndOfTextId { get; }

    /// <summary>Special tokens of the vocabulary (never produced by <see cref="EncodeOrdinary"/>).</summary>
    IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>Lower-case hex SHA-256 of the vocabulary bytes; a stable identity for the manifest.</summary>
    string VocabSha256 { get; }

    /// <summary>Appends the ids of <paramref name="text"/> to <paramref name="ids"/>; no special-token recognition and no end-of-text id.</summary>
    void EncodeOrdinary(ReadOnlySpan<char> text, List<int> ids);

    /// <summary>Number of ids <see cref="EncodeOrdinary"/> would append.</summary>
    int CountTokens(ReadOnlySpan<char> text);

    /// <summary>Text of <paramref name="ids"/>; invalid UTF-8 sequences decode to U+FFFD. Ids outside the vocabulary throw <see cref="ArgumentOutOfRangeException"/>.</summary>
    string Decode(ReadOnlySpan<int> ids);
}
