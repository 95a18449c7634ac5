using System.Text;
using Pipeline.Tokens.Tiktoken;

namespace Pipeline.Tokens.Tests;

/// <summary>The per-instance piece cache and the rank-table fast paths must never change ids.</summary>
public sealed class PieceCacheTests
{
    [Theory]
    [InlineData("cl100k_base", 1)]
    [InlineData("o200k_base", 1)]
    [InlineData("cl100k_base", 6)]
    public void EncodeOrdinary_TinyCacheOverwrittenConstantly_MatchesNpmTiktokenTwice(string encoding, int log2Entries)
    {
        TiktokenTextTokenizer tokenizer = Create(encoding, log2Entries);
        IReadOnlyList<GoldenCorpus.Document> docs = GoldenCorpus.Documents;
        IReadOnlyList<(string Id, int[] Ids)> golden = GoldenCorpus.ReadGolden(encoding);
        var ids = new List<int>();
        for (int pass = 0; pass < 2; pass++)
        {
            for (int d = 0; d < docs.Count; d++)
            {
                ids.Clear();
                tokenizer.EncodeOrdinary(docs[d].Text, ids);
                Assert.True(ids.SequenceEqual(golden[d].Ids), $"pass {pass}, document {golden[d].Id}");
            }
        }
    }

    [Theory]
    [InlineData("cl100k_base")]
    [InlineData("o200k_base")]
    public void EncodeOrdinary_CacheFilledByCountTokens_MatchesNpmTiktoken(string encoding)
    {
        // CountTokens fills the cache through its own path (no id list); the ids it stored must be the right ones.
        TiktokenTextTokenizer tokenizer = Create(encoding, TiktokenTextTokenizer.DefaultCacheLog2Entries);
        IReadOnlyList<GoldenCorpus.Document> docs = GoldenCorpus.Documents;
        IReadOnlyList<(string Id, int[] Ids)> golden = GoldenCorpus.ReadGolden(encoding);
        for (int d = 0; d < docs.Count; d++)
        {
            Assert.Equal(golden[d].Ids.Length, tokenizer.CountTokens(docs[d].Text));
        }

        var ids = new List<int>();
        for (int d = 0; d < docs.Count; d++)
        {
            ids.Clear();
            tokenizer.EncodeOrdinary(docs[d].Text, ids);
            Assert.True(ids.SequenceEqual(golden[d].Ids), $"document {golden[d].Id}");
        }
    }

    [Fact]
    public void EncodeOrdinary_SameWordsWithDifferentBytesAfterThem_GiveSameIdsAsColdInstance()
    {
        // Pieces are read as whole 8-byte words from the text buffer; bytes after a piece (the rest of the text or
        // stale bytes of an earlier, longer document) must not leak into its key.
        TiktokenTextTokenizer warm = Create("cl100k_base", TiktokenTextTokenizer.DefaultCacheLog2Entries);
        string[] texts =
        [
            new string('x', 5000) + " antidisestablishmentarianism internationalization",
            " antidisestablishmentarianism",
            " internationalization\u0000\u0000",
            " internationalization",
            "a\u0000 a a\u0000\u0000 a",
            "Überraschung überall: 中文字符 ünd straße's 'll",
        ];
        var warmIds = new List<int>();
        var coldIds = new List<int>();
        foreach (string text in texts)
        {
            warmIds.Clear();
            coldIds.Clear();
            warm.EncodeOrdinary(text, warmIds);
            Create("cl100k_base", TiktokenTextTokenizer.DefaultCacheLog2Entries).EncodeOrdinary(text, coldIds);
            Assert.Equal(coldIds, warmIds);
            Assert.Equal(text, warm.Decode(warmIds.ToArray()));
        }
    }

    [Fact]
    public void ReadKey_PiecesDifferingOnlyInLengthOrLaterBytes_KeysBehaveAsBytes()
    {
        byte[] a = new byte[64];
        byte[] b = new byte[64];
        Encoding.ASCII.GetBytes("hello world, how are you today?").CopyTo(a, 0);
        Encoding.ASCII.GetBytes("helloXXXXXXXXXXXXXXXXXXXXXXXXXXXX").CopyTo(b, 0);
        var cache = new PieceCache(4);

        ulong a0 = PieceCache.ReadKey(ref a[0], 5, out ulong a1, out ulong a2);
        ulong b0 = PieceCache.ReadKey(ref b[0], 5, out ulong b1, out ulong b2);
        ref PieceCache.Entry entry = ref cache.Slot(a0, a1, a2, 5);
        entry.Set(a0, a1, a2, 5, [42]);

        Assert.True(cache.Slot(b0, b1, b2, 5).Matches(b0, b1, b2, 5));
        Assert.Equal(42, cache.Slot(b0, b1, b2, 5).Id(0));

        // "hello\0" (6 bytes) has the same padded words as "hello" but another length.
        byte[] zeros = new byte[32];
        Encoding.ASCII.GetBytes("hello").CopyTo(zeros, 0);
        ulong z0 = PieceCache.ReadKey(ref zeros[0], 6, out ulong z1, out ulong z2);
        Assert.Equal((a0, a1, a2), (z0, z1, z2));
        Assert.False(entry.Matches(z0, z1, z2, 6));

        // 24-byte pieces use all three words.
        ulong c0 = PieceCache.ReadKey(ref a[0], 24, out ulong c1, out ulong c2);
        ulong d0 = PieceCache.ReadKey(ref b[0], 24, out ulong d1, out ulong d2);
        Assert.NotEqual((c0, c1, c2), (d0, d1, d2));
    }

    [Theory]
    [InlineData("cl100k_base")]
    [InlineData("o200k_base")]
    public void PairRank_EveryTwoByteSequence_AgreesWithLookup(string encoding)
    {
        TiktokenVocabulary vocab = NamedEncodings.Vocabulary(encoding);
        byte[] pair = new byte[2];
        int tokens = 0;
        for (int i = 0; i < 1 << 16; i++)
        {
            pair[0] = (byte)i;
            pair[1] = (byte)(i >> 8);
            int rank = vocab.Lookup(pair);
            Assert.Equal(rank < 0 ? int.MaxValue : rank, vocab.PairRank(pair[0], pair[1]));
            tokens += rank >= 0 ? 1 : 0;
        }

        Assert.True(tokens > 1000, $"only {tokens} two-byte tokens");
    }

    [Theory]
    [InlineData("cl100k_base")]
    [InlineData("o200k_base")]
    public void Lookup_EveryTokenAndItsExtensions_FindsExactlyTheTokens(string encoding)
    {
        // The Bloom filter may only reject byte sequences that are not tokens, and the tail comparison of keys
        // longer than 8 bytes must see every byte.
        TiktokenVocabulary vocab = NamedEncodings.Vocabulary(encoding);
        var all = new HashSet<string>(StringComparer.Ordinal);
        for (int rank = 0; rank <= vocab.MaxRank; rank++)
        {
            if (vocab.TryGetBytes(rank, out ReadOnlySpan<byte> bytes))
            {
                all.Add(Convert.ToHexString(bytes));
            }
        }

        var random = new Random(11);
        int checkedExtensions = 0;
        for (int rank = 0; rank <= vocab.MaxRank; rank++)
        {
            if (!vocab.TryGetBytes(rank, out ReadOnlySpan<byte> bytes))
            {
                continue;
            }

            Assert.Equal(rank, vocab.Lookup(bytes));
            byte[] changed = bytes.ToArray();
            changed[random.Next(changed.Length)] ^= (byte)(1 << random.Next(8));
            int r = vocab.Lookup(changed);
            Assert.Equal(all.Contains(Convert.ToHexString(changed)), r >= 0);
            byte[] longer = [.. bytes, (byte)random.Next(256)];
            r = vocab.Lookup(longer);
            Assert.Equal(all.Contains(Convert.ToHexString(longer)), r >= 0);
            checkedExtensions++;
        }

        Assert.Equal(vocab.Count, checkedExtensions);
    }

    private static TiktokenTextTokenizer Create(string encoding, int log2Entries)
    {
        Assert.True(NamedEncodings.TryGet(encoding, out NamedEncodings.Definition definition));
        int endOfText = definition.SpecialTokens["<|endoftext|>"];
        return new TiktokenTextTokenizer(encoding, NamedEncodings.Vocabulary(encoding), definition.Pattern, definition.SpecialTokens, endOfText, log2Entries);
    }
}
