using Pipeline.Core.Documents;
using Pipeline.Core.Jobs;
using Pipeline.Engine.Actors;
using Pipeline.Engine.Planning;
using Pipeline.Engine.Stages;
using Pipeline.Formats.Manifests;
using Pipeline.Storage;
using Pipeline.Tokens;

namespace Pipeline.Engine;

/// <summary>
/// Everything a stage needs about one job: the spec, where inputs and output live, the tokenizer and the scorer.
/// Immutable and shared by all workers of a process; the scoring model is loaded once, when first used.
/// </summary>
public sealed class JobContext
{
    /// <summary>Creates the context; relative locations resolve against <paramref name="baseDirectory"/>.</summary>
    /// <param name="spec">The validated job.</param>
    /// <param name="jobHash">SHA-256 of the canonical job.</param>
    /// <param name="baseDirectory">Folder that relative locations resolve against.</param>
    /// <param name="loadScorer">Loads the scorer of the job's <c>scoring</c> section from a local model file (called at
    /// most once, on first use); the composition root supplies it. Null when this process cannot score (a job with
    /// scoring then fails).</param>
    /// <param name="trainedModel">The model the job's training step made (<c>scoring.preselect.train</c>), as a local
    /// file with the output files that step wrote; required exactly when the job trains.</param>
    /// <param name="jobJson">The effective job as canonical JSON, output included, for workers on other nodes (see
    /// <see cref="Ticket"/>); empty when the job runs in one process.</param>
    /// <param name="runId">The run this context belongs to (<see cref="JobTicket.RunId"/>; empty in-process).</param>
    public JobContext(JobSpec spec, string jobHash, string baseDirectory, Func<ScoringSpec, string, IDocumentScorer>? loadScorer = null,
        TrainedModel? trainedModel = null, string jobJson = "", string runId = "")
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
        if (spec.Scoring?.PreSelect is { } preselect)
        {
            var newlines = preselect.Newlines == NewlineMode.Delete ? "delete" : "space";
            if (preselect.Train is not null)
            {
                if (trainedModel is null) throw new JobFailedException("scoring.preselect.train: the job's training step has not run in this process");
                _modelPath = trainedModel.LocalPath;
                Scorer = new ScorerInfo("preselect", OutputLayout.TrainedModel, trainedModel.Sha256, preselect.PositiveLabel, newlines, trainedModel.Files);
            }
            else
            {
                _modelPath = Path.GetFullPath(preselect.Model!, baseDirectory);
                if (!File.Exists(_modelPath)) throw new JobFailedException($"scoring.preselect.model: no fastText model at {_modelPath}");
                Scorer = new ScorerInfo("preselect", preselect.Model!, Sha256File(_modelPath), preselect.PositiveLabel, newlines);
            }
        }
        _loadScorer = loadScorer;
        _scorer = new Lazy<IDocumentScorer?>(LoadScorer, LazyThreadSafetyMode.ExecutionAndPublication);
        Work = new WorkLayout(jobHash, probe.VocabSha256, Scorer?.ModelSha256);
        Id = IdOf(jobHash, spec.Output);
        Ticket = new JobTicket(Id, jobJson, baseDirectory) { RunId = runId };
        _plan = new Cached<WorkPlan>(() => ReadRequiredJsonAsync<WorkPlan>(OutputLayout.Plan));
        _selection = new Cached<SelectionPlan>(() => ReadRequiredJsonAsync<SelectionPlan>(Work.Selection));
        _units = new Cached<IReadOnlyList<UnitResult>>(async () =>
        {
            var plan = await PlanAsync().ConfigureAwait(false);
            var results = new UnitResult[plan.Units.Count];
            for (var i = 0; i < results.Length; i++) results[i] = await ReadRequiredJsonAsync<UnitResult>(Work.UnitDone(plan.Units[i].Id)).ConfigureAwait(false);
            return results;
        });
    }

    private readonly Cached<WorkPlan> _plan;
    private readonly Cached<SelectionPlan> _selection;
    private readonly Cached<IReadOnlyList<UnitResult>> _units;

    /// <summary>Identity of this job and its output: the first 16 hex digits of sha256(job hash, output).</summary>
    public string Id { get; }

    /// <summary>The <see cref="Id"/> of a job hash and an output location.</summary>
    public static string IdOf(string jobHash, string output) => Core.Hashing.StableHash.Sha256Hex(jobHash + "\u001f" + output)[..16];

    /// <summary>What a worker on another node needs to find or build this context.</summary>
    public JobTicket Ticket { get; }

    /// <summary>The job's plan, read once from the output store (the coordinator writes it before any task runs).</summary>
    public Task<WorkPlan> PlanAsync() => _plan.GetAsync();

    /// <summary>Every unit's Score result in plan order, read once from the completion markers (for the Pack stage).</summary>
    public Task<IReadOnlyList<UnitResult>> UnitResultsAsync() => _units.GetAsync();

    /// <summary>The selection plan, read once from the output store (for the Pack stage).</summary>
    public Task<SelectionPlan> SelectionAsync() => _selection.GetAsync();

    private async Task<T> ReadRequiredJsonAsync<T>(string key) where T : class =>
        await TryReadJsonAsync<T>(key, CancellationToken.None).ConfigureAwait(false)
        ?? throw new JobFailedException($"{Output.Describe(key)} is missing; the coordinator writes it before handing out tasks that need it");

    private readonly Func<ScoringSpec, string, IDocumentScorer>? _loadScorer;
    private readonly string? _modelPath;
    private readonly Lazy<IDocumentScorer?> _scorer;

    /// <summary>Identity of the job's scorer (model file and its SHA-256), or null when the job scores nothing.</summary>
    public ScorerInfo? Scorer { get; }

    /// <summary>The loaded scorer shared by every worker of this process, or null when the job scores nothing.</summary>
    /// <exception cref="JobFailedException">The model cannot be loaded or has no positive label.</exception>
    public IDocumentScorer? DocumentScorer => _scorer.Value;

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

    private IDocumentScorer? LoadScorer()
    {
        if (Spec.Scoring is not { } spec) return null;
        if (_loadScorer is null) throw new JobFailedException("this process has no document scorer, so it cannot run a job with a scoring section");
        try
        {
            return _loadScorer(spec, _modelPath!);
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentException or IOException)
        {
            throw new JobFailedException(ex.Message.StartsWith("scoring.", StringComparison.Ordinal) ? ex.Message : $"scoring.preselect.model: {ex.Message}");
        }
    }

    /// <summary>SHA-256 of a local file, lowercase hex.</summary>
    public static string Sha256File(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    /// <summary>Writes a value as JSON to the output store.</summary>
    public Task<bool> WriteJsonAsync<T>(string key, T value, WriteMode mode, CancellationToken ct) =>
        Output.WriteAllBytesAsync(key, JsonFiles.Serialize(value), mode, ct);

    /// <summary>Reads a JSON value from the output store, or null when absent.</summary>
    public async Task<T?> TryReadJsonAsync<T>(string key, CancellationToken ct) where T : class =>
        await Output.TryReadAllBytesAsync(key, ct).ConfigureAwait(false) is { } bytes
            ? JsonFiles.Deserialize<T>(bytes, Output.Describe(key))
            : null;
}

/// <summary>A value loaded once and shared; a failed or cancelled load is retried by the next caller.</summary>
internal sealed class Cached<T>(Func<Task<T>> load)
{
    private readonly Lock _gate = new();
    private Task<T>? _task;

    public Task<T> GetAsync()
    {
        lock (_gate)
        {
            if (_task is null || _task.IsFaulted || _task.IsCanceled) _task = load();
            return _task;
        }
    }
}

/// <summary>A classifier a job's training step made.</summary>
/// <param name="LocalPath">The model file on this machine.</param>
/// <param name="Sha256">Its SHA-256.</param>
/// <param name="Files">What the step wrote to the output (the model and its label table), for the manifest.</param>
public sealed record TrainedModel(string LocalPath, string Sha256, IReadOnlyList<FileEntry> Files);
