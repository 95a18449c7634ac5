namespace Pipeline.FastText;

/// <summary>fastText loss functions, with the numeric values stored in model files.</summary>
public enum LossName
{
    /// <summary>Hierarchical softmax over a Huffman tree of label counts.</summary>
    HierarchicalSoftmax = 1,
    /// <summary>Negative sampling.</summary>
    NegativeSampling = 2,
    /// <summary>Full softmax.</summary>
    Softmax = 3,
    /// <summary>One-vs-all (independent sigmoids).</summary>
    OneVsAll = 4,
}

/// <summary>fastText model kinds, with the numeric values stored in model files.</summary>
public enum ModelName
{
    /// <summary>Continuous bag of words (unsupervised).</summary>
    Cbow = 1,
    /// <summary>Skip-gram (unsupervised).</summary>
    SkipGram = 2,
    /// <summary>Supervised classifier.</summary>
    Supervised = 3,
}

/// <summary>
/// Hyperparameters of a fastText model. The first group is stored in the model file (the 56-byte args block);
/// the rest only steers training and quantization. Defaults are fastText 0.9.2's for unsupervised training;
/// <see cref="SupervisedDefaults"/> applies the overrides the reference applies for <c>supervised</c>.
/// </summary>
public sealed record FastTextArgs
{
    /// <summary>The label prefix; fastText does not store it in model files, so loaded models always use this.</summary>
    public const string DefaultLabelPrefix = "__label__";

    /// <summary>Size of word vectors.</summary>
    public int Dim { get; init; } = 100;
    /// <summary>Size of the context window (unsupervised).</summary>
    public int WindowSize { get; init; } = 5;
    /// <summary>Number of epochs.</summary>
    public int Epoch { get; init; } = 5;
    /// <summary>Minimal number of word occurrences.</summary>
    public int MinCount { get; init; } = 5;
    /// <summary>Number of negatives sampled.</summary>
    public int Neg { get; init; } = 5;
    /// <summary>Maximal length of word n-grams.</summary>
    public int WordNgrams { get; init; } = 1;
    /// <summary>Loss function.</summary>
    public LossName Loss { get; init; } = LossName.NegativeSampling;
    /// <summary>Model kind.</summary>
    public ModelName Model { get; init; } = ModelName.SkipGram;
    /// <summary>Number of hash buckets for character and word n-grams.</summary>
    public int Bucket { get; init; } = 2_000_000;
    /// <summary>Minimal length of character n-grams.</summary>
    public int Minn { get; init; } = 3;
    /// <summary>Maximal length of character n-grams (0 = off).</summary>
    public int Maxn { get; init; } = 6;
    /// <summary>Rate of updates for the learning rate.</summary>
    public int LrUpdateRate { get; init; } = 100;
    /// <summary>Sampling threshold.</summary>
    public double SamplingThreshold { get; init; } = 1e-4;

    /// <summary>Learning rate (training only).</summary>
    public double LearningRate { get; init; } = 0.05;
    /// <summary>Minimal number of label occurrences (training only).</summary>
    public int MinCountLabel { get; init; }
    /// <summary>Number of training threads (training only).</summary>
    public int Threads { get; init; } = 12;
    /// <summary>Seed of the training random generators (training only).</summary>
    public int Seed { get; init; }
    /// <summary>Label prefix used when reading training data (training only; never stored).</summary>
    public string LabelPrefix { get; init; } = DefaultLabelPrefix;
    /// <summary>Path of pretrained word vectors in .vec format, or null (training only).</summary>
    public string? PretrainedVectors { get; init; }
    /// <summary>Verbosity of training progress (0 = silent, 2 = progress).</summary>
    public int Verbose { get; init; } = 2;
    /// <summary>Whether the output matrix is quantized too (quantize only; stored after the input matrix).</summary>
    public bool QuantizeOutput { get; init; }
    /// <summary>Whether norms are quantized separately (quantize only).</summary>
    public bool QuantizeNorm { get; init; }
    /// <summary>Whether embeddings are fine-tuned after pruning (quantize only).</summary>
    public bool Retrain { get; init; }
    /// <summary>Number of words and n-grams to retain (quantize only; 0 = keep all).</summary>
    public int Cutoff { get; init; }
    /// <summary>Size of each product-quantizer sub-vector (quantize only).</summary>
    public int Dsub { get; init; } = 2;

    /// <summary>fastText 0.9.2's defaults for <c>supervised</c>: softmax, lr 0.1, minCount 1, no char n-grams.</summary>
    public static FastTextArgs SupervisedDefaults { get; } = new()
    {
        Model = ModelName.Supervised,
        Loss = LossName.Softmax,
        MinCount = 1,
        Minn = 0,
        Maxn = 0,
        LearningRate = 0.1,
    };

    /// <summary>fastText 0.9.2's defaults for <c>cbow</c>/<c>skipgram</c>.</summary>
    public static FastTextArgs UnsupervisedDefaults(ModelName model) => new() { Model = model };
}
