namespace Pipeline.Storage;

/// <summary>Base of storage errors; <see cref="IsTransient"/> says whether a retry may succeed.</summary>
public class StorageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StorageException(string message, bool isTransient, Exception? inner = null) : base(message, inner) => IsTransient = isTransient;

    /// <summary>Creates a fatal storage exception.</summary>
    public StorageException() : this("storage error", false) { }

    /// <summary>Creates a fatal storage exception.</summary>
    public StorageException(string message) : this(message, false) { }

    /// <summary>Creates a fatal storage exception.</summary>
    public StorageException(string message, Exception inner) : this(message, false, inner) { }

    /// <summary>True when retrying the operation may succeed.</summary>
    public bool IsTransient { get; }
}

/// <summary>The blob does not exist.</summary>
public sealed class BlobNotFoundException : StorageException
{
    /// <summary>Creates the exception for a described location.</summary>
    public BlobNotFoundException(string location) : base($"blob not found: {location}", false) { }

    /// <summary>Creates the exception.</summary>
    public BlobNotFoundException() : base("blob not found", false) { }

    /// <summary>Creates the exception.</summary>
    public BlobNotFoundException(string message, Exception inner) : base(message, false, inner) { }
}

/// <summary>A key that is not a valid store-relative path (absolute, empty segment, "..", backslash).</summary>
public sealed class InvalidBlobPathException : StorageException
{
    /// <summary>Creates the exception for a key.</summary>
    public InvalidBlobPathException(string path) : base($"invalid blob path '{path}': keys are relative, '/'-separated, without '.', '..' or empty segments", false) { }

    /// <summary>Creates the exception.</summary>
    public InvalidBlobPathException() : base("invalid blob path", false) { }

    /// <summary>Creates the exception.</summary>
    public InvalidBlobPathException(string message, Exception inner) : base(message, false, inner) { }
}
