using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Akka.Cluster.Tools.Singleton;
using Pipeline.Engine.Actors;

namespace Pipeline.Engine.Cluster;

/// <summary>
/// A long-running cluster node (<c>pipeline node</c>): joins the cluster; with role <c>coordinator</c> it may host
/// the <see cref="JobManager"/> singleton; with role <c>worker</c> it runs workers that pull
/// tasks from the singleton through a proxy.
/// </summary>
public static class ClusterNode
{
    /// <summary>Name of the job manager singleton (under <c>/user</c>).</summary>
    public const string ManagerName = "jobs";

    /// <summary>Path of each node's proxy to the job manager, registered with the node's ClusterClient receptionist.</summary>
    public const string ManagerProxyPath = "/user/" + ManagerName + "-proxy";

    /// <summary>Starts the node's actor system and, with <see cref="ClusterOptions.Bootstrap"/>, its management endpoint
    /// and Cluster Bootstrap (which then finds the other nodes and joins or forms the cluster).</summary>
    /// <param name="options">Address, seeds, roles, failure detection, TLS.</param>
    /// <param name="contexts">Builds (or finds) a job's context from its ticket on this node.</param>
    /// <param name="workers">Workers to run (with role <c>worker</c>).</param>
    /// <param name="leaseTimeout">Time after which a task leased to a silent worker is handed to another.</param>
    /// <param name="onTaskStart">Called as each of this node's tasks starts (progress lines; fault injection in tests).</param>
    public static async Task<ActorSystem> StartAsync(ClusterOptions options, Func<JobTicket, JobContext> contexts, int workers, TimeSpan leaseTimeout, Action<WorkItem>? onTaskStart = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var system = ActorSystem.Create(ClusterOptions.SystemName, options.ToSetup());
        if (options.Roles.Contains(ClusterOptions.CoordinatorRole))
        {
            system.ActorOf(ClusterSingletonManager.Props(
                Props.Create(() => new JobManager(contexts, leaseTimeout)),
                PoisonPill.Instance,
                ClusterSingletonManagerSettings.Create(system).WithRole(ClusterOptions.CoordinatorRole)), ManagerName);
        }
        var proxy = system.ActorOf(ProxyProps(system), ManagerName + "-proxy");
        // Clients (run --cluster, status, cancel) are not members: they reach the job manager through this proxy.
        ClusterClientReceptionist.Get(system).RegisterService(proxy);
        if (options.Roles.Contains(ClusterOptions.WorkerRole))
        {
            for (var i = 0; i < workers; i++) system.ActorOf(Props.Create(() => new Worker(contexts, proxy, onTaskStart)), $"worker-{i}");
        }
        if (options.Bootstrap is not null)
        {
            try
            {
                var endpoint = await ManagementEndpoint.StartAsync(system, options).ConfigureAwait(false);
                _ = system.WhenTerminated.ContinueWith(_ => endpoint.DisposeAsync().AsTask(), TaskScheduler.Default).Unwrap();
            }
            catch
            {
                await system.Terminate().ConfigureAwait(false);
                throw;
            }
        }
        return system;
    }

    private static Props ProxyProps(ActorSystem system) => ClusterSingletonProxy.Props(
        "/user/" + ManagerName,
        ClusterSingletonProxySettings.Create(system).WithRole(ClusterOptions.CoordinatorRole));
}
