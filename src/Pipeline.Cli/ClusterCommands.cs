using System.CommandLine;
using System.Globalization;
using Akka.Actor;
using Pipeline.Engine;
using Pipeline.Engine.Cluster;

namespace Pipeline.Cli;

/// <summary>Options every cluster command shares: where to bind, which seeds to join, TLS.</summary>
internal sealed class ClusterCommandOptions
{
    public Option<string> Host { get; } = new("--host") { Description = "Address to bind and advertise (default 127.0.0.1: not reachable from other machines)", DefaultValueFactory = _ => "127.0.0.1" };
    public Option<string[]> Seed { get; } = new("--seed") { Description = "Seed node, akka.tcp://pipeline@HOST:PORT (repeatable)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
    public Option<string?> TlsCertificate { get; } = new("--tls-cert") { Description = "PKCS#12 (.pfx) certificate of this process: enables TLS for remoting; every node of the cluster must use TLS" };
    public Option<string?> TlsPassword { get; } = new("--tls-password") { Description = "Password of the certificate (default: the PIPELINE_TLS_PASSWORD environment variable)" };
    public Option<string?> TlsCa { get; } = new("--tls-ca") { Description = "Certificate (PEM or DER) of the CA that signs the cluster's certificates: trust only peers it signed (default: the machine's trust store)" };
    public Option<bool> TlsInsecure { get; } = new("--tls-insecure") { Description = "Accept any peer certificate (tests only)" };

    /// <summary>The <c>--cluster</c> option: where a client finds the cluster.</summary>
    public static Option<string[]> ClusterOption(string description, bool required) => new("--cluster")
    {
        Description = description + ": a node's remoting address akka.tcp://pipeline@HOST:PORT, or the management endpoint http://HOST:PORT of a node started with --discovery (repeatable)",
        Required = required,
        Arity = required ? ArgumentArity.OneOrMore : ArgumentArity.ZeroOrMore,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Host);
        command.Options.Add(TlsCertificate);
        command.Options.Add(TlsPassword);
        command.Options.Add(TlsCa);
        command.Options.Add(TlsInsecure);
    }

    public TlsOptions? Tls(ParseResult parse) => parse.GetValue(TlsCertificate) is { } path
        ? new TlsOptions(Path.GetFullPath(path), parse.GetValue(TlsPassword) ?? Environment.GetEnvironmentVariable("PIPELINE_TLS_PASSWORD") ?? "",
            parse.GetValue(TlsCa) is { } ca ? Path.GetFullPath(ca) : null, parse.GetValue(TlsInsecure))
        : null;

    /// <summary>Options of a client process (any free port, not a cluster member).</summary>
    public ClusterOptions Client(ParseResult parse, IReadOnlyList<string> seeds) =>
        new(parse.GetValue(Host)!, 0, seeds, [ClusterOptions.ClientRole], TimeSpan.FromSeconds(20), Tls(parse));

    /// <summary>Parses a duration such as 500ms, 20s, 5m or 1h.</summary>
    public static TimeSpan Duration(string text)
    {
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : text.EndsWith('h') ? (text[..^1], 3600.0)
            : (text, 1.0);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? TimeSpan.FromSeconds(value * unit)
            : throw new FormatException($"'{text}' is not a duration (e.g. 500ms, 20s, 5m)");
    }
}

/// <summary><c>pipeline node</c>, <c>pipeline status</c> and <c>pipeline cancel</c>.</summary>
internal static class ClusterCommands
{
    public static Command Node()
    {
        var shared = new ClusterCommandOptions();
        var port = new Option<int>("--port") { Description = "Remoting port", DefaultValueFactory = _ => 4053 };
        var roles = new Option<string>("--roles") { Description = "Comma-separated roles: coordinator (may host the job manager), worker (runs tasks)", DefaultValueFactory = _ => "coordinator,worker" };
        var workers = new Option<int>("--workers", "-w") { Description = "Worker actors on this node", DefaultValueFactory = _ => Environment.ProcessorCount };
        var stableAfter = new Option<string>("--stable-after") { Description = "Split-brain resolver: how long membership must be stable before unreachable nodes are downed", DefaultValueFactory = _ => "20s" };
        var heartbeatPause = new Option<string>("--heartbeat-pause") { Description = "How long a node may miss heartbeats (GC, CPU starvation) before it is marked unreachable", DefaultValueFactory = _ => "10s" };
        var leaseTimeout = new Option<string>("--lease-timeout") { Description = "Time after which a task leased to a silent worker is handed to another", DefaultValueFactory = _ => "10m" };
        var discovery = new Option<string?>("--discovery") { Description = "Join without seeds, through Akka.Management Cluster Bootstrap: config (the nodes' management endpoints are given with --contact-point) or kubernetes (the pods labelled app=SERVICE-NAME in this pod's namespace)" };
        var serviceName = new Option<string>("--service-name") { Description = "The cluster's name in discovery (with kubernetes: the pods' app label)", DefaultValueFactory = _ => "pipeline" };
        var managementPort = new Option<int>("--management-port") { Description = "Port of this node's management HTTP endpoint (with --discovery; run --cluster http://HOST:PORT finds the cluster through it)", DefaultValueFactory = _ => 8558 };
        var contactPoints = new Option<string[]>("--contact-point") { Description = "With --discovery config: a node's management endpoint, HOST:PORT (repeatable)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var requiredContacts = new Option<int>("--required-contact-points") { Description = "With --discovery: nodes that must be found before a new cluster is formed", DefaultValueFactory = _ => 2 };
        var command = new Command("node", "Start a long-running cluster node that joins the cluster (through --seed or --discovery) and runs the jobs submitted with run --cluster")
        {
            port, shared.Seed, discovery, serviceName, managementPort, contactPoints, requiredContacts, roles, workers, stableAfter, heartbeatPause, leaseTimeout,
        };
        shared.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var roleList = parse.GetValue(roles)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (roleList.Length == 0 || roleList.Any(r => r is not (ClusterOptions.CoordinatorRole or ClusterOptions.WorkerRole)))
            {
                Console.Error.WriteLine("error: --roles takes coordinator and/or worker");
                return ExitCodes.Usage;
            }
            ClusterOptions options;
            TimeSpan lease;
            try
            {
                var bootstrap = parse.GetValue(discovery) is { } method
                    ? new BootstrapOptions(method, parse.GetValue(serviceName)!, parse.GetValue(managementPort), parse.GetValue(requiredContacts), parse.GetValue(contactPoints) ?? [])
                    : null;
                options = new ClusterOptions(parse.GetValue(shared.Host)!, parse.GetValue(port), parse.GetValue(shared.Seed) ?? [], roleList,
                    ClusterCommandOptions.Duration(parse.GetValue(stableAfter)!), shared.Tls(parse))
                {
                    HeartbeatPause = ClusterCommandOptions.Duration(parse.GetValue(heartbeatPause)!),
                    Bootstrap = bootstrap,
                };
                lease = ClusterCommandOptions.Duration(parse.GetValue(leaseTimeout)!);
                bootstrap?.Validate();
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.Usage;
            }
            if ((options.Seeds.Count == 0) == (options.Bootstrap is null))
            {
                Console.Error.WriteLine("error: join through either --seed (a node that is its own seed names itself) or --discovery, not both");
                return ExitCodes.Usage;
            }
            if (options.Bootstrap?.Method == BootstrapOptions.KubernetesMethod && !KubernetesPodDiscovery.InPod)
            {
                Console.Error.WriteLine($"error: --discovery kubernetes: {KubernetesPodDiscovery.NotInPod}; elsewhere use --seed or --discovery config");
                return ExitCodes.Usage;
            }
            var system = await ClusterNode.StartAsync(options, ClusterJobs.NodeContexts(Console.WriteLine), parse.GetValue(workers), lease, FaultInjection.NodeTaskHook()).ConfigureAwait(false);
            var cluster = Akka.Cluster.Cluster.Get(system);
            cluster.RegisterOnMemberUp(() => Console.WriteLine($"node up: {cluster.SelfAddress} roles {string.Join(",", roleList)}, {parse.GetValue(workers)} worker(s)"));
            await using (ct.Register(() => CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance)).ConfigureAwait(false))
            {
                await system.WhenTerminated.ConfigureAwait(false);
            }
            Console.WriteLine("node stopped");
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Status()
    {
        var shared = new ClusterCommandOptions();
        var cluster = ClusterCommandOptions.ClusterOption("The cluster", required: true);
        var command = new Command("status", "List the cluster's members and the running job's progress") { cluster };
        shared.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var m = await ClusterClient.StatusAsync(shared.Client(parse, parse.GetValue(cluster)!), ct).ConfigureAwait(false);
                foreach (var member in m.Members) Console.WriteLine($"member {member}");
                Console.WriteLine(m.JobId is null
                    ? $"no job running; {m.WaitingWorkers} worker(s) waiting"
                    : $"job {m.JobName} ({m.JobId}) → {m.Output}: stage {m.Stage}, {m.TasksDone}/{m.Tasks} task(s) done");
                foreach (var queued in m.Queued) Console.WriteLine($"queued {queued}");
                return ExitCodes.Ok;
            }
            catch (Exception ex) when (ex is JobFailedException or AskTimeoutException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.Failed;
            }
        });
        return command;
    }

    public static Command Cancel()
    {
        var shared = new ClusterCommandOptions();
        var cluster = ClusterCommandOptions.ClusterOption("The cluster", required: true);
        var job = new Option<string>("--job") { Description = "Id of the job to stop (default: the running job)", DefaultValueFactory = _ => "" };
        var command = new Command("cancel", "Stop the cluster's running job cleanly (submit it again to resume), or remove a queued job") { cluster, job };
        shared.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var answer = await ClusterClient.CancelAsync(shared.Client(parse, parse.GetValue(cluster)!), parse.GetValue(job)!, ct).ConfigureAwait(false);
                Console.WriteLine($"{(answer.JobId.Length > 0 ? answer.JobId : "job")}: {answer.Error}");
                return answer.Error == JobFinished.NoSuchJob ? ExitCodes.Failed : ExitCodes.Ok;
            }
            catch (Exception ex) when (ex is JobFailedException or AskTimeoutException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.Failed;
            }
        });
        return command;
    }
}
