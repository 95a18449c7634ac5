using System.CommandLine;

namespace Pipeline.Cli;

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    public static Option<string[]> Set() => new("--set")
    {
        Description = "Override a job field, e.g. --set pack.seq_len=4096 (repeatable)",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };
}

/// <summary>Process exit codes.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int InvalidJob = 3;
    public const int Cancelled = 130;
}
