using System.Text;
using Pipeline.Core.Jobs;
using Pipeline.FastText;
using Pipeline.FastText.Training;

namespace Pipeline.Scoring.PreSelect;

/// <summary>How well a classifier separates the labels of a training-format file.</summary>
/// <param name="Lines">Labeled lines evaluated.</param>
/// <param name="Positives">Lines labeled <c>__label__1</c>.</param>
/// <param name="Correct">Lines whose top prediction is their label.</param>
/// <param name="TruePositives">Positive lines predicted positive.</param>
/// <param name="PredictedPositives">Lines predicted positive.</param>
public readonly record struct ClassifierEvaluation(long Lines, long Positives, long Correct, long TruePositives, long PredictedPositives)
{
    /// <summary>Share of lines predicted correctly.</summary>
    public double Accuracy => Lines == 0 ? 0 : (double)Correct / Lines;

    /// <summary>Share of positive lines predicted positive.</summary>
    public double Recall => Positives == 0 ? 0 : (double)TruePositives / Positives;

    /// <summary>Share of positive predictions that are positive lines.</summary>
    public double Precision => PredictedPositives == 0 ? 0 : (double)TruePositives / PredictedPositives;
}

/// <summary>Trains and checks PreSelect's fastText classifier with the managed fastText.</summary>
public static class PreSelectTraining
{
    /// <summary>The positive label.</summary>
    public const string PositiveLabel = "__label__1";

    /// <summary>The negative label.</summary>
    public const string NegativeLabel = "__label__0";

    /// <summary>
    /// PreSelect's settings (<c>train_supervised(epoch=3, lr=0.1, wordNgrams=2)</c>, the rest fastText's supervised
    /// defaults: softmax, dim 100, bucket 2,000,000, minCount 1, no character n-grams), on one thread so that the
    /// model is reproducible (fastText's Hogwild threads are not), silent.
    /// </summary>
    public static FastTextArgs DefaultArgs { get; } = FastTextArgs.SupervisedDefaults with
    {
        Epoch = 3,
        LearningRate = 0.1,
        WordNgrams = 2,
        Dim = 100,
        Bucket = 2_000_000,
        MinCount = 1,
        Threads = 1,
        Verbose = 0,
    };

    /// <summary>Trains a classifier on a training file (see <see cref="PreSelectLabelRun"/>) and saves it when <paramref name="outputPath"/> is given.</summary>
    /// <exception cref="FastTextTrainingException">The file is empty or training diverged.</exception>
    public static FastTextModel Train(FastTextArgs args, string trainingFile, string? outputPath, Action<TrainingProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(trainingFile);
        var model = FastTextTrainer.Train(args, trainingFile, progress, log: null, ct);
        if (outputPath is not null)
        {
            string temp = outputPath + ".tmp";
            try
            {
                model.Save(temp);
                File.Move(temp, outputPath, overwrite: true);
            }
            finally
            {
                File.Delete(temp);
            }
        }
        return model;
    }

    /// <summary>
    /// The probability of the positive label for one document, as fastText's <c>predict-prob</c> reports it (k = all
    /// labels), after the chosen newline handling; 0 when the model has no positive label or the text no feature.
    /// </summary>
    public static float PositiveProbability(FastTextPredictor predictor, string text, NewlineMode newlines)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        int positive = predictor.Model.GetLabelIndex(PositiveLabel);
        return positive < 0 ? 0 : PreSelectScorer.PositiveProbability(predictor.Model, positive, FastTextLines.Normalize(text, newlines));
    }

    /// <summary>Evaluates a model on a training-format file (each line's label is its first <c>__label__</c> token), like <c>fasttext test</c> at k = 1.</summary>
    public static async Task<ClassifierEvaluation> EvaluateAsync(FastTextModel model, string path, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(model);
        var predictor = model.CreatePredictor();
        int positive = model.GetLabelIndex(PositiveLabel);
        long lines = 0, positives = 0, correct = 0, truePositives = 0, predictedPositives = 0;
        var predictions = new Prediction[Math.Max(1, model.Dictionary.NLabels)];
        using var reader = new StreamReader(path, new UTF8Encoding(false));
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            bool isPositive = line.StartsWith(PositiveLabel + " ", StringComparison.Ordinal);
            if (!isPositive && !line.StartsWith(NegativeLabel + " ", StringComparison.Ordinal)) continue;
            int n = predictor.Predict(line.AsSpan(), 1, 0f, predictions);
            bool predictedPositive = n > 0 && predictions[0].LabelIndex == positive;
            lines++;
            if (isPositive) positives++;
            if (predictedPositive) predictedPositives++;
            if (predictedPositive == isPositive) correct++;
            if (predictedPositive && isPositive) truePositives++;
        }
        return new ClassifierEvaluation(lines, positives, correct, truePositives, predictedPositives);
    }
}
