using System.Text;
using Microsoft.ML.Tokenizers;
using Pipeline.Core.Jobs;
using Pipeline.Tokens.Tiktoken;

namespace Pipeline.Tokens.Tests;

public sealed class TokenizerFactoryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-tokens-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    // SHA-256 values are the expected_hash of OpenAI's published files (tiktoken_ext/openai_public.py).
    [InlineData("cl100k_base", 100277, 100257, "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7")]
    [InlineData("o200k_base", 200019, 199999, "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d")]
    [InlineData("r50k_base", 50257, 50256, "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930")]
    [InlineData("gpt2", 50257, 50256, "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930")]
    public void Create_NamedEncoding_ReportsVocabularyIdentity(string name, int vocabSize, int endOfText, string sha256)
    {
        ITextTokenizer tokenizer = TokenizerFactory.Create(new TokenizerSpec(name), _dir);

        Assert.Equal(name, tokenizer.Name);
        Assert.Equal(vocabSize, tokenizer.VocabSize);
        Assert.Equal(endOfText, tokenizer.EndOfTextId);
        Assert.Equal(endOfText, tokenizer.SpecialTokens["<|endoftext|>"]);
        Assert.Equal(sha256, tokenizer.VocabSha256);
    }

    [Theory]
    [InlineData("cl100k_base")]
    [InlineData("o200k_base")]
    [InlineData("r50k_base")]
    public void Create_NamedEncoding_SpecialTokensMatchMicrosoftMlTokenizers(string name)
    {
        ITextTokenizer tokenizer = TokenizerFactory.Create(new TokenizerSpec(name), _dir);
        TiktokenTokenizer reference = TiktokenTokenizer.CreateForEncoding(name);

        Assert.Equal(reference.SpecialTokens!.OrderBy(kv => kv.Key, StringComparer.Ordinal), tokenizer.SpecialTokens.OrderBy(kv => kv.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void EncodeOrdinary_SpecialTokenTextAfterLongHistory_StaysOrdinaryText()
    {
        // Microsoft.ML.Tokenizers 2.0.1 recognises <|endoftext|> in text depending on its cache history (stack-notes §4).
        ITextTokenizer tokenizer = TokenizerFactory.Create(new TokenizerSpec("cl100k_base"), _dir);
        int[] expected = [15339, 27, 91, 8862, 728, 428, 91, 29, 14957];
        var ids = new List<int>();
        tokenizer.EncodeOrdinary("hello<|endoftext|>world", ids);
        Assert.Equal(expected, ids);

        string filler = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog 12345. ", 20_000));
        tokenizer.EncodeOrdinary(filler, ids);
        ids.Clear();
        tokenizer.EncodeOrdinary("hello<|endoftext|>world", ids);

        Assert.Equal(expected, ids);
        Assert.DoesNotContain(tokenizer.EndOfTextId, ids);
    }

    [Fact]
    public void EncodeOrdinary_EmptyText_AppendsNothing()
    {
        ITextTokenizer tokenizer = TokenizerFactory.Create(new TokenizerSpec("o200k_base"), _dir);
        var ids = new List<int> { 42 };

        tokenizer.EncodeOrdinary(ReadOnlySpan<char>.Empty, ids);

        Assert.Equal([42], ids);
        Assert.Equal(0, tokenizer.CountTokens(""));
        Assert.Equal("", tokenizer.Decode([]));
    }

    [Fact]
    public void EncodeOrdinary_AppendsToExistingIds()
    {
        ITextTokenizer tokenizer = TokenizerFactory.Create(new TokenizerSpec("cl100k_base"), _dir);
        var ids = new List<int> { 7 };

        tokenizer.EncodeOrdinary("hello world", ids);

        Assert.Equal([7, 15339, 1917], ids);
    }

    [Fact]
    public void EncodeOrdinary_SeparateInstancesOnParallelThreads_GiveSameIds()
    {
        IReadOnlyList<GoldenCorpus.Document> docs = GoldenCorpus.Documents;
        ITextTokenizer single = TokenizerFactory.Create(new TokenizerSpec("cl100k_base"), _dir);
        var expected = docs.Select(d => { var l = new List<int>(); single.EncodeOrdinary(d.Text, l); return l.ToArray(); }).ToArray();
        var actual = new int[docs.Count][];

        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            ITextTokenizer own = TokenizerFactory.Create(new TokenizerSpec("cl100k_base"), _dir);
            for (int d = worker; d < docs.Count; d += 4)
            {
                var l = new List<int>();
                own.EncodeOrdinary(docs[d].Text, l);
                actual[d] = [.. l];
            }
        });

        for (int d = 0; d < docs.Count; d++)
        {
            Assert.Equal(expected[d], actual[d]);
        }
    }

    [Fact]
    public void Decode_UnknownId_Throws()
    {
        ITextTokenizer tokenizer = TokenizerFactory.Create(new TokenizerSpec("r50k_base"), _dir);

        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([50257]));
        Assert.Equal("<|endoftext|>", tokenizer.Decode([50256]));
    }

    [Fact]
    public void Create_UnknownName_ThrowsListingKnownNames()
    {
        var e = Assert.Throws<TokenizerException>(() => TokenizerFactory.Create(new TokenizerSpec("p50k_edit"), _dir));

        Assert.Contains("p50k_edit", e.Message, StringComparison.Ordinal);
        Assert.Contains("cl100k_base", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NoNameNoFile_Throws()
    {
        Assert.Throws<TokenizerException>(() => TokenizerFactory.Create(new TokenizerSpec(null), _dir));
    }

    [Fact]
    public void Create_BothFiles_Throws()
    {
        Assert.Throws<TokenizerException>(() => TokenizerFactory.Create(new TokenizerSpec(null, "a.tiktoken", "b.model"), _dir));
    }

    [Theory]
    [InlineData("missing.tiktoken", null)]
    [InlineData(null, "missing.model")]
    public void Create_MissingFile_ThrowsNamingFullPath(string? tiktoken, string? sentencePiece)
    {
        var e = Assert.Throws<TokenizerException>(() => TokenizerFactory.Create(new TokenizerSpec(null, tiktoken, sentencePiece), _dir));

        string expected = Path.Combine(_dir, tiktoken ?? sentencePiece!);
        Assert.Equal(expected, e.FilePath);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("IQ== 0\nIg== one\n", "line 2")]
    [InlineData("IQ== 0\n!!!! 1\n", "line 2")]
    [InlineData("\n\n", "no tokens")]
    [InlineData("IQ== 0\nIg== 1\n", "single byte")]
    [InlineData("IQ== 0\nIQ== 1\n", "twice")]
    public void Create_CorruptTiktokenFile_ThrowsNamingFileAndProblem(string content, string problem)
    {
        string path = Path.Combine(_dir, "bad.tiktoken");
        File.WriteAllText(path, content);

        var e = Assert.Throws<TokenizerException>(() => TokenizerFactory.Create(new TokenizerSpec(null, TiktokenFile: "bad.tiktoken"), _dir));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_CorruptSentencePieceModel_ThrowsNamingFile()
    {
        string path = Path.Combine(_dir, "bad.model");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5]);

        var e = Assert.Throws<TokenizerException>(() => TokenizerFactory.Create(new TokenizerSpec(null, SentencePieceFile: "bad.model"), _dir));

        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void Create_TiktokenFile_EncodesLikeNamedEncodingWithEndOfTextAfterLastRank()
    {
        WriteCanonical("cl100k_base", Path.Combine(_dir, "sub", "cl100k.tiktoken"));
        ITextTokenizer named = TokenizerFactory.Create(new TokenizerSpec("cl100k_base"), _dir);

        ITextTokenizer file = TokenizerFactory.Create(new TokenizerSpec(null, TiktokenFile: "sub/cl100k.tiktoken"), _dir);

        Assert.Equal("tiktoken:cl100k.tiktoken", file.Name);
        Assert.Equal(100256, file.EndOfTextId);
        Assert.Equal(100257, file.VocabSize);
        Assert.Equal(100256, file.SpecialTokens["<|endoftext|>"]);
        Assert.Equal(named.VocabSha256, file.VocabSha256);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(_dir, "sub", "cl100k.tiktoken")))), file.VocabSha256);
        var a = new List<int>();
        var b = new List<int>();
        foreach (GoldenCorpus.Document doc in GoldenCorpus.Documents.Take(60))
        {
            a.Clear();
            b.Clear();
            named.EncodeOrdinary(doc.Text, a);
            file.EncodeOrdinary(doc.Text, b);
            Assert.Equal(a, b);
        }
    }

    [Fact]
    public void Create_TiktokenFileWithEncodingNameAndEndOfText_UsesThatSplitAndId()
    {
        WriteCanonical("o200k_base", Path.Combine(_dir, "o200k.tiktoken"));

        var file = (TiktokenTextTokenizer)TokenizerFactory.Create(new TokenizerSpec("o200k_base", TiktokenFile: "o200k.tiktoken", EndOfTextId: 199999), _dir);

        Assert.Equal(SplitPattern.O200k, file.Pattern);
        Assert.Equal(199999, file.EndOfTextId);
        Assert.Equal(200000, file.VocabSize);
        var ids = new List<int>();
        file.EncodeOrdinary("CamelCaseHTTPServer's", ids);
        var expected = new List<int>();
        TokenizerFactory.Create(new TokenizerSpec("o200k_base"), _dir).EncodeOrdinary("CamelCaseHTTPServer's", expected);
        Assert.Equal(expected, ids);
    }

    [Fact]
    public void Create_EndOfTextOverride_IsReported()
    {
        ITextTokenizer tokenizer = TokenizerFactory.Create(new TokenizerSpec("cl100k_base", EndOfTextId: 100276), _dir);

        Assert.Equal(100276, tokenizer.EndOfTextId);
        Assert.Equal(100277, tokenizer.VocabSize);
        Assert.Throws<TokenizerException>(() => TokenizerFactory.Create(new TokenizerSpec("cl100k_base", EndOfTextId: 100277), _dir));
        Assert.Throws<TokenizerException>(() => TokenizerFactory.Create(new TokenizerSpec("cl100k_base", EndOfTextId: -1), _dir));
    }

    [Fact]
    public void Create_Gpt2AndR50k_EncodeIdentically()
    {
        ITextTokenizer gpt2 = TokenizerFactory.Create(new TokenizerSpec("gpt2"), _dir);
        ITextTokenizer r50k = TokenizerFactory.Create(new TokenizerSpec("r50k_base"), _dir);
        var a = new List<int>();
        var b = new List<int>();
        foreach (GoldenCorpus.Document doc in GoldenCorpus.Documents)
        {
            gpt2.EncodeOrdinary(doc.Text, a);
            r50k.EncodeOrdinary(doc.Text, b);
        }

        Assert.Equal(a, b);
        Assert.True(a.Count > 50_000);
    }

    private static void WriteCanonical(string encoding, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        TiktokenVocabulary vocab = NamedEncodings.Vocabulary(encoding);
        var sb = new StringBuilder();
        for (int rank = 0; rank <= vocab.MaxRank; rank++)
        {
            if (vocab.TryGetBytes(rank, out ReadOnlySpan<byte> bytes))
            {
                sb.Append(Convert.ToBase64String(bytes)).Append(' ').Append(rank).Append('\n');
            }
        }

        File.WriteAllText(path, sb.ToString());
    }
}
