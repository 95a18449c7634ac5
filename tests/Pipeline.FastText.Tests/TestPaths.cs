using System.Reflection;

namespace Pipeline.FastText.Tests;

/// <summary>Where the committed fastText test data lives.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepoRoot").Value!;

    public static string Data { get; } = Path.Combine(RepoRoot, "tests", "data", "fasttext");

    public static string Golden { get; } = Path.Combine(Data, "golden");

    public static string Model(string name) => Path.Combine(Data, "models", name);

    public static string File(string name) => Path.Combine(Data, name);
}
