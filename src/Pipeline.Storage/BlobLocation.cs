using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Pipeline.Storage.Azure;

namespace Pipeline.Storage;

/// <summary>
/// A source or output location resolved to a store and, for inputs, a glob over its keys.
/// <c>samples/web/*.jsonl.gz</c> becomes a <see cref="LocalBlobStore"/> rooted at <c>samples/web</c> with the
/// pattern <c>*.jsonl.gz</c>; <see cref="DisplayPrefix"/> keeps the location as the user wrote it, so lineage and
/// manifests never depend on the machine's absolute paths.
/// </summary>
public sealed class BlobLocation
{
    private readonly Regex? _pattern;

    private BlobLocation(IBlobStore store, string displayPrefix, string? glob)
    {
        Store = store;
        DisplayPrefix = displayPrefix;
        Glob = glob;
        _pattern = glob is null ? null : new Regex(GlobToRegex(glob), RegexOptions.CultureInvariant);
    }

    /// <summary>The store that holds the location.</summary>
    public IBlobStore Store { get; }

    /// <summary>The literal part of the location as written (without a trailing '/'), used in lineage and messages.</summary>
    public string DisplayPrefix { get; }

    /// <summary>The glob over store keys, or null for a folder (output) location.</summary>
    public string? Glob { get; }

    /// <summary>The location of a key as the user would write it.</summary>
    public string Display(string key) => DisplayPrefix.Length == 0 ? key : DisplayPrefix + "/" + key;

    /// <summary>
    /// Resolves an input path, glob or URI: a local path, <c>file://</c>, <c>az://ACCOUNT/CONTAINER/PREFIX</c> or
    /// <c>https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX</c> (Azure credentials from the environment, see
    /// <see cref="AzureStoreOptions.FromEnvironment"/>). Globs support <c>*</c>, <c>?</c> and <c>**</c>; a path without
    /// wildcards names one file.
    /// </summary>
    public static BlobLocation ForInput(string uri, string baseDirectory) => ForInput(uri, baseDirectory, azure: null);

    /// <summary>As <see cref="ForInput(string, string)"/>, with explicit Azure options (null: from the environment).</summary>
    public static BlobLocation ForInput(string uri, string baseDirectory, AzureStoreOptions? azure)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (AzureBlobAddress.IsAzureUri(uri))
        {
            var address = AzureBlobAddress.Parse(uri);
            var (root, pattern) = SplitGlob(address.Path);
            var store = new AzureBlobStore(address.WithPath(root), azure ?? AzureStoreOptions.FromEnvironment());
            return new BlobLocation(store, address.Display(root), pattern);
        }
        var path = StripScheme(uri);
        var (literal, glob) = SplitGlob(path);
        var rootDirectory = Path.GetFullPath(literal.Length == 0 ? "." : literal, baseDirectory);
        return new BlobLocation(new LocalBlobStore(rootDirectory), literal.TrimEnd('/'), glob);
    }

    /// <summary>Resolves an output folder path or URI (<c>file://</c>, <c>az://</c> or <c>https://</c>; see
    /// <see cref="ForInput(string, string)"/>).</summary>
    public static BlobLocation ForOutput(string uri, string baseDirectory) => ForOutput(uri, baseDirectory, azure: null);

    /// <summary>As <see cref="ForOutput(string, string)"/>, with explicit Azure options (null: from the environment).</summary>
    public static BlobLocation ForOutput(string uri, string baseDirectory, AzureStoreOptions? azure)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (AzureBlobAddress.IsAzureUri(uri))
        {
            var address = AzureBlobAddress.Parse(uri);
            var store = new AzureBlobStore(address, azure ?? AzureStoreOptions.FromEnvironment());
            return new BlobLocation(store, address.Display(address.Path), null);
        }
        var path = StripScheme(uri).TrimEnd('/');
        return new BlobLocation(new LocalBlobStore(Path.GetFullPath(path, baseDirectory)), path, null);
    }

    /// <summary>True when <paramref name="uri"/> names an Azure Blob Storage location.</summary>
    public static bool IsAzure(string uri) => AzureBlobAddress.IsAzureUri(uri);

    private static (string Literal, string Glob) SplitGlob(string path)
    {
        var segments = path.Split('/');
        var firstWild = Array.FindIndex(segments, s => s.IndexOfAny(['*', '?', '[']) >= 0);
        var literalCount = firstWild < 0 ? segments.Length - 1 : firstWild;
        var literal = string.Join('/', segments, 0, literalCount);
        var glob = string.Join('/', segments, literalCount, segments.Length - literalCount);
        return (literal, glob);
    }

    /// <summary>Lists the blobs that match the glob, sorted by key.</summary>
    public async IAsyncEnumerable<BlobInfo> ListMatchingAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var literalPrefix = Glob is null ? "" : Glob[..LiteralLength(Glob)];
        await foreach (var blob in Store.ListAsync(literalPrefix, ct).ConfigureAwait(false))
        {
            if (_pattern is null || _pattern.IsMatch(blob.Path)) yield return blob;
        }
    }

    private static int LiteralLength(string glob)
    {
        var wild = glob.IndexOfAny(['*', '?', '[']);
        var upTo = wild < 0 ? glob.Length : wild;
        var slash = glob.LastIndexOf('/', Math.Max(0, upTo - 1));
        return wild < 0 ? glob.Length : slash + 1;
    }

    private static string StripScheme(string uri)
    {
        if (uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase)) return uri["file://".Length..];
        if (uri.Contains("://", StringComparison.Ordinal))
        {
            var scheme = uri[..uri.IndexOf("://", StringComparison.Ordinal)];
            throw new StorageException($"unsupported location scheme '{scheme}://' (use a local path, file://, az://ACCOUNT/CONTAINER/PREFIX or https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX)", false);
        }
        return uri;
    }

    private static string GlobToRegex(string glob)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                var slash = i + 2 < glob.Length && glob[i + 2] == '/';
                sb.Append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else if (c == '*') sb.Append("[^/]*");
            else if (c == '?') sb.Append("[^/]");
            else sb.Append(Regex.Escape(c.ToString()));
        }
        return sb.Append('$').ToString();
    }
}
