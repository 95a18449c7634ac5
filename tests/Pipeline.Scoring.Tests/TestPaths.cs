using System.Reflection;

namespace Pipeline.Scoring.Tests;

/// <summary>Locations of repository files and a scratch folder per test.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepoRoot").Value!;

    public static string Samples { get; } = Path.Combine(RepoRoot, "samples");

    public static string NewTempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "pipeline-scoring-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
