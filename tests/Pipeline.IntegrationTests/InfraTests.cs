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

    [Fact]
    public async Task Kubernetes_StatefulSetNodesSeedOnPodZero_WithFlagsTheCliAccepts()
    {
        var documents = Load("infra/k8s/pipeline.yaml").Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
        var service = documents.Single(d => ((YamlScalarNode)d["kind"]).Value == "Service");
        var set = documents.Single(d => ((YamlScalarNode)d["kind"]).Value == "StatefulSet");
        var serviceName = ((YamlScalarNode)((YamlMappingNode)service["metadata"])["name"]).Value;
        var setName = ((YamlScalarNode)((YamlMappingNode)set["metadata"])["name"]).Value;
        var spec = (YamlMappingNode)set["spec"];
        Assert.Equal(serviceName, ((YamlScalarNode)spec["serviceName"]).Value);
        var container = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)spec["template"])["spec"])["containers"]).Children.Single();
        var args = Strings(container["args"]);
        await AssertCliAcceptsAsync(args, "k8s StatefulSet");
        Assert.Equal($"akka.tcp://pipeline@{setName}-0.{serviceName}:4053", args[args.IndexOf("--seed") + 1]);
    }
}
