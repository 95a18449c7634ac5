using System.Globalization;
using System.Text;

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

    /// <summary>Formats like C's <c>%g</c> with the given precision (what C++ streams print for floats).</summary>
    public static string FormatG(double value, int precision)
    {
        Span<byte> buffer = stackalloc byte[64];
        int n = FormatG(value, precision, buffer);
        return Encoding.ASCII.GetString(buffer[..n]);
    }

    internal static int FormatG(double value, int precision, Span<byte> destination)
    {
        if (double.IsNaN(value))
        {
            return (double.IsNegative(value) ? "-nan"u8 : "nan"u8).CopyTo(destination, out int w) ? w : 0;
        }
        if (double.IsInfinity(value))
        {
            return (value < 0 ? "-inf"u8 : "inf"u8).CopyTo(destination, out int w) ? w : 0;
        }
        value.TryFormat(destination, out int written, precision switch { 5 => "G5", 6 => "G6", _ => "G" + precision.ToString(CultureInfo.InvariantCulture) }, CultureInfo.InvariantCulture);
        for (int i = 0; i < written; i++)
        {
            if (destination[i] == (byte)'E')
            {
                destination[i] = (byte)'e';
            }
        }
        return written;
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
            at += FormatG(v, 5, span[at..]);
            span[at++] = (byte)' ';
        }
        span[at++] = (byte)'\n';
        stream.Write(span[..at]);
    }
}

file static class SpanCopy
{
    public static bool CopyTo(this ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        source.CopyTo(destination);
        written = source.Length;
        return true;
    }
}
