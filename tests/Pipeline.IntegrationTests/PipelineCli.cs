using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Pipeline.Formats.Lineage;
using Pipeline.Formats.Work;

namespace Pipeline.IntegrationTests;

/// <summary>Runs the real <c>pipeline</c> CLI as a child process (the build output of Pipeline.Cli).</summary>
internal static class PipelineCli
{
    /// <summary>A JSON file of a local output folder (manifest.json unless named).</summary>
    public static System.Text.Json.JsonElement OutputJson(string output, string file = "manifest.json") =>
        System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, file))).RootElement.Clone();

    /// <summary>All lineage rows of a local output folder, in file order.</summary>
    public static async Task<List<LineageRow>> LineageAsync(string output)
    {
        var rows = new List<LineageRow>();
        foreach (var file in Directory.GetFiles(Path.Combine(output, "lineage")).Order(StringComparer.Ordinal))
        {
            await using var s = File.OpenRead(file);
            rows.AddRange(await ParquetTables.ReadAsync<LineageRow>(s, CancellationToken.None));
        }
        return rows;
    }

    public static string RepoRoot { get; } = FindRepoRoot();

    private static string FindRepoRoot()
    {
        // The repository the test project was built from (the build output may live elsewhere, e.g. --artifacts-path).
        var root = typeof(PipelineCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;
        return File.Exists(Path.Combine(root, "Pipeline.sln")) ? root : throw new InvalidOperationException("Pipeline.sln not found in " + root);
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
    }

    public static async Task<Result> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "pipeline.dll");
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A hung process fails its test with what it printed, not with a bare cancellation.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new Result(-1, await stdout, "timed out after 5 minutes and was killed\n" + await stderr);
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public static Task<Result> RunAsync(string workingDirectory, params string[] args) => RunAsync(workingDirectory, null, args);

    /// <summary>sha256 of every file under <paramref name="dir"/> except run-dependent <c>stats*</c>/<c>report*</c> files.</summary>
    public static SortedDictionary<string, string> DeterministicFiles(string dir)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith("stats", StringComparison.Ordinal) || name.StartsWith("report", StringComparison.Ordinal)) continue;
            files[Path.GetRelativePath(dir, file).Replace('\\', '/')] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
        }
        return files;
    }

    /// <summary>Asserts that two output folders hold the same deterministic files (<see cref="DeterministicFiles"/>), byte
    /// for byte, and returns them.</summary>
    public static SortedDictionary<string, string> AssertSameFiles(string expectedDir, string actualDir)
    {
        var expected = DeterministicFiles(expectedDir);
        var actual = DeterministicFiles(actualDir);
        Assert.True(expected.SequenceEqual(actual), Describe(expected, actual));
        return expected;
    }

    public static string Describe(SortedDictionary<string, string> a, SortedDictionary<string, string> b)
    {
        var sb = new StringBuilder();
        foreach (var k in a.Keys.Union(b.Keys).Order(StringComparer.Ordinal))
        {
            var x = a.GetValueOrDefault(k, "<missing>");
            var y = b.GetValueOrDefault(k, "<missing>");
            if (x != y) sb.AppendLine($"{k}: {x[..Math.Min(12, x.Length)]} vs {y[..Math.Min(12, y.Length)]}");
        }
        return sb.ToString();
    }
}

/// <summary>A temporary folder removed at the end of a test.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pipeline-it-" + Guid.NewGuid().ToString("N"));

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}
