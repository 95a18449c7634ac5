namespace Pipeline.Jobs;

/// <summary>Thrown when a job file (with its overrides) is not valid; carries every error found, not just the first.</summary>
public sealed class JobValidationException : Exception
{
    /// <summary>Creates an exception with no recorded errors.</summary>
    public JobValidationException()
        : this("job file is not valid")
    {
    }

    /// <summary>Creates an exception with a message and no recorded errors.</summary>
    /// <param name="message">The message.</param>
    public JobValidationException(string message)
        : base(message)
    {
        FileName = string.Empty;
        Errors = [];
    }

    /// <summary>Creates an exception with a message, an inner exception and no recorded errors.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public JobValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        FileName = string.Empty;
        Errors = [];
    }

    /// <summary>Creates an exception listing <paramref name="errors"/>, one <c>FILE:LINE:COL: PATH: MESSAGE</c> line each.</summary>
    /// <param name="fileName">Job file name as shown in messages.</param>
    /// <param name="errors">Every error found (at least one).</param>
    public JobValidationException(string fileName, IReadOnlyList<JobError> errors)
        : this(fileName, errors, null)
    {
    }

    /// <summary>Creates an exception listing <paramref name="errors"/>, with the exception that caused them.</summary>
    /// <param name="fileName">Job file name as shown in messages.</param>
    /// <param name="errors">Every error found (at least one).</param>
    /// <param name="innerException">The cause, e.g. the I/O error when the file cannot be read.</param>
    public JobValidationException(string fileName, IReadOnlyList<JobError> errors, Exception? innerException)
        : base(Format(fileName, errors), innerException)
    {
        FileName = fileName;
        Errors = errors;
    }

    /// <summary>Job file name as shown in messages.</summary>
    public string FileName { get; }

    /// <summary>Every error found, ordered by position in the file (override errors last).</summary>
    public IReadOnlyList<JobError> Errors { get; }

    private static string Format(string fileName, IReadOnlyList<JobError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var lines = new string[errors.Count];
        for (var i = 0; i < errors.Count; i++)
        {
            lines[i] = errors[i].ToDisplayString(fileName);
        }

        return string.Join('\n', lines);
    }
}
