using System.Text;
using Pipeline.Core.Jobs;

namespace Pipeline.Tokens.Tests;

public sealed class GoldenTokenTests
{
    [Theory]
    [InlineData("cl100k_base")]
    [InlineData("o200k_base")]
    public void EncodeOrdinary_GoldenCorpus_MatchesNpmTiktokenExactly(string encoding)
    {
        ITextTokenizer tokenizer = TokenizerFactory.Create(new TokenizerSpec(encoding), AppContext.BaseDirectory);
        IReadOnlyList<GoldenCorpus.Document> docs = GoldenCorpus.Documents;
        IReadOnlyList<(string Id, int[] Ids)> golden = GoldenCorpus.ReadGolden(encoding);
        Assert.Equal(docs.Count, golden.Count);
        Assert.True(docs.Count >= 300, "corpus too small");

        var mismatches = new List<string>();
        var ids = new List<int>();
        long tokens = 0;
        for (int d = 0; d < docs.Count; d++)
        {
            Assert.Equal(golden[d].Id, docs[d].Id);
            ids.Clear();
            tokenizer.EncodeOrdinary(docs[d].Text, ids);
            tokens += ids.Count;
            if (!ids.SequenceEqual(golden[d].Ids))
            {
                int at = 0;
                while (at < ids.Count && at < golden[d].Ids.Length && ids[at] == golden[d].Ids[at])
                {
                    at++;
                }

                mismatches.Add($"{docs[d].Id}: first difference at token {at}: ours [{string.Join(",", ids.Skip(at).Take(6))}] golden [{string.Join(",", golden[d].Ids.Skip(at).Take(6))}]");
            }
            else
            {
                Assert.Equal(ids.Count, tokenizer.CountTokens(docs[d].Text));
            }
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {docs.Count} documents differ:\n" + string.Join("\n", mismatches.Take(20)));
        Assert.True(tokens > 50_000, $"only {tokens} tokens");
    }

    [Theory]
    [InlineData("cl100k_base")]
    [InlineData("o200k_base")]
    [InlineData("r50k_base")]
    [InlineData("gpt2")]
    public void Decode_GoldenCorpus_RoundTripsEveryDocument(string encoding)
    {
        ITextTokenizer tokenizer = TokenizerFactory.Create(new TokenizerSpec(encoding), AppContext.BaseDirectory);
        var ids = new List<int>();
        foreach (GoldenCorpus.Document doc in GoldenCorpus.Documents)
        {
            ids.Clear();
            tokenizer.EncodeOrdinary(doc.Text, ids);

            // Lone surrogates cannot survive UTF-8; they come back as U+FFFD, as with tiktoken.
            string expected = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(doc.Text));
            Assert.Equal(expected, tokenizer.Decode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids)));
        }
    }
}
