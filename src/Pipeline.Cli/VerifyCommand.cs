using System.CommandLine;
using Pipeline.Engine;
using Pipeline.Storage;

namespace Pipeline.Cli;

/// <summary><c>pipeline verify DIR</c>: checks a finished output against its manifest.</summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("output") { Description = "Output folder of a finished job" };
        var command = new Command("verify", "Check shards, lineage and manifest of a finished job") { dir };
        command.SetAction(async (parse, ct) =>
        {
            var location = parse.GetValue(dir)!;
            try
            {
                var store = BlobLocation.ForOutput(location, Environment.CurrentDirectory).Store;
                var report = await OutputVerifier.VerifyAsync(store, ct).ConfigureAwait(false);
                if (report.Problem is not null)
                {
                    Console.Error.WriteLine($"verify FAILED: {report.Problem}");
                    return ExitCodes.Failed;
                }
                Console.WriteLine($"verify OK: {report.Shards} shards, {report.Rows:N0} sequences, {report.Tokens:N0} tokens, {report.LineageRows:N0} lineage rows in {location}");
                return ExitCodes.Ok;
            }
            catch (Exception ex) when (ex is StorageException or InvalidDataException or IOException)
            {
                Console.Error.WriteLine($"verify FAILED: {ex.Message}");
                return ExitCodes.Failed;
            }
        });
        return command;
    }
}
