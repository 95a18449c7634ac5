namespace Pipeline.Scoring.PreSelect;

/// <summary>
/// An input of a PreSelect tool (loss table, benchmarks, documents) is wrong. Fatal: the message names the file and
/// the row (line for JSON/JSONL, 1-based row for Parquet) and says what to fix.
/// </summary>
public sealed class PreSelectInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PreSelectInputException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong and where.</param>
    public PreSelectInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the cause.</summary>
    /// <param name="message">What is wrong and where.</param>
    /// <param name="innerException">The cause.</param>
    public PreSelectInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
