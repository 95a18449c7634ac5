namespace Pipeline.FastText;

/// <summary>C++ <c>operator&gt;&gt;(istream, string)</c> tokenizing: words separated by C-locale whitespace.</summary>
internal static class CText
{
    /// <summary>C-locale <c>isspace</c>: space, \t, \n, \v, \f, \r (not \0, unlike fastText's own word separators).</summary>
    public static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or 0x0B or 0x0C or (byte)'\r';

    /// <summary>The next whitespace-separated token of <paramref name="text"/> from <paramref name="pos"/>; false at the end.</summary>
    public static bool NextToken(ReadOnlySpan<byte> text, ref int pos, out ReadOnlySpan<byte> token)
    {
        int i = pos;
        while (i < text.Length && IsSpace(text[i]))
        {
            i++;
        }
        int start = i;
        while (i < text.Length && !IsSpace(text[i]))
        {
            i++;
        }
        pos = i;
        token = text[start..i];
        return i > start;
    }
}
