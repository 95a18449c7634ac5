using Pipeline.Core.Jobs;
using Pipeline.Engine;
using Pipeline.Formats.Manifests;
using Pipeline.Scoring.PreSelect;
using Pipeline.Storage;

namespace Pipeline.Cli;

/// <summary>The completion marker of a job's PreSelect training step (<c>preselect/train.json</c> in the output).</summary>
/// <param name="JobHash">The job that trained.</param>
/// <param name="Inputs">Fingerprint of the training inputs' contents (<see cref="PreSelectTrainingStep.InputsFingerprint"/>).</param>
/// <param name="Files">The model and the strength table in the output, with their checksums.</param>
/// <param name="Documents">Documents labeled.</param>
/// <param name="Positives">Documents labeled positive (S = 1).</param>
/// <param name="Negatives">Documents labeled negative (the lowest S).</param>
/// <param name="Accuracy">The classifier's accuracy on its own training file.</param>
/// <param name="Precision">Its precision for the positive label there.</param>
/// <param name="Recall">Its recall for the positive label there.</param>
internal sealed record PreSelectTrainingMarker(string JobHash, string Inputs, IReadOnlyList<FileEntry> Files, int Documents, int Positives, int Negatives,
    double Accuracy, double Precision, double Recall);

/// <summary>
/// A job's <c>scoring.preselect.train</c> step, run by <c>run</c> before the engine starts: labels and trains in a local
/// folder (<see cref="PreSelectJobTraining"/>), puts the model and the strength table into the output under
/// <c>preselect/</c>, then writes the marker. A rerun of the same job finds the marker and reuses the model; the
/// training is single-threaded and seeded, so the files are the same bytes either way.
/// </summary>
internal static class PreSelectTrainingStep
{
    /// <summary>The trained model of the job (training it first when needed), or null when the job does not train.</summary>
    public static async Task<TrainedModel?> EnsureAsync(JobSpec spec, string jobHash, string baseDirectory, Action<string> log, CancellationToken ct)
    {
        if (spec.Scoring?.PreSelect is not { Train: not null } preselect) return null;
        var store = BlobLocation.ForOutput(spec.Output, baseDirectory).Store;
        await JobRunner.CheckOutputBelongsToAsync(store, jobHash, ct).ConfigureAwait(false);
        var marker = await store.TryReadAllBytesAsync(OutputLayout.TrainedMarker, ct).ConfigureAwait(false) is { } bytes
            ? JsonFiles.Deserialize<PreSelectTrainingMarker>(bytes, store.Describe(OutputLayout.TrainedMarker))
            : null;
        var inputs = InputsFingerprint(preselect.Train!, baseDirectory);
        if (marker is null || marker.JobHash != jobHash || marker.Inputs != inputs)
        {
            if (marker is not null) log("preselect: the job or its training inputs changed since the classifier was trained; training again");
            marker = await TrainAsync(store, preselect, spec.Seed, jobHash, inputs, baseDirectory, log, ct).ConfigureAwait(false);
        }
        else
        {
            log($"preselect: reusing the classifier trained by this job ({store.Describe(OutputLayout.TrainedModel)})");
        }
        var model = marker.Files.SingleOrDefault(f => f.Path == OutputLayout.TrainedModel)
            ?? throw new JobFailedException($"{store.Describe(OutputLayout.TrainedMarker)} names no {OutputLayout.TrainedModel}; delete it to train again");
        var local = await LocalCopyAsync(store, model, jobHash, ct).ConfigureAwait(false);
        return new TrainedModel(local, model.Sha256, marker.Files);
    }

    /// <summary>
    /// SHA-256 over the training inputs' contents: the loss table and the benchmarks in full, and each document file's
    /// path, size and modification time (they can be large). A rerun trains again when it changes.
    /// </summary>
    public static string InputsFingerprint(PreSelectTrainSpec train, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(train);
        var parts = new List<string>();
        foreach (var file in new[] { train.Losses, train.Benchmarks })
        {
            var path = Path.GetFullPath(file, baseDirectory);
            parts.Add(File.Exists(path) ? JobContext.Sha256File(path) : "missing:" + path);
        }
        foreach (var file in Scoring.Corpus.CorpusFiles.Resolve(train.Documents.Select(d => Path.GetFullPath(d, baseDirectory))))
        {
            var info = new FileInfo(file);
            parts.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{file}:{info.Length}:{info.LastWriteTimeUtc.Ticks}"));
        }
        return Core.Hashing.StableHash.Sha256Hex(string.Join('\n', parts));
    }

    private static async Task<PreSelectTrainingMarker> TrainAsync(IBlobStore store, PreSelectSpec preselect, long seed, string jobHash, string inputs,
        string baseDirectory, Action<string> log, CancellationToken ct)
    {
        var train = preselect.Train!;
        log($"preselect: labeling {string.Join(", ", train.Documents)} from {train.Losses}, then training (epoch {train.Epoch}, lr {train.LearningRate}, wordNgrams {train.WordNgrams}, dim {train.Dim}, bucket {train.Bucket}, 1 thread)");
        var directory = Path.Combine(Path.GetTempPath(), $"pipeline-preselect-{jobHash[..16]}-{Environment.ProcessId}");
        try
        {
            var outcome = await PreSelectJobTraining.RunAsync(preselect, seed, baseDirectory, directory, ct).ConfigureAwait(false);
            var files = new List<FileEntry>
            {
                await UploadAsync(store, outcome.ModelPath, OutputLayout.TrainedModel, rows: 0, ct).ConfigureAwait(false),
                await UploadAsync(store, outcome.Labels.StrengthPath, OutputLayout.TrainedStrength, outcome.Labels.Labels.Documents.Count, ct).ConfigureAwait(false),
            };
            var e = outcome.Evaluation;
            var marker = new PreSelectTrainingMarker(jobHash, inputs, files, outcome.Labels.Documents, outcome.Labels.Labels.Positives, outcome.Labels.Labels.Negatives,
                Math.Round(e.Accuracy, 6), Math.Round(e.Precision, 6), Math.Round(e.Recall, 6));
            await store.WriteAllBytesAsync(OutputLayout.TrainedMarker, JsonFiles.Serialize(marker), WriteMode.Overwrite, ct).ConfigureAwait(false);
            log($"preselect: {marker.Positives:N0} positive and {marker.Negatives:N0} negative documents; accuracy on the training file {e.Accuracy:P2} → {store.Describe(OutputLayout.TrainedModel)}");
            return marker;
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<FileEntry> UploadAsync(IBlobStore store, string localPath, string key, long rows, CancellationToken ct)
    {
        await store.WriteAsync(key, async (destination, c) =>
        {
            await using var source = File.OpenRead(localPath);
            await source.CopyToAsync(destination, 1 << 20, c).ConfigureAwait(false);
        }, WriteMode.Overwrite, ct).ConfigureAwait(false);
        return new FileEntry(key, rows, new FileInfo(localPath).Length, JobContext.Sha256File(localPath));
    }

    /// <summary>The model as a local file: in place for a local output, else downloaded once per process into the temp folder.</summary>
    private static async Task<string> LocalCopyAsync(IBlobStore store, FileEntry model, string jobHash, CancellationToken ct)
    {
        string path;
        if (store is LocalBlobStore local)
        {
            path = Path.Combine(local.Root, model.Path);
        }
        else
        {
            path = Path.Combine(Path.GetTempPath(), $"pipeline-preselect-{jobHash[..16]}-{Environment.ProcessId}.bin");
            var copy = path;
            AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(copy);
            var source = await store.OpenReadAsync(model.Path, 0, ct).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                await using var file = File.Create(path);
                await source.CopyToAsync(file, 1 << 20, ct).ConfigureAwait(false);
            }
        }
        var sha = JobContext.Sha256File(path);
        if (sha != model.Sha256)
        {
            throw new JobFailedException($"{store.Describe(model.Path)}: sha256 {sha} does not match the training marker's {model.Sha256}; delete {OutputLayout.TrainedMarker} to train again");
        }
        return path;
    }
}
