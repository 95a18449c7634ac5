namespace Pipeline.Storage;

/// <summary>A blob as listed by a store.</summary>
/// <param name="Path">Store-relative key with '/' separators.</param>
/// <param name="Length">Size in bytes.</param>
public sealed record BlobInfo(string Path, long Length);

/// <summary>How <see cref="IBlobStore.WriteAsync"/> treats an existing blob.</summary>
public enum WriteMode
{
    /// <summary>Replace an existing blob atomically.</summary>
    Overwrite,
    /// <summary>Create only if absent (If-None-Match: *); an existing blob is left as it is.</summary>
    CreateNew,
}

/// <summary>
/// A flat namespace of blobs addressed by '/'-separated keys. Writes are atomic: a blob is either absent or
/// complete, never partial. Implementations run the same contract test suite.
/// </summary>
public interface IBlobStore
{
    /// <summary>A secrets-free description of a key's location, for messages and lineage.</summary>
    string Describe(string path);

    /// <summary>Lists blobs whose key starts with <paramref name="prefix"/>, recursively, sorted by key (ordinal).</summary>
    IAsyncEnumerable<BlobInfo> ListAsync(string prefix, CancellationToken ct);

    /// <summary>Returns the blob's info, or null when it does not exist.</summary>
    Task<BlobInfo?> GetInfoAsync(string path, CancellationToken ct);

    /// <summary>Opens a read stream from <paramref name="offset"/> to the end of the blob.</summary>
    /// <exception cref="BlobNotFoundException">The blob does not exist.</exception>
    Task<Stream> OpenReadAsync(string path, long offset, CancellationToken ct);

    /// <summary>
    /// Writes a blob atomically: <paramref name="write"/> fills a staging stream; the blob becomes visible only
    /// when it returns. Returns false when <paramref name="mode"/> is <see cref="WriteMode.CreateNew"/> and the
    /// blob already existed (the existing blob is unchanged).
    /// </summary>
    Task<bool> WriteAsync(string path, Func<Stream, CancellationToken, Task> write, WriteMode mode, CancellationToken ct);

    /// <summary>
    /// Removes what writes interrupted by a crash left behind (staging files, uncommitted blocks); complete blobs
    /// are untouched. Call it only while no other writer is active on the store.
    /// </summary>
    Task PurgeIncompleteWritesAsync(CancellationToken ct);

    /// <summary>Deletes a blob; absent blobs are ignored.</summary>
    Task DeleteAsync(string path, CancellationToken ct);
}
