namespace Pipeline.FastText.Training;

/// <summary>Training or quantization cannot proceed (empty vocabulary, bad input, a matrix too small to quantize, NaN).</summary>
public sealed class FastTextTrainingException : Exception
{
    /// <summary>Creates the exception with a message that names the problem.</summary>
    public FastTextTrainingException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public FastTextTrainingException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception with a generic message.</summary>
    public FastTextTrainingException() : base("fastText training failed") { }
}
