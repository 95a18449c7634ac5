using System.Reflection;

namespace Pipeline.Scoring.Tests;

/// <summary>Locations of repository files and a scratch folder per test.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepoRoot").Value!;

    public static string Samples { get; } = Path.Combine(RepoRoot, "samples");

    /// <summary>Writes <paramref name="content"/> as UTF-8 (no BOM) to <paramref name="dir"/>/<paramref name="name"/>; returns the path.</summary>
    public static string WriteText(string dir, string name, string content)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, content, new System.Text.UTF8Encoding(false));
        return path;
    }

    public static string NewTempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "pipeline-scoring-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
