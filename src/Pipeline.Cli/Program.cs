using System.CommandLine;
using Pipeline.Cli;

var root = new RootCommand("Pipeline: curates pretraining corpora into token-packed Parquet shards.")
{
    RunCommand.Create(),
    ValidateCommand.Create(),
    VerifyCommand.Create(),
    InspectCommand.Create(),
};
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
