using System.Runtime.CompilerServices;

namespace Pipeline.Storage;

/// <summary>
/// The embedded default store: a folder of the local file system. Writes go to a temporary file in the same
/// folder and are renamed into place, so a blob is never visible half-written.
/// </summary>
public sealed class LocalBlobStore : IBlobStore
{
    private const string TempSuffix = ".pipeline-tmp";
    private readonly string _root;

    /// <summary>Creates a store rooted at <paramref name="rootDirectory"/> (created on first write).</summary>
    public LocalBlobStore(string rootDirectory)
    {
        _root = Path.GetFullPath(rootDirectory);
    }

    /// <summary>The absolute root folder.</summary>
    public string Root => _root;

    /// <inheritdoc />
    public string Describe(string path) => Path.Combine(_root, path);

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        // Listing walks the file system synchronously: do it off the caller's thread.
        var found = await Task.Run(() => List(prefix, ct), ct).ConfigureAwait(false);
        foreach (var blob in found) yield return blob;
    }

    private List<BlobInfo> List(string prefix, CancellationToken ct)
    {
        var found = new List<BlobInfo>();
        // Walk only the deepest folder the prefix names (e.g. "_work/" need not visit "shards/").
        var slash = prefix.LastIndexOf('/');
        var start = slash < 0 ? _root : Path.Combine(_root, prefix[..slash].Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(start)) return found;
        foreach (var file in Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories))
        {
            ct.ThrowIfCancellationRequested();
            if (file.EndsWith(TempSuffix, StringComparison.Ordinal)) continue;
            var key = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal)) found.Add(new BlobInfo(key, new FileInfo(file).Length));
        }
        found.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return found;
    }

    /// <inheritdoc />
    public Task<BlobInfo?> GetInfoAsync(string path, CancellationToken ct)
    {
        var file = FullPath(path);
        var info = new FileInfo(file);
        return Task.FromResult(info.Exists ? new BlobInfo(path, info.Length) : null);
    }

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string path, long offset, CancellationToken ct)
    {
        var file = FullPath(path);
        try
        {
            var stream = new FileStream(file, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                BufferSize = 1 << 16,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            });
            if (offset > 0) stream.Seek(offset, SeekOrigin.Begin);
            return Task.FromResult<Stream>(stream);
        }
        catch (FileNotFoundException)
        {
            throw new BlobNotFoundException(file);
        }
        catch (DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(file);
        }
    }

    /// <inheritdoc />
    public async Task<bool> WriteAsync(string path, Func<Stream, CancellationToken, Task> write, WriteMode mode, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(write);
        var file = FullPath(path);
        if (mode == WriteMode.CreateNew && File.Exists(file)) return false;
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var temp = $"{file}.{Guid.NewGuid():N}{TempSuffix}";
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await write(stream, ct).ConfigureAwait(false);
                await stream.FlushAsync(ct).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            if (mode == WriteMode.CreateNew)
            {
                return AtomicCreate.TryPublish(temp, file);
            }
            else
            {
                File.Move(temp, file, overwrite: true);
            }
            return true;
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <inheritdoc />
    public Task PurgeIncompleteWritesAsync(CancellationToken ct)
    {
        if (!Directory.Exists(_root)) return Task.CompletedTask;
        foreach (var file in Directory.EnumerateFiles(_root, "*" + TempSuffix, SearchOption.AllDirectories))
        {
            ct.ThrowIfCancellationRequested();
            File.Delete(file);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task DeleteAsync(string path, CancellationToken ct)
    {
        var file = FullPath(path);
        if (!File.Exists(file)) return Task.CompletedTask;
        File.Delete(file);
        // Folders are not blobs: remove the ones this delete left empty, up to the root. Concurrent deletes may race
        // for the same folder: one removes it, and a folder that got a new entry meanwhile stays.
        for (var dir = Path.GetDirectoryName(file); dir is not null && dir.Length > _root.Length; dir = Path.GetDirectoryName(dir))
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(dir).Any()) break;
                Directory.Delete(dir);
            }
            catch (DirectoryNotFoundException)
            {
                // Removed by a concurrent delete; its parent may be empty now.
            }
            catch (IOException) when (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
            {
                break; // not empty any more
            }
        }
        return Task.CompletedTask;
    }

    private string FullPath(string path)
    {
        BlobPaths.Validate(path);
        return Path.Combine(_root, path.Replace('/', Path.DirectorySeparatorChar));
    }
}

/// <summary>
/// Create-if-absent publication of a finished temporary file. On Unix a hard link (<c>link(2)</c>) fails with EEXIST when
/// the target exists, atomically, so exactly one of many racing writers wins; .NET's
/// <c>File.Move(overwrite: false)</c> checks and renames in two steps there, and two racing writers could both win.
/// On Windows the move itself is atomic.
/// </summary>
internal static class AtomicCreate
{
    private const int EEXIST = 17;

    /// <summary>Publishes <paramref name="temp"/> as <paramref name="target"/> unless it exists; true when this call did.</summary>
    public static bool TryPublish(string temp, string target)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Move(temp, target, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(target))
            {
                return false;
            }
        }
        if (Link(temp, target) == 0) return true;
        var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        if (errno == EEXIST) return false;
        throw new IOException($"cannot create {target}: link(2) failed with errno {errno} (a file system without hard links is not supported for create-if-absent writes)");
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link(string oldPath, string newPath);
}
