using Pipeline.Core.Documents;
using Pipeline.Core.Jobs;
using Pipeline.FastText;

namespace Pipeline.Scoring.PreSelect;

/// <summary>
/// The Score stage's PreSelect scorer: the probability of the positive label under a fastText classifier, exactly as
/// the reference <c>fasttext predict-prob FILE -1</c> prints it for the document turned into one line by the chosen
/// newline mode. One instance holds the model and is shared by every thread of a process (prediction uses a
/// per-thread predictor and allocates nothing per call beyond the normalized line).
/// </summary>
public sealed class PreSelectScorer : IDocumentScorer
{
    private readonly FastTextModel _model;
    private readonly int _positive;
    private readonly NewlineMode _newlines;

    private PreSelectScorer(FastTextModel model, int positive, NewlineMode newlines)
    {
        _model = model;
        _positive = positive;
        _newlines = newlines;
    }

    /// <summary>The loaded model.</summary>
    public FastTextModel Model => _model;

    /// <summary>Loads the scorer of a job's <c>scoring</c> section from a local model file (the engine's scorer factory).</summary>
    public static IDocumentScorer ForJob(ScoringSpec scoring, string modelPath)
    {
        ArgumentNullException.ThrowIfNull(scoring);
        return Load(scoring.PreSelect, modelPath);
    }

    /// <summary>Loads the classifier at <paramref name="modelPath"/> with <paramref name="spec"/>'s label and newline mode.</summary>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a fastText model (wraps the <see cref="FastTextFormatException"/>).</exception>
    /// <exception cref="ArgumentException">The model is not a classifier with the positive label.</exception>
    public static PreSelectScorer Load(PreSelectSpec spec, string modelPath)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var path = Path.GetFullPath(modelPath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"scoring.preselect.model: no fastText model at {path}", path);
        }
        FastTextModel model;
        try
        {
            model = FastTextModel.Load(path);
        }
        catch (FastTextFormatException ex)
        {
            throw new InvalidDataException($"scoring.preselect.model: {path} is not a usable fastText model: {ex.Message}", ex);
        }
        var labels = model.Dictionary.NLabels;
        var positive = model.GetLabelIndex(spec.PositiveLabel);
        if (positive < 0)
        {
            var names = Enumerable.Range(0, Math.Min(labels, 10)).Select(model.Dictionary.GetLabel);
            throw new ArgumentException(labels == 0
                ? $"scoring.preselect.model: {path} has no labels; PreSelect needs a supervised classifier"
                : $"scoring.preselect.positive_label: {path} has no label '{spec.PositiveLabel}'; its labels are {string.Join(", ", names)}{(labels > 10 ? ", …" : "")}");
        }
        return new PreSelectScorer(model, positive, spec.Newlines);
    }

    /// <summary>The document's score in [0, 1] (a float widened exactly); 0 when the text has no known feature and the model predicts nothing.</summary>
    public double Score(string text) => PositiveProbability(_model, _positive, FastTextLines.Normalize(text, _newlines));

    /// <summary>The probability of label <paramref name="labelIndex"/> among all of <paramref name="model"/>'s predictions for one line.</summary>
    internal static float PositiveProbability(FastTextModel model, int labelIndex, string line)
    {
        int labels = model.Dictionary.NLabels;
        // Binary classifiers (PreSelect's) stay on the stack; a model with many labels must not overflow it.
        Span<Prediction> predictions = labels <= 256 ? stackalloc Prediction[labels] : new Prediction[labels];
        int n = model.Predict(line.AsSpan(), -1, 0f, predictions);
        for (int i = 0; i < n; i++)
        {
            if (predictions[i].LabelIndex == labelIndex) return predictions[i].Probability;
        }
        return 0;
    }
}
