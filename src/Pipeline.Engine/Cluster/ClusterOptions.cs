using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;

namespace Pipeline.Engine.Cluster;

/// <summary>
/// TLS for remoting (mutual: every connection's two ends present certificates). A peer is trusted when its certificate
/// chains to <see cref="TrustedCaPath"/> (the cluster's own CA, the only trust anchor), or, without one, to the
/// machine's trust store; with <see cref="SuppressValidation"/> any certificate is accepted (tests only).
/// </summary>
/// <param name="CertificatePath">PKCS#12 (.pfx) file with this process's certificate and private key.</param>
/// <param name="Password">Its password (may be empty).</param>
/// <param name="TrustedCaPath">PEM or DER certificate of the CA that signs the cluster's certificates, or null.</param>
/// <param name="SuppressValidation">Accept any peer certificate.</param>
public sealed record TlsOptions(string CertificatePath, string Password, string? TrustedCaPath, bool SuppressValidation)
{
    /// <summary>The Akka.Remote TLS setup: this certificate, mutual authentication, and the peer check described above.</summary>
    public DotNettySslSetup ToSetup()
    {
        var certificate = X509CertificateLoader.LoadPkcs12FromFile(CertificatePath, Password);
        if (TrustedCaPath is null) return new DotNettySslSetup(certificate, SuppressValidation, requireMutualAuthentication: true);
        var ca = X509CertificateLoader.LoadCertificateFromFile(TrustedCaPath);
        return new DotNettySslSetup(certificate, SuppressValidation, requireMutualAuthentication: true, validateCertificateHostname: false,
            (peer, _, _, _, _) => peer is not null && ChainsTo(peer, ca));
    }

    /// <summary>True when <paramref name="peer"/> chains to <paramref name="ca"/> as the only trust anchor.</summary>
    public static bool ChainsTo(X509Certificate2 peer, X509Certificate2 ca)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(ca);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(peer);
    }
}

/// <summary>
/// Joining without fixed seeds: Akka.Management serves <c>/bootstrap/seed-nodes</c> over HTTP on
/// <see cref="ManagementPort"/>, and Cluster Bootstrap finds the other nodes' management endpoints through Akka
/// Discovery, probes them, and joins the cluster they advertise, or (when none has one and
/// <see cref="RequiredContactPoints"/> are found) the node with the lowest address forms it.
/// </summary>
/// <param name="Method"><see cref="ConfigMethod"/> (the endpoints are listed in <see cref="ContactPoints"/>) or
/// <see cref="KubernetesMethod"/> (the pods labelled <c>app=</c><see cref="ServiceName"/> in this pod's namespace, through
/// <see cref="KubernetesPodDiscovery"/>).</param>
/// <param name="ServiceName">The cluster's name in discovery.</param>
/// <param name="ManagementPort">Port of this node's management HTTP endpoint.</param>
/// <param name="RequiredContactPoints">How many contact points must be found before a new cluster is formed.</param>
/// <param name="ContactPoints">With <see cref="ConfigMethod"/>: the nodes' management endpoints, <c>HOST:PORT</c>.</param>
public sealed partial record BootstrapOptions(string Method, string ServiceName, int ManagementPort, int RequiredContactPoints, IReadOnlyList<string> ContactPoints)
{
    /// <summary>Discovery from a fixed list of management endpoints.</summary>
    public const string ConfigMethod = "config";

    /// <summary>Discovery through the Kubernetes API (pods with a label; needs a service account allowed to list pods).</summary>
    public const string KubernetesMethod = "kubernetes";

    /// <summary>Name of the management port in a pod spec (<c>ports[].name</c>), which Kubernetes discovery looks up.</summary>
    public const string ManagementPortName = "management";

    /// <summary>How long the discovered contact points must stay the same before a new cluster is formed.</summary>
    public TimeSpan StableMargin { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Checks the settings: a known method, a service name that is a Kubernetes label value, and contact points
    /// for config discovery.</summary>
    /// <exception cref="ArgumentException">A setting is wrong; the message names it.</exception>
    public void Validate()
    {
        if (!ServiceNamePattern().IsMatch(ServiceName))
            throw new ArgumentException($"service name '{ServiceName}' must be lower-case letters, digits and '-' (a Kubernetes label value)");
        if (Method is not (ConfigMethod or KubernetesMethod))
            throw new ArgumentException($"unknown discovery method '{Method}' (use {ConfigMethod} or {KubernetesMethod})");
        if (Method == ConfigMethod && ContactPoints.Count == 0)
            throw new ArgumentException("config discovery needs the nodes' management endpoints (HOST:PORT)");
    }

    /// <summary>The HOCON of Akka.Management, Cluster Bootstrap and the discovery method.</summary>
    /// <exception cref="ArgumentException">The settings are wrong (<see cref="Validate"/>).</exception>
    public string ToHocon(string host)
    {
        Validate();
        var (method, services) = Method == ConfigMethod
            ? ("config", $"config.services.{ServiceName}.endpoints = [{string.Join(", ", ContactPoints.Select(ClusterOptions.Quote))}]")
            : (KubernetesPodDiscovery.Method,
                $"{KubernetesPodDiscovery.Method}.class = {ClusterOptions.Quote(typeof(KubernetesPodDiscovery).FullName + ", " + typeof(KubernetesPodDiscovery).Assembly.GetName().Name)}");
        return string.Create(CultureInfo.InvariantCulture, $$"""
            akka.management.http {
              hostname = {{ClusterOptions.Quote(host)}}
              port = {{ManagementPort}}
            }
            akka.management.cluster.bootstrap.contact-point-discovery {
              service-name = {{ClusterOptions.Quote(ServiceName)}}
              discovery-method = {{method}}
              port-name = {{(Method == KubernetesMethod ? ManagementPortName : "\"\"")}}
              required-contact-point-nr = {{RequiredContactPoints}}
              stable-margin = {{(long)StableMargin.TotalMilliseconds}}ms
            }
            akka.management.cluster.bootstrap.contact-point {
              fallback-port = {{ManagementPort}}
              # Discovery names each endpoint's port (config: HOST:PORT; Kubernetes: the pod's port named
              # "management"), so nodes may use different ports: keep them all.
              filter-on-fallback-port = false
            }
            akka.discovery {
              method = {{method}}
              {{services}}
            }

            """);
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex ServiceNamePattern();
}

/// <summary>How a process joins the cluster.</summary>
/// <param name="Host">Address remoting binds to and advertises (default 127.0.0.1: nothing outside the machine can connect).</param>
/// <param name="Port">Remoting port (0: any free port, for clients).</param>
/// <param name="Seeds">Seed node addresses, <c>akka.tcp://pipeline@HOST:PORT</c>.</param>
/// <param name="Roles">Cluster roles: <c>coordinator</c> (may host the job manager), <c>worker</c> (runs tasks), <c>client</c>.</param>
/// <param name="StableAfter">Split-brain resolver: how long membership must be stable before unreachable nodes are downed.</param>
/// <param name="Tls">TLS for remoting, or null for plain TCP.</param>
public sealed record ClusterOptions(string Host, int Port, IReadOnlyList<string> Seeds, IReadOnlyList<string> Roles, TimeSpan StableAfter, TlsOptions? Tls = null)
{
    /// <summary>Join through Akka.Management Cluster Bootstrap instead of <see cref="Seeds"/>, or null.</summary>
    public BootstrapOptions? Bootstrap { get; init; }

    /// <summary>The actor system name every node uses (part of the seed addresses).</summary>
    public const string SystemName = "pipeline";

    /// <summary>Role of nodes that may host the job manager singleton.</summary>
    public const string CoordinatorRole = "coordinator";

    /// <summary>Role of nodes that run tasks.</summary>
    public const string WorkerRole = "worker";

    /// <summary>Role of a submitting or querying client: such a process uses remoting only and never joins.</summary>
    public const string ClientRole = "client";

    /// <summary>Role every node (not a client) has; the split-brain resolver counts only these.</summary>
    public const string NodeRole = "node";

    /// <summary>How long a node may miss heartbeats before it is marked unreachable.</summary>
    public TimeSpan HeartbeatPause { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A seed as this process reaches it: with TLS the remoting scheme is <c>akka.ssl.tcp</c>, so a seed given
    /// as <c>akka.tcp://…</c> is rewritten (and the other way round without TLS).</summary>
    public string SeedAddress(string seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        const string Plain = "akka.tcp://", Secure = "akka.ssl.tcp://";
        if (Tls is not null && seed.StartsWith(Plain, StringComparison.Ordinal)) return Secure + seed[Plain.Length..];
        if (Tls is null && seed.StartsWith(Secure, StringComparison.Ordinal)) return Plain + seed[Secure.Length..];
        return seed;
    }

    /// <summary>The actor system setup: <see cref="ToConfig"/> plus, with TLS, the certificate and peer check.</summary>
    public ActorSystemSetup ToSetup()
    {
        var bootstrap = BootstrapSetup.Create().WithConfig(ToConfig());
        return Tls is { } tls ? bootstrap.And(tls.ToSetup()) : ActorSystemSetup.Create(bootstrap);
    }

    /// <summary>The HOCON of a node: cluster provider, the explicit message serializer, remoting, seeds, roles, the
    /// split-brain resolver (keep-majority) and, when set, TLS.</summary>
    public Config ToConfig()
    {
        var serializer = typeof(ClusterMessageSerializer).FullName + ", " + typeof(ClusterMessageSerializer).Assembly.GetName().Name;
        var marker = typeof(Actors.IWorkMessage).FullName + ", " + typeof(Actors.IWorkMessage).Assembly.GetName().Name;
        var hocon = new StringBuilder();
        hocon.Append(CultureInfo.InvariantCulture, $$"""
            akka {
              loglevel = WARNING
              stdout-loglevel = WARNING
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              actor {
                provider = {{(Roles.Contains(ClientRole) ? "remote" : "cluster")}}
                serializers { pipeline-json = {{Quote(serializer)}} }
                serialization-bindings { {{Quote(marker)}} = pipeline-json }
                serialization-identifiers { {{Quote(serializer)}} = {{ClusterMessageSerializer.Id}} }
              }
              remote.log-remote-lifecycle-events = off
              remote.dot-netty.tcp {
                hostname = {{Quote(Host)}}
                port = {{Port}}
                maximum-frame-size = 16 MiB
                send-buffer-size = 16 MiB
                receive-buffer-size = 16 MiB
                enable-ssl = {{(Tls is null ? "false" : "true")}}
              }
              cluster {
                seed-nodes = [{{string.Join(", ", Seeds.Select(SeedAddress).Select(Quote))}}]
                roles = [{{string.Join(", ", Roles.Append(Roles.Contains(ClientRole) ? ClientRole : NodeRole).Distinct().Select(Quote))}}]
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = keep-majority
                  stable-after = {{(long)StableAfter.TotalMilliseconds}}ms
                  keep-majority.role = {{NodeRole}}
                }
                # A busy 2-core machine can pause a process for seconds (GC, JIT, CPU starvation); a pause shorter
                # than this never marks a healthy node unreachable (a dead one is found this much later).
                failure-detector.acceptable-heartbeat-pause = {{(long)HeartbeatPause.TotalMilliseconds}}ms
                singleton.hand-over-retry-interval = 500ms
              }
              coordinated-shutdown.run-by-clr-shutdown-hook = on
            }

            """);
        if (Bootstrap is { } bootstrap) hocon.Append(bootstrap.ToHocon(Host));
        return ConfigurationFactory.ParseString(hocon.ToString());
    }

    /// <summary>A HOCON string literal.</summary>
    internal static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
