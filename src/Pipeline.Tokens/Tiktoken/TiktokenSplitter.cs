using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Pipeline.Tokens.Tiktoken;

/// <summary>Pre-tokenization pattern of a tiktoken encoding.</summary>
internal enum SplitPattern
{
    /// <summary>cl100k_base.</summary>
    Cl100k,

    /// <summary>o200k_base.</summary>
    O200k,

    /// <summary>r50k_base / gpt2.</summary>
    R50k,
}

/// <summary>
/// Hand-written, allocation-free equivalents of the tiktoken split regexes, run over UTF-8 bytes and Unicode
/// code points (like Rust's regex in tiktoken, unlike .NET's Regex, which sees UTF-16 surrogates).
/// The patterns are the ones npm tiktoken 1.0.22 compiles in:
/// <list type="bullet">
/// <item>cl100k: <c>(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</c></item>
/// <item>o200k: <c>[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+</c></item>
/// <item>r50k: <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c></item>
/// </list>
/// Every alternative is applied in order with the regex engine's backtracking priorities (leftmost-first), so
/// the pieces are the same as the regex's matches; the pieces tile the text.
/// </summary>
internal static class TiktokenSplitter
{
    private static readonly byte[] BmpKinds = BuildBmpKinds();

    /// <summary>Character classes that the patterns distinguish.</summary>
    internal enum Kind : byte
    {
        /// <summary>Not a letter, number, mark or white space (punctuation, symbols, emoji, controls).</summary>
        Other = 0,

        /// <summary>Lu, Lt.</summary>
        Upper = 1,

        /// <summary>Ll.</summary>
        Lower = 2,

        /// <summary>Lm, Lo: in both o200k letter classes.</summary>
        LetterOther = 3,

        /// <summary>Mn, Mc, Me: not \p{L}, but in both o200k letter classes.</summary>
        Mark = 4,

        /// <summary>Nd, Nl, No.</summary>
        Number = 5,

        /// <summary>White space other than CR and LF.</summary>
        Space = 6,

        /// <summary>CR or LF.</summary>
        Newline = 7,
    }

    /// <summary>End (exclusive) of the piece that starts at <paramref name="i"/> (&lt; length) in UTF-8 text <paramref name="s"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int NextPieceEnd(SplitPattern pattern, ReadOnlySpan<byte> s, int i) => pattern switch
    {
        SplitPattern.Cl100k => Cl100k(s, i),
        SplitPattern.O200k => O200k(s, i),
        _ => R50k(s, i),
    };

    private static int Cl100k(ReadOnlySpan<byte> s, int i)
    {
        int n = s.Length;

        // ASCII fast path for the commonest pieces of English, "word" and " word": [^\r\n\p{L}\p{N}]?\p{L}+.
        byte b = s[i];
        if (IsAsciiLetter(b))
        {
            return LetterRunEnd(s, i + 1);
        }

        if (b == (byte)' ' && i + 1 < n && IsAsciiLetter(s[i + 1]))
        {
            return LetterRunEnd(s, i + 2);
        }

        if (b == (byte)'\'')
        {
            int c = ContractionLength(s, i + 1, ignoreCase: true);
            if (c > 0)
            {
                return i + 1 + c;
            }
        }

        Kind k = KindAt(s, i, out int w);

        // [^\r\n\p{L}\p{N}]?\p{L}+
        if (IsLetter(k))
        {
            return LetterRunEnd(s, i + w);
        }

        if (k is Kind.Other or Kind.Mark or Kind.Space && i + w < n && IsLetter(KindAt(s, i + w, out int w2)))
        {
            return LetterRunEnd(s, i + w + w2);
        }

        // \p{N}{1,3}
        if (k == Kind.Number)
        {
            return NumberRunEnd(s, i + w, 2);
        }

        //  ?[^\s\p{L}\p{N}]+[\r\n]*
        int p = OptionalSpaceBeforeOther(s, i);
        if (IsOther(KindAt(s, p, out int wp)))
        {
            int j = OtherRunEnd(s, p + wp);
            while (j < n && s[j] is (byte)'\r' or (byte)'\n')
            {
                j++;
            }

            return j;
        }

        return WhitespaceWithNewlines(s, i);
    }

    private static int O200k(ReadOnlySpan<byte> s, int i)
    {
        int n = s.Length;
        Kind k = KindAt(s, i, out int w);
        bool prefix = k is Kind.Other or Kind.Mark or Kind.Space;

        // [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|...)?
        int r;
        if (prefix && (r = UpperStarLowerPlus(s, i + w)) >= 0)
        {
            return r;
        }

        if ((IsUpperClass(k) || k == Kind.Lower) && (r = UpperStarLowerPlus(s, i)) >= 0)
        {
            return r;
        }

        // [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|...)?
        if (prefix && (r = UpperPlusLowerStar(s, i + w)) >= 0)
        {
            return r;
        }

        if (IsUpperClass(k) && (r = UpperPlusLowerStar(s, i)) >= 0)
        {
            return r;
        }

        // \p{N}{1,3}
        if (k == Kind.Number)
        {
            return NumberRunEnd(s, i + w, 2);
        }

        //  ?[^\s\p{L}\p{N}]+[\r\n/]*
        int p = OptionalSpaceBeforeOther(s, i);
        if (IsOther(KindAt(s, p, out int wp)))
        {
            int j = OtherRunEnd(s, p + wp);
            while (j < n && s[j] is (byte)'\r' or (byte)'\n' or (byte)'/')
            {
                j++;
            }

            return j;
        }

        return WhitespaceWithNewlines(s, i);
    }

    private static int R50k(ReadOnlySpan<byte> s, int i)
    {
        int n = s.Length;
        if (s[i] == (byte)'\'')
        {
            int c = ContractionLength(s, i + 1, ignoreCase: false);
            if (c > 0)
            {
                return i + 1 + c;
            }
        }

        //  ?\p{L}+ |  ?\p{N}+ |  ?[^\s\p{L}\p{N}]+  (the three classes are disjoint, so the optional space goes with whichever follows)
        int p = i;
        if (s[i] == (byte)' ' && i + 1 < n && KindAt(s, i + 1, out _) is not (Kind.Space or Kind.Newline))
        {
            p = i + 1;
        }

        Kind k = KindAt(s, p, out int w);
        if (IsLetter(k))
        {
            return LetterRunEnd(s, p + w);
        }

        if (k == Kind.Number)
        {
            return NumberRunEnd(s, p + w, int.MaxValue);
        }

        if (IsOther(k))
        {
            return OtherRunEnd(s, p + w);
        }

        // \s+(?!\S)|\s+
        int j = i;
        int last = i;
        while (j < n && KindAt(s, j, out int wj) is Kind.Space or Kind.Newline)
        {
            last = j;
            j += wj;
        }

        return j == n || last == i ? j : last;
    }

    /// <summary><c>\s*[\r\n]+|\s+(?!\S)|\s+</c> at a white-space character.</summary>
    private static int WhitespaceWithNewlines(ReadOnlySpan<byte> s, int i)
    {
        int n = s.Length;
        int j = i;
        int last = i;
        int lastNewline = -1;
        while (j < n)
        {
            Kind k = KindAt(s, j, out int wj);
            if (k == Kind.Newline)
            {
                lastNewline = j;
            }
            else if (k != Kind.Space)
            {
                break;
            }

            last = j;
            j += wj;
        }

        if (j == i)
        {
            // Unreachable when the alternatives above are complete; never return an empty piece.
            KindAt(s, i, out int width);
            return i + width;
        }

        // \s*[\r\n]+ : greedy \s* backtracks to the last newline of the run.
        if (lastNewline >= 0)
        {
            return lastNewline + 1;
        }

        // \s+(?!\S) keeps the last white-space character for the next piece unless the text ends; \s+ takes a single one.
        return j == n || last == i ? j : last;
    }

    /// <summary><c>[U]*[W]+</c> then the optional contraction, or -1.</summary>
    private static int UpperStarLowerPlus(ReadOnlySpan<byte> s, int p)
    {
        int n = s.Length;
        int q = p;
        int lastLower = -1;
        int lastLowerWidth = 0;
        Kind k = Kind.Other;
        int w = 0;
        while (q < n)
        {
            k = KindAt(s, q, out w);
            if (!IsUpperClass(k))
            {
                break;
            }

            if (IsLowerClass(k))
            {
                lastLower = q;
                lastLowerWidth = w;
            }

            q += w;
        }

        int end;
        if (q < n && k == Kind.Lower)
        {
            end = LowerRunEnd(s, q + w);
        }
        else if (lastLower >= 0)
        {
            // [U]* gives back characters until [W]+ can match: at the last W-class character of the run.
            end = lastLower + lastLowerWidth;
        }
        else
        {
            return -1;
        }

        return end + OptionalContraction(s, end);
    }

    /// <summary><c>[U]+[W]*</c> then the optional contraction, or -1.</summary>
    private static int UpperPlusLowerStar(ReadOnlySpan<byte> s, int p)
    {
        int n = s.Length;
        int q = p;
        while (q < n && IsUpperClass(KindAt(s, q, out int w)))
        {
            q += w;
        }

        if (q == p)
        {
            return -1;
        }

        int end = LowerRunEnd(s, q);
        return end + OptionalContraction(s, end);
    }

    private static int OptionalContraction(ReadOnlySpan<byte> s, int end)
    {
        if (end < s.Length && s[end] == (byte)'\'')
        {
            int c = ContractionLength(s, end + 1, ignoreCase: true);
            if (c > 0)
            {
                return 1 + c;
            }
        }

        return 0;
    }

    /// <summary>Bytes after the apostrophe matched by <c>s|t|re|ve|m|ll|d</c>, or 0.</summary>
    private static int ContractionLength(ReadOnlySpan<byte> s, int p, bool ignoreCase)
    {
        int n = s.Length;
        if (p >= n)
        {
            return 0;
        }

        byte c = s[p];
        if (ignoreCase)
        {
            // Unicode simple case folding: U+017F LATIN SMALL LETTER LONG S folds to 's' (C5 BF in UTF-8).
            if (c == 0xC5 && p + 1 < n && s[p + 1] == 0xBF)
            {
                return 2;
            }

            c = AsciiLower(c);
        }

        if (c is (byte)'s' or (byte)'t' or (byte)'m' or (byte)'d')
        {
            return 1;
        }

        if (p + 1 >= n)
        {
            return 0;
        }

        byte c2 = ignoreCase ? AsciiLower(s[p + 1]) : s[p + 1];
        return (c, c2) switch
        {
            ((byte)'r', (byte)'e') or ((byte)'v', (byte)'e') or ((byte)'l', (byte)'l') => 2,
            _ => 0,
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsAsciiLetter(byte c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte AsciiLower(byte c) => c is >= (byte)'A' and <= (byte)'Z' ? (byte)(c | 0x20) : c;

    /// <summary>Position after <c> ?</c> when a space is followed by an "other" character; otherwise <paramref name="i"/>.</summary>
    private static int OptionalSpaceBeforeOther(ReadOnlySpan<byte> s, int i) =>
        s[i] == (byte)' ' && i + 1 < s.Length && IsOther(KindAt(s, i + 1, out _)) ? i + 1 : i;

    private static int LetterRunEnd(ReadOnlySpan<byte> s, int j)
    {
        int n = s.Length;
        while (j < n)
        {
            byte b = s[j];
            if (b < 0x80)
            {
                if ((uint)((b | 0x20) - 'a') > 'z' - 'a')
                {
                    break;
                }

                j++;
                continue;
            }

            if (!IsLetter(KindAt(s, j, out int w)))
            {
                break;
            }

            j += w;
        }

        return j;
    }

    private static int LowerRunEnd(ReadOnlySpan<byte> s, int j)
    {
        int n = s.Length;
        while (j < n)
        {
            byte b = s[j];
            if (b < 0x80)
            {
                if ((uint)(b - 'a') > 'z' - 'a')
                {
                    break;
                }

                j++;
                continue;
            }

            if (!IsLowerClass(KindAt(s, j, out int w)))
            {
                break;
            }

            j += w;
        }

        return j;
    }

    private static int NumberRunEnd(ReadOnlySpan<byte> s, int j, int maxMore)
    {
        int n = s.Length;
        for (int c = 0; c < maxMore && j < n; c++)
        {
            if (KindAt(s, j, out int w) != Kind.Number)
            {
                break;
            }

            j += w;
        }

        return j;
    }

    private static int OtherRunEnd(ReadOnlySpan<byte> s, int j)
    {
        int n = s.Length;
        while (j < n && IsOther(KindAt(s, j, out int w)))
        {
            j += w;
        }

        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsLetter(Kind k) => k is Kind.Upper or Kind.Lower or Kind.LetterOther;

    /// <summary><c>[^\s\p{L}\p{N}]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsOther(Kind k) => k is Kind.Other or Kind.Mark;

    /// <summary><c>[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsUpperClass(Kind k) => k is Kind.Upper or Kind.LetterOther or Kind.Mark;

    /// <summary><c>[\p{Ll}\p{Lm}\p{Lo}\p{M}]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsLowerClass(Kind k) => k is Kind.Lower or Kind.LetterOther or Kind.Mark;

    /// <summary>Class of the code point at byte <paramref name="i"/> (valid UTF-8) and its width in bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Kind KindAt(ReadOnlySpan<byte> s, int i, out int width)
    {
        byte b = s[i];
        if (b < 0x80)
        {
            width = 1;
            return (Kind)BmpKinds[b];
        }

        return NonAsciiKind(s, i, out width);
    }

    private static Kind NonAsciiKind(ReadOnlySpan<byte> s, int i, out int width)
    {
        byte b = s[i];
        if (b < 0xE0 && b >= 0xC2 && i + 1 < s.Length)
        {
            width = 2;
            return (Kind)BmpKinds[((b & 0x1F) << 6) | (s[i + 1] & 0x3F)];
        }

        if (b < 0xF0 && i + 2 < s.Length)
        {
            width = 3;
            return (Kind)BmpKinds[((b & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F)];
        }

        // Astral plane (or defensive fallback): decode and classify the full code point.
        Rune.DecodeFromUtf8(s[i..], out Rune rune, out width);
        return width == 0 ? Kind.Other : Classify(rune.Value);
    }

    internal static Kind Classify(int codePoint)
    {
        if (codePoint is '\r' or '\n')
        {
            return Kind.Newline;
        }

        // Unicode White_Space (what Rust's \s matches): TAB..CR, NEL and the Z categories.
        if (codePoint is (>= 0x09 and <= 0x0D) or 0x85)
        {
            return Kind.Space;
        }

        return CharUnicodeInfo.GetUnicodeCategory(codePoint) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.TitlecaseLetter => Kind.Upper,
            UnicodeCategory.LowercaseLetter => Kind.Lower,
            UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => Kind.LetterOther,
            UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => Kind.Mark,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => Kind.Number,
            UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => Kind.Space,
            _ => Kind.Other,
        };
    }

    private static byte[] BuildBmpKinds()
    {
        var kinds = new byte[0x10000];
        for (int c = 0; c < kinds.Length; c++)
        {
            // Surrogates never reach the table: the text is UTF-8 produced with replacement of lone surrogates.
            kinds[c] = c is >= 0xD800 and <= 0xDFFF ? (byte)Kind.Other : (byte)Classify(c);
        }

        return kinds;
    }
}
