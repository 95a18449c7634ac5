namespace Pipeline.Storage;

/// <summary>Whole-blob reads and writes for small blobs (markers, manifests, plans, lineage files), and deleting a whole
/// prefix.</summary>
public static class BlobStoreExtensions
{
    /// <summary>How many deletes <see cref="DeleteAllAsync"/> keeps in flight: on a remote store each is a round trip.</summary>
    public const int DeleteConcurrency = 16;

    /// <summary>Reads a whole blob into memory, or returns null when it does not exist.</summary>
    public static async Task<byte[]?> TryReadAllBytesAsync(this IBlobStore store, string path, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (await store.GetInfoAsync(path, ct).ConfigureAwait(false) is null) return null;
        var stream = await store.OpenReadAsync(path, 0, ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, ct).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }

    /// <summary>Reads a whole blob into memory.</summary>
    /// <exception cref="BlobNotFoundException">The blob does not exist.</exception>
    public static async Task<byte[]> ReadAllBytesAsync(this IBlobStore store, string path, CancellationToken ct) =>
        await store.TryReadAllBytesAsync(path, ct).ConfigureAwait(false) ?? throw new BlobNotFoundException(store.Describe(path));

    /// <summary>Writes bytes as one blob, atomically (see <see cref="IBlobStore.WriteAsync"/>).</summary>
    public static Task<bool> WriteAllBytesAsync(this IBlobStore store, string path, ReadOnlyMemory<byte> bytes, WriteMode mode, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.WriteAsync(path, (s, c) => s.WriteAsync(bytes, c).AsTask(), mode, ct);
    }

    /// <summary>
    /// Deletes every blob whose key starts with <paramref name="prefix"/>, <see cref="DeleteConcurrency"/> at a time
    /// (a job's hundreds of intermediate files would otherwise cost one round trip each, in turn). Call it only while
    /// nothing writes under the prefix.
    /// </summary>
    public static async Task DeleteAllAsync(this IBlobStore store, string prefix, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        var paths = new List<string>();
        await foreach (var blob in store.ListAsync(prefix, ct).ConfigureAwait(false)) paths.Add(blob.Path);
        var options = new ParallelOptions { MaxDegreeOfParallelism = DeleteConcurrency, CancellationToken = ct };
        await Parallel.ForEachAsync(paths, options, async (path, c) => await store.DeleteAsync(path, c).ConfigureAwait(false)).ConfigureAwait(false);
    }
}
