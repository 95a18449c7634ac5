using System.Buffers.Binary;
using System.Text;

namespace Pipeline.FastText.Tests;

public sealed class ModelFileTests
{
    /// <summary>A small supervised model built in memory (3 words, 2 labels, 10 buckets, dim 4).</summary>
    private static FastTextModel SmallModel(bool hs = false)
    {
        var args = FastTextArgs.SupervisedDefaults with { Dim = 4, Bucket = 10, WordNgrams = 2, Loss = hs ? LossName.HierarchicalSoftmax : LossName.Softmax };
        DictionaryEntry E(string w, long c, EntryType t) => new(Encoding.UTF8.GetBytes(w), c, t);
        var vocab = new FastTextVocabulary(
            [E("a", 5, EntryType.Word), E("b", 3, EntryType.Word), E("</s>", 2, EntryType.Word), E("__label__x", 4, EntryType.Label), E("__label__y", 1, EntryType.Label)],
            ntokens: 15, pruneIdx: null, args);
        var input = new DenseMatrix(3 + 10, 4);
        var output = new DenseMatrix(2, 4);
        var rng = new Random(7);
        for (int i = 0; i < input.Data.Length; i++)
        {
            input.Data[i] = (float)(rng.NextDouble() - 0.5);
        }
        for (int i = 0; i < output.Data.Length; i++)
        {
            output.Data[i] = (float)(rng.NextDouble() - 0.5);
        }
        return new FastTextModel(args, vocab, input, output);
    }

    private static byte[] Bytes(FastTextModel model)
    {
        var ms = new MemoryStream();
        model.Save(ms);
        return ms.ToArray();
    }

    private static FastTextFormatException LoadFails(byte[] bytes) =>
        Assert.Throws<FastTextFormatException>(() => FastTextModel.Load(new MemoryStream(bytes)));

    [Fact]
    public void SaveLoadSave_InMemoryModel_SameBytes()
    {
        byte[] first = Bytes(SmallModel());
        byte[] second = Bytes(FastTextModel.Load(new MemoryStream(first)));
        Assert.Equal(first, second);
    }

    [Fact]
    public void Load_Truncated_FailsNamingTheBlock()
    {
        byte[] full = Bytes(SmallModel());
        foreach (int cut in new[] { 3, 20, 70, 90, full.Length - 40, full.Length - 1 })
        {
            FastTextFormatException e = LoadFails(full[..cut]);
            Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Load_WrongMagic_FailsClearly()
    {
        byte[] bytes = Bytes(SmallModel());
        bytes[0] ^= 0xFF;
        Assert.Contains("wrong magic number", LoadFails(bytes).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FutureVersion_FailsClearly()
    {
        byte[] bytes = Bytes(SmallModel());
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), 13);
        Assert.Contains("unsupported fastText model version 13", LoadFails(bytes).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Version11Supervised_ForcesMaxnZero()
    {
        byte[] bytes = Bytes(SmallModel());
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), 11);
        // maxn is the 11th int32 of the args block (offset 8 + 10*4).
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8 + 40), 6);
        FastTextModel model = FastTextModel.Load(new MemoryStream(bytes));
        Assert.Equal(11, model.Version);
        Assert.Equal(0, model.Args.Maxn);
    }

    [Fact]
    public void Load_AbsurdMatrixSize_FailsBeforeAllocating()
    {
        byte[] bytes = Bytes(SmallModel());
        // The input matrix header follows the dictionary; find it by its known shape (13 × 4).
        int at = IndexOfMatrixHeader(bytes, 13, 4);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(at), 2_000_000_000L);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(at + 8), 1000L);
        long before = GC.GetAllocatedBytesForCurrentThread();
        FastTextFormatException e = LoadFails(bytes);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("only", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 10_000_000, $"allocated {allocated} bytes before failing");
    }

    [Fact]
    public void Load_AbsurdDictionarySize_FailsBeforeAllocating()
    {
        byte[] bytes = Bytes(SmallModel());
        int dictAt = 8 + 56;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(dictAt), int.MaxValue);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(dictAt + 4), int.MaxValue - 2);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(dictAt + 8), 2);
        long before = GC.GetAllocatedBytesForCurrentThread();
        FastTextFormatException e = LoadFails(bytes);
        Assert.Contains("dictionary entries", e.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000);
    }

    [Fact]
    public void Load_UnknownLoss_FailsClearly()
    {
        byte[] bytes = Bytes(SmallModel());
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8 + 24), 9);
        Assert.Contains("unknown loss 9", LoadFails(bytes).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EmptyFile_FailsClearly() =>
        Assert.Contains("shorter than its 8-byte header", LoadFails([]).Message, StringComparison.Ordinal);

    [Fact]
    public void Load_NonSeekableStream_IsRejected()
    {
        using var pipe = new NonSeekableStream(Bytes(SmallModel()));
        Assert.Throws<ArgumentException>(() => FastTextModel.Load(pipe));
    }

    [Fact]
    public void Predict_HierarchicalSoftmaxAndSoftmax_ProbabilitiesAreConsistent()
    {
        foreach (bool hs in new[] { false, true })
        {
            FastTextModel model = SmallModel(hs);
            var predictions = new Prediction[2];
            int n = model.Predict("a b a", k: -1, threshold: 0f, predictions);
            Assert.Equal(2, n);
            Assert.True(predictions[0].LogProbability >= predictions[1].LogProbability);
            float sum = predictions[0].Probability + predictions[1].Probability;
            Assert.InRange(sum, 0.999f, 1.0001f);
        }
    }

    [Fact]
    public void Predict_LineWithNewline_IsRejected()
    {
        FastTextModel model = SmallModel();
        Assert.Throws<ArgumentException>(() => model.Predict("a\nb", 1, 0f, new Prediction[1]));
    }

    private static int IndexOfMatrixHeader(byte[] bytes, long rows, long cols)
    {
        Span<byte> pattern = stackalloc byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(pattern, rows);
        BinaryPrimitives.WriteInt64LittleEndian(pattern[8..], cols);
        int at = bytes.AsSpan().IndexOf(pattern);
        Assert.True(at > 0);
        return at;
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
