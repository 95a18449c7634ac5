using System.Text;
using System.Text.RegularExpressions;
using Pipeline.Core.Jobs;
using Pipeline.Tokens.Tiktoken;

namespace Pipeline.Tokens.Tests;

/// <summary>
/// The hand-written splitter against .NET's Regex running the exact patterns npm tiktoken 1.0.22 compiles in.
/// .NET's Regex sees UTF-16 code units, so the random texts stay in the BMP (astral letters, where .NET's Regex
/// and Rust's differ, are covered by the golden corpus instead).
/// </summary>
public sealed class SplitterTests
{
    private const string Cl100kPattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    private const string O200kPattern = @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    private const string R50kPattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private static readonly string[] Alphabet =
    [
        "a", "Z", "s", "S", "t", "T", "d", "m", "M", "l", "L", "r", "R", "e", "E", "v", "V", "'", "'", " ", " ", " ", "\t", "\n", "\r", "\r\n",
        "1", "9", "٣", "½", "Ⅻ", "!", "/", "/", ".", "-", "#", "é", "É", "ß", "ǅ", "ʰ", "々", "中", "ア", "한", "ж", "Ж", "\u0301", "\u0903", "\u20DD",
        "\u00a0", "\u3000", "\u2028", "\u0085", "\u000b", "\u200d", "\ufffd", "€", "☃", "<|endoftext|>", "'ll", "'VE", " '", "''",
    ];

    [Theory]
    [InlineData("cl100k_base", Cl100kPattern)]
    [InlineData("o200k_base", O200kPattern)]
    [InlineData("r50k_base", R50kPattern)]
    public void Split_RandomBmpText_MatchesReferenceRegex(string encoding, string pattern)
    {
        var tokenizer = (TiktokenTextTokenizer)TokenizerFactory.Create(new TokenizerSpec(encoding), AppContext.BaseDirectory);
        var regex = new Regex(pattern, RegexOptions.CultureInvariant);
        var random = new Random(20240607);
        for (int n = 0; n < 3000; n++)
        {
            var sb = new StringBuilder();
            int length = random.Next(1, 40);
            for (int i = 0; i < length; i++)
            {
                sb.Append(Alphabet[random.Next(Alphabet.Length)]);
            }

            string text = sb.ToString();
            List<string> expected = regex.Matches(text).Select(m => m.Value).ToList();
            Assert.Equal(text, string.Concat(expected)); // the reference tiles the text too
            List<string> actual = tokenizer.Split(text);
            Assert.True(expected.SequenceEqual(actual), $"'{Escape(text)}'\nregex: {string.Join(" | ", expected.Select(Escape))}\nours:  {string.Join(" | ", actual.Select(Escape))}");
        }
    }

    [Theory]
    [InlineData("cl100k_base", "a\n  ", new[] { "a", "\n", "  " })]
    [InlineData("cl100k_base", "hello<|endoftext|>world", new[] { "hello", "<|", "endoftext", "|>", "world" })]
    [InlineData("cl100k_base", "don't I'LL 1234567", new[] { "don", "'t", " I", "'LL", " ", "123", "456", "7" })]
    [InlineData("o200k_base", "CamelCaseHTTPServer's", new[] { "Camel", "Case", "HTTPServer's" })]
    [InlineData("o200k_base", "path/to//x\n", new[] { "path", "/to", "//", "x", "\n" })]
    [InlineData("r50k_base", "  hello  world", new[] { " ", " hello", " ", " world" })]
    public void Split_KnownInputs_GivesTiktokenPieces(string encoding, string text, string[] pieces)
    {
        var tokenizer = (TiktokenTextTokenizer)TokenizerFactory.Create(new TokenizerSpec(encoding), AppContext.BaseDirectory);

        Assert.Equal(pieces, tokenizer.Split(text));
    }

    [Fact]
    public void Split_AstralLetters_AreLettersNotSymbols()
    {
        // Rust's regex (tiktoken) sees code points: U+1D400 MATHEMATICAL BOLD CAPITAL A is \p{L}. .NET's Regex would
        // see two surrogates; the hand-written splitter must follow tiktoken.
        var tokenizer = (TiktokenTextTokenizer)TokenizerFactory.Create(new TokenizerSpec("cl100k_base"), AppContext.BaseDirectory);

        Assert.Equal(["x", " 𝐀𝐁𝐂", "!"], tokenizer.Split("x 𝐀𝐁𝐂!"));
    }

    private static string Escape(string s) => s.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
}
