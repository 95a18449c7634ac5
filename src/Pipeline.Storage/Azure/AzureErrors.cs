using Azure;
using Azure.Identity;

namespace Pipeline.Storage.Azure;

/// <summary>Where a store talks to and how it authenticates, in words that are safe to print.</summary>
/// <param name="Account">Storage account.</param>
/// <param name="Container">Container.</param>
/// <param name="Endpoint">Blob service endpoint without any query string.</param>
/// <param name="Auth">How requests are authenticated, e.g. "a connection string from AZURE_STORAGE_CONNECTION_STRING".</param>
/// <param name="MaxRetries">Retries per request, for messages.</param>
internal sealed record AzureStoreContext(string Account, string Container, string Endpoint, string Auth, int MaxRetries);

/// <summary>
/// Turns SDK failures into <see cref="StorageException"/>s with messages built here, from the status, the error
/// code and the location only: SDK messages quote response bodies and request details, which must not reach logs.
/// </summary>
internal static class AzureErrors
{
    /// <summary>Error codes of an absent blob or container.</summary>
    public static bool IsNotFound(RequestFailedException ex) => ex.Status == 404;

    /// <summary>True for failures a retry may fix: timeouts, throttling, server errors and lost connections.</summary>
    public static bool IsTransientStatus(int status) => status is 0 or 408 or 429 or 500 or 502 or 503 or 504;

    /// <summary>True when <see cref="Map"/> should translate <paramref name="ex"/> (a caller's cancellation passes through).</summary>
    public static bool ShouldMap(Exception ex, CancellationToken ct) =>
        ex is not StorageException && !(ex is OperationCanceledException && ct.IsCancellationRequested) &&
        ex is RequestFailedException or AggregateException or AuthenticationFailedException or CredentialUnavailableException
            or HttpRequestException or IOException or TimeoutException or OperationCanceledException or FormatException or ArgumentException or InvalidOperationException;

    /// <summary>The storage exception for a failed <paramref name="operation"/> on <paramref name="location"/>.</summary>
    public static StorageException Map(Exception ex, string operation, string location, AzureStoreContext context)
    {
        switch (ex)
        {
            case AggregateException aggregate when aggregate.InnerExceptions.Count > 0:
                // Azure.Core gives up after its retries with an AggregateException of every attempt's failure.
                var last = aggregate.InnerExceptions[^1];
                var inner = Map(last, operation, location, context);
                return new StorageException(
                    $"{inner.Message} (gave up after {aggregate.InnerExceptions.Count} attempts)", inner.IsTransient, ex);
            case RequestFailedException { Status: 401 or 403 } denied:
                return new StorageException(
                    $"access denied to {location} while trying to {operation} (HTTP {denied.Status} {Code(denied)}): check the credentials for storage account " +
                    $"'{context.Account}', container '{context.Container}' (authenticated with {context.Auth})", false, ex);
            case RequestFailedException failed when IsNotFound(failed):
                return new BlobNotFoundException($"blob not found: {location} (HTTP 404 {Code(failed)})", ex);
            case RequestFailedException failed:
                var transient = IsTransientStatus(failed.Status);
                var what = failed.Status == 0 ? $"no response from {context.Endpoint}" : $"HTTP {failed.Status} {Code(failed)}";
                return new StorageException($"could not {operation} {location}: {what}{(transient ? " (transient)" : "")}", transient, ex);
            case AuthenticationFailedException or CredentialUnavailableException:
                return new StorageException(
                    $"no usable Azure credential for storage account '{context.Account}' (container '{context.Container}'): DefaultAzureCredential found no " +
                    $"environment, workload or managed identity or developer sign-in that works. Set {AzureStoreOptions.ConnectionStringVariable} or " +
                    $"{AzureStoreOptions.SasTokenVariable}, or sign in (az login)", false, ex);
            case HttpRequestException or IOException:
                return new StorageException($"could not {operation} {location}: connection to {context.Endpoint} failed (transient)", true, ex);
            case TimeoutException or OperationCanceledException:
                return new StorageException($"could not {operation} {location}: request to {context.Endpoint} timed out (transient)", true, ex);
            default:
                // FormatException, ArgumentException, InvalidOperationException from the client: a configuration problem.
                return new StorageException($"could not {operation} {location}: the Azure client rejected the request ({ex.GetType().Name}); check the location and credentials", false);
        }
    }

    private static string Code(RequestFailedException ex) => string.IsNullOrEmpty(ex.ErrorCode) ? "" : ex.ErrorCode;
}
