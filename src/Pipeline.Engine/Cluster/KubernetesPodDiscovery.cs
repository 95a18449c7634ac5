using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Akka.Actor;
using Akka.Discovery;

namespace Pipeline.Engine.Cluster;

/// <summary>
/// Akka Discovery through the Kubernetes API, for Cluster Bootstrap: a lookup of service <c>S</c> lists the pods labelled
/// <c>app=S</c> in this pod's namespace (<c>GET /api/v1/namespaces/NS/pods?labelSelector=app%3DS</c>, authenticated
/// with the pod's service-account token, the API server checked against the service-account CA) and returns the
/// running ones' pod IPs with their container port named as the lookup's port name (<c>management</c>).
/// Akka.Discovery.KubernetesApi 1.5.73 does the same through KubernetesClient 17, which the registry does not serve:
/// with 19.0.2 its lookup fails with MissingMethodException (<c>V1PodList</c>'s constructor changed), so this
/// replaces it.
/// </summary>
public sealed class KubernetesPodDiscovery : ServiceDiscovery
{
    /// <summary>The HOCON path of this discovery method's settings (<c>akka.discovery.METHOD</c>).</summary>
    public const string Method = "pipeline-kubernetes";

    /// <summary>Why a process that is not in a pod cannot use this discovery.</summary>
    public const string NotInPod = "Kubernetes discovery runs in a pod, and " + HostVariable + " is not set";

    private const string HostVariable = "KUBERNETES_SERVICE_HOST";
    private const string ServiceAccount = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>True in a Kubernetes pod: the API server's address is in <c>KUBERNETES_SERVICE_HOST</c>.</summary>
    public static bool InPod => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(HostVariable));

    /// <summary>Creates the discovery (Akka.Discovery calls this with the node's actor system).</summary>
    public KubernetesPodDiscovery(ExtendedActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var config = system.Settings.Config.GetConfig("akka.discovery." + Method);
        ServiceAccountPath = config?.GetString("service-account-path", ServiceAccount) ?? ServiceAccount;
    }

    /// <summary>Folder of the pod's service-account files: <c>token</c>, <c>ca.crt</c>, <c>namespace</c>.</summary>
    public string ServiceAccountPath { get; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">Not in a pod, or the API refused the request.</exception>
    public override async Task<Resolved> Lookup(Lookup lookup, TimeSpan resolveTimeout)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        if (!InPod) throw new InvalidOperationException(NotInPod);
        var host = Environment.GetEnvironmentVariable(HostVariable)!;
        var port = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT") is { Length: > 0 } p ? int.Parse(p, CultureInfo.InvariantCulture) : 443;
        var token = (await File.ReadAllTextAsync(Path.Combine(ServiceAccountPath, "token")).ConfigureAwait(false)).Trim();
        var namespacePath = Path.Combine(ServiceAccountPath, "namespace");
        var ns = File.Exists(namespacePath) ? (await File.ReadAllTextAsync(namespacePath).ConfigureAwait(false)).Trim() : "default";
        using var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(ServiceAccountPath, "ca.crt"));
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null && TlsOptions.ChainsTo(certificate, ca),
        };
        using var http = new HttpClient(handler) { Timeout = resolveTimeout };
        var uri = new UriBuilder("https", host, port, $"/api/v1/namespaces/{Uri.EscapeDataString(ns)}/pods")
        {
            Query = "labelSelector=" + Uri.EscapeDataString("app=" + lookup.ServiceName),
        }.Uri;
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"the Kubernetes API answered {(int)response.StatusCode} {response.ReasonPhrase} to {uri} " +
                $"(may the pod's service account list pods in namespace {ns}?): {body[..Math.Min(body.Length, 500)]}");
        }
        return new Resolved(lookup.ServiceName, RunningPods(body, lookup.PortName));
    }

    /// <summary>The running, not terminating pods of a Kubernetes <c>PodList</c> (JSON): each pod's IP, and the port of
    /// its container port named <paramref name="portName"/> (none when null or absent).</summary>
    /// <exception cref="JsonException">The text is not a pod list.</exception>
    public static IReadOnlyList<ResolvedTarget> RunningPods(string podListJson, string? portName)
    {
        using var document = JsonDocument.Parse(podListJson);
        if (!document.RootElement.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
            throw new JsonException("not a Kubernetes PodList (no items)");
        var targets = new List<ResolvedTarget>();
        foreach (var pod in items.EnumerateArray())
        {
            if (pod.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("deletionTimestamp", out var deleting) && deleting.ValueKind != JsonValueKind.Null) continue;
            if (!pod.TryGetProperty("status", out var status)) continue;
            if (!status.TryGetProperty("phase", out var phase) || phase.GetString() != "Running") continue;
            if (!status.TryGetProperty("podIP", out var ipText) || !IPAddress.TryParse(ipText.GetString(), out var ip)) continue;
            targets.Add(new ResolvedTarget(ip.ToString(), NamedPort(pod, portName), ip));
        }
        return targets;
    }

    private static int? NamedPort(JsonElement pod, string? portName)
    {
        if (string.IsNullOrEmpty(portName) || !pod.TryGetProperty("spec", out var spec) || !spec.TryGetProperty("containers", out var containers)) return null;
        foreach (var container in containers.EnumerateArray())
        {
            if (!container.TryGetProperty("ports", out var ports)) continue;
            foreach (var port in ports.EnumerateArray())
            {
                if (port.TryGetProperty("name", out var name) && name.GetString() == portName && port.TryGetProperty("containerPort", out var number)) return number.GetInt32();
            }
        }
        return null;
    }
}
