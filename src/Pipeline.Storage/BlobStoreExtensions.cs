namespace Pipeline.Storage;

/// <summary>Whole-blob reads and writes for small blobs (markers, manifests, plans, lineage files).</summary>
public static class BlobStoreExtensions
{
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
}
