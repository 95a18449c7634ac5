namespace Pipeline.Storage.Tests.Azure;

/// <summary>One Azurite server shared by the tests of a collection or class (xunit fixture).</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteServer? _server;

    /// <summary>The running server.</summary>
    public AzuriteServer Server => _server ?? throw new InvalidOperationException("the Azurite fixture is not initialized");

    /// <summary>Starts the server (installing Azurite first if needed).</summary>
    public async Task InitializeAsync() => _server = await AzuriteServer.StartAsync();

    /// <summary>Stops the server and removes its location.</summary>
    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
