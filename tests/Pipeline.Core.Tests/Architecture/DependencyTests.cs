using Pipeline.Core.Jobs;

namespace Pipeline.Core.Tests.Architecture;

public sealed class DependencyTests
{
    [Fact]
    public void CoreAssembly_References_OnlyTheBaseClassLibrary()
    {
        var references = typeof(JobSpec).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.NotEmpty(references);
        var foreign = references.Where(n => !(n.StartsWith("System", StringComparison.Ordinal) || n == "netstandard" || n == "mscorlib")).ToList();
        Assert.True(foreign.Count == 0, "Pipeline.Core must stay BCL-only; it references: " + string.Join(", ", foreign));
        foreach (var banned in new[] { "Akka", "Azure", "Parquet", "Microsoft.ML", "YamlDotNet", "ZstdSharp" })
        {
            Assert.DoesNotContain(references, n => n.StartsWith(banned, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void EveryProject_ReferencesOnlyInwardProjects()
    {
        // Allowed project references (DESIGN §6): dependencies point inward to Core; the CLI is the only composition root.
        var allowed = new Dictionary<string, string[]>
        {
            ["Pipeline.Core"] = [],
            ["Pipeline.Storage"] = ["Pipeline.Core"],
            ["Pipeline.Formats"] = ["Pipeline.Core"],
            ["Pipeline.Tokens"] = ["Pipeline.Core"],
            ["Pipeline.Jobs"] = ["Pipeline.Core"],
            ["Pipeline.Engine"] = ["Pipeline.Core", "Pipeline.Storage", "Pipeline.Formats", "Pipeline.Tokens"],
            ["Pipeline.FastText"] = [],
            ["Pipeline.Scoring"] = ["Pipeline.Core", "Pipeline.FastText", "Pipeline.Formats"],
        };
        var root = RepoRoot();
        foreach (var (project, permitted) in allowed)
        {
            var csproj = File.ReadAllText(Path.Combine(root, "src", project, project + ".csproj"));
            var referenced = System.Text.RegularExpressions.Regex.Matches(csproj, @"ProjectReference Include=""[^""]*/(Pipeline\.[A-Za-z]+)\.csproj""")
                .Select(m => m.Groups[1].Value).ToList();
            Assert.True(referenced.All(permitted.Contains), $"{project} references {string.Join(", ", referenced)}; allowed: {string.Join(", ", permitted)}");
        }
    }

    [Fact]
    public void FastText_HasNoPackageReferences()
    {
        // DESIGN §6: managed fastText is BCL only and usable on its own.
        var csproj = File.ReadAllText(Path.Combine(RepoRoot(), "src", "Pipeline.FastText", "Pipeline.FastText.csproj"));
        Assert.Contains("<Project Sdk=\"Microsoft.NET.Sdk\">", csproj, StringComparison.Ordinal);
        Assert.DoesNotContain("PackageReference", csproj, StringComparison.Ordinal);
        Assert.DoesNotContain("ProjectReference", csproj, StringComparison.Ordinal);
    }

    /// <summary>The repository root, found from this source file's compile-time path.</summary>
    private static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string path = "")
    {
        for (var d = new DirectoryInfo(Path.GetDirectoryName(path)!); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Pipeline.sln"))) return d.FullName;
        }
        throw new FileNotFoundException("Pipeline.sln not found above " + path);
    }
}
