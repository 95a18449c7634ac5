using System.Globalization;

namespace Pipeline.FastText.Cli;

/// <summary>Formats numbers the way C++ iostreams do, so our CLI output matches the reference byte for byte.</summary>
public static class CFormat
{
    /// <summary>Like <c>std::cout &lt;&lt; value</c> with <c>setprecision(precision)</c> in default (<c>%g</c>) mode.</summary>
    public static string General(double value, int precision = 6)
    {
        if (double.IsNaN(value))
        {
            // The reference's undefined metrics are std::numeric_limits<double>::quiet_NaN(), printed "nan".
            return "nan";
        }
        if (double.IsInfinity(value))
        {
            return value < 0 ? "-inf" : "inf";
        }
        string s = value.ToString("G" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return s.Replace('E', 'e');
    }

    /// <summary>Like <c>std::cout &lt;&lt; std::fixed &lt;&lt; setprecision(precision) &lt;&lt; value</c>.</summary>
    public static string Fixed(double value, int precision) =>
        value.ToString("F" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
