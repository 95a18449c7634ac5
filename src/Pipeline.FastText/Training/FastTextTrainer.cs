using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Pipeline.FastText.Training;

/// <summary>A training progress report, with the figures the reference CLI prints.</summary>
/// <param name="Progress">Fraction of the planned tokens processed (can exceed 1 slightly at the end).</param>
/// <param name="WordsPerSecondPerThread">Tokens processed per second and per thread.</param>
/// <param name="LearningRate">The current learning rate, <c>lr · (1 - progress)</c>.</param>
/// <param name="Loss">Thread 0's average loss so far (-1 before its first report).</param>
/// <param name="EtaSeconds">Estimated seconds left.</param>
/// <param name="IsFinal">True for the single report after all threads finished.</param>
public readonly record struct TrainingProgress(
    float Progress,
    double WordsPerSecondPerThread,
    double LearningRate,
    float Loss,
    long EtaSeconds,
    bool IsFinal)
{
    /// <summary>The progress line exactly as fastText 0.9.2 prints it (without the leading carriage return).</summary>
    public string Format()
    {
        var c = CultureInfo.InvariantCulture;
        long etah = EtaSeconds / 3600;
        long etam = EtaSeconds % 3600 / 60;
        long etas = EtaSeconds % 60;
        string loss = float.IsNaN(Loss) ? "-nan" : Loss.ToString("F6", c);
        return string.Create(c,
            $"Progress: {100.0 * Progress,5:F1}% words/sec/thread: {(long)WordsPerSecondPerThread,7} lr: {LearningRate,9:F6} avg.loss: {loss,9} ETA: {etah,3}h{etam,2}m{etas,2}s");
    }
}

/// <summary>
/// Trains fastText models (supervised, cbow, skipgram) the way fastText 0.9.2 does: the same dictionary, seeded
/// initialisation, per-thread <c>minstd_rand</c> seeded with <c>threadId + seed</c>, each thread reading its own
/// byte range of the file and sharing the matrices without locks (Hogwild), and a learning rate decaying linearly
/// with the share of tokens processed.
/// </summary>
public static class FastTextTrainer
{
    /// <summary>
    /// Trains a model on <paramref name="inputPath"/>. <paramref name="log"/> receives the dictionary messages
    /// ("Read NM words", ...); <paramref name="progress"/> is called about every 100 ms and once at the end
    /// (when verbose allows, as the reference prints).
    /// </summary>
    /// <exception cref="FastTextTrainingException">Empty vocabulary, bad pretrained vectors, or NaN during training.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled.</exception>
    public static FastTextModel Train(
        FastTextArgs args,
        string inputPath,
        Action<TrainingProgress>? progress = null,
        TextWriter? log = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(inputPath);
        Validate(args);
        if (inputPath == "-")
        {
            throw new FastTextTrainingException("Cannot use stdin for training!");
        }
        if (!File.Exists(inputPath))
        {
            throw new FastTextTrainingException($"{inputPath} cannot be opened for training!");
        }
        FastTextVocabularyBuilder builder = FastTextVocabularyBuilder.ReadFromFile(args, inputPath, log, cancellationToken);
        FastTextVocabulary vocab;
        DenseMatrix input;
        if (!string.IsNullOrEmpty(args.PretrainedVectors))
        {
            (vocab, input) = LoadPretrained(args, builder);
        }
        else
        {
            vocab = builder.Build();
            input = new DenseMatrix(vocab.NWords + (long)args.Bucket, args.Dim);
            UniformInit(input.Data, (float)(1.0 / args.Dim), args.Threads, args.Seed);
        }
        var output = new DenseMatrix(args.Model == ModelName.Supervised ? vocab.NLabels : vocab.NWords, args.Dim);
        var session = new TrainingSession(args, vocab, input.Data, output.Data, inputPath);
        session.Run(progress, cancellationToken);
        return new FastTextModel(args, vocab, input, output);
    }

    /// <summary>Trains further on existing matrices (used by <c>quantize -retrain</c>); the matrices are updated in place.</summary>
    internal static void TrainInPlace(
        FastTextArgs args,
        FastTextVocabulary vocab,
        float[] input,
        float[] output,
        string inputPath,
        Action<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        var session = new TrainingSession(args, vocab, input, output, inputPath);
        session.Run(progress, cancellationToken);
    }

    private static void Validate(FastTextArgs args)
    {
        if (args.Dim <= 0 || args.Epoch < 0 || args.Threads <= 0 || args.WindowSize <= 0 || args.Bucket < 0 || args.LrUpdateRate <= 0)
        {
            throw new ArgumentException(
                $"invalid fastText args: dim {args.Dim}, epoch {args.Epoch}, thread {args.Threads}, ws {args.WindowSize}, bucket {args.Bucket}, lrUpdateRate {args.LrUpdateRate}",
                nameof(args));
        }
        if (args.Bucket == 0 && (args.Maxn > 0 || (args.Model == ModelName.Supervised && args.WordNgrams > 1)))
        {
            throw new ArgumentException("n-grams need buckets: set bucket > 0 or disable wordNgrams and maxn", nameof(args));
        }
    }

    /// <summary>
    /// fastText 0.9.2's <c>DenseMatrix::uniform</c>, quirk included: the matrix is cut into 10 blocks and only blocks
    /// 0 .. thread-1 are filled (each from <c>minstd_rand(block + seed)</c>); with fewer than 10 threads the rest stays 0.
    /// </summary>
    internal static void UniformInit(float[] data, float a, int threads, int seed)
    {
        long total = data.LongLength;
        long blockSize = total / 10;
        int blocks = Math.Max(1, threads);
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(blocks, Environment.ProcessorCount) }, block =>
        {
            var rng = new MinStdRand((long)block + seed);
            double lo = -a;
            double hi = a;
            for (long i = blockSize * block; i < total && i < blockSize * (block + 1); i++)
            {
                data[i] = (float)rng.UniformReal(lo, hi);
            }
        });
    }

    /// <summary>fastText's <c>getInputMatrixFromFile</c>: adds the .vec words to the dictionary, re-thresholds, copies their vectors.</summary>
    private static (FastTextVocabulary Vocab, DenseMatrix Input) LoadPretrained(FastTextArgs args, FastTextVocabularyBuilder builder)
    {
        string path = args.PretrainedVectors!;
        if (!File.Exists(path))
        {
            throw new FastTextTrainingException($"{path} cannot be opened for loading!");
        }
        byte[] text = File.ReadAllBytes(path);
        int pos = 0;
        long n = long.Parse(NextField(text, ref pos), NumberStyles.Integer, CultureInfo.InvariantCulture);
        long dim = long.Parse(NextField(text, ref pos), NumberStyles.Integer, CultureInfo.InvariantCulture);
        if (dim != args.Dim)
        {
            throw new FastTextTrainingException($"Dimension of pretrained vectors ({dim}) does not match dimension ({args.Dim})!");
        }
        var words = new List<byte[]>((int)Math.Min(n, 1 << 20));
        var values = new float[checked(n * dim)];
        for (long i = 0; i < n; i++)
        {
            byte[] word = NextField(text, ref pos).ToArray();
            if (word.Length == 0)
            {
                throw new FastTextTrainingException($"{path}: expected {n} vectors but the file ends after {i}");
            }
            words.Add(word);
            builder.Add(word);
            for (long j = 0; j < dim; j++)
            {
                ReadOnlySpan<byte> field = NextField(text, ref pos);
                if (!float.TryParse(Encoding.ASCII.GetString(field), NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
                {
                    throw new FastTextTrainingException($"{path}: vector {i} has a bad value '{Encoding.UTF8.GetString(field)}'");
                }
                values[(i * dim) + j] = v;
            }
        }
        builder.Threshold(1, 0);
        FastTextVocabulary vocab = builder.Build();
        var input = new DenseMatrix(vocab.NWords + (long)args.Bucket, args.Dim);
        UniformInit(input.Data, (float)(1.0 / args.Dim), args.Threads, args.Seed);
        for (int i = 0; i < words.Count; i++)
        {
            int idx = vocab.GetId(words[i]);
            if (idx < 0 || idx >= vocab.NWords)
            {
                continue;
            }
            values.AsSpan((int)(i * dim), (int)dim).CopyTo(input.Row(idx));
        }
        return (vocab, input);
    }

    private static ReadOnlySpan<byte> NextField(byte[] text, ref int pos)
    {
        CText.NextToken(text, ref pos, out ReadOnlySpan<byte> token);
        return token;
    }
}

/// <summary>Shared state of one training run: the matrices, the loss tables, the token counter.</summary>
internal sealed class TrainingSession
{
    public const int NegativeTableSize = 10_000_000;
    public const int MaxLineSize = 1024;

    private long _tokenCount;
    private float _loss = -1f;
    private volatile bool _stop;
    private volatile bool _nan;

    public TrainingSession(FastTextArgs args, FastTextVocabulary vocab, float[] input, float[] output, string inputPath)
    {
        Args = args;
        Vocab = vocab;
        Input = input;
        Output = output;
        InputPath = inputPath;
        Dim = args.Dim;
        OutputRows = output.Length / args.Dim;
        NTokens = vocab.NTokens;
        long[] counts = vocab.GetCounts(args.Model == ModelName.Supervised ? EntryType.Label : EntryType.Word);
        if (args.Model != ModelName.Supervised)
        {
            Discard = FastTextVocabularyBuilder.DiscardTable(vocab, args.SamplingThreshold);
        }
        if (args.Loss == LossName.NegativeSampling)
        {
            Negatives = BuildNegatives(counts);
        }
        else if (args.Loss == LossName.HierarchicalSoftmax)
        {
            Tree = new HuffmanTree(counts);
        }
    }

    public FastTextArgs Args { get; }
    public FastTextVocabulary Vocab { get; }
    public float[] Input { get; }
    public float[] Output { get; }
    public string InputPath { get; }
    public int Dim { get; }
    public int OutputRows { get; }
    public long NTokens { get; }
    public float[]? Discard { get; }
    public int[]? Negatives { get; }
    public HuffmanTree? Tree { get; }

    public long TokenCount => Interlocked.Read(ref _tokenCount);

    public bool KeepTraining => !_stop && !_nan && Interlocked.Read(ref _tokenCount) < Args.Epoch * NTokens;

    public void AddTokens(long n) => Interlocked.Add(ref _tokenCount, n);

    public void ReportLoss(float loss) => Volatile.Write(ref _loss, loss);

    public void SignalNaN() => _nan = true;

    /// <summary>The reference's negative table: each target repeated ⌈√count · 10M / Σ√count⌉ times, drawn uniformly.</summary>
    private static int[] BuildNegatives(long[] counts)
    {
        float z = 0f;
        foreach (long c in counts)
        {
            z += (float)Math.Pow(c, 0.5);
        }
        var list = new List<int>(NegativeTableSize + counts.Length);
        for (int i = 0; i < counts.Length; i++)
        {
            float c = (float)Math.Pow(counts[i], 0.5);
            float limit = c * NegativeTableSize / z;
            for (ulong j = 0; j < limit; j++)
            {
                list.Add(i);
            }
        }
        return [.. list];
    }

    public void Run(Action<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        int threads = Args.Threads;
        long fileSize = new FileInfo(InputPath).Length;
        var start = Stopwatch.StartNew();
        using var done = new CountdownEvent(threads);
        Exception? failure = null;
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int threadId = t;
            workers[t] = new Thread(() =>
            {
                try
                {
                    new TrainingWorker(this, threadId, threadId * fileSize / threads).Run();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FastTextFormatException)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                    _stop = true;
                }
                finally
                {
                    done.Signal();
                }
            })
            {
                IsBackground = true,
                Name = $"fasttext-train-{threadId}",
            };
            workers[t].Start();
        }
        while (!done.Wait(100, CancellationToken.None))
        {
            if (cancellationToken.IsCancellationRequested)
            {
                _stop = true;
            }
            float loss = Volatile.Read(ref _loss);
            if (progress is not null && loss >= 0 && Args.Verbose > 1 && !_stop)
            {
                progress(Report(start.Elapsed.TotalSeconds, (float)TokenCount / (Args.Epoch * NTokens), loss, false));
            }
        }
        foreach (Thread w in workers)
        {
            w.Join();
        }
        if (failure is not null)
        {
            throw new FastTextTrainingException($"training failed: {failure.Message}", failure);
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (_nan)
        {
            throw new FastTextTrainingException("Encountered NaN.");
        }
        if (progress is not null && Args.Verbose > 0)
        {
            progress(Report(start.Elapsed.TotalSeconds, 1f, Volatile.Read(ref _loss), true));
        }
    }

    private TrainingProgress Report(double t, float progress, float loss, bool final)
    {
        double lr = Args.LearningRate * (1.0 - progress);
        double wst = 0;
        long eta = 2592000;
        if (progress > 0 && t >= 0)
        {
            double p = progress * 100.0;
            eta = (long)(t * (100 - p) / p);
            wst = TokenCount / t / Args.Threads;
        }
        return new TrainingProgress(progress, wst, lr, loss, eta, final);
    }
}

/// <summary>One Hogwild training thread: its own file position, random generator and scratch vectors.</summary>
internal sealed class TrainingWorker
{
    private readonly TrainingSession _s;
    private readonly int _threadId;
    private readonly long _offset;
    private readonly int _dim;
    private readonly float[] _hidden;
    private readonly float[] _grad;
    private readonly float[] _output;
    private readonly List<int> _words = new(1024);
    private readonly List<int> _labels = new(8);
    private readonly LineScratch _scratch = new();
    private int[] _bow = new int[1024];
    private MinStdRand _rng;
    private float _lossValue;
    private long _nexamples;

    public TrainingWorker(TrainingSession session, int threadId, long offset)
    {
        _s = session;
        _threadId = threadId;
        _offset = offset;
        _dim = session.Dim;
        _hidden = new float[_dim];
        _grad = new float[_dim];
        _output = new float[Math.Max(1, session.OutputRows)];
        _rng = new MinStdRand((long)threadId + session.Args.Seed);
    }

    private float Loss => _nexamples == 0 ? float.NaN : _lossValue / _nexamples;

    public void Run()
    {
        FastTextArgs args = _s.Args;
        using var reader = new TrainingFileReader(_s.InputPath, _offset);
        long localTokenCount = 0;
        float totalTokensF = (float)(args.Epoch * _s.NTokens);
        while (_s.KeepTraining)
        {
            float progress = _s.TokenCount / totalTokensF;
            float lr = (float)(args.LearningRate * (1.0 - progress));
            if (args.Model == ModelName.Supervised)
            {
                reader.ResetIfEof();
                ReadOnlySpan<byte> line = reader.ReadLine(out bool endOfLine);
                localTokenCount += _s.Vocab.GetLine(line, endOfLine, _words, _labels, _scratch);
                Supervised(lr);
            }
            else
            {
                localTokenCount += GetUnsupervisedLine(reader);
                if (args.Model == ModelName.Cbow)
                {
                    Cbow(lr);
                }
                else
                {
                    SkipGram(lr);
                }
            }
            if (localTokenCount > args.LrUpdateRate)
            {
                _s.AddTokens(localTokenCount);
                localTokenCount = 0;
                if (_threadId == 0 && args.Verbose > 1)
                {
                    _s.ReportLoss(Loss);
                }
            }
        }
        if (_threadId == 0)
        {
            _s.ReportLoss(Loss);
        }
    }

    /// <summary>fastText's unsupervised <c>getLine</c>: in-vocabulary words, subsampled, at most 1024 tokens.</summary>
    private int GetUnsupervisedLine(TrainingFileReader reader)
    {
        reader.ResetIfEof();
        _words.Clear();
        FastTextVocabulary vocab = _s.Vocab;
        float[] discard = _s.Discard!;
        int ntokens = 0;
        while (reader.ReadWord(out ReadOnlySpan<byte> token))
        {
            int wid = vocab.GetId(token);
            if (wid < 0)
            {
                continue;
            }
            ntokens++;
            if (vocab.GetEntryType(wid) == EntryType.Word && !((float)_rng.UniformReal(0, 1) > discard[wid]))
            {
                _words.Add(wid);
            }
            if (ntokens > TrainingSession.MaxLineSize || token.SequenceEqual(FastTextVocabulary.EndOfSentence))
            {
                break;
            }
        }
        return ntokens;
    }

    private void Supervised(float lr)
    {
        if (_labels.Count == 0 || _words.Count == 0)
        {
            return;
        }
        ReadOnlySpan<int> input = CollectionsMarshal.AsSpan(_words);
        ReadOnlySpan<int> labels = CollectionsMarshal.AsSpan(_labels);
        if (_s.Args.Loss == LossName.OneVsAll)
        {
            Update(input, labels, -1, lr);
        }
        else
        {
            int i = (int)_rng.UniformInt(0, labels.Length - 1);
            Update(input, labels, i, lr);
        }
    }

    private void Cbow(float lr)
    {
        ReadOnlySpan<int> line = CollectionsMarshal.AsSpan(_words);
        FastTextVocabulary vocab = _s.Vocab;
        int ws = _s.Args.WindowSize;
        for (int w = 0; w < line.Length; w++)
        {
            int boundary = (int)_rng.UniformInt(1, ws);
            int n = 0;
            for (int c = -boundary; c <= boundary; c++)
            {
                if (c != 0 && w + c >= 0 && w + c < line.Length)
                {
                    ReadOnlySpan<int> ngrams = vocab.GetSubwords(line[w + c]);
                    if (n + ngrams.Length > _bow.Length)
                    {
                        Array.Resize(ref _bow, Math.Max(_bow.Length * 2, n + ngrams.Length));
                    }
                    ngrams.CopyTo(_bow.AsSpan(n));
                    n += ngrams.Length;
                }
            }
            Update(_bow.AsSpan(0, n), line, w, lr);
        }
    }

    private void SkipGram(float lr)
    {
        ReadOnlySpan<int> line = CollectionsMarshal.AsSpan(_words);
        FastTextVocabulary vocab = _s.Vocab;
        int ws = _s.Args.WindowSize;
        for (int w = 0; w < line.Length; w++)
        {
            int boundary = (int)_rng.UniformInt(1, ws);
            ReadOnlySpan<int> ngrams = vocab.GetSubwords(line[w]);
            for (int c = -boundary; c <= boundary; c++)
            {
                if (c != 0 && w + c >= 0 && w + c < line.Length)
                {
                    Update(ngrams, line, w + c, lr);
                }
            }
        }
    }

    /// <summary>fastText's <c>Model::update</c>: hidden = mean of input rows, loss forward/backward, scatter the gradient.</summary>
    private void Update(ReadOnlySpan<int> input, ReadOnlySpan<int> targets, int targetIndex, float lr)
    {
        if (input.IsEmpty)
        {
            return;
        }
        int dim = _dim;
        ref float hidden = ref MemoryMarshal.GetArrayDataReference(_hidden);
        ref float grad = ref MemoryMarshal.GetArrayDataReference(_grad);
        ref float wi = ref MemoryMarshal.GetArrayDataReference(_s.Input);
        Array.Clear(_hidden);
        foreach (int id in input)
        {
            TrainMath.Add(ref hidden, ref Unsafe.Add(ref wi, (nint)id * dim), dim);
        }
        TrainMath.Scale(ref hidden, (float)(1.0 / input.Length), dim);
        Array.Clear(_grad);
        float loss = _s.Args.Loss switch
        {
            LossName.Softmax => Softmax(targets[targetIndex], lr),
            LossName.NegativeSampling => NegativeSampling(targets[targetIndex], lr),
            LossName.HierarchicalSoftmax => HierarchicalSoftmax(targets[targetIndex], lr),
            _ => OneVsAll(targets, lr),
        };
        if (float.IsNaN(loss))
        {
            _s.SignalNaN();
        }
        _lossValue += loss;
        _nexamples++;
        if (_s.Args.Model == ModelName.Supervised)
        {
            TrainMath.Scale(ref grad, (float)(1.0 / input.Length), dim);
        }
        foreach (int id in input)
        {
            TrainMath.Add(ref Unsafe.Add(ref wi, (nint)id * dim), ref grad, dim);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float BinaryLogistic(int target, bool labelIsPositive, float lr)
    {
        int dim = _dim;
        ref float hidden = ref MemoryMarshal.GetArrayDataReference(_hidden);
        ref float row = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_s.Output), (nint)target * dim);
        float score = FastTextMath.Sigmoid(TrainMath.Dot(ref row, ref hidden, dim));
        float alpha = lr * ((labelIsPositive ? 1f : 0f) - score);
        TrainMath.UpdateBoth(ref MemoryMarshal.GetArrayDataReference(_grad), ref row, ref hidden, alpha, dim);
        return labelIsPositive ? -FastTextMath.Log(score) : -FastTextMath.Log(1f - score);
    }

    private float NegativeSampling(int target, float lr)
    {
        int[] negatives = _s.Negatives!;
        float loss = BinaryLogistic(target, true, lr);
        long last = negatives.Length - 1;
        for (int n = 0; n < _s.Args.Neg; n++)
        {
            int negative;
            do
            {
                negative = negatives[_rng.UniformInt(0, last)];
            }
            while (negative == target);
            loss += BinaryLogistic(negative, false, lr);
        }
        return loss;
    }

    private float HierarchicalSoftmax(int target, float lr)
    {
        HuffmanTree tree = _s.Tree!;
        int[] path = tree.Paths[target];
        bool[] code = tree.Codes[target];
        float loss = 0f;
        for (int i = 0; i < path.Length; i++)
        {
            loss += BinaryLogistic(path[i], code[i], lr);
        }
        return loss;
    }

    private float OneVsAll(ReadOnlySpan<int> targets, float lr)
    {
        float loss = 0f;
        int osz = _s.OutputRows;
        for (int i = 0; i < osz; i++)
        {
            loss += BinaryLogistic(i, targets.Contains(i), lr);
        }
        return loss;
    }

    private float Softmax(int target, float lr)
    {
        int dim = _dim;
        int osz = _s.OutputRows;
        ref float hidden = ref MemoryMarshal.GetArrayDataReference(_hidden);
        ref float grad = ref MemoryMarshal.GetArrayDataReference(_grad);
        ref float wo = ref MemoryMarshal.GetArrayDataReference(_s.Output);
        Span<float> output = _output.AsSpan(0, osz);
        for (int i = 0; i < osz; i++)
        {
            output[i] = TrainMath.Dot(ref Unsafe.Add(ref wo, (nint)i * dim), ref hidden, dim);
        }
        float max = output[0];
        for (int i = 0; i < osz; i++)
        {
            max = Math.Max(output[i], max);
        }
        float z = 0f;
        for (int i = 0; i < osz; i++)
        {
            output[i] = MathF.Exp(output[i] - max);
            z += output[i];
        }
        for (int i = 0; i < osz; i++)
        {
            output[i] /= z;
        }
        for (int i = 0; i < osz; i++)
        {
            float label = i == target ? 1f : 0f;
            float alpha = lr * (label - output[i]);
            TrainMath.UpdateBoth(ref grad, ref Unsafe.Add(ref wo, (nint)i * dim), ref hidden, alpha, dim);
        }
        return -FastTextMath.Log(output[target]);
    }
}
