using Pipeline.Core.Jobs;
using Pipeline.Formats.Manifests;
using Pipeline.Storage;
using Pipeline.Tokens;

namespace Pipeline.Engine;

/// <summary>
/// Everything a stage needs about one job: the spec, where inputs and output live, and the tokenizer.
/// Immutable and shared by all workers of a process.
/// </summary>
public sealed class JobContext
{
    /// <summary>Creates the context; relative locations resolve against <paramref name="baseDirectory"/>.</summary>
    public JobContext(JobSpec spec, string jobHash, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        JobHash = jobHash;
        BaseDirectory = baseDirectory;
        Output = BlobLocation.ForOutput(spec.Output, baseDirectory).Store;
        SourceLocations = spec.Sources.Select(s => BlobLocation.ForInput(s.Uri, baseDirectory)).ToArray();
        var probe = TokenizerFactory.Create(spec.Tokenizer, baseDirectory);
        Tokenizer = new TokenizerInfo(probe.Name, probe.VocabSize, probe.EndOfTextId, probe.EndOfTextId,
            new SortedDictionary<string, int>(probe.SpecialTokens.ToDictionary(), StringComparer.Ordinal), probe.VocabSha256);
        Work = new WorkLayout(jobHash, probe.VocabSha256);
    }

    /// <summary>Keys of this job's intermediate files.</summary>
    public WorkLayout Work { get; }

    /// <summary>The validated job.</summary>
    public JobSpec Spec { get; }

    /// <summary>SHA-256 of the canonical job, output location excluded.</summary>
    public string JobHash { get; }

    /// <summary>Folder that relative locations resolve against.</summary>
    public string BaseDirectory { get; }

    /// <summary>The output store.</summary>
    public IBlobStore Output { get; }

    /// <summary>Resolved input locations, in job order.</summary>
    public IReadOnlyList<BlobLocation> SourceLocations { get; }

    /// <summary>Identity of the job's tokenizer.</summary>
    public TokenizerInfo Tokenizer { get; }

    /// <summary>Creates a tokenizer instance for one worker (instances are not shared between threads).</summary>
    public ITextTokenizer CreateTokenizer() => TokenizerFactory.Create(Spec.Tokenizer, BaseDirectory);

    /// <summary>Writes a value as JSON to the output store.</summary>
    public Task<bool> WriteJsonAsync<T>(string key, T value, WriteMode mode, CancellationToken ct) =>
        Output.WriteAllBytesAsync(key, JsonFiles.Serialize(value), mode, ct);

    /// <summary>Reads a JSON value from the output store, or null when absent.</summary>
    public async Task<T?> TryReadJsonAsync<T>(string key, CancellationToken ct) where T : class =>
        await Output.TryReadAllBytesAsync(key, ct).ConfigureAwait(false) is { } bytes
            ? JsonFiles.Deserialize<T>(bytes, Output.Describe(key))
            : null;
}
