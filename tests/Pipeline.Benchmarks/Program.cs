using BenchmarkDotNet.Running;

namespace Pipeline.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release --project tests/Pipeline.Benchmarks -- --filter '*Token*'</c>.</summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected on the command line.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
