using System.Net;

namespace Pipeline.Storage.Azure;

/// <summary>
/// An Azure Blob Storage location: <c>az://ACCOUNT/CONTAINER/PREFIX</c>, the virtual-host form
/// <c>https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX</c>, or the path-style form of emulators
/// (<c>http://127.0.0.1:10000/ACCOUNT/CONTAINER/PREFIX</c>). Never carries a secret: URIs with a query
/// (a SAS token) are rejected, because job files end up in lineage, manifests and logs.
/// </summary>
/// <param name="Account">Storage account name.</param>
/// <param name="Container">Container name.</param>
/// <param name="Path">Blob-name prefix inside the container, without leading or trailing '/' (may be empty; for
/// inputs it may still hold a glob).</param>
/// <param name="ServiceUri">The blob service endpoint the URI named (null for <c>az://</c>, which uses the
/// account's public endpoint unless a connection string says otherwise).</param>
/// <param name="Written">The scheme, host and account part exactly as written, e.g. <c>az://acct</c>; display
/// strings keep it so lineage shows locations as the user wrote them.</param>
public sealed record AzureBlobAddress(string Account, string Container, string Path, Uri? ServiceUri, string Written)
{
    /// <summary>The scheme of the short form.</summary>
    public const string Scheme = "az://";

    /// <summary>True when <paramref name="uri"/> names an Azure Blob Storage location (any of the accepted forms).</summary>
    public static bool IsAzureUri(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)) return true;
        if (!uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase) && !uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) return false;
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed)) return false;
        return IsVirtualHost(parsed.Host) || IsPathStyleHost(parsed.Host);
    }

    /// <summary>Parses a location; throws <see cref="StorageException"/> (never echoing a query string) when it is not valid.</summary>
    public static AzureBlobAddress Parse(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var query = uri.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            throw new StorageException(
                $"Azure location '{uri[..query]}?…' carries a query string (a SAS token?): secrets must not be written in job files, " +
                $"which are copied into lineage, manifests and logs. Put the SAS token in {AzureStoreOptions.SasTokenVariable} instead.", false);
        }
        string account, rest, written;
        Uri? service = null;
        if (uri.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            var body = uri[Scheme.Length..];
            var slash = body.IndexOf('/', StringComparison.Ordinal);
            account = slash < 0 ? body : body[..slash];
            rest = slash < 0 ? "" : body[(slash + 1)..];
            written = uri[..(Scheme.Length + account.Length)];
        }
        else
        {
            if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || !(IsVirtualHost(parsed.Host) || IsPathStyleHost(parsed.Host)))
            {
                throw new StorageException($"'{uri}' is not an Azure Blob Storage URI (expected az://ACCOUNT/CONTAINER/PREFIX or https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX)", false);
            }
            var authorityEnd = uri.IndexOf('/', uri.IndexOf("://", StringComparison.Ordinal) + 3);
            var path = authorityEnd < 0 ? "" : uri[(authorityEnd + 1)..];
            var authority = authorityEnd < 0 ? uri : uri[..authorityEnd];
            if (IsVirtualHost(parsed.Host))
            {
                account = parsed.Host[..parsed.Host.IndexOf('.', StringComparison.Ordinal)];
                rest = path;
                written = authority;
                service = new Uri(authority);
            }
            else
            {
                var slash = path.IndexOf('/', StringComparison.Ordinal);
                account = slash < 0 ? path : path[..slash];
                rest = slash < 0 ? "" : path[(slash + 1)..];
                written = authority + "/" + account;
                service = new Uri(written);
            }
        }
        var containerEnd = rest.IndexOf('/', StringComparison.Ordinal);
        var container = containerEnd < 0 ? rest : rest[..containerEnd];
        var prefix = containerEnd < 0 ? "" : rest[(containerEnd + 1)..].Trim('/');
        ValidateAccount(account, uri);
        ValidateContainer(container, uri);
        return new AzureBlobAddress(account.ToLowerInvariant(), container, prefix, service, written);
    }

    /// <summary>This address with another blob-name prefix.</summary>
    public AzureBlobAddress WithPath(string path) => this with { Path = path.Trim('/') };

    /// <summary>The location as written, down to <paramref name="path"/> (a blob name or prefix; empty for the container).</summary>
    public string Display(string path) => path.Length == 0 ? $"{Written}/{Container}" : $"{Written}/{Container}/{path}";

    /// <summary>The canonical short form, <c>az://account/container/path</c>.</summary>
    public override string ToString() => Path.Length == 0 ? $"{Scheme}{Account}/{Container}" : $"{Scheme}{Account}/{Container}/{Path}";

    private static bool IsVirtualHost(string host) => host.Contains(".blob.", StringComparison.OrdinalIgnoreCase);

    private static bool IsPathStyleHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || IPAddress.TryParse(host.Trim('[', ']'), out _);

    private static void ValidateAccount(string account, string uri)
    {
        var ok = account.Length is >= 3 and <= 24;
        foreach (var c in account) ok &= char.IsAsciiLetterOrDigit(c);
        if (!ok) throw new StorageException($"invalid storage account name '{account}' in '{uri}': 3-24 letters and digits", false);
    }

    private static void ValidateContainer(string container, string uri)
    {
        var ok = container.Length is >= 3 and <= 63 && container[0] != '-' && container[^1] != '-' && !container.Contains("--", StringComparison.Ordinal);
        foreach (var c in container) ok &= char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-';
        if (!ok)
        {
            throw new StorageException($"invalid container name '{container}' in '{uri}': 3-63 lower-case letters, digits and single hyphens (az://ACCOUNT/CONTAINER/PREFIX)", false);
        }
    }
}
