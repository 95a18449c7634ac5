using Azure.Core;

namespace Pipeline.Storage.Azure;

/// <summary>
/// How <see cref="AzureBlobStore"/> authenticates and retries. Credentials are tried in this order: a connection
/// string whose account matches the location's; a SAS token; <see cref="Credential"/> or, when that is null,
/// <c>DefaultAzureCredential</c>. <see cref="ToString"/> never shows a secret.
/// </summary>
public sealed class AzureStoreOptions
{
    /// <summary>Environment variable read by <see cref="FromEnvironment"/> for a connection string.</summary>
    public const string ConnectionStringVariable = "AZURE_STORAGE_CONNECTION_STRING";

    /// <summary>Environment variable read by <see cref="FromEnvironment"/> for a SAS token.</summary>
    public const string SasTokenVariable = "AZURE_STORAGE_SAS_TOKEN";

    /// <summary>A storage connection string (account key or SAS; <c>UseDevelopmentStorage=true</c> for a local Azurite).
    /// Used only for locations in the account it names.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>A SAS token (with or without the leading '?') for the location's account.</summary>
    public string? SasToken { get; init; }

    /// <summary>A token credential; null means a shared <c>DefaultAzureCredential</c> (environment, workload or
    /// managed identity, Azure CLI, ...).</summary>
    public TokenCredential? Credential { get; init; }

    /// <summary>Retries of one request after a transient failure (timeouts, 408, 429, 500, 502, 503, 504, lost connections).</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>First back-off delay; it doubles each retry (with jitter) up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Longest back-off delay.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(16);

    /// <summary>Time allowed for one request, or one read of a response body, before it is cancelled and retried.</summary>
    public TimeSpan NetworkTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Size of the staged blocks of a write; a blob that fits in one block is uploaded in a single request.</summary>
    public int BlockSize { get; init; } = 8 << 20;

    /// <summary>Blocks a writer uploads concurrently; a writer holds at most (this + 1) × <see cref="BlockSize"/> bytes.</summary>
    public int MaxConcurrentBlocks { get; init; } = 2;

    /// <summary>Options with the connection string and SAS token from <see cref="ConnectionStringVariable"/> and
    /// <see cref="SasTokenVariable"/> (unset or empty variables are ignored).</summary>
    public static AzureStoreOptions FromEnvironment() => new()
    {
        ConnectionString = NullIfEmpty(Environment.GetEnvironmentVariable(ConnectionStringVariable)),
        SasToken = NullIfEmpty(Environment.GetEnvironmentVariable(SasTokenVariable)),
    };

    /// <summary>A description that says which credentials are set, never what they are.</summary>
    public override string ToString() =>
        $"AzureStoreOptions(connection string: {(ConnectionString is null ? "no" : "set")}, SAS token: {(SasToken is null ? "no" : "set")}, " +
        $"credential: {(Credential is null ? "default" : Credential.GetType().Name)}, retries: {MaxRetries}, block size: {BlockSize})";

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
