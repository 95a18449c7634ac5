using System.Text;
using Pipeline.Tokens.Tiktoken;

namespace Pipeline.Tokens.Tests;

public sealed class BytePairEncoderTests
{
    private static readonly string[] Alphabet = ["a", "b", "e", "n", "t", " ", "th", "ing", "中", "文", "ж", "é", "😀", "\n", "0", "!", "的", "한"];

    [Theory]
    [InlineData("cl100k_base")]
    [InlineData("o200k_base")]
    public void EncodeLong_RandomPieces_SameIdsAsTiktokenQuadraticMerge(string encoding)
    {
        TiktokenVocabulary vocab = NamedEncodings.Vocabulary(encoding);
        var bpe = new BytePairEncoder(vocab);
        var random = new Random(7);
        var quadratic = new List<int>();
        var heap = new List<int>();
        for (int n = 0; n < 1500; n++)
        {
            var sb = new StringBuilder();
            int parts = random.Next(1, n % 10 == 0 ? 400 : 40);
            for (int i = 0; i < parts; i++)
            {
                sb.Append(Alphabet[random.Next(Alphabet.Length)]);
            }

            byte[] piece = Encoding.UTF8.GetBytes(sb.ToString());
            if (piece.Length < 2)
            {
                continue;
            }

            quadratic.Clear();
            heap.Clear();
            int a = bpe.EncodeShort(piece, quadratic);
            int b = bpe.EncodeLong(piece, heap);
            Assert.Equal(quadratic, heap);
            Assert.Equal(a, b);
            Assert.Equal(quadratic.Count, a);

            // The ids concatenate back to the piece.
            var bytes = new List<byte>();
            foreach (int id in heap)
            {
                Assert.True(vocab.TryGetBytes(id, out ReadOnlySpan<byte> token));
                bytes.AddRange(token.ToArray());
            }

            Assert.Equal(piece, bytes.ToArray());
        }
    }

    [Fact]
    public void Encode_LongRunOfOneLetter_FinishesAndRoundTrips()
    {
        TiktokenVocabulary vocab = NamedEncodings.Vocabulary("cl100k_base");
        var bpe = new BytePairEncoder(vocab);
        byte[] piece = Encoding.ASCII.GetBytes(new string('a', 100_000));
        var ids = new List<int>();

        int count = bpe.Encode(piece, ids);

        Assert.Equal(ids.Count, count);
        Assert.True(count < 100_000 / 4, $"{count} tokens for 100k 'a'");
        long total = 0;
        foreach (int id in ids)
        {
            Assert.True(vocab.TryGetBytes(id, out ReadOnlySpan<byte> token));
            total += token.Length;
        }

        Assert.Equal(piece.Length, total);
    }
}
