namespace Pipeline.Tokens;

/// <summary>A tokenizer could not be created: unknown name, missing or corrupt vocabulary file, invalid spec. Fatal for the job.</summary>
public sealed class TokenizerException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public TokenizerException()
        : base("The tokenizer could not be created.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TokenizerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public TokenizerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a file, with an optional cause.</summary>
    public TokenizerException(string message, string? filePath, Exception? innerException = null)
        : base(message, innerException)
    {
        FilePath = filePath;
    }

    /// <summary>Full path of the file that failed, when a file was involved.</summary>
    public string? FilePath { get; }
}
