namespace Pipeline.Engine;

/// <summary>A job-level failure with a message meant for the user (bad inputs, error budget exceeded, conflicting output).</summary>
public sealed class JobFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JobFailedException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public JobFailedException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception.</summary>
    public JobFailedException() : base("job failed") { }
}
