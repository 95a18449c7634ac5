namespace Pipeline.IntegrationTests;

/// <summary>
/// The quickstart on a cluster of real <c>pipeline node</c> processes on 127.0.0.1, submitted with
/// <c>run --cluster</c>: the same bytes as the embedded run, whatever node dies when.
/// </summary>
[Collection(PipelineProcesses.Name)]
public sealed class ClusterTests(QuickstartFixture quickstart) : IDisposable
{
    private static readonly TimeSpan Up = TimeSpan.FromSeconds(60);
    private readonly TempDir _dir = new();
    private readonly List<NodeProcess> _nodes = [];

    public void Dispose()
    {
        foreach (var node in _nodes) node.Dispose();
        _dir.Dispose();
    }

    private NodeProcess Node(string? seed, string roles, int workers = 1, IReadOnlyDictionary<string, string>? environment = null)
    {
        var node = NodeProcess.Start(seed, roles, workers, environment);
        _nodes.Add(node);
        return node;
    }

    /// <summary>Seed A (coordinator, worker), B (coordinator, worker), C (worker); C's environment is given.</summary>
    private async Task<NodeProcess[]> ThreeNodesAsync(IReadOnlyDictionary<string, string>? seedEnvironment = null, IReadOnlyDictionary<string, string>? workerEnvironment = null)
    {
        var a = Node(null, "coordinator,worker", environment: seedEnvironment);
        await a.WaitForAsync("node up", Up);
        var b = Node(a.Address, "coordinator,worker");
        var c = Node(a.Address, "worker", environment: workerEnvironment);
        await b.WaitForAsync("node up", Up);
        await c.WaitForAsync("node up", Up);
        return [a, b, c];
    }

    private Task<PipelineCli.Result> SubmitAsync(NodeProcess seed, string output) =>
        PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", "jobs/quickstart.yaml", "--cluster", seed.Address, "--output", _dir[output]);

    private async Task AssertSameAsEmbeddedAsync(string output)
    {
        var embedded = PipelineCli.DeterministicFiles(quickstart.Output);
        var cluster = PipelineCli.DeterministicFiles(_dir[output]);
        Assert.True(embedded.SequenceEqual(cluster), PipelineCli.Describe(embedded, cluster));
        var lineage = await PipelineCli.LineageAsync(_dir[output]);
        Assert.Equal(4500, lineage.Count);
        Assert.Equal(4500, lineage.Select(r => (r.Path, r.ByteOffset)).Distinct().Count());
        var verify = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "verify", _dir[output]);
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    [Fact]
    public async Task Cluster_ThreeNodes_SameBytesAsEmbeddedRun()
    {
        var nodes = await ThreeNodesAsync();
        var run = await SubmitAsync(nodes[0], "c3");
        Assert.True(run.ExitCode == 0, run + "\n" + string.Join("\n---\n", nodes.Select(n => n.Output)));
        await AssertSameAsEmbeddedAsync("c3");
        Assert.All(nodes, n => Assert.Contains("task score", n.Output, StringComparison.Ordinal));

        var status = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "status", "--cluster", nodes[0].Address);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Equal(3, status.Stdout.Split('\n').Count(l => l.StartsWith("member ", StringComparison.Ordinal) && l.Contains(" Up ", StringComparison.Ordinal)));
        Assert.Contains("no job running", status.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("score")]
    [InlineData("pack")]
    public async Task Cluster_WorkerNodeKilledMidStage_CompletesWithSameBytes(string stage)
    {
        // Node C kills itself (like kill -9) as its first task of the stage starts, so that task's lease is in flight.
        var nodes = await ThreeNodesAsync(workerEnvironment: new Dictionary<string, string> { ["PIPELINE_KILL_ON_TASK"] = stage + ":1" });
        var run = await SubmitAsync(nodes[0], "kill-" + stage);
        Assert.True(run.ExitCode == 0, run + "\n" + string.Join("\n---\n", nodes.Select(n => n.Output)));
        Assert.True(nodes[2].HasExited, "node C was to die in the " + stage + " stage:\n" + nodes[2].Output);
        await AssertSameAsEmbeddedAsync("kill-" + stage);
    }

    [Fact]
    public async Task Cluster_CoordinatorNodeKilled_SingletonMovesAndJobCompletesWithSameBytes()
    {
        // The seed A is the oldest coordinator node, so it hosts the job manager; it dies as its second score task starts.
        var nodes = await ThreeNodesAsync(seedEnvironment: new Dictionary<string, string> { ["PIPELINE_KILL_ON_TASK"] = "score:2" });
        var run = await SubmitAsync(nodes[0], "failover");
        Assert.True(run.ExitCode == 0, run + "\n" + string.Join("\n---\n", nodes.Select(n => n.Output)));
        Assert.True(nodes[0].HasExited, "node A was to die:\n" + nodes[0].Output);
        await AssertSameAsEmbeddedAsync("failover");
    }

    [Fact]
    public async Task Cluster_BootstrapWithoutSeeds_FormsClusterAndRunsJobThroughManagementEndpoint()
    {
        // Akka.Management Cluster Bootstrap with config discovery: no node is told a seed; they find each other's
        // management endpoints, and the client finds the cluster through one of them (http://, not akka.tcp://).
        int[] management = [Storage.Tests.Azure.AzuriteServer.FreePort(), Storage.Tests.Azure.AzuriteServer.FreePort()];
        var a = NodeProcess.StartBootstrapped(management[0], management, "coordinator,worker", 1);
        _nodes.Add(a);
        var b = NodeProcess.StartBootstrapped(management[1], management, "worker", 1);
        _nodes.Add(b);
        await a.WaitForAsync("node up", Up);
        await b.WaitForAsync("node up", Up);
        using var http = new HttpClient();
        using var ready = await http.GetAsync(new Uri($"http://127.0.0.1:{management[1]}/ready"));
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);

        var endpoint = $"http://127.0.0.1:{management[1]}";
        var run = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", "jobs/quickstart.yaml", "--cluster", endpoint, "--output", _dir["boot"]);
        Assert.True(run.ExitCode == 0, run + "\n" + a.Output + "\n---\n" + b.Output);
        await AssertSameAsEmbeddedAsync("boot");
        Assert.All(_nodes, n => Assert.Contains("task score", n.Output, StringComparison.Ordinal));

        var status = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "status", "--cluster", endpoint);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Equal(2, status.Stdout.Split('\n').Count(l => l.StartsWith("member ", StringComparison.Ordinal) && l.Contains(" Up ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Cluster_NodeJoiningMidJob_ReceivesWork()
    {
        // One slow node (1 s per task) starts the job; a second node joins while it scores and gets tasks.
        var a = Node(null, "coordinator,worker", environment: new Dictionary<string, string> { ["PIPELINE_TASK_DELAY_MS"] = "1000" });
        await a.WaitForAsync("node up", Up);
        var run = SubmitAsync(a, "join");
        await a.WaitForAsync("task score", Up);
        var d = Node(a.Address, "worker", workers: 2);
        var result = await run;
        Assert.True(result.ExitCode == 0, result + "\n" + a.Output + "\n---\n" + d.Output);
        Assert.Contains("task ", d.Output, StringComparison.Ordinal);
        await AssertSameAsEmbeddedAsync("join");
    }
}
