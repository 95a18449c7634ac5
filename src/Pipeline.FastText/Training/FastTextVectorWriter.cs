using System.Globalization;
using System.Text;
using Pipeline.FastText.Cli;

namespace Pipeline.FastText.Training;

/// <summary>Writes the text vector files fastText 0.9.2 writes after training (.vec and .output), byte for byte.</summary>
public static class FastTextVectorWriter
{
    /// <summary>
    /// fastText's <c>saveVectors</c>: a header <c>"nwords dim"</c>, then each word followed by its vector
    /// (<c>getWordVector</c>), every value as C++ prints a float with precision 5 and followed by a space.
    /// </summary>
    public static void SaveVectors(FastTextModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        FastTextVocabulary dict = model.Dictionary;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        WriteHeader(stream, dict.NWords, model.Dim);
        var vec = new float[model.Dim];
        var scratch = new List<int>();
        var line = new byte[64 + (16 * model.Dim)];
        for (int i = 0; i < dict.NWords; i++)
        {
            ReadOnlySpan<byte> word = dict.GetWordBytes(i);
            model.GetWordVector(word, vec, scratch);
            WriteRow(stream, word, vec, ref line);
        }
    }

    /// <summary>fastText's <c>saveOutput</c> (<c>-saveOutput</c>): the output matrix rows with their labels (supervised) or words.</summary>
    public static void SaveOutput(FastTextModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        if (model.IsOutputQuantized)
        {
            throw new InvalidOperationException("Option -saveOutput is not supported for quantized models.");
        }
        FastTextVocabulary dict = model.Dictionary;
        bool sup = model.Args.Model == ModelName.Supervised;
        int n = sup ? dict.NLabels : dict.NWords;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        WriteHeader(stream, n, model.Dim);
        var vec = new float[model.Dim];
        var line = new byte[64 + (16 * model.Dim)];
        for (int i = 0; i < n; i++)
        {
            Array.Clear(vec);
            model.Output.AddRowTo(vec, i);
            WriteRow(stream, sup ? dict.GetLabelBytes(i) : dict.GetWordBytes(i), vec, ref line);
        }
    }

    private static void WriteHeader(Stream stream, int rows, int dim) =>
        stream.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{rows} {dim}\n")));

    private static void WriteRow(Stream stream, ReadOnlySpan<byte> word, ReadOnlySpan<float> vec, ref byte[] line)
    {
        int need = word.Length + 2 + (vec.Length * 32);
        if (line.Length < need)
        {
            line = new byte[need];
        }
        Span<byte> span = line;
        word.CopyTo(span);
        int at = word.Length;
        span[at++] = (byte)' ';
        foreach (float v in vec)
        {
            at += CFormat.General(v, 5, span[at..]);
            span[at++] = (byte)' ';
        }
        span[at++] = (byte)'\n';
        stream.Write(span[..at]);
    }
}
