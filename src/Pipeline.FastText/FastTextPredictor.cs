using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace Pipeline.FastText;

/// <summary>
/// Predicts labels and computes sentence vectors with a shared <see cref="FastTextModel"/>, reproducing fastText
/// 0.9.2's arithmetic bit for bit. Holds scratch buffers, so one instance serves one thread; nothing is allocated
/// per call once the buffers have grown to the longest line seen.
/// </summary>
public sealed class FastTextPredictor
{
    private readonly FastTextModel _model;
    private readonly FastTextVocabulary _dict;
    private readonly float[] _hidden;
    private readonly float[] _output;
    private readonly List<int> _words = new(256);
    private readonly List<int> _labels = new(4);
    private readonly LineScratch _scratch = new();
    private Prediction[] _heap = new Prediction[8];
    private byte[] _utf8 = new byte[1024];

    internal FastTextPredictor(FastTextModel model)
    {
        _model = model;
        _dict = model.Dictionary;
        _hidden = new float[model.Dim];
        _output = new float[Math.Max(1, (int)model.Output.Rows)];
    }

    /// <summary>The model this predictor reads.</summary>
    public FastTextModel Model => _model;

    /// <summary>
    /// Predicts the top <paramref name="k"/> labels (k = -1: all) with probability ≥ <paramref name="threshold"/> for one
    /// line of UTF-8 bytes without its newline; the end-of-sentence token is added, as fastText's Python
    /// <c>predict</c> does.
    /// </summary>
    /// <returns>The number of predictions written, best first (0 when the line has no input features).</returns>
    /// <exception cref="ArgumentException">The line contains a newline.</exception>
    public int Predict(ReadOnlySpan<byte> utf8Line, int k, float threshold, Span<Prediction> destination)
    {
        if (utf8Line.Contains((byte)'\n'))
        {
            throw new ArgumentException("predict processes one line at a time: replace or remove '\\n' first", nameof(utf8Line));
        }
        return PredictLine(utf8Line, endOfLine: true, k, threshold, destination);
    }

    /// <summary>Predicts for one line of text (encoded to UTF-8 in a reused buffer); see the byte overload.</summary>
    public int Predict(ReadOnlySpan<char> line, int k, float threshold, Span<Prediction> destination) =>
        Predict(Encode(line), k, threshold, destination);

    /// <summary>
    /// Predicts for one line as fastText's CLI reads it from a file: <paramref name="endOfLine"/> says whether the
    /// line ended with a newline (the file's last line may not).
    /// </summary>
    public int PredictLine(ReadOnlySpan<byte> line, bool endOfLine, int k, float threshold, Span<Prediction> destination) =>
        PredictLine(line, endOfLine, k, threshold, destination, out _);

    /// <summary>
    /// <see cref="PredictLine(ReadOnlySpan{byte}, bool, int, float, Span{Prediction})"/>, reporting where a literal
    /// <c>&lt;/s&gt;</c> token ended the line early (-1 when it did not): the reference reads the rest as another line.
    /// </summary>
    public int PredictLine(ReadOnlySpan<byte> line, bool endOfLine, int k, float threshold, Span<Prediction> destination, out int restStart)
    {
        _dict.GetLine(line, endOfLine, _words, _labels, _scratch, out restStart);
        return PredictIds(CollectionsMarshal.AsSpan(_words), k, threshold, destination);
    }

    /// <summary>
    /// Tokenizes one line into <see cref="LastInputIds"/> and <see cref="LastLabels"/> without predicting; returns
    /// where a literal <c>&lt;/s&gt;</c> ended it early, or -1.
    /// </summary>
    public int ReadLine(ReadOnlySpan<byte> line, bool endOfLine)
    {
        _dict.GetLine(line, endOfLine, _words, _labels, _scratch, out int restStart);
        return restStart;
    }

    /// <summary>The labels (indices among labels) found on the last line given to a predict call.</summary>
    public ReadOnlySpan<int> LastLabels => CollectionsMarshal.AsSpan(_labels);

    /// <summary>The input rows of the last line given to a predict call.</summary>
    public ReadOnlySpan<int> LastInputIds => CollectionsMarshal.AsSpan(_words);

    /// <summary>Predicts from input row ids (as produced by <see cref="FastTextVocabulary.GetLine(ReadOnlySpan{byte}, bool, List{int}, List{int}, LineScratch)"/>).</summary>
    public int PredictIds(ReadOnlySpan<int> inputIds, int k, float threshold, Span<Prediction> destination)
    {
        if (inputIds.IsEmpty)
        {
            return 0;
        }
        if (_model.Args.Model != ModelName.Supervised)
        {
            throw new InvalidOperationException("Model needs to be supervised for prediction!");
        }
        if (k == -1)
        {
            k = (int)_model.Output.Rows;
        }
        else if (k <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, "k needs to be 1 or higher!");
        }
        ComputeHidden(inputIds, _hidden);
        if (_heap.Length < k + 1)
        {
            _heap = new Prediction[k + 1];
        }
        int len = _model.Args.Loss == LossName.HierarchicalSoftmax
            ? HierarchicalSoftmaxKBest(k, threshold)
            : OutputKBest(k, threshold);
        ReferenceHeap.Sort(_heap, len);
        int n = Math.Min(len, destination.Length);
        _heap.AsSpan(0, n).CopyTo(destination);
        return n;
    }

    /// <summary>hidden = mean of the input rows (float adds in input order, then one multiply by the float 1/count).</summary>
    private void ComputeHidden(ReadOnlySpan<int> inputIds, Span<float> hidden)
    {
        hidden.Clear();
        FastTextMatrix input = _model.Input;
        if (input is DenseMatrix dense)
        {
            AddDenseRows(dense.Data, inputIds, hidden);
        }
        else
        {
            foreach (int id in inputIds)
            {
                input.AddRowTo(hidden, id);
            }
        }
        VectorMath.Scale(hidden, (float)(1.0 / inputIds.Length));
    }

    /// <summary>
    /// Sums dense rows. Rows of a large model are scattered over hundreds of MB, so each is a cache miss: the rows a
    /// few tokens ahead are prefetched while the current one is added (measured in docs/benchmarks.md).
    /// </summary>
    private static unsafe void AddDenseRows(float[] data, ReadOnlySpan<int> inputIds, Span<float> hidden)
    {
        const int Ahead = 4;
        int dim = hidden.Length;
        int rowBytes = dim * sizeof(float);
        fixed (float* basePtr = data)
        {
            for (int t = 0; t < inputIds.Length; t++)
            {
                if (Sse.IsSupported && t + Ahead < inputIds.Length)
                {
                    byte* next = (byte*)(basePtr + ((long)inputIds[t + Ahead] * dim));
                    for (int offset = 0; offset < rowBytes; offset += 64)
                    {
                        Sse.Prefetch0(next + offset);
                    }
                }
                VectorMath.Add(hidden, new ReadOnlySpan<float>(basePtr + ((long)inputIds[t] * dim), dim));
            }
        }
    }

    private int OutputKBest(int k, float threshold)
    {
        FastTextMatrix wo = _model.Output;
        int osz = (int)wo.Rows;
        Span<float> output = _output.AsSpan(0, osz);
        for (int i = 0; i < osz; i++)
        {
            output[i] = wo.DotRow(_hidden, i);
        }
        if (_model.Args.Loss == LossName.Softmax)
        {
            float max = output[0];
            float z = 0f;
            for (int i = 0; i < osz; i++)
            {
                max = Math.Max(output[i], max);
            }
            for (int i = 0; i < osz; i++)
            {
                output[i] = (float)Math.Exp(output[i] - max);
                z += output[i];
            }
            for (int i = 0; i < osz; i++)
            {
                output[i] /= z;
            }
        }
        else
        {
            for (int i = 0; i < osz; i++)
            {
                output[i] = FastTextMath.Sigmoid(output[i]);
            }
        }
        Span<Prediction> heap = _heap;
        int len = 0;
        for (int i = 0; i < osz; i++)
        {
            if (output[i] < threshold)
            {
                continue;
            }
            float score = FastTextMath.StdLog(output[i]);
            if (len == k && score < heap[0].LogProbability)
            {
                continue;
            }
            heap[len++] = new Prediction(i, score);
            ReferenceHeap.Push(heap, len);
            if (len > k)
            {
                ReferenceHeap.Pop(heap, len);
                len--;
            }
        }
        return len;
    }

    private int HierarchicalSoftmaxKBest(int k, float threshold)
    {
        HuffmanTree tree = _model.Tree!;
        int len = 0;
        Dfs(tree, k, FastTextMath.StdLog(threshold), (2 * tree.Leaves) - 2, 0f, ref len);
        return len;
    }

    private void Dfs(HuffmanTree tree, int k, float logThreshold, int node, float score, ref int len)
    {
        if (score < logThreshold)
        {
            return;
        }
        Span<Prediction> heap = _heap;
        if (len == k && score < heap[0].LogProbability)
        {
            return;
        }
        HuffmanTree.Node n = tree.Nodes[node];
        if (n.Left == -1 && n.Right == -1)
        {
            heap[len++] = new Prediction(node, score);
            ReferenceHeap.Push(heap, len);
            if (len > k)
            {
                ReferenceHeap.Pop(heap, len);
                len--;
            }
            return;
        }
        float f = _model.Output.DotRow(_hidden, node - tree.Leaves);
        f = (float)(1.0 / (1f + MathF.Exp(-f)));
        Dfs(tree, k, logThreshold, n.Left, score + FastTextMath.StdLog((float)(1.0 - f)), ref len);
        Dfs(tree, k, logThreshold, n.Right, score + FastTextMath.StdLog(f), ref len);
    }

    /// <summary>
    /// The sentence vector of one line, as fastText's <c>getSentenceVector</c>: for supervised models the mean of the
    /// line's input rows (labels dropped, end-of-sentence added when <paramref name="endOfLine"/>); for unsupervised
    /// models the mean of the unit-normalised vectors of its whitespace-separated words.
    /// </summary>
    public void SentenceVector(ReadOnlySpan<byte> line, bool endOfLine, Span<float> vector) => SentenceVector(line, endOfLine, vector, out _);

    /// <summary>
    /// <see cref="SentenceVector(ReadOnlySpan{byte}, bool, Span{float})"/>, reporting where a literal <c>&lt;/s&gt;</c>
    /// ended a supervised line early (-1 when it did not).
    /// </summary>
    public void SentenceVector(ReadOnlySpan<byte> line, bool endOfLine, Span<float> vector, out int restStart)
    {
        vector.Clear();
        restStart = -1;
        if (_model.Args.Model == ModelName.Supervised)
        {
            _dict.GetLine(line, endOfLine, _words, _labels, _scratch, out restStart);
            foreach (int id in _words)
            {
                _model.Input.AddRowTo(vector, id);
            }
            if (_words.Count > 0)
            {
                VectorMath.Scale(vector, (float)(1.0 / _words.Count));
            }
            return;
        }
        Span<float> word = _hidden;
        int count = 0;
        int pos = 0;
        while (CText.NextToken(line, ref pos, out ReadOnlySpan<byte> token))
        {
            _model.GetWordVector(token, word, _words);
            float norm = VectorMath.Norm(word);
            if (norm > 0)
            {
                VectorMath.Scale(word, (float)(1.0 / norm));
                VectorMath.Add(vector, word);
                count++;
            }
        }
        if (count > 0)
        {
            VectorMath.Scale(vector, (float)(1.0 / count));
        }
    }

    private ReadOnlySpan<byte> Encode(ReadOnlySpan<char> text)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_utf8.Length < max)
        {
            _utf8 = new byte[Math.Max(max, _utf8.Length * 2)];
        }
        int n = Encoding.UTF8.GetBytes(text, _utf8);
        return _utf8.AsSpan(0, n);
    }
}
