using System.Text;
using Pipeline.Core.Jobs;

namespace Pipeline.Scoring.PreSelect;

/// <summary>Turns document text into one fastText input line.</summary>
public static class FastTextLines
{
    /// <summary>Parses <c>space</c> or <c>delete</c> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Any other value.</exception>
    public static NewlineMode ParseNewlineMode(string value) => value?.ToUpperInvariant() switch
    {
        "SPACE" => NewlineMode.Space,
        "DELETE" => NewlineMode.Delete,
        _ => throw new ArgumentException($"newline mode must be 'space' or 'delete', not '{value}'", nameof(value)),
    };

    /// <summary>The text with every <c>'\n'</c> replaced (space) or removed (delete); nothing else changes.</summary>
    public static string Normalize(string text, NewlineMode mode)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains('\n', StringComparison.Ordinal))
        {
            return text;
        }
        return mode == NewlineMode.Space ? text.Replace('\n', ' ') : text.Replace("\n", "", StringComparison.Ordinal);
    }

    /// <summary>Appends <c>__label__{label} </c>, the normalized text and <c>'\n'</c>: one training line.</summary>
    public static void AppendTrainingLine(StringBuilder destination, int label, string text, NewlineMode mode)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Append("__label__").Append(label == 1 ? '1' : '0').Append(' ').Append(Normalize(text, mode)).Append('\n');
    }
}
