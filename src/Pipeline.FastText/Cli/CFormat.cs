using System.Globalization;
using System.Text;

namespace Pipeline.FastText.Cli;

/// <summary>Formats numbers the way C++ iostreams do, so our output matches the reference byte for byte.</summary>
public static class CFormat
{
    /// <summary>Like <c>std::cout &lt;&lt; value</c> with <c>setprecision(precision)</c> in default (<c>%g</c>) mode.</summary>
    public static string General(double value, int precision = 6)
    {
        Span<byte> buffer = stackalloc byte[64];
        int n = General(value, precision, buffer);
        return Encoding.ASCII.GetString(buffer[..n]);
    }

    /// <summary>
    /// <see cref="General(double, int)"/> into <paramref name="destination"/> (at least 32 bytes) without allocating;
    /// returns the number of bytes written. The reference's undefined metrics are <c>quiet_NaN()</c>, printed
    /// <c>nan</c>; so is every NaN here.
    /// </summary>
    public static int General(double value, int precision, Span<byte> destination)
    {
        if (double.IsNaN(value))
        {
            "nan"u8.CopyTo(destination);
            return 3;
        }
        if (double.IsInfinity(value))
        {
            ReadOnlySpan<byte> text = value < 0 ? "-inf"u8 : "inf"u8;
            text.CopyTo(destination);
            return text.Length;
        }
        string format = precision switch { 5 => "G5", 6 => "G6", 3 => "G3", _ => "G" + precision.ToString(CultureInfo.InvariantCulture) };
        value.TryFormat(destination, out int written, format, CultureInfo.InvariantCulture);
        for (int i = 0; i < written; i++)
        {
            if (destination[i] == (byte)'E')
            {
                destination[i] = (byte)'e';
            }
        }
        return written;
    }

    /// <summary>Like <c>std::cout &lt;&lt; std::fixed &lt;&lt; setprecision(precision) &lt;&lt; value</c>.</summary>
    public static string Fixed(double value, int precision) =>
        value.ToString("F" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
