namespace Pipeline.FastText.Training;

/// <summary>
/// fastText 0.9.2's <c>quantize</c>: optional pruning of the input embeddings to the <c>cutoff</c> rows of largest
/// norm (always keeping <c>&lt;/s&gt;</c>), optional retraining of the pruned model, then product quantization of the
/// input (and with <c>-qout</c> the output) matrix, with the reference's k-means and random draws.
/// </summary>
public static class FastTextQuantizer
{
    /// <summary>
    /// Quantizes a supervised model. From <paramref name="qargs"/> it reads <c>Dsub</c>, <c>QuantizeNorm</c>,
    /// <c>QuantizeOutput</c>, <c>Cutoff</c>, <c>Retrain</c> and, for retraining, <c>Epoch</c>, <c>LearningRate</c>,
    /// <c>Threads</c> and <c>Verbose</c>. The source model is not modified.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not supervised or is already quantized.</exception>
    /// <exception cref="FastTextTrainingException">A matrix has fewer than 256 rows, or retraining failed.</exception>
    public static FastTextModel Quantize(
        FastTextModel model,
        FastTextArgs qargs,
        string? retrainInputPath,
        Action<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(qargs);
        if (model.Args.Model != ModelName.Supervised)
        {
            throw new InvalidOperationException("For now we only support quantization of supervised models");
        }
        if (model.Input is not DenseMatrix denseInput || model.Output is not DenseMatrix denseOutput)
        {
            throw new InvalidOperationException("the model is already quantized");
        }
        if (qargs.Dsub <= 0)
        {
            throw new ArgumentException($"dsub must be positive (got {qargs.Dsub})", nameof(qargs));
        }
        FastTextArgs args = model.Args with { QuantizeOutput = qargs.QuantizeOutput, QuantizeNorm = qargs.QuantizeNorm };
        FastTextVocabulary vocab = model.Dictionary;
        int dim = model.Dim;
        DenseMatrix input;
        DenseMatrix output = Copy(denseOutput);
        if (qargs.Cutoff > 0 && qargs.Cutoff < denseInput.Rows)
        {
            int[] idx = SelectEmbeddings(denseInput, vocab, qargs.Cutoff);
            (vocab, idx) = Prune(vocab, idx, args);
            input = new DenseMatrix(idx.Length, dim);
            for (int i = 0; i < idx.Length; i++)
            {
                denseInput.Row(idx[i]).CopyTo(input.Row(i));
            }
            if (qargs.Retrain)
            {
                if (string.IsNullOrEmpty(retrainInputPath) || !File.Exists(retrainInputPath))
                {
                    throw new FastTextTrainingException($"{retrainInputPath} cannot be opened for retraining!");
                }
                FastTextArgs retrainArgs = args with
                {
                    Epoch = qargs.Epoch,
                    LearningRate = qargs.LearningRate,
                    Threads = qargs.Threads,
                    Verbose = qargs.Verbose,
                };
                FastTextTrainer.TrainInPlace(retrainArgs, vocab, input.Data, output.Data, retrainInputPath, progress, cancellationToken);
            }
        }
        else
        {
            input = Copy(denseInput);
        }
        cancellationToken.ThrowIfCancellationRequested();
        QuantMatrix qinput = QuantizeMatrix(input, qargs.Dsub, qargs.QuantizeNorm);
        FastTextMatrix finalOutput = args.QuantizeOutput ? QuantizeMatrix(output, 2, qargs.QuantizeNorm) : output;
        return new FastTextModel(args, vocab, qinput, finalOutput);
    }

    /// <summary>
    /// fastText's <c>selectEmbeddings</c>: row indices sorted by L2 norm, largest first (<c>&lt;/s&gt;</c> always first),
    /// with libstdc++'s introsort, truncated to <paramref name="cutoff"/>.
    /// </summary>
    internal static int[] SelectEmbeddings(DenseMatrix input, FastTextVocabulary vocab, int cutoff)
    {
        int rows = (int)input.Rows;
        float[] norms = L2NormRows(input);
        var idx = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            idx[i] = i;
        }
        int eos = vocab.GetId(FastTextVocabulary.EndOfSentence);
        LibStdSort.Sort(idx.AsSpan(), new NormOrder(norms, eos));
        return idx.AsSpan(0, cutoff).ToArray();
    }

    /// <summary>
    /// fastText's <c>Dictionary::prune</c>: keeps the selected words (in id order) and all labels; selected n-gram
    /// buckets are renumbered in selection order. Returns the new dictionary and the new input row order.
    /// The prune index is written in selection order (the reference writes <c>unordered_map</c> order; loaders do not care).
    /// </summary>
    internal static (FastTextVocabulary Vocab, int[] Rows) Prune(FastTextVocabulary vocab, int[] idx, FastTextArgs args)
    {
        int nwords = vocab.NWords;
        var words = new List<int>();
        var ngrams = new List<int>();
        foreach (int i in idx)
        {
            if (i < nwords)
            {
                words.Add(i);
            }
            else
            {
                ngrams.Add(i);
            }
        }
        words.Sort();
        var rows = new int[words.Count + ngrams.Count];
        words.CopyTo(rows);
        ngrams.CopyTo(rows, words.Count);
        var prune = new List<(int Bucket, int Index)>(ngrams.Count);
        for (int j = 0; j < ngrams.Count; j++)
        {
            prune.Add((ngrams[j] - nwords, j));
        }
        var entries = new List<DictionaryEntry>(words.Count + vocab.NLabels);
        foreach (int w in words)
        {
            entries.Add(vocab.GetEntry(w));
        }
        for (int l = 0; l < vocab.NLabels; l++)
        {
            entries.Add(vocab.GetEntry(nwords + l));
        }
        return (new FastTextVocabulary(entries, vocab.NTokens, prune, args, args.LabelPrefix), rows);
    }

    /// <summary>fastText's <c>QuantMatrix(DenseMatrix&amp;&amp;, dsub, qnorm)</c>; <paramref name="matrix"/> is normalised in place when qnorm.</summary>
    internal static QuantMatrix QuantizeMatrix(DenseMatrix matrix, int dsub, bool qnorm)
    {
        int m = (int)matrix.Rows;
        int n = (int)matrix.Cols;
        var pq = new ProductQuantizerTrainer(n, dsub);
        byte[]? normCodes = null;
        ProductQuantizer? npq = null;
        if (qnorm)
        {
            float[] norms = L2NormRows(matrix);
            for (int i = 0; i < m; i++)
            {
                float d = norms[i];
                if (d != 0)
                {
                    Span<float> row = matrix.Row(i);
                    for (int j = 0; j < n; j++)
                    {
                        row[j] /= d;
                    }
                }
            }
            var normTrainer = new ProductQuantizerTrainer(1, 1);
            normTrainer.Train(m, norms);
            normCodes = new byte[m];
            normTrainer.ComputeCodes(norms, normCodes, m);
            npq = normTrainer.ToQuantizer();
        }
        pq.Train(m, matrix.Data);
        var codes = new byte[(long)m * pq.NSubq];
        pq.ComputeCodes(matrix.Data, codes, m);
        return new QuantMatrix(qnorm, m, n, codes, pq.ToQuantizer(), normCodes, npq);
    }

    /// <summary>fastText's <c>DenseMatrix::l2NormRow</c>: float products summed in double, square root, stored as float.</summary>
    internal static float[] L2NormRows(DenseMatrix matrix)
    {
        int m = (int)matrix.Rows;
        var norms = new float[m];
        Parallel.For(0, m, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            Span<float> row = matrix.Row(i);
            double norm = 0.0;
            foreach (float x in row)
            {
                norm += x * x;
            }
            if (double.IsNaN(norm))
            {
                throw new FastTextTrainingException("Encountered NaN.");
            }
            norms[i] = (float)Math.Sqrt(norm);
        });
        return norms;
    }

    private static DenseMatrix Copy(DenseMatrix source)
    {
        var copy = new DenseMatrix(source.Rows, source.Cols);
        source.Data.AsSpan().CopyTo(copy.Data);
        return copy;
    }

    private readonly struct NormOrder(float[] norms, int eos) : ILess<int>
    {
        public bool Less(in int i1, in int i2)
        {
            if (i1 == eos && i2 == eos)
            {
                return false;
            }
            return eos == i1 || (eos != i2 && norms[i1] > norms[i2]);
        }
    }
}

/// <summary>
/// Trains a <see cref="ProductQuantizer"/> exactly as fastText 0.9.2: 256 centroids per sub-vector, at most
/// 65,536 sampled rows, k-means with 25 iterations, all draws from one <c>minstd_rand(1234)</c>.
/// </summary>
internal sealed class ProductQuantizerTrainer
{
    public const int KSub = 256;
    public const int MaxPointsPerCluster = 256;
    public const int MaxPoints = MaxPointsPerCluster * KSub;
    public const int Seed = 1234;
    public const int NIter = 25;
    public const float Eps = 1e-7f;

    private readonly float[] _centroids;
    private MinStdRand _rng = new(Seed);

    public ProductQuantizerTrainer(int dim, int dsub)
    {
        Dim = dim;
        Dsub = dsub;
        NSubq = dim / dsub;
        LastDsub = dim % dsub;
        if (LastDsub == 0)
        {
            LastDsub = dsub;
        }
        else
        {
            NSubq++;
        }
        _centroids = new float[dim * KSub];
    }

    public int Dim { get; }
    public int NSubq { get; }
    public int Dsub { get; }
    public int LastDsub { get; }

    public ProductQuantizer ToQuantizer() => new(Dim, NSubq, Dsub, LastDsub, _centroids);

    private int CentroidOffset(int m, int i) => m == NSubq - 1 ? (m * KSub * Dsub) + (i * LastDsub) : ((m * KSub) + i) * Dsub;

    public void Train(int n, float[] x)
    {
        if (n < KSub)
        {
            throw new FastTextTrainingException($"Matrix too small for quantization, must have at least {KSub} rows");
        }
        var perm = new int[n];
        for (int i = 0; i < n; i++)
        {
            perm[i] = i;
        }
        int d = Dsub;
        int np = Math.Min(n, MaxPoints);
        var xslice = new float[np * Dsub];
        for (int m = 0; m < NSubq; m++)
        {
            if (m == NSubq - 1)
            {
                d = LastDsub;
            }
            if (np != n)
            {
                _rng.Shuffle(perm.AsSpan());
            }
            for (int j = 0; j < np; j++)
            {
                x.AsSpan((perm[j] * Dim) + (m * Dsub), d).CopyTo(xslice.AsSpan(j * d));
            }
            KMeans(xslice, _centroids.AsSpan(CentroidOffset(m, 0), KSub * d), np, d);
        }
    }

    public void ComputeCodes(float[] x, byte[] codes, int n)
    {
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            int d = Dsub;
            for (int m = 0; m < NSubq; m++)
            {
                if (m == NSubq - 1)
                {
                    d = LastDsub;
                }
                codes[((long)i * NSubq) + m] = AssignCentroid(
                    x.AsSpan((i * Dim) + (m * Dsub), d), _centroids.AsSpan(CentroidOffset(m, 0), KSub * d), d);
            }
        });
    }

    private static float DistL2(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int d)
    {
        float dist = 0;
        for (int i = 0; i < d; i++)
        {
            float tmp = x[i] - y[i];
            dist += tmp * tmp;
        }
        return dist;
    }

    private static byte AssignCentroid(ReadOnlySpan<float> x, ReadOnlySpan<float> centroids, int d)
    {
        float dis = DistL2(x, centroids, d);
        byte code = 0;
        for (int j = 1; j < KSub; j++)
        {
            float disij = DistL2(x, centroids.Slice(j * d, d), d);
            if (disij < dis)
            {
                code = (byte)j;
                dis = disij;
            }
        }
        return code;
    }

    private void KMeans(float[] x, Span<float> c, int n, int d)
    {
        var perm = new int[n];
        for (int i = 0; i < n; i++)
        {
            perm[i] = i;
        }
        _rng.Shuffle(perm.AsSpan());
        for (int i = 0; i < KSub; i++)
        {
            x.AsSpan(perm[i] * d, d).CopyTo(c.Slice(i * d, d));
        }
        var codes = new byte[n];
        float[] centroids = c.ToArray();
        for (int it = 0; it < NIter; it++)
        {
            float[] snapshot = centroids;
            Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                codes[i] = AssignCentroid(x.AsSpan(i * d, d), snapshot, d);
            });
            MStep(x, centroids, codes, d, n);
        }
        centroids.CopyTo(c);
    }

    private void MStep(float[] x, float[] centroids, byte[] codes, int d, int n)
    {
        var nelts = new int[KSub];
        Array.Clear(centroids);
        for (int i = 0; i < n; i++)
        {
            int k = codes[i];
            Span<float> c = centroids.AsSpan(k * d, d);
            ReadOnlySpan<float> xi = x.AsSpan(i * d, d);
            for (int j = 0; j < d; j++)
            {
                c[j] += xi[j];
            }
            nelts[k]++;
        }
        for (int k = 0; k < KSub; k++)
        {
            float z = nelts[k];
            if (z != 0)
            {
                Span<float> c = centroids.AsSpan(k * d, d);
                for (int j = 0; j < d; j++)
                {
                    c[j] /= z;
                }
            }
        }
        for (int k = 0; k < KSub; k++)
        {
            if (nelts[k] == 0)
            {
                int m = 0;
                while (_rng.UniformReal(0, 1) * (n - KSub) >= nelts[m] - 1)
                {
                    m = (m + 1) % KSub;
                }
                centroids.AsSpan(m * d, d).CopyTo(centroids.AsSpan(k * d, d));
                for (int j = 0; j < d; j++)
                {
                    int sign = (j % 2 * 2) - 1;
                    centroids[(k * d) + j] += sign * Eps;
                    centroids[(m * d) + j] -= sign * Eps;
                }
                nelts[k] = nelts[m] / 2;
                nelts[m] -= nelts[k];
            }
        }
    }
}
