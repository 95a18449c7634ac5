namespace Pipeline.FastText.Cli;

/// <summary>
/// fastText's <c>Meter</c>: precision and recall at k over a labeled file, overall and per label. The per-label
/// figures reproduce what the 0.9.2 CLI prints, where the per-label gold count stays 0: per-label recall is
/// always undefined (printed as dashes) and F1 is 2·correct/predicted (it can reach 2). Overall figures are right.
/// </summary>
public sealed class TestMeter
{
    private readonly long[] _predictedPerLabel;
    private readonly long[] _predictedGoldPerLabel;

    private TestMeter(int nlabels)
    {
        _predictedPerLabel = new long[nlabels];
        _predictedGoldPerLabel = new long[nlabels];
    }

    /// <summary>Lines that had at least one known label and one input feature.</summary>
    public long Examples { get; private set; }

    /// <summary>Gold labels counted.</summary>
    public long Gold { get; private set; }

    /// <summary>Predictions made.</summary>
    public long Predicted { get; private set; }

    /// <summary>Predictions that were gold labels.</summary>
    public long PredictedGold { get; private set; }

    /// <summary>Evaluates <paramref name="model"/> on a labeled stream, as <c>fasttext test</c>.</summary>
    public static TestMeter Evaluate(FastTextModel model, Stream input, int k, float threshold)
    {
        ArgumentNullException.ThrowIfNull(model);
        var meter = new TestMeter(model.Dictionary.NLabels);
        FastTextPredictor predictor = model.CreatePredictor();
        var predictions = new Prediction[Math.Max(1, k == -1 ? (int)model.Output.Rows : k)];
        var reader = new LineReader(input);
        reader.ForEachFastTextLine((line, endOfLine) =>
        {
            int rest = predictor.ReadLine(line, endOfLine);
            ReadOnlySpan<int> labels = predictor.LastLabels;
            if (!labels.IsEmpty && !predictor.LastInputIds.IsEmpty)
            {
                int n = predictor.PredictIds(predictor.LastInputIds, k, threshold, predictions);
                meter.Log(labels, predictions.AsSpan(0, n));
            }
            return rest;
        });
        return meter;
    }

    private void Log(ReadOnlySpan<int> labels, ReadOnlySpan<Prediction> predictions)
    {
        Examples++;
        Gold += labels.Length;
        Predicted += predictions.Length;
        foreach (Prediction p in predictions)
        {
            _predictedPerLabel[p.LabelIndex]++;
            if (labels.Contains(p.LabelIndex))
            {
                _predictedGoldPerLabel[p.LabelIndex]++;
                PredictedGold++;
            }
        }
    }

    /// <summary>Overall precision at k.</summary>
    public double Precision() => PredictedGold / (double)Predicted;

    /// <summary>Overall recall at k.</summary>
    public double Recall() => PredictedGold / (double)Gold;

    /// <summary>Precision of one label.</summary>
    public double Precision(int label) => _predictedGoldPerLabel[label] / (double)_predictedPerLabel[label];

    /// <summary>Recall of one label as the 0.9.2 CLI reports it (its per-label gold count is 0, so this is never finite).</summary>
    public double Recall(int label) => _predictedGoldPerLabel[label] / (double)ReferenceGoldPerLabel;

    /// <summary>F1 of one label as the 0.9.2 CLI reports it (with a per-label gold count of 0).</summary>
    public double F1(int label) => 2.0 * _predictedGoldPerLabel[label] / (_predictedPerLabel[label] + ReferenceGoldPerLabel);

    /// <summary>The per-label gold count the reference CLI ends up with (observed: always 0).</summary>
    private const long ReferenceGoldPerLabel = 0;
}
