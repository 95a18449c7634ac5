using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

// One home for the Azurite process helper: compiled into Pipeline.Storage.Tests and linked into
// Pipeline.IntegrationTests and Pipeline.Benchmarks (see their csproj files). Each of these assemblies carries a
// RepoRoot AssemblyMetadata attribute. No xunit here (the benchmarks do not reference it): see AzuriteFixture.cs.
namespace Pipeline.Storage.Tests.Azure;

/// <summary>
/// A real Azurite blob server (npm azurite 3.37.0) on a free 127.0.0.1 port with a temporary --location. Azurite is
/// installed into <c>&lt;repo&gt;/.tools/azurite</c> on first use (npm must be on PATH). Stopped by PID: SIGTERM,
/// then kill after a grace period. Flags from stack-notes §2: --skipApiVersionCheck --loose --silent --disableTelemetry
/// (without --disableTelemetry the process does not exit on SIGTERM).
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    /// <summary>The npm package version installed.</summary>
    public const string Version = "3.37.0";

    /// <summary>Azurite's well-known development account.</summary>
    public const string Account = "devstoreaccount1";

    /// <summary>The development account's well-known key (public, documented by Microsoft; not a secret).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private readonly bool _ownsLocation;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private AzuriteServer(string location, bool ownsLocation, int port)
    {
        Location = location;
        _ownsLocation = ownsLocation;
        Port = port;
    }

    /// <summary>The folder Azurite persists blobs in (kept across <see cref="RestartAsync"/>).</summary>
    public string Location { get; }

    /// <summary>The loopback port.</summary>
    public int Port { get; }

    /// <summary>The blob endpoint, path-style: <c>http://127.0.0.1:PORT/devstoreaccount1</c>.</summary>
    public string BlobEndpoint => $"http://127.0.0.1:{Port}/{Account}";

    /// <summary>The well-known development account's connection string for this server.</summary>
    public string ConnectionString => ConnectionStringWithKey(AccountKey);

    /// <summary>A connection string for this server with another account key (for auth-failure tests).</summary>
    public string ConnectionStringWithKey(string key) =>
        $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={key};BlobEndpoint={BlobEndpoint};";

    /// <summary>True while the server process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Output Azurite printed (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    /// <summary>The repository root of the test assembly (AssemblyMetadata "RepoRoot" set by the csproj).</summary>
    public static string RepoRoot { get; } = typeof(AzuriteServer).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

    private static string InstallDir => Path.Combine(RepoRoot, ".tools", "azurite");

    private static string MainScript => Path.Combine(InstallDir, "node_modules", "azurite", "dist", "src", "blob", "main.js");

    /// <summary>Installs Azurite if needed and starts a server with a fresh temporary location.</summary>
    public static async Task<AzuriteServer> StartAsync()
    {
        await EnsureInstalledAsync();
        var location = Path.Combine(Path.GetTempPath(), "azurite-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(location);
        for (var attempt = 1; ; attempt++)
        {
            var server = new AzuriteServer(location, ownsLocation: true, FreePort());
            try
            {
                await server.LaunchAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Another process took the port between the probe and the bind: try another one.
                await server.StopAsync();
            }
        }
    }

    /// <summary>Stops the server (SIGTERM, then kill) and starts it again on the same port and location.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await LaunchAsync();
    }

    /// <summary>Stops the server by PID: SIGTERM, and kill -9 if it has not exited within 5 s.</summary>
    public async Task StopAsync()
    {
        var process = _process;
        if (process is null) return;
        _process = null;
        if (!process.HasExited)
        {
            using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
            {
                await term!.WaitForExitAsync();
            }
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        process.Dispose();
    }

    /// <summary>Stops the server and deletes its temporary location.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_ownsLocation)
        {
            try
            {
                Directory.Delete(Location, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a leftover temp folder must not fail a test run.
            }
        }
    }

    private async Task LaunchAsync()
    {
        var psi = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     MainScript, "--blobHost", "127.0.0.1", "--blobPort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--location", Location, "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry",
                 })
        {
            psi.ArgumentList.Add(arg);
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        // A host that exits (or crashes) without disposing its fixtures must not leave Azurite behind.
        void KillOnExit()
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillOnExit();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => KillOnExit();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited) throw new InvalidOperationException($"azurite exited with code {process.ExitCode} before listening on port {Port}:\n{Log}");
            if (await CanConnectAsync(Port)) return;
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"azurite did not listen on port {Port} within 60 s:\n{Log}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    private static async Task<bool> CanConnectAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A loopback port that was free a moment ago (for test servers and nodes).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>
    /// Runs <c>npm install --prefix .tools/azurite azurite@3.37.0</c> unless it is installed. A lock file keeps test
    /// assemblies that start at the same time (dotnet test runs projects in parallel) from installing twice.
    /// </summary>
    public static async Task EnsureInstalledAsync()
    {
        await InstallGate.WaitAsync();
        try
        {
            if (File.Exists(MainScript)) return;
            Directory.CreateDirectory(InstallDir);
            await using var fileLock = await AcquireFileLockAsync(Path.Combine(RepoRoot, ".tools", "azurite.install.lock"));
            if (File.Exists(MainScript)) return;
            var psi = new ProcessStartInfo("npm")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { "install", "--prefix", InstallDir, $"azurite@{Version}", "--no-audit", "--no-fund", "--loglevel=error" }) psi.ArgumentList.Add(arg);
            Process npm;
            try
            {
                npm = Process.Start(psi)!;
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new InvalidOperationException("npm was not found on PATH: the Azure tests install Azurite from npm (Node.js 20+ and npm are needed)", ex);
            }
            using (npm)
            {
                var stdout = npm.StandardOutput.ReadToEndAsync();
                var stderr = npm.StandardError.ReadToEndAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
                await npm.WaitForExitAsync(timeout.Token);
                if (npm.ExitCode != 0 || !File.Exists(MainScript))
                {
                    throw new InvalidOperationException($"npm install azurite@{Version} failed (exit {npm.ExitCode}):\n{await stdout}\n{await stderr}");
                }
            }
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static async Task<FileStream> AcquireFileLockAsync(string path)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (waited.Elapsed < TimeSpan.FromMinutes(10))
            {
                await Task.Delay(500);
            }
        }
    }
}
