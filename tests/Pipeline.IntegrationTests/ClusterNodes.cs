using System.Diagnostics;
using System.Text;

namespace Pipeline.IntegrationTests;

/// <summary>A <c>pipeline node</c> process on 127.0.0.1, started and killed by a test.</summary>
internal sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NodeProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public string Address => $"akka.tcp://pipeline@127.0.0.1:{Port}";

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>Starts a node; <paramref name="seed"/> null makes it its own seed.</summary>
    public static NodeProcess Start(string? seed, string roles, int workers, IReadOnlyDictionary<string, string>? environment = null, params string[] extra)
    {
        var port = Storage.Tests.Azure.AzuriteServer.FreePort();
        return Launch(port, ["--seed", seed ?? $"akka.tcp://pipeline@127.0.0.1:{port}", "--roles", roles, "--workers", Text(workers), .. extra], environment);
    }

    /// <summary>Starts a node that joins through Cluster Bootstrap with config discovery: its management endpoint is on
    /// <paramref name="managementPort"/>, and <paramref name="managementPorts"/> are every node's.</summary>
    public static NodeProcess StartBootstrapped(int managementPort, IReadOnlyList<int> managementPorts, string roles, int workers)
    {
        var contacts = managementPorts.SelectMany(p => new[] { "--contact-point", $"127.0.0.1:{Text(p)}" });
        return Launch(Storage.Tests.Azure.AzuriteServer.FreePort(),
            ["--discovery", "config", "--management-port", Text(managementPort), .. contacts, "--required-contact-points", Text(managementPorts.Count),
             "--roles", roles, "--workers", Text(workers)], null);
    }

    private static NodeProcess Launch(int port, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = PipelineCli.RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "pipeline.dll"));
        foreach (var a in (string[])["node", "--port", Text(port), "--stable-after", "2s", "--heartbeat-pause", "15s", .. args]) psi.ArgumentList.Add(a);
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        return new NodeProcess(Process.Start(psi)!, port);
    }

    private static string Text(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Waits until the node's output contains <paramref name="text"/>.</summary>
    public async Task WaitForAsync(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"node {Address} did not print '{text}' within {timeout.TotalSeconds:0} s; output:\n{Output}");
            if (HasExited) throw new InvalidOperationException($"node {Address} exited before printing '{text}'; output:\n{Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>Kills the process like <c>kill -9</c>.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
    }

    public void Dispose()
    {
        Kill();
        _process.WaitForExit(10_000);
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }
}
