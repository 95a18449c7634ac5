namespace Pipeline.FastText;

/// <summary>A model file is malformed, truncated, of an unsupported version, or inconsistent.</summary>
public sealed class FastTextFormatException : Exception
{
    /// <summary>Creates the exception with a message that names the problem.</summary>
    public FastTextFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public FastTextFormatException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception with a generic message.</summary>
    public FastTextFormatException() : base("invalid fastText model file") { }
}
