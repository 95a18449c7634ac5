using System.Text;

namespace Pipeline.FastText;

/// <summary>
/// A loaded fastText model (.bin or quantized .ftz), immutable and shared by all threads of a process.
/// Load → save writes the same bytes for version-12 files. Prediction goes through a <see cref="FastTextPredictor"/>
/// (one per thread; <see cref="Predict(ReadOnlySpan{byte}, int, float, Span{Prediction})"/> keeps one per thread for you).
/// </summary>
public sealed class FastTextModel
{
    /// <summary>The magic number at the start of every model file.</summary>
    public const int FileFormatMagic = 793712314;

    /// <summary>The file format version written (fastText 0.9.2 writes 12).</summary>
    public const int FileFormatVersion = 12;

    [ThreadStatic]
    private static FastTextPredictor? t_predictor;

    private DenseMatrix? _wordVectors;

    /// <summary>Assembles a model from its parts (used by loading, training and quantization).</summary>
    public FastTextModel(FastTextArgs args, FastTextVocabulary dictionary, FastTextMatrix input, FastTextMatrix output, int version = FileFormatVersion)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(dictionary);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        Args = args;
        Dictionary = dictionary;
        Input = input;
        Output = output;
        Version = version;
        Validate();
        if (args.Loss == LossName.HierarchicalSoftmax)
        {
            Tree = new HuffmanTree(dictionary.GetCounts(args.Model == ModelName.Supervised ? EntryType.Label : EntryType.Word));
        }
    }

    /// <summary>The model's hyperparameters.</summary>
    public FastTextArgs Args { get; }

    /// <summary>The vocabulary and hashing rules.</summary>
    public FastTextVocabulary Dictionary { get; }

    /// <summary>The input embeddings (words, then n-gram buckets).</summary>
    public FastTextMatrix Input { get; }

    /// <summary>The output weights (one row per label, or per word for unsupervised models).</summary>
    public FastTextMatrix Output { get; }

    /// <summary>The file format version the model was read from.</summary>
    public int Version { get; }

    /// <summary>Whether the input matrix is quantized (.ftz).</summary>
    public bool IsQuantized => Input is QuantMatrix;

    /// <summary>Whether the output matrix is quantized too (<c>-qout</c>).</summary>
    public bool IsOutputQuantized => Output is QuantMatrix;

    /// <summary>The model dimension.</summary>
    public int Dim => Args.Dim;

    /// <summary>The hierarchical-softmax tree, or null for other losses.</summary>
    internal HuffmanTree? Tree { get; }

    /// <summary>Loads a model file.</summary>
    /// <exception cref="FastTextFormatException">The file is not a valid fastText model.</exception>
    public static FastTextModel Load(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        try
        {
            return Load(stream);
        }
        catch (FastTextFormatException e)
        {
            throw new FastTextFormatException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Loads a model from a seekable stream (its length bounds every allocation).</summary>
    /// <exception cref="FastTextFormatException">The stream is not a valid fastText model.</exception>
    public static FastTextModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var reader = new ModelReader(stream);
        if (reader.Remaining < 8)
        {
            throw new FastTextFormatException("not a fastText model: the file is shorter than its 8-byte header (empty or truncated file)");
        }
        int magic = reader.ReadInt32("header");
        if (magic != FileFormatMagic)
        {
            throw new FastTextFormatException($"not a fastText model: wrong magic number 0x{magic:x8} (expected 0x{FileFormatMagic:x8})");
        }
        int version = reader.ReadInt32("header");
        if (version > FileFormatVersion || version < 11)
        {
            throw new FastTextFormatException($"unsupported fastText model version {version} (supported: 11 and 12)");
        }
        FastTextArgs args = LoadArgs(reader);
        if (version == 11 && args.Model == ModelName.Supervised)
        {
            // fastText 0.9.2: old supervised models do not use char n-grams.
            args = args with { Maxn = 0 };
        }
        FastTextVocabulary dictionary = FastTextVocabulary.Load(reader, args);
        bool quantInput = reader.ReadBool("input quantization flag");
        FastTextMatrix input = quantInput ? QuantMatrix.Load(reader, "input matrix") : DenseMatrix.Load(reader, "input matrix");
        if (!quantInput && dictionary.IsPruned)
        {
            throw new FastTextFormatException("invalid fastText model: a pruned dictionary with a dense input matrix (see fastText issue #332)");
        }
        bool qout = reader.ReadBool("output quantization flag");
        args = args with { QuantizeOutput = qout, QuantizeNorm = input is QuantMatrix q && q.QNorm };
        FastTextMatrix output = quantInput && qout ? QuantMatrix.Load(reader, "output matrix") : DenseMatrix.Load(reader, "output matrix");
        return new FastTextModel(args, dictionary, input, output, version);
    }

    private static FastTextArgs LoadArgs(ModelReader reader)
    {
        const string What = "args block";
        int dim = reader.ReadInt32(What);
        int ws = reader.ReadInt32(What);
        int epoch = reader.ReadInt32(What);
        int minCount = reader.ReadInt32(What);
        int neg = reader.ReadInt32(What);
        int wordNgrams = reader.ReadInt32(What);
        int loss = reader.ReadInt32(What);
        int model = reader.ReadInt32(What);
        int bucket = reader.ReadInt32(What);
        int minn = reader.ReadInt32(What);
        int maxn = reader.ReadInt32(What);
        int lrUpdateRate = reader.ReadInt32(What);
        double t = reader.ReadDouble(What);
        if (loss is < 1 or > 4)
        {
            throw new FastTextFormatException($"invalid fastText model: unknown loss {loss}");
        }
        if (model is < 1 or > 3)
        {
            throw new FastTextFormatException($"invalid fastText model: unknown model kind {model}");
        }
        if (dim <= 0 || bucket < 0 || maxn < 0 || minn < 0 || wordNgrams < 0)
        {
            throw new FastTextFormatException(
                $"invalid fastText model: dim {dim}, bucket {bucket}, minn {minn}, maxn {maxn}, wordNgrams {wordNgrams}");
        }
        return new FastTextArgs
        {
            Dim = dim,
            WindowSize = ws,
            Epoch = epoch,
            MinCount = minCount,
            Neg = neg,
            WordNgrams = wordNgrams,
            Loss = (LossName)loss,
            Model = (ModelName)model,
            Bucket = bucket,
            Minn = minn,
            Maxn = maxn,
            LrUpdateRate = lrUpdateRate,
            SamplingThreshold = t,
        };
    }

    private void Validate()
    {
        FastTextVocabulary d = Dictionary;
        if (Input.Cols != Args.Dim || Output.Cols != Args.Dim)
        {
            throw new FastTextFormatException(
                $"invalid fastText model: dim is {Args.Dim} but the matrices have {Input.Cols} and {Output.Cols} columns");
        }
        if (Args.Bucket == 0 && (Args.Maxn > 0 || (Args.Model == ModelName.Supervised && Args.WordNgrams > 1 && !d.IsPruned)))
        {
            throw new FastTextFormatException("invalid fastText model: n-grams are enabled but bucket is 0");
        }
        long needed = d.NWords + (d.IsPruned ? d.PruneIdxSize : Args.Bucket);
        if (Input.Rows < needed)
        {
            throw new FastTextFormatException(
                $"invalid fastText model: the input matrix has {Input.Rows} rows but {d.NWords} words and {(d.IsPruned ? d.PruneIdxSize : Args.Bucket)} buckets need {needed}");
        }
        foreach ((int _, int index) in d.PruneIdx)
        {
            if (index < 0 || d.NWords + (long)index >= Input.Rows)
            {
                throw new FastTextFormatException($"invalid fastText model: pruned n-gram index {index} is outside the input matrix");
            }
        }
        long outRows = Args.Model == ModelName.Supervised ? d.NLabels : d.NWords;
        if (Output.Rows != outRows)
        {
            throw new FastTextFormatException(
                $"invalid fastText model: the output matrix has {Output.Rows} rows, expected {outRows}");
        }
    }

    /// <summary>Writes the model in fastText's format (version 12).</summary>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string temp = path + ".tmp-" + Environment.ProcessId;
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            Save(stream);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Writes the model in fastText's format (version 12) to a stream.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var w = new ModelWriter(stream);
        w.WriteInt32(FileFormatMagic);
        w.WriteInt32(FileFormatVersion);
        w.WriteInt32(Args.Dim);
        w.WriteInt32(Args.WindowSize);
        w.WriteInt32(Args.Epoch);
        w.WriteInt32(Args.MinCount);
        w.WriteInt32(Args.Neg);
        w.WriteInt32(Args.WordNgrams);
        w.WriteInt32((int)Args.Loss);
        w.WriteInt32((int)Args.Model);
        w.WriteInt32(Args.Bucket);
        w.WriteInt32(Args.Minn);
        w.WriteInt32(Args.Maxn);
        w.WriteInt32(Args.LrUpdateRate);
        w.WriteDouble(Args.SamplingThreshold);
        Dictionary.Save(w);
        w.WriteBool(IsQuantized);
        Input.Save(w);
        w.WriteBool(IsOutputQuantized);
        Output.Save(w);
    }

    /// <summary>This thread's cached predictor for this model (one slot per thread: alternating models re-creates it).</summary>
    private FastTextPredictor ThreadPredictor()
    {
        FastTextPredictor? p = t_predictor;
        if (p is null || !ReferenceEquals(p.Model, this))
        {
            t_predictor = p = new FastTextPredictor(this);
        }
        return p;
    }

    /// <summary>A new predictor with its own scratch buffers; use one per thread.</summary>
    public FastTextPredictor CreatePredictor() => new(this);

    /// <summary>
    /// Predicts the top <paramref name="k"/> labels of one line (UTF-8, no newline; the end-of-sentence token is
    /// added as fastText's Python <c>predict</c> does). Thread-safe; allocates nothing after a thread's first call.
    /// </summary>
    /// <returns>The number of predictions written to <paramref name="destination"/>, best first.</returns>
    public int Predict(ReadOnlySpan<byte> utf8Line, int k, float threshold, Span<Prediction> destination) =>
        ThreadPredictor().Predict(utf8Line, k, threshold, destination);

    /// <summary>Predicts the top <paramref name="k"/> labels of one line of text (see the UTF-8 overload).</summary>
    public int Predict(ReadOnlySpan<char> line, int k, float threshold, Span<Prediction> destination) =>
        ThreadPredictor().Predict(line, k, threshold, destination);

    /// <summary>
    /// Predicts many lines on <paramref name="parallelism"/> threads. Line i's predictions go to
    /// <c>results[i*k .. i*k+counts[i]]</c>, best first.
    /// </summary>
    public void PredictBatch(IReadOnlyList<string> lines, int k, float threshold, Prediction[] results, int[] counts, int parallelism = 0)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(counts);
        if (k <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, "k must be 1 or more for batch prediction");
        }
        if (results.Length < (long)lines.Count * k || counts.Length < lines.Count)
        {
            throw new ArgumentException("results must hold lines × k predictions and counts one per line");
        }
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount };
        Parallel.For(0, lines.Count, options, () => CreatePredictor(), (i, _, predictor) =>
        {
            counts[i] = predictor.Predict(lines[i], k, threshold, results.AsSpan(i * k, k));
            return predictor;
        }, _ => { });
    }

    /// <summary>The label index of <paramref name="label"/> (e.g. <c>__label__1</c>), or -1.</summary>
    public int GetLabelIndex(string label)
    {
        int id = Dictionary.GetId(label);
        return id >= Dictionary.NWords ? id - Dictionary.NWords : -1;
    }

    /// <summary>The vector of any word (in vocabulary or not), as fastText's <c>getWordVector</c>.</summary>
    public void GetWordVector(ReadOnlySpan<byte> word, Span<float> vector, List<int> scratch)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        scratch.Clear();
        Dictionary.GetSubwords(word, scratch);
        vector.Clear();
        foreach (int row in scratch)
        {
            Input.AddRowTo(vector, row);
        }
        if (scratch.Count > 0)
        {
            VectorMath.Scale(vector, (float)(1.0 / scratch.Count));
        }
    }

    /// <summary>The vector of any word given as a string.</summary>
    public float[] GetWordVector(string word)
    {
        var v = new float[Dim];
        GetWordVector(Encoding.UTF8.GetBytes(word), v, []);
        return v;
    }

    /// <summary>
    /// The <paramref name="k"/> nearest words to <paramref name="word"/> by cosine similarity (the word itself excluded),
    /// as fastText's <c>nn</c>.
    /// </summary>
    public IReadOnlyList<(float Similarity, string Word)> GetNearestNeighbors(string word, int k)
    {
        ArgumentNullException.ThrowIfNull(word);
        byte[] wordBytes = Encoding.UTF8.GetBytes(word);
        var query = new float[Dim];
        GetWordVector(wordBytes, query, []);
        return Nearest(query, k, [wordBytes]);
    }

    private List<(float, string)> Nearest(float[] query, int k, byte[][] banned)
    {
        DenseMatrix vectors = WordVectors();
        float queryNorm = VectorMath.Norm(query);
        if (MathF.Abs(queryNorm) < 1e-8f)
        {
            queryNorm = 1;
        }
        var heap = new Prediction[k + 1];
        int len = 0;
        for (int i = 0; i < Dictionary.NWords; i++)
        {
            if (IsBanned(Dictionary.GetWordBytes(i), banned))
            {
                continue;
            }
            float dp = vectors.DotRow(query, i);
            float similarity = dp / queryNorm;
            if (len == k && similarity < heap[0].LogProbability)
            {
                continue;
            }
            heap[len++] = new Prediction(i, similarity);
            ReferenceHeap.Push(heap, len);
            if (len > k)
            {
                ReferenceHeap.Pop(heap, len);
                len--;
            }
        }
        ReferenceHeap.Sort(heap, len);
        var result = new List<(float, string)>(len);
        for (int i = 0; i < len; i++)
        {
            result.Add((heap[i].LogProbability, Dictionary.GetWord(heap[i].LabelIndex)));
        }
        return result;
    }

    private static bool IsBanned(ReadOnlySpan<byte> word, byte[][] banned)
    {
        foreach (byte[] b in banned)
        {
            if (word.SequenceEqual(b))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The <paramref name="k"/> words nearest to A − B + C (the three excluded), as fastText's <c>analogies</c>.</summary>
    public IReadOnlyList<(float Similarity, string Word)> GetAnalogies(int k, string wordA, string wordB, string wordC)
    {
        var query = new float[Dim];
        var buffer = new float[Dim];
        var scratch = new List<int>();
        foreach ((string word, double sign) in new[] { (wordA, 1.0), (wordB, -1.0), (wordC, 1.0) })
        {
            GetWordVector(Encoding.UTF8.GetBytes(word), buffer, scratch);
            VectorMath.AddScaled(query, buffer, (float)(sign / (VectorMath.Norm(buffer) + 1e-8)));
        }
        return Nearest(query, k, [Encoding.UTF8.GetBytes(wordA), Encoding.UTF8.GetBytes(wordB), Encoding.UTF8.GetBytes(wordC)]);
    }

    private DenseMatrix WordVectors()
    {
        if (_wordVectors is { } ready)
        {
            return ready;
        }
        var matrix = new DenseMatrix(Dictionary.NWords, Dim);
        var vec = new float[Dim];
        var scratch = new List<int>();
        for (int i = 0; i < Dictionary.NWords; i++)
        {
            GetWordVector(Dictionary.GetWordBytes(i), vec, scratch);
            float norm = VectorMath.Norm(vec);
            if (norm > 0)
            {
                VectorMath.AddScaled(matrix.Row(i), vec, (float)(1.0 / norm));
            }
        }
        Interlocked.CompareExchange(ref _wordVectors, matrix, null);
        return _wordVectors;
    }
}
