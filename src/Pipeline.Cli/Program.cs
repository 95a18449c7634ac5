using System.CommandLine;
using Pipeline.Cli;

if (args.Length > 0 && args[0] == "fasttext")
{
    // The reference fastText CLI's own argument syntax (-input, -output, ...), passed through untouched.
    return FastTextCommand.Run(args[1..]);
}

var root = new RootCommand("Pipeline: curates pretraining corpora into token-packed Parquet shards.")
{
    RunCommand.Create(),
    ValidateCommand.Create(),
    VerifyCommand.Create(),
    InspectCommand.Create(),
    FastTextCommand.CreateHelp(),
    PreSelectCommand.Create(),
    ClusterCommands.Node(),
    ClusterCommands.Status(),
    ClusterCommands.Cancel(),
};
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
