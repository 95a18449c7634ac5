using System.Text;

namespace Pipeline.Formats.Input;

/// <summary>How documents are picked out of an input file. Validated at construction; cannot be built invalid.</summary>
public sealed record ReaderOptions
{
    /// <summary>Largest accepted <see cref="MaxDocumentBytes"/> (1 GiB): a line up to this size is buffered whole.</summary>
    public const int MaxDocumentBytesLimit = 1 << 30;

    /// <summary>Creates reader options.</summary>
    /// <param name="TextField">Name of the JSON text field or Parquet text column.</param>
    /// <param name="IdField">Optional name of the id field or column; null when documents carry no id.</param>
    /// <param name="MaxDocumentBytes">Lines (JSONL) or texts (Parquet, UTF-8 bytes) longer than this are rejected as <c>too_long</c>.</param>
    /// <remarks>Parameter names match the properties so that named arguments read like a positional record.</remarks>
    public ReaderOptions(string TextField, string? IdField, int MaxDocumentBytes)
    {
        this.TextField = TextField;
        this.IdField = IdField;
        this.MaxDocumentBytes = MaxDocumentBytes;
    }

    /// <summary>Name of the JSON text field or Parquet text column (not empty).</summary>
    public string TextField
    {
        get;
        init
        {
            ArgumentException.ThrowIfNullOrEmpty(value, nameof(TextField));
            field = value;
            TextFieldUtf8 = Encoding.UTF8.GetBytes(value);
        }
    }

    /// <summary>Optional name of the id field or column (null, or not empty).</summary>
    public string? IdField
    {
        get;
        init
        {
            if (value is not null)
            {
                ArgumentException.ThrowIfNullOrEmpty(value, nameof(IdField));
            }

            field = value;
            IdFieldUtf8 = value is null ? null : Encoding.UTF8.GetBytes(value);
        }
    }

    /// <summary>Lines or texts longer than this many bytes are rejected as <c>too_long</c> (1 to <see cref="MaxDocumentBytesLimit"/>).</summary>
    public int MaxDocumentBytes
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxDocumentBytes));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxDocumentBytesLimit, nameof(MaxDocumentBytes));
            field = value;
        }
    }

    // UTF-8 forms of the field names, compared against JSON property names without decoding them.
    internal byte[] TextFieldUtf8 { get; private set; } = [];

    internal byte[]? IdFieldUtf8 { get; private set; }

    /// <inheritdoc />
    public bool Equals(ReaderOptions? other) => other is not null
        && TextField == other.TextField && IdField == other.IdField && MaxDocumentBytes == other.MaxDocumentBytes;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(TextField, IdField, MaxDocumentBytes);
}

/// <summary>Opens the blob at a byte offset; the stream runs to the end of the blob. Parquet opens at 0 and needs a seekable stream.</summary>
/// <param name="offset">Byte offset in the blob where the stream starts.</param>
/// <param name="ct">Cancellation token.</param>
/// <returns>A readable stream positioned at <paramref name="offset"/>; the reader disposes it.</returns>
public delegate Task<Stream> OpenAt(long offset, CancellationToken ct);

/// <summary>The input path names a format the readers do not support. Fatal: the job file or listing is wrong.</summary>
public sealed class UnsupportedInputFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UnsupportedInputFormatException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is unsupported.</param>
    public UnsupportedInputFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the cause.</summary>
    /// <param name="message">What is unsupported.</param>
    /// <param name="innerException">The cause.</param>
    public UnsupportedInputFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a path.</summary>
    /// <param name="path">The input path.</param>
    /// <param name="message">What is unsupported.</param>
    public UnsupportedInputFormatException(string path, string message)
        : base(message) => Path = path;

    /// <summary>The input path, when known.</summary>
    public string? Path { get; }
}
