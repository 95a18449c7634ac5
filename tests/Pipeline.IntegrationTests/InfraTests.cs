using YamlDotNet.RepresentationModel;

namespace Pipeline.IntegrationTests;

/// <summary>
/// The deployment files in <c>infra/</c> cannot run here (no Docker, no Kubernetes), so they are parsed and their
/// <c>pipeline</c> commands checked against the real CLI: every subcommand and flag must be one it accepts.
/// </summary>
[Collection(PipelineProcesses.Name)]
public sealed class InfraTests
{
    private static YamlStream Load(string relative)
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(Path.Combine(PipelineCli.RepoRoot, relative));
        yaml.Load(reader);
        return yaml;
    }

    private static List<string> Strings(YamlNode node) => ((YamlSequenceNode)node).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();

    private static async Task AssertCliAcceptsAsync(List<string> command, string where)
    {
        var help = await PipelineCli.RunAsync(PipelineCli.RepoRoot, command[0], "--help");
        Assert.True(help.ExitCode == 0, $"{where}: '{command[0]}' is not a pipeline command\n{help}");
        foreach (var flag in command.Where(a => a.StartsWith("--", StringComparison.Ordinal)))
        {
            Assert.True(help.Stdout.Contains(flag + " ", StringComparison.Ordinal), $"{where}: 'pipeline {command[0]}' has no option {flag}");
        }
    }

    [Fact]
    public async Task Compose_ServicesRunAzuriteASeedAndTwoWorkers_WithFlagsTheCliAccepts()
    {
        var root = (YamlMappingNode)Load("infra/docker-compose.yml").Documents.Single().RootNode;
        var services = (YamlMappingNode)root["services"];
        var names = services.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList();
        Assert.Contains("azurite", names);
        Assert.Contains("seed", names);
        var nodes = 0;
        foreach (var (key, value) in services.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            if (name == "azurite") continue;
            var command = Strings(((YamlMappingNode)value)["command"]);
            await AssertCliAcceptsAsync(command, $"docker-compose.yml service {name}");
            if (command[0] != "node") continue;
            nodes++;
            Assert.Equal("akka.tcp://pipeline@seed:4053", command[command.IndexOf("--seed") + 1]);
            Assert.Equal(name, command[command.IndexOf("--host") + 1]);
        }
        Assert.Equal(3, nodes);
    }

    private static string Scalar(YamlNode node, params string[] path) =>
        ((YamlScalarNode)path.Aggregate(node, (n, key) => ((YamlMappingNode)n)[key])).Value!;

    [Fact]
    public async Task Kubernetes_NodesBootstrapThroughKubernetesDiscovery_WithFlagsTheCliAccepts()
    {
        var documents = Load("infra/k8s/pipeline.yaml").Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
        YamlMappingNode Kind(string kind) => documents.Single(d => Scalar(d, "kind") == kind);
        var deployment = Kind("Deployment");
        var template = (YamlMappingNode)((YamlMappingNode)deployment["spec"])["template"];
        var label = Scalar(template, "metadata", "labels", "app");
        var container = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)template["spec"])["containers"]).Children.Single();
        var args = Strings(container["args"]);
        await AssertCliAcceptsAsync(args, "k8s Deployment");
        string Arg(string flag) => args[args.IndexOf(flag) + 1];

        // Bootstrap, not seeds: Kubernetes discovery finds the pods whose app label is the service name.
        Assert.DoesNotContain("--seed", args);
        Assert.Equal("kubernetes", Arg("--discovery"));
        Assert.Equal(label, Arg("--service-name"));
        Assert.Equal("$(POD_IP)", Arg("--host"));
        Assert.Contains(((YamlSequenceNode)container["env"]).Children, e => Scalar(e, "name") == "POD_IP" && Scalar(e, "valueFrom", "fieldRef", "fieldPath") == "status.podIP");
        // Discovery reads the port named "management", which must be the node's management port.
        var ports = ((YamlSequenceNode)container["ports"]).Children.ToDictionary(p => Scalar(p, "name"), p => Scalar(p, "containerPort"));
        Assert.Equal(Arg("--management-port"), ports[Pipeline.Engine.Cluster.BootstrapOptions.ManagementPortName]);
        Assert.Equal(Arg("--port"), ports["remoting"]);
        // Probes ask the endpoint's /ready and /alive.
        Assert.Equal("/ready", Scalar(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/alive", Scalar(container, "livenessProbe", "httpGet", "path"));

        // The pods may list pods: service account → role binding → role with get/list/watch on pods.
        var account = Scalar(template, "spec", "serviceAccountName");
        Assert.Equal(account, Scalar(Kind("ServiceAccount"), "metadata", "name"));
        var binding = Kind("RoleBinding");
        Assert.Equal(account, Scalar(((YamlSequenceNode)binding["subjects"]).Children.Single(), "name"));
        var rule = ((YamlSequenceNode)Kind("Role")["rules"]).Children.Cast<YamlMappingNode>().Single();
        Assert.Equal(Scalar(binding, "roleRef", "name"), Scalar(Kind("Role"), "metadata", "name"));
        Assert.Contains("pods", Strings(rule["resources"]));
        Assert.Subset(Strings(rule["verbs"]).ToHashSet(), new HashSet<string> { "get", "list", "watch" });

        // Clients reach a node's management endpoint through the service.
        var service = Kind("Service");
        Assert.Equal(label, Scalar(service, "spec", "selector", "app"));
        Assert.Equal(Pipeline.Engine.Cluster.BootstrapOptions.ManagementPortName, Scalar(((YamlSequenceNode)((YamlMappingNode)service["spec"])["ports"]).Children.Single(), "targetPort"));
    }
}
