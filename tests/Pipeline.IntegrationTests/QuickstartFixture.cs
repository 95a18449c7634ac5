using System.Text.Json;

namespace Pipeline.IntegrationTests;

/// <summary>Runs the quickstart job once (1 worker) and shares its output with the tests of the collection.</summary>
public sealed class QuickstartFixture : IAsyncLifetime, IDisposable
{
    private readonly TempDir _dir = new();

    public string Output => _dir["quickstart-w1"];

    internal PipelineCli.Result Run { get; private set; } = null!;

    public JsonElement Manifest { get; private set; }

    public async Task InitializeAsync()
    {
        Run = await PipelineCli.RunAsync(PipelineCli.RepoRoot, "run", "jobs/quickstart.yaml", "--output", Output, "--workers", "1");
        if (Run.ExitCode == 0) Manifest = PipelineCli.OutputJson(Output);
    }

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>Integration tests run one at a time: each starts real CLI processes on a 2-core machine.</summary>
[CollectionDefinition(Name)]
public sealed class PipelineProcesses : ICollectionFixture<QuickstartFixture>
{
    public const string Name = "pipeline processes";
}
