using Pipeline.Core.Jobs;

namespace Pipeline.Scoring.PreSelect;

/// <summary>The outcome of a job's PreSelect training step.</summary>
/// <param name="ModelPath">The trained classifier (<c>model.bin</c>).</param>
/// <param name="Labels">The labeling run (strength table, training file, summary).</param>
/// <param name="Evaluation">The classifier on its own training file.</param>
public sealed record PreSelectTrainingOutcome(string ModelPath, PreSelectLabelResult Labels, ClassifierEvaluation Evaluation);

/// <summary>
/// A job's <c>scoring.preselect.train</c> step on local files: <see cref="PreSelectLabelRun"/> (negatives' ties broken by
/// the job seed), then <see cref="PreSelectTraining.Train"/> with PreSelect's settings as the job overrides them, on one
/// thread, so the same inputs give the same model bytes.
/// </summary>
public static class PreSelectJobTraining
{
    /// <summary>Name of the trained classifier in the step's folder.</summary>
    public const string ModelFile = "model.bin";

    /// <summary>The fastText settings of a training step.</summary>
    public static FastText.FastTextArgs ArgsFor(PreSelectTrainSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return PreSelectTraining.DefaultArgs with
        {
            Epoch = spec.Epoch,
            LearningRate = spec.LearningRate,
            WordNgrams = spec.WordNgrams,
            Dim = spec.Dim,
            Bucket = spec.Bucket,
            MinCount = spec.MinCount,
            Seed = spec.Seed,
        };
    }

    /// <summary>Labels and trains into <paramref name="directory"/>; relative input paths resolve against <paramref name="baseDirectory"/>.</summary>
    /// <exception cref="PreSelectInputException">An input is wrong; the message names the file and row.</exception>
    /// <exception cref="FastText.Training.FastTextTrainingException">Training failed (e.g. an empty training file).</exception>
    public static async Task<PreSelectTrainingOutcome> RunAsync(PreSelectSpec preselect, long jobSeed, string baseDirectory, string directory, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(preselect);
        var spec = preselect.Train ?? throw new ArgumentException("scoring.preselect has no train section", nameof(preselect));
        string Resolve(string path) => Path.GetFullPath(path, baseDirectory);
        var request = new PreSelectLabelRequest(Resolve(spec.Losses), Resolve(spec.Benchmarks), spec.Documents.Select(Resolve).ToArray(), directory,
            preselect.Newlines, new PreSelectLabelOptions { Seed = jobSeed }, spec.IdField, spec.TextField);
        var labels = await PreSelectLabelRun.RunAsync(request, ct).ConfigureAwait(false);
        var modelPath = Path.Combine(directory, ModelFile);
        var model = PreSelectTraining.Train(ArgsFor(spec), labels.TrainingPath, modelPath, progress: null, ct);
        var evaluation = await PreSelectTraining.EvaluateAsync(model, labels.TrainingPath, ct).ConfigureAwait(false);
        return new PreSelectTrainingOutcome(modelPath, labels, evaluation);
    }
}
