using System.CommandLine;
using Pipeline.Jobs;

namespace Pipeline.Cli;

/// <summary><c>pipeline validate JOB</c>: checks a job file against the schema and reports every error with its line.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var job = new Argument<FileInfo>("job") { Description = "Job file (YAML)" };
        var set = CommonOptions.Set();
        var command = new Command("validate", "Validate a job file against schemas/job.schema.json") { job, set };
        command.SetAction(parse =>
        {
            var file = parse.GetValue(job)!;
            if (!file.Exists)
            {
                Console.Error.WriteLine($"error: job file not found: {file.FullName}");
                return ExitCodes.Usage;
            }
            var errors = JobLoader.Validate(File.ReadAllText(file.FullName), file.Name, parse.GetValue(set) ?? []);
            foreach (var error in errors) Console.Error.WriteLine(error.ToDisplayString(file.ToString()));
            if (errors.Count > 0)
            {
                Console.Error.WriteLine($"{errors.Count} error(s) in {file}");
                return ExitCodes.InvalidJob;
            }
            Console.WriteLine($"{file}: valid");
            return ExitCodes.Ok;
        });
        return command;
    }
}
