using System.CommandLine;
using Pipeline.FastText.Cli;

namespace Pipeline.Cli;

/// <summary><c>pipeline fasttext ...</c>: the managed fastText with the reference CLI's commands, flags and output.</summary>
internal static class FastTextCommand
{
    /// <summary>Runs a fastText command with the process's standard streams.</summary>
    public static int Run(string[] args)
    {
        using Stream stdin = Console.OpenStandardInput();
        using Stream stdout = Console.OpenStandardOutput();
        return FastTextCommandLine.Run(args, stdin, stdout, Console.Error);
    }

    /// <summary>A help-only entry so <c>pipeline --help</c> lists the command; real invocations never reach the parser.</summary>
    public static Command CreateHelp() =>
        new("fasttext", "fastText 0.9.2-compatible commands (supervised, quantize, test, predict, predict-prob, nn, dump, ...): pipeline fasttext <command> <args>");
}
