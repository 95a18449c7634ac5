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
        PipelineCli.AssertSameFiles(quickstart.Output, _dir[output]);
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
        // The manager sends finished tasks to the client in batches: the client's stage totals still count every task
        // (4,500 documents read, as the lineage above; 1,300,489 tokens packed, as the quickstart's summary).
        Assert.Contains("score done: 4,500 docs,", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("pack done: 1,900 docs, 1,300,489 tokens,", run.Stdout, StringComparison.Ordinal);
        // stats.json counts the worker nodes' CPU (each node from its first task's start to its last task's end).
        var stats = PipelineCli.OutputJson(_dir["c3"], "stats.json");
        Assert.Equal(System.Text.Json.JsonValueKind.Number, stats.GetProperty("cpu_seconds").ValueKind);
        Assert.True(stats.GetProperty("cpu_seconds").GetDouble() > 0.1, stats.ToString());
        Assert.True(stats.GetProperty("input_megabytes_per_cpu_second").GetDouble() > 0, stats.ToString());

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
    public async Task Cluster_JobSubmittedWhileAnotherRuns_IsQueuedAndRunsAfterIt()
    {
        // One slow node (1 s per task) runs job 1; job 2 (another output) waits in the queue, shows in status, and runs next.
        var a = Node(null, "coordinator,worker", workers: 2, environment: new Dictionary<string, string> { ["PIPELINE_TASK_DELAY_MS"] = "1000" });
        await a.WaitForAsync("node up", Up);
        var first = SubmitAsync(a, "q1");
        await a.WaitForAsync("task score", Up);
        var second = SubmitAsync(a, "q2");
        var queued = false;
        for (var i = 0; i < 100 && !queued && !second.IsCompleted; i++)
        {
            var status = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "status", "--cluster", a.Address);
            queued = status.Stdout.Split('\n').Any(l => l.StartsWith("queued ", StringComparison.Ordinal) && l.Contains("quickstart", StringComparison.Ordinal));
        }
        var (r1, r2) = (await first, await second);
        Assert.True(r1.ExitCode == 0, r1 + "\n" + a.Output);
        Assert.True(r2.ExitCode == 0, r2 + "\n" + a.Output);
        Assert.True(queued, "status never listed the second job as queued:\n" + a.Output);
        Assert.Contains("queued behind job quickstart", r2.Stdout + r2.Stderr, StringComparison.Ordinal);
        await AssertSameAsEmbeddedAsync("q1");
        await AssertSameAsEmbeddedAsync("q2");
    }

    [Fact]
    public async Task Cluster_RerunAfterOutputDeletedAndInputChanged_UsesTheNewInputs()
    {
        // A node keeps a job's context between runs; what it read from the output (plan, unit results, selection) must
        // not outlive the run: run, delete the output, drop an input file, run again on the same node.
        var corpus = _dir["corpus"];
        Directory.CreateDirectory(corpus);
        foreach (var file in Directory.GetFiles(Path.Combine(PipelineCli.RepoRoot, "samples", "web"))) File.Copy(file, Path.Combine(corpus, Path.GetFileName(file)));
        var job = _dir["web.yaml"];
        File.WriteAllText(job, $"""
            name: web-rerun
            seed: 7
            output: {_dir["rerun"]}
            sources:
              - {"{"} name: web, uri: {corpus}/*.jsonl.gz {"}"}
            tokenizer: {"{"} name: cl100k_base {"}"}
            pack: {"{"} seq_len: 2048, strategy: best_fit {"}"}
            """);
        var a = Node(null, "coordinator,worker", workers: 2);
        await a.WaitForAsync("node up", Up);
        var run1 = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", job, "--cluster", a.Address);
        Assert.True(run1.ExitCode == 0, run1 + "\n" + a.Output);
        Directory.Delete(_dir["rerun"], recursive: true);
        File.Delete(Path.Combine(corpus, "brown-part-03.jsonl.gz"));
        var run2 = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", job, "--cluster", a.Address);
        Assert.True(run2.ExitCode == 0, run2 + "\n" + a.Output);
        var embedded = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", job, "--output", _dir["rerun-embedded"], "--workers", "1");
        Assert.True(embedded.ExitCode == 0, embedded.ToString());
        PipelineCli.AssertSameFiles(_dir["rerun-embedded"], _dir["rerun"]);
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
