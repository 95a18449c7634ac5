namespace Pipeline.FastText;

/// <summary>fastText's lookup tables and the log used for scores, reproduced to the bit.</summary>
public static class FastTextMath
{
    /// <summary>Sigmoid table range: inputs beyond ±8 saturate.</summary>
    public const int MaxSigmoid = 8;

    /// <summary>Sigmoid table resolution.</summary>
    public const int SigmoidTableSize = 512;

    /// <summary>Log table resolution.</summary>
    public const int LogTableSize = 512;

    private static readonly float[] SigmoidTable = BuildSigmoidTable();
    private static readonly float[] LogTable = BuildLogTable();

    private static float[] BuildSigmoidTable()
    {
        var t = new float[SigmoidTableSize + 1];
        for (int i = 0; i < t.Length; i++)
        {
            float x = ((float)(i * 2 * MaxSigmoid) / SigmoidTableSize) - MaxSigmoid;
            t[i] = (float)(1.0 / (1.0 + MathF.Exp(-x)));
        }
        return t;
    }

    private static float[] BuildLogTable()
    {
        var t = new float[LogTableSize + 1];
        for (int i = 0; i < t.Length; i++)
        {
            float x = (float)((i + 1e-5) / LogTableSize);
            t[i] = MathF.Log(x);
        }
        return t;
    }

    /// <summary>The table sigmoid of fastText's losses (0 below -8, 1 above 8).</summary>
    public static float Sigmoid(float x)
    {
        if (x < -MaxSigmoid)
        {
            return 0f;
        }
        if (x > MaxSigmoid)
        {
            return 1f;
        }
        long i = (long)((x + MaxSigmoid) * SigmoidTableSize / MaxSigmoid / 2);
        return SigmoidTable[i];
    }

    /// <summary>The table log of fastText's losses (0 above 1).</summary>
    public static float Log(float x)
    {
        if (x > 1f)
        {
            return 0f;
        }
        long i = (long)(x * LogTableSize);
        return LogTable[i];
    }

    /// <summary>fastText's <c>std_log</c>: <c>log(x + 1e-5)</c> in double, rounded to float.</summary>
    public static float StdLog(float x) => (float)Math.Log(x + 1e-5);
}

/// <summary>A prediction: a label index (0-based among labels) and its log-probability as fastText computes it.</summary>
/// <param name="LabelIndex">Index among labels; the label text is <see cref="FastTextVocabulary.GetLabel"/>.</param>
/// <param name="LogProbability">fastText's score: <c>log(p + 1e-5)</c> (softmax, ova) or a sum of such logs (hs).</param>
public readonly record struct Prediction(int LabelIndex, float LogProbability)
{
    /// <summary>The probability fastText prints: <c>exp(score)</c> in float, so it can exceed 1 by about 1e-5.</summary>
    public float Probability => MathF.Exp(LogProbability);
}

/// <summary>
/// libstdc++'s <c>push_heap</c>/<c>pop_heap</c>/<c>sort_heap</c> with fastText's comparator (<c>l.score &gt; r.score</c>),
/// emulated exactly: equal scores must come out in the reference's order.
/// </summary>
internal static class ReferenceHeap
{
    private static bool Comp(in Prediction l, in Prediction r) => l.LogProbability > r.LogProbability;

    public static void Push(Span<Prediction> heap, int len)
    {
        Prediction value = heap[len - 1];
        PushHole(heap, len - 1, 0, value);
    }

    public static void Pop(Span<Prediction> heap, int len)
    {
        if (len > 1)
        {
            int last = len - 1;
            Prediction value = heap[last];
            heap[last] = heap[0];
            Adjust(heap, 0, last, value);
        }
    }

    public static void Sort(Span<Prediction> heap, int len)
    {
        while (len > 1)
        {
            Pop(heap, len);
            len--;
        }
    }

    private static void PushHole(Span<Prediction> heap, int hole, int top, Prediction value)
    {
        int parent = (hole - 1) / 2;
        while (hole > top && Comp(heap[parent], value))
        {
            heap[hole] = heap[parent];
            hole = parent;
            parent = (hole - 1) / 2;
        }
        heap[hole] = value;
    }

    private static void Adjust(Span<Prediction> heap, int hole, int len, Prediction value)
    {
        int top = hole;
        int second = hole;
        while (second < (len - 1) / 2)
        {
            second = 2 * (second + 1);
            if (Comp(heap[second], heap[second - 1]))
            {
                second--;
            }
            heap[hole] = heap[second];
            hole = second;
        }
        if ((len & 1) == 0 && second == (len - 2) / 2)
        {
            second = 2 * (second + 1);
            heap[hole] = heap[second - 1];
            hole = second - 1;
        }
        PushHole(heap, hole, top, value);
    }
}
