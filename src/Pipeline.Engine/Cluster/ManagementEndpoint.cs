using System.Collections.Immutable;
using System.Net;
using System.Text;
using Akka.Actor;
using Akka.Cluster;
using Akka.Management.Cluster.Bootstrap;
using Akka.Management.Cluster.Bootstrap.ContactPoint;
using Akka.Management.Dsl;
using Newtonsoft.Json;

namespace Pipeline.Engine.Cluster;

/// <summary>
/// A node's management HTTP endpoint (started with <see cref="ClusterOptions.Bootstrap"/>), and the start of Cluster
/// Bootstrap behind it. It serves:
/// <list type="bullet">
/// <item><c>GET /bootstrap/seed-nodes</c>: this node's address and up to five live members, the same JSON (Akka's own
/// <see cref="HttpBootstrapJsonProtocol.SeedNodes"/>, Newtonsoft) that Akka.Management serves. Cluster Bootstrap on the
/// other nodes probes it; <c>run --cluster http://HOST:PORT</c> reads it to find the cluster.</item>
/// <item><c>GET /alive</c>: 200 while the actor system runs; <c>GET /ready</c>: 200 once this node is an Up member
/// (Kubernetes probes).</item>
/// </list>
/// Akka.Management's own server cannot be used here: Akka.Http.Shim 1.5.73 is built against Ceen.Httpd 0.9.9, the
/// registry serves only 0.9.10, whose <c>HttpServer.ListenAsync</c> takes an <c>EndPoint</c> instead of an
/// <c>IPEndPoint</c>, so <c>AkkaManagement.Start</c> fails with MissingMethodException. Bootstrap itself (discovery,
/// probing, the join decision) is Akka.Management's.
/// </summary>
public sealed class ManagementEndpoint : IAsyncDisposable
{
    /// <summary>The path Cluster Bootstrap probes.</summary>
    public const string SeedNodesPath = "/bootstrap/seed-nodes";

    private const int MaxSeedNodes = 5;
    private readonly ActorSystem _system;
    private readonly HttpListener _listener = new();
    private readonly Task _serving;

    private ManagementEndpoint(ActorSystem system, string host, int port)
    {
        _system = system;
        BaseUri = new UriBuilder(Uri.UriSchemeHttp, host, port).Uri; // brackets an IPv6 address
        _listener.Prefixes.Add(BaseUri.ToString());
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>The endpoint's address, <c>http://HOST:PORT/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>Serves the endpoint on the options' host and management port, and starts Cluster Bootstrap (which finds
    /// the other nodes through discovery and joins or forms the cluster).</summary>
    /// <exception cref="HttpListenerException">The port cannot be bound.</exception>
    public static async Task<ManagementEndpoint> StartAsync(ActorSystem system, ClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        var bootstrap = options.Bootstrap ?? throw new ArgumentException("the options have no bootstrap settings", nameof(options));
        var endpoint = new ManagementEndpoint(system, options.Host, bootstrap.ManagementPort);
        var clusterBootstrap = ClusterBootstrap.Get(system);
        // Routes() is how Akka.Management tells bootstrap its own contact point (so that it does not probe itself);
        // the routes it returns are served here instead.
        _ = clusterBootstrap.Routes(ManagementRouteProviderSettings.Create(endpoint.BaseUri, readOnly: true));
        await clusterBootstrap.Start().ConfigureAwait(false);
        return endpoint;
    }

    /// <summary>The JSON of <c>GET /bootstrap/seed-nodes</c> as Akka.Management writes it.</summary>
    public static string SeedNodesJson(Akka.Cluster.Cluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var state = cluster.State;
        var members = state.Members
            .Where(m => !state.Unreachable.Contains(m) && m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Joining)
            .Take(MaxSeedNodes)
            .Select(m => new HttpBootstrapJsonProtocol.ClusterMember(m.UniqueAddress.Address, m.UniqueAddress.Uid, m.Status, m.Roles))
            .ToImmutableList();
        return JsonConvert.SerializeObject(new HttpBootstrapJsonProtocol.SeedNodes(cluster.SelfAddress, members));
    }

    /// <summary>The node addresses (<c>akka.tcp://…</c>) a <c>GET /bootstrap/seed-nodes</c> answer names: the answering
    /// node's, then the members it lists.</summary>
    /// <exception cref="JsonException">The text is not such an answer.</exception>
    public static IReadOnlyList<string> ParseSeedNodes(string json)
    {
        var answer = JsonConvert.DeserializeObject<HttpBootstrapJsonProtocol.SeedNodes>(json)
            ?? throw new JsonSerializationException("empty answer");
        if (answer.SelfNode is null) throw new JsonSerializationException("the answer names no node (selfNode)");
        return [.. new[] { answer.SelfNode }.Concat(answer.Nodes?.Select(n => n.Node) ?? []).Select(a => a.ToString()).Distinct(StringComparer.Ordinal)];
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }
            using var response = context.Response;
            var (status, body) = Answer(context.Request);
            var bytes = Encoding.UTF8.GetBytes(body);
            response.StatusCode = (int)status;
            response.ContentType = "application/json";
            response.ContentLength64 = bytes.Length;
            try
            {
                await response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
            }
            catch (HttpListenerException)
            {
                // the caller went away
            }
        }
    }

    private (HttpStatusCode Status, string Body) Answer(HttpListenerRequest request)
    {
        if (request.HttpMethod != "GET") return (HttpStatusCode.MethodNotAllowed, """{"error":"only GET"}""");
        var cluster = Akka.Cluster.Cluster.Get(_system);
        return request.Url?.AbsolutePath switch
        {
            SeedNodesPath => (HttpStatusCode.OK, SeedNodesJson(cluster)),
            "/alive" => _system.WhenTerminated.IsCompleted ? (HttpStatusCode.ServiceUnavailable, """{"alive":false}""") : (HttpStatusCode.OK, """{"alive":true}"""),
            "/ready" => cluster.SelfMember.Status == MemberStatus.Up ? (HttpStatusCode.OK, """{"ready":true}""") : (HttpStatusCode.ServiceUnavailable, """{"ready":false}"""),
            _ => (HttpStatusCode.NotFound, """{"error":"not found"}"""),
        };
    }

    /// <summary>Stops serving.</summary>
    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving.ConfigureAwait(false);
    }
}
