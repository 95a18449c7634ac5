using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Pipeline.Core.Jobs;
using Pipeline.Jobs.Internal;

namespace Pipeline.Jobs;

/// <summary>Loads job files: YAML → overrides → validation against schemas/job.schema.json → <see cref="JobSpec"/>.</summary>
public static class JobLoader
{
    /// <summary>The job-file JSON Schema (draft 2020-12), exactly as schemas/job.schema.json.</summary>
    public static string SchemaText => JobSchema.Text;

    /// <summary>Parses YAML, applies overrides (<c>path=value</c>, e.g. <c>pack.seq_len=4096</c>, <c>sources[0].uri=x/*.jsonl</c>),
    /// validates against the job schema and maps the result to a <see cref="JobSpec"/>.</summary>
    /// <param name="yamlText">The job file's text.</param>
    /// <param name="fileNameForMessages">File name shown in error messages.</param>
    /// <param name="overrides">Overrides applied in order before validation; each value is read as YAML (<c>4096</c> is a number).</param>
    /// <returns>The validated job, with defaults filled in.</returns>
    /// <exception cref="JobValidationException">The job file or an override is not valid; lists every error.</exception>
    public static JobSpec Load(string yamlText, string fileNameForMessages, IReadOnlyList<string> overrides)
    {
        var root = Analyze(yamlText, overrides, out var errors);
        if (errors.Count > 0)
        {
            throw new JobValidationException(fileNameForMessages, errors);
        }

        return JobMapper.Map((JsonObject)root!);
    }

    /// <summary>Reads and loads the job file at <paramref name="path"/>; see <see cref="Load"/>.</summary>
    /// <param name="path">Job file path; also the name shown in error messages.</param>
    /// <param name="overrides">Overrides applied in order before validation.</param>
    /// <returns>The validated job, with defaults filled in.</returns>
    /// <exception cref="JobValidationException">The file cannot be read or is not valid; lists every error.</exception>
    public static JobSpec LoadFile(string path, IReadOnlyList<string> overrides)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new JobValidationException(path, [new JobError(string.Empty, 0, 0, "job file not found")], ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new JobValidationException(path, [new JobError(string.Empty, 0, 0, "cannot read the job file: " + ex.Message)], ex);
        }

        return Load(text, path, overrides);
    }

    /// <summary>Checks a job file with its overrides without building the job.</summary>
    /// <param name="yamlText">The job file's text.</param>
    /// <param name="fileNameForMessages">File name for messages (kept for symmetry with <see cref="Load"/>; errors carry positions only).</param>
    /// <param name="overrides">Overrides applied in order before validation.</param>
    /// <returns>Every error, ordered by position (override errors last); empty when the job is valid.</returns>
    public static IReadOnlyList<JobError> Validate(string yamlText, string fileNameForMessages, IReadOnlyList<string> overrides)
    {
        Analyze(yamlText, overrides, out var errors);
        return errors;
    }

    /// <summary>Canonical JSON of the effective job: compact, every field present (defaults filled, absent optionals as null),
    /// keys in ordinal order at every level, sources in job-file order. Its SHA-256 is the job hash.</summary>
    /// <param name="spec">The job.</param>
    /// <returns>The canonical JSON text.</returns>
    public static string CanonicalJson(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return CanonicalJobJson.Write(spec);
    }

    /// <summary>The job hash recorded in the manifest: lowercase hex SHA-256 of the UTF-8 <see cref="CanonicalJson"/>.</summary>
    /// <param name="spec">The job.</param>
    /// <returns>64 lowercase hex digits.</returns>
    public static string JobHash(JobSpec spec) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalJson(spec))));

    private static JsonNode? Analyze(string yamlText, IReadOnlyList<string> overrides, out List<JobError> errors)
    {
        ArgumentNullException.ThrowIfNull(yamlText);
        ArgumentNullException.ThrowIfNull(overrides);
        errors = [];
        var map = new SourceMap();
        var outcome = YamlJsonReader.Read(yamlText, map, errors, out var root);
        if (outcome == YamlReadOutcome.SyntaxError)
        {
            return null;
        }

        if (outcome == YamlReadOutcome.Empty && overrides.Count == 0)
        {
            errors.Add(new JobError(string.Empty, 1, 1, "the job file is empty"));
            return null;
        }

        root = JobOverrides.Apply(root, overrides, map, errors);
        JobSchema.Validate(root, map, errors);
        JobChecks.Check(root, map, errors);
        errors = Order(errors);
        return root;
    }

    private static List<JobError> Order(List<JobError> errors)
    {
        var seen = new HashSet<JobError>();
        var unique = new List<JobError>(errors.Count);
        foreach (var error in errors)
        {
            if (seen.Add(error))
            {
                unique.Add(error);
            }
        }

        // Positioned errors in file order first, then the ones that come from overrides.
        unique.Sort(static (a, b) =>
        {
            var c = (a.Line == 0).CompareTo(b.Line == 0);
            if (c == 0)
            {
                c = a.Line.CompareTo(b.Line);
            }

            if (c == 0)
            {
                c = a.Column.CompareTo(b.Column);
            }

            if (c == 0)
            {
                c = string.CompareOrdinal(a.Path, b.Path);
            }

            return c == 0 ? string.CompareOrdinal(a.Message, b.Message) : c;
        });
        return unique;
    }
}
