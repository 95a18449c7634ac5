using Akka.Actor;
using Akka.Discovery;
using Pipeline.Engine.Cluster;

namespace Pipeline.IntegrationTests;

/// <summary>
/// Joining through Akka.Management Cluster Bootstrap: the discovery settings a node gets, the management endpoint's
/// answer, and the <c>pipeline node</c> usage errors. (Forming a cluster this way with real processes is in
/// <see cref="ClusterTests"/>.)
/// </summary>
[Collection(PipelineProcesses.Name)]
public sealed class ClusterBootstrapTests
{
    private static ClusterOptions Options(BootstrapOptions bootstrap) =>
        new("127.0.0.1", 0, [], [ClusterOptions.CoordinatorRole, ClusterOptions.WorkerRole], TimeSpan.FromSeconds(2)) { Bootstrap = bootstrap };

    [Fact]
    public async Task KubernetesDiscovery_IsTheNodesDiscovery_AndOutsideKubernetesFailsClearly()
    {
        var options = Options(new BootstrapOptions(BootstrapOptions.KubernetesMethod, "pipeline", 8558, 2, []));
        var system = ActorSystem.Create(ClusterOptions.SystemName, options.ToSetup());
        try
        {
            var discovery = Assert.IsType<KubernetesPodDiscovery>(Discovery.Get(system).Default);
            Assert.Equal("/var/run/secrets/kubernetes.io/serviceaccount", discovery.ServiceAccountPath);
            var saved = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST");
            Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_HOST", null);
            try
            {
                var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => discovery.Lookup(new Lookup("pipeline"), TimeSpan.FromSeconds(5)));
                Assert.Contains("KUBERNETES_SERVICE_HOST", ex.Message, StringComparison.Ordinal);
            }
            finally
            {
                Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_HOST", saved);
            }
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public void KubernetesDiscovery_KeepsRunningPodsWithTheirNamedPort()
    {
        // A PodList as GET /api/v1/namespaces/NS/pods returns it (fields per the Kubernetes API reference, core/v1 Pod):
        // one running pod, one still pending (no IP yet), one terminating, one running without the named port.
        const string PodList = """
            {"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1234"},"items":[
              {"metadata":{"name":"pipeline-a","labels":{"app":"pipeline"}},
               "spec":{"containers":[{"name":"node","ports":[{"name":"remoting","containerPort":4053,"protocol":"TCP"},{"name":"management","containerPort":8558,"protocol":"TCP"}]}]},
               "status":{"phase":"Running","podIP":"10.1.0.7"}},
              {"metadata":{"name":"pipeline-b","labels":{"app":"pipeline"}},
               "spec":{"containers":[{"name":"node","ports":[{"name":"management","containerPort":8558}]}]},
               "status":{"phase":"Pending"}},
              {"metadata":{"name":"pipeline-c","labels":{"app":"pipeline"},"deletionTimestamp":"2026-11-29T06:00:00Z"},
               "spec":{"containers":[{"name":"node","ports":[{"name":"management","containerPort":8558}]}]},
               "status":{"phase":"Running","podIP":"10.1.0.9"}},
              {"metadata":{"name":"pipeline-d","labels":{"app":"pipeline"}},
               "spec":{"containers":[{"name":"node","ports":[{"name":"remoting","containerPort":4053}]}]},
               "status":{"phase":"Running","podIP":"fd00::12"}}
            ]}
            """;
        var targets = KubernetesPodDiscovery.RunningPods(PodList, BootstrapOptions.ManagementPortName);
        Assert.Equal([("10.1.0.7", (int?)8558), ("fd00::12", null)], targets.Select(t => (t.Host, t.Port)));
        Assert.Throws<System.Text.Json.JsonException>(() => KubernetesPodDiscovery.RunningPods("""{"kind":"Status"}""", "management"));
    }

    [Fact]
    public void BootstrapHocon_NamesTheDiscoveryMethodAndEndpoints()
    {
        var config = Options(new BootstrapOptions(BootstrapOptions.ConfigMethod, "corpus-a", 9000, 3, ["10.0.0.1:9000", "10.0.0.2:9000"])).ToConfig();
        Assert.Equal("config", config.GetString("akka.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
        Assert.Equal(3, config.GetInt("akka.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"));
        Assert.Equal(["10.0.0.1:9000", "10.0.0.2:9000"], config.GetStringList("akka.discovery.config.services.corpus-a.endpoints"));
        Assert.Equal(9000, config.GetInt("akka.management.http.port"));
        Assert.Empty(config.GetStringList("akka.cluster.seed-nodes"));

        var k8s = Options(new BootstrapOptions(BootstrapOptions.KubernetesMethod, "pipeline", 8558, 2, [])).ToConfig();
        Assert.Equal(KubernetesPodDiscovery.Method, k8s.GetString("akka.discovery.method"));
        Assert.Equal(BootstrapOptions.ManagementPortName, k8s.GetString("akka.management.cluster.bootstrap.contact-point-discovery.port-name"));
    }

    [Theory]
    [InlineData("Pipeline_1")]
    [InlineData("a.b")]
    [InlineData("")]
    public void BootstrapHocon_RejectsServiceNamesThatAreNotLabelValues(string name)
    {
        var ex = Assert.Throws<ArgumentException>(() => Options(new BootstrapOptions(BootstrapOptions.ConfigMethod, name, 8558, 2, ["127.0.0.1:8558"])).ToConfig());
        Assert.Contains("service name", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeedNodesJson_IsWhatBootstrapProbesRead()
    {
        // The endpoint's answer, as Cluster Bootstrap's prober and the client parse it, names this node once it is up.
        var system = ActorSystem.Create(ClusterOptions.SystemName, new ClusterOptions("127.0.0.1", 0, [], [ClusterOptions.WorkerRole], TimeSpan.FromSeconds(2)).ToSetup());
        try
        {
            var cluster = Akka.Cluster.Cluster.Get(system);
            var up = new TaskCompletionSource();
            cluster.RegisterOnMemberUp(up.SetResult);
            await cluster.JoinAsync(cluster.SelfAddress);
            await up.Task.WaitAsync(TimeSpan.FromSeconds(30));
            var json = ManagementEndpoint.SeedNodesJson(cluster);
            Assert.Equal([cluster.SelfAddress.ToString()], ManagementEndpoint.ParseSeedNodes(json));
            var probed = Newtonsoft.Json.JsonConvert.DeserializeObject<Akka.Management.Cluster.Bootstrap.ContactPoint.HttpBootstrapJsonProtocol.SeedNodes>(json)!;
            Assert.Equal(cluster.SelfAddress, probed.SelfNode);
            Assert.Equal(cluster.SelfAddress, Assert.Single(probed.Nodes).Node);
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Theory]
    [InlineData("both", "either --seed")]
    [InlineData("neither", "either --seed")]
    [InlineData("config-without-contacts", "management endpoints")]
    [InlineData("unknown-method", "unknown discovery method")]
    [InlineData("kubernetes-outside", "KUBERNETES_SERVICE_HOST")]
    public async Task Node_BadJoinOptions_AreUsageErrors(string case_, string message)
    {
        string[] args = case_ switch
        {
            "both" => ["--seed", "akka.tcp://pipeline@127.0.0.1:1", "--discovery", "config", "--contact-point", "127.0.0.1:8558"],
            "neither" => [],
            "config-without-contacts" => ["--discovery", "config"],
            "unknown-method" => ["--discovery", "dns"],
            _ => ["--discovery", "kubernetes"],
        };
        var environment = new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "" };
        var result = await PipelineCli.RunAsync(PipelineCli.RepoRoot, environment, ["node", "--port", "0", .. args]);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_ManagementEndpointThatIsNotThere_IsAClearError()
    {
        var port = Storage.Tests.Azure.AzuriteServer.FreePort();
        var result = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "status", "--cluster", $"http://127.0.0.1:{port}");
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"cannot read the cluster's nodes from http://127.0.0.1:{port}/bootstrap/seed-nodes", result.Stderr, StringComparison.Ordinal);
    }
}
