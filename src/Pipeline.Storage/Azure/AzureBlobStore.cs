using System.Runtime.CompilerServices;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Pipeline.Storage.Azure;

/// <summary>
/// A blob store in an Azure Blob Storage container, under a blob-name prefix. Reads stream ranged GETs with bounded
/// memory; writes stage blocks and commit the block list (If-None-Match: * for <see cref="WriteMode.CreateNew"/>), so a
/// blob is never visible half-written; transient failures are retried by the SDK with exponential back-off and then
/// surface as transient <see cref="StorageException"/>s. Messages name the account, container and blob, never a secret.
/// </summary>
public sealed class AzureBlobStore : IBlobStore
{
    /// <summary>The service version requests use: pinned, so behaviour does not change with SDK upgrades, and served
    /// by Azurite 3.33 and later without <c>--skipApiVersionCheck</c>.</summary>
    public const BlobClientOptions.ServiceVersion ServiceVersion = BlobClientOptions.ServiceVersion.V2025_01_05;

    private static readonly Lazy<TokenCredential> DefaultCredential = new(() => new DefaultAzureCredential(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly BlobContainerClient _container;
    private readonly AzureStoreOptions _options;
    private readonly AzureStoreContext _context;
    private readonly string _root;

    /// <summary>
    /// Creates a store for <paramref name="address"/> (its <see cref="AzureBlobAddress.Path"/> is the store's root
    /// prefix). Nothing is contacted until the first operation.
    /// </summary>
    /// <exception cref="StorageException">The credentials cannot be used (e.g. a malformed connection string).</exception>
    public AzureBlobStore(AzureBlobAddress address, AzureStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(options);
        if (address.Path.IndexOfAny(['*', '?', '[']) >= 0) throw new StorageException($"the root of a store cannot hold a glob: {address}", false);
        Address = address;
        _options = options;
        _root = address.Path.Length == 0 ? "" : address.Path + "/";
        var (service, auth) = CreateServiceClient(address, options);
        _container = service.GetBlobContainerClient(address.Container);
        _context = new AzureStoreContext(address.Account, address.Container, service.Uri.GetLeftPart(UriPartial.Path).TrimEnd('/'), auth, options.MaxRetries);
    }

    /// <summary>The account, container and root prefix of the store.</summary>
    public AzureBlobAddress Address { get; }

    /// <summary>The blob service endpoint (no query string), e.g. <c>https://acct.blob.core.windows.net</c>.</summary>
    public string Endpoint => _context.Endpoint;

    /// <summary>How requests are authenticated, in words (never the secret itself).</summary>
    public string Authentication => _context.Auth;

    /// <summary>The container client the store uses (for tools and benchmarks that need the raw SDK).</summary>
    public BlobContainerClient Container => _container;

    /// <summary>The full blob name of a store key.</summary>
    public string BlobName(string path)
    {
        BlobPaths.Validate(path);
        return _root + path;
    }

    /// <inheritdoc />
    public string Describe(string path) => Address.Display(_root + path);

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        foreach (var blob in await ListAllAsync(prefix, ct).ConfigureAwait(false)) yield return blob;
    }

    private async Task<List<BlobInfo>> ListAllAsync(string prefix, CancellationToken ct)
    {
        var found = new List<BlobInfo>();
        try
        {
            await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = _root + prefix }, ct).ConfigureAwait(false))
            {
                found.Add(new BlobInfo(item.Name[_root.Length..], item.Properties.ContentLength ?? 0));
            }
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == "ContainerNotFound")
        {
            // A missing container holds no blobs; the first write creates it.
            return found;
        }
        catch (Exception ex) when (AzureErrors.ShouldMap(ex, ct))
        {
            throw AzureErrors.Map(ex, "list", Address.Display(_root + prefix), _context);
        }
        // The service lists in name order; sort anyway, so the order is ordinal whatever the service does.
        found.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return found;
    }

    /// <inheritdoc />
    public async Task<BlobInfo?> GetInfoAsync(string path, CancellationToken ct)
    {
        var name = BlobName(path);
        try
        {
            var properties = await _container.GetBlobClient(name).GetPropertiesAsync(cancellationToken: ct).ConfigureAwait(false);
            return new BlobInfo(path, properties.Value.ContentLength);
        }
        catch (RequestFailedException ex) when (AzureErrors.IsNotFound(ex))
        {
            return null;
        }
        catch (Exception ex) when (AzureErrors.ShouldMap(ex, ct))
        {
            throw AzureErrors.Map(ex, "get the properties of", Describe(path), _context);
        }
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string path, long offset, CancellationToken ct)
    {
        var name = BlobName(path);
        return await AzureReadStream.OpenAsync(_container.GetBlobClient(name), offset, Describe(path), _context, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> WriteAsync(string path, Func<Stream, CancellationToken, Task> write, WriteMode mode, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(write);
        var name = BlobName(path);
        var stream = new BlockWriteStream(_container.GetBlockBlobClient(name), Describe(path), _context, CreateContainerAsync,
            _options.BlockSize, _options.MaxConcurrentBlocks);
        await using (stream.ConfigureAwait(false))
        {
            await write(stream, ct).ConfigureAwait(false);
            return await stream.CommitAsync(mode == WriteMode.CreateNew, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Azure keeps no staging files: an interrupted write leaves only uncommitted blocks, which no read or listing sees,
    /// which the next write of the same name discards, and which the service deletes after a week anyway. This deletes
    /// the names under the store's root that hold only uncommitted blocks (listed with include=uncommittedblobs but
    /// absent from the committed listing), each with If-None-Match: *, which only succeeds while the name has no
    /// committed blob, so a blob committed in the meantime is never touched. A service that refuses to delete such a name (404/409/412) is left to its own
    /// clean-up. Complete blobs are never deleted.
    /// </summary>
    public async Task PurgeIncompleteWritesAsync(CancellationToken ct)
    {
        try
        {
            var committed = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = _root }, ct).ConfigureAwait(false)) committed.Add(item.Name);
            var leftovers = new List<string>();
            var options = new GetBlobsOptions { Prefix = _root, States = BlobStates.Uncommitted };
            await foreach (var item in _container.GetBlobsAsync(options, ct).ConfigureAwait(false))
            {
                if (!committed.Contains(item.Name)) leftovers.Add(item.Name);
            }
            foreach (var name in leftovers)
            {
                try
                {
                    await _container.GetBlobClient(name).DeleteAsync(DeleteSnapshotsOption.None, new BlobRequestConditions { IfNoneMatch = ETag.All }, ct).ConfigureAwait(false);
                }
                catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
                {
                    // Gone already, committed meanwhile, or not deletable before the service's own clean-up.
                }
            }
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == "ContainerNotFound")
        {
            // Nothing to purge.
        }
        catch (Exception ex) when (AzureErrors.ShouldMap(ex, ct))
        {
            throw AzureErrors.Map(ex, "purge uncommitted blocks in", Address.Display(_root.TrimEnd('/')), _context);
        }
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string path, CancellationToken ct)
    {
        var name = BlobName(path);
        try
        {
            await _container.GetBlobClient(name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (AzureErrors.IsNotFound(ex))
        {
            // Absent blob or container: nothing to delete.
        }
        catch (Exception ex) when (AzureErrors.ShouldMap(ex, ct))
        {
            throw AzureErrors.Map(ex, "delete", Describe(path), _context);
        }
    }

    private async Task CreateContainerAsync(CancellationToken ct)
    {
        // Only called after a ContainerNotFound, so rarely; racing writers both get success from CreateIfNotExists.
        try
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (AzureErrors.ShouldMap(ex, ct))
        {
            throw AzureErrors.Map(ex, "create the container of", Address.Display(""), _context);
        }
    }

    /// <summary>SDK client options for <paramref name="options"/>: the pinned service version, exponential retries on transient
    /// failures, SDK logging off.</summary>
    public static BlobClientOptions CreateClientOptions(AzureStoreOptions options)
    {
        var client = new BlobClientOptions(ServiceVersion);
        client.Retry.Mode = RetryMode.Exponential;
        client.Retry.MaxRetries = options.MaxRetries;
        client.Retry.Delay = options.RetryDelay;
        client.Retry.MaxDelay = options.MaxRetryDelay;
        client.Retry.NetworkTimeout = options.NetworkTimeout;
        // Nothing the SDK logs may carry a secret or a blob name into the application's logs.
        client.Diagnostics.IsLoggingEnabled = false;
        client.Diagnostics.IsTelemetryEnabled = false;
        client.Diagnostics.IsDistributedTracingEnabled = false;
        return client;
    }

    private static (BlobServiceClient Service, string Auth) CreateServiceClient(AzureBlobAddress address, AzureStoreOptions options)
    {
        var clientOptions = CreateClientOptions(options);
        if (options.ConnectionString is { } connectionString)
        {
            BlobServiceClient fromConnectionString;
            try
            {
                fromConnectionString = new BlobServiceClient(connectionString, clientOptions);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                // The SDK's message may quote the connection string: say what is wrong without it.
                throw new StorageException($"the Azure storage connection string ({AzureStoreOptions.ConnectionStringVariable}) is not valid", false);
            }
            if (string.Equals(fromConnectionString.AccountName, address.Account, StringComparison.OrdinalIgnoreCase))
            {
                return (fromConnectionString, $"a connection string for account '{fromConnectionString.AccountName}' ({AzureStoreOptions.ConnectionStringVariable})");
            }
        }
        var endpoint = address.ServiceUri ?? new Uri($"https://{address.Account}.blob.core.windows.net");
        if (options.SasToken is { } sas)
        {
            return (new BlobServiceClient(endpoint, new AzureSasCredential(sas.TrimStart('?')), clientOptions), $"a SAS token ({AzureStoreOptions.SasTokenVariable})");
        }
        if (endpoint.Scheme != Uri.UriSchemeHttps)
        {
            throw new StorageException(
                $"no credentials for storage account '{address.Account}' at {endpoint.GetLeftPart(UriPartial.Path)}: Azure AD tokens need https; " +
                $"set {AzureStoreOptions.ConnectionStringVariable} (for a local Azurite: its well-known development connection string)", false);
        }
        var credential = options.Credential ?? DefaultCredential.Value;
        var name = options.Credential is null ? "DefaultAzureCredential" : credential.GetType().Name;
        return (new BlobServiceClient(endpoint, credential, clientOptions), $"{name} (no {AzureStoreOptions.ConnectionStringVariable} for this account, no {AzureStoreOptions.SasTokenVariable})");
    }
}
