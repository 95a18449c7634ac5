using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Pipeline.Engine.Actors;
using Pipeline.Formats.Manifests;

namespace Pipeline.Engine.Cluster;

/// <summary>
/// The client side of a cluster (<c>run --cluster</c>, <c>status</c>, <c>cancel</c>). The client is not a cluster
/// member: it talks to the nodes' receptionists through Akka's ClusterClient (remoting only), so it never takes part in
/// failure detection or split-brain decisions, and a busy or departing client can never down a node (or be downed).
/// Messages go to the job manager's proxy on whichever node the receptionist picks.
/// </summary>
public static class ClusterClient
{
    private static readonly TimeSpan ReachTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Submits a job and waits for it to end, passing its progress to <paramref name="observer"/>. The submission
    /// is repeated every few seconds (idempotent), so after a coordinator failover the new job manager resumes it.
    /// Cancelling <paramref name="ct"/> asks the cluster to stop the job and waits for it to stop.</summary>
    /// <exception cref="JobFailedException">The job failed or was rejected, or no node answered.</exception>
    /// <exception cref="OperationCanceledException">The job was cancelled.</exception>
    public static async Task<Manifest> RunJobAsync(ClusterOptions options, JobTicket ticket, IJobObserver observer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (system, client) = await ConnectAsync(options, ct).ConfigureAwait(false);
        try
        {
            var outcome = new TaskCompletionSource<Manifest>(TaskCreationOptions.RunContinuationsAsynchronously);
            var submitter = system.ActorOf(Props.Create(() => new Submitter(client, ticket, observer, outcome, Unreachable(options))), "submitter");
            await using (ct.Register(() => submitter.Tell(new CancelJob(ticket.JobId))).ConfigureAwait(false))
            {
                return await outcome.Task.ConfigureAwait(false);
            }
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }

    /// <summary>Asks the job manager for the members and what it is doing.</summary>
    public static Task<StatusReply> StatusAsync(ClusterOptions options, CancellationToken ct) =>
        AskAsync<StatusReply>(options, StatusRequest.Instance, ct);

    /// <summary>Asks the job manager to stop a job (empty id: the running job) and returns its answer.</summary>
    public static Task<JobFinished> CancelAsync(ClusterOptions options, string jobId, CancellationToken ct) =>
        AskAsync<JobFinished>(options, new CancelJob(jobId), ct);

    private static async Task<T> AskAsync<T>(ClusterOptions options, object message, CancellationToken ct)
    {
        var (system, client) = await ConnectAsync(options, ct).ConfigureAwait(false);
        try
        {
            return await client.Ask<T>(Send(message), ReachTimeout, ct).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            throw Unreachable(options);
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }

    private static async Task<(ActorSystem System, IActorRef Client)> ConnectAsync(ClusterOptions options, CancellationToken ct)
    {
        var nodes = new List<string>();
        foreach (var address in options.Seeds) nodes.AddRange(await NodeAddressesAsync(address, ct).ConfigureAwait(false));
        var contacts = nodes.Select(s => ActorPath.Parse(options.SeedAddress(s) + "/system/receptionist")).ToImmutableHashSet();
        var system = ActorSystem.Create(ClusterOptions.SystemName, options.ToSetup());
        var client = system.ActorOf(Akka.Cluster.Tools.Client.ClusterClient.Props(ClusterClientSettings.Create(system).WithInitialContacts(contacts)), "cluster-client");
        return (system, client);
    }

    /// <summary>The node addresses a <c>--cluster</c> value stands for: a remoting address (<c>akka.tcp://…</c>) itself;
    /// a node's management endpoint (<c>http://HOST:PORT</c>) the node and the members it lists.</summary>
    /// <exception cref="JobFailedException">The endpoint cannot be read.</exception>
    private static async Task<IReadOnlyList<string>> NodeAddressesAsync(string address, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!address.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !address.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) return [address];
        var url = address.TrimEnd('/') + ManagementEndpoint.SeedNodesPath;
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            return ManagementEndpoint.ParseSeedNodes(await http.GetStringAsync(new Uri(url), ct).ConfigureAwait(false));
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is HttpRequestException or TaskCanceledException or UriFormatException or Newtonsoft.Json.JsonException)
        {
            throw new JobFailedException($"cannot read the cluster's nodes from {url}: {ex.Message} (is a node started with --discovery and --management-port there?)");
        }
    }

    private static Akka.Cluster.Tools.Client.ClusterClient.Send Send(object message) => new(ClusterNode.ManagerProxyPath, message);

    private static JobFailedException Unreachable(ClusterOptions options) =>
        new($"no node of the cluster at {string.Join(", ", options.Seeds)} answered within {ReachTimeout.TotalSeconds:0} s: is a node running there (and, with TLS, does it trust this process's certificate)?");

    /// <summary>Submits the job (again every few seconds), relays its events and completes with its outcome.</summary>
    private sealed class Submitter : ReceiveActor, IWithTimers
    {
        private static readonly TimeSpan Resubmit = TimeSpan.FromSeconds(2);
        private readonly IActorRef _client;
        private readonly SubmitJob _submit;
        private bool _accepted;
        private bool _cancelling;

        public Submitter(IActorRef client, JobTicket ticket, IJobObserver observer, TaskCompletionSource<Manifest> outcome, JobFailedException unreachable)
        {
            _client = client;
            _submit = new SubmitJob(ticket, Guid.NewGuid().ToString("N"));
            Receive<SubmitJob>(submit => _client.Tell(Send(submit)));
            Receive<ReachCheck>(_ =>
            {
                if (_accepted) return;
                outcome.TrySetException(unreachable);
                Context.Stop(Self);
            });
            Receive<JobAccepted>(_ => _accepted = true);
            Receive<JobEvent>(e => e.ReplayOn(observer));
            Receive<JobFinished>(finished =>
            {
                if (finished.ManifestJson is { } json) outcome.TrySetResult(JsonFiles.Deserialize<Manifest>(System.Text.Encoding.UTF8.GetBytes(json), "the job manager's manifest"));
                else if (_cancelling) outcome.TrySetCanceled();
                else outcome.TrySetException(new JobFailedException(finished.Error ?? "the job stopped"));
                Context.Stop(Self);
            });
            Receive<CancelJob>(cancel =>
            {
                _cancelling = true;
                Timers.Cancel(_submit);
                _client.Tell(Send(cancel));
            });
        }

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void PreStart()
        {
            Timers.StartPeriodicTimer(_submit, _submit, TimeSpan.Zero, Resubmit);
            Timers.StartSingleTimer(ReachCheck.Instance, ReachCheck.Instance, ReachTimeout);
        }

        private sealed record ReachCheck
        {
            public static ReachCheck Instance { get; } = new();
        }
    }
}
