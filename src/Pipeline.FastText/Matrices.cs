using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pipeline.FastText;

/// <summary>
/// A fastText matrix (input embeddings or output weights). Row operations reproduce fastText 0.9.2's float
/// arithmetic: element-wise adds may be vectorised (each element is still one float add), dot products are
/// accumulated left to right in float, as the reference does.
/// </summary>
public abstract class FastTextMatrix
{
    /// <summary>Number of rows.</summary>
    public abstract long Rows { get; }

    /// <summary>Number of columns (the model dimension).</summary>
    public abstract long Cols { get; }

    /// <summary>x += row <paramref name="row"/>.</summary>
    public abstract void AddRowTo(Span<float> x, long row);

    /// <summary>Dot product of row <paramref name="row"/> with <paramref name="x"/>, accumulated in order.</summary>
    public abstract float DotRow(ReadOnlySpan<float> x, long row);

    internal abstract void Save(ModelWriter writer);
}

/// <summary>A dense row-major float matrix.</summary>
public sealed class DenseMatrix : FastTextMatrix
{
    private readonly int _rows;
    private readonly int _cols;

    /// <summary>Creates a zero matrix.</summary>
    public DenseMatrix(long rows, long cols)
    {
        long total = checked(rows * cols);
        if (rows < 0 || cols < 0 || total > Array.MaxLength)
        {
            throw new FastTextFormatException(
                $"a {rows} × {cols} matrix has {total} elements, more than one .NET array holds ({Array.MaxLength})");
        }
        _rows = (int)rows;
        _cols = (int)cols;
        Data = new float[total];
    }

    /// <summary>The values, row-major.</summary>
    public float[] Data { get; }

    /// <inheritdoc />
    public override long Rows => _rows;

    /// <inheritdoc />
    public override long Cols => _cols;

    /// <summary>Row <paramref name="row"/> as a span.</summary>
    public Span<float> Row(long row) => Data.AsSpan((int)(row * _cols), _cols);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override void AddRowTo(Span<float> x, long row) => VectorMath.Add(x, Data.AsSpan((int)(row * _cols), _cols));

    /// <inheritdoc />
    public override float DotRow(ReadOnlySpan<float> x, long row) => VectorMath.DotInOrder(Data.AsSpan((int)(row * _cols), _cols), x);

    internal static DenseMatrix Load(ModelReader reader, string what)
    {
        long m = reader.ReadInt64(what + " rows");
        long n = reader.ReadInt64(what + " columns");
        if (m < 0 || n < 0)
        {
            throw new FastTextFormatException($"invalid fastText model: {what} is {m} × {n}");
        }
        if (n > 0 && m > reader.Remaining / 4 / n)
        {
            throw new FastTextFormatException(
                $"invalid fastText model: {what} is {m} × {n} floats but only {reader.Remaining} bytes are left (truncated or corrupt file)");
        }
        var matrix = new DenseMatrix(m, n);
        reader.ReadFloats(matrix.Data, what);
        return matrix;
    }

    internal override void Save(ModelWriter writer)
    {
        writer.WriteInt64(_rows);
        writer.WriteInt64(_cols);
        writer.WriteFloats(Data);
    }
}

/// <summary>A product-quantized matrix (the input, and optionally the output, of a .ftz model).</summary>
public sealed class QuantMatrix : FastTextMatrix
{
    private readonly long _rows;
    private readonly long _cols;

    internal QuantMatrix(bool qnorm, long rows, long cols, byte[] codes, ProductQuantizer pq, byte[]? normCodes, ProductQuantizer? npq)
    {
        QNorm = qnorm;
        _rows = rows;
        _cols = cols;
        Codes = codes;
        Pq = pq;
        NormCodes = normCodes;
        Npq = npq;
    }

    /// <summary>Whether row norms are quantized separately.</summary>
    public bool QNorm { get; }

    internal byte[] Codes { get; }
    internal ProductQuantizer Pq { get; }
    internal byte[]? NormCodes { get; }
    internal ProductQuantizer? Npq { get; }

    /// <inheritdoc />
    public override long Rows => _rows;

    /// <inheritdoc />
    public override long Cols => _cols;

    private float Norm(long row) => QNorm ? Npq!.Centroids[NormCodes![row] * Npq.LastDsub] : 1f;

    /// <inheritdoc />
    public override void AddRowTo(Span<float> x, long row) => Pq.AddCode(x, Codes, row, Norm(row));

    /// <inheritdoc />
    public override float DotRow(ReadOnlySpan<float> x, long row) => Pq.MulCode(x, Codes, row, Norm(row));

    internal static QuantMatrix Load(ModelReader reader, string what)
    {
        bool qnorm = reader.ReadBool(what + " qnorm flag");
        long m = reader.ReadInt64(what + " rows");
        long n = reader.ReadInt64(what + " columns");
        int codeSize = reader.ReadInt32(what + " code size");
        if (m < 0 || n <= 0)
        {
            throw new FastTextFormatException($"invalid fastText model: quantized {what} is {m} × {n}");
        }
        reader.EnsureAvailable(codeSize, 1, what + " codes");
        var codes = new byte[codeSize];
        reader.ReadExactly(codes, what + " codes");
        ProductQuantizer pq = ProductQuantizer.Load(reader, what + " quantizer");
        if (pq.Dim != n || (long)pq.NSubq * m != codeSize)
        {
            throw new FastTextFormatException(
                $"invalid fastText model: quantized {what} has {codeSize} codes for {m} rows of {pq.NSubq} sub-vectors (dim {pq.Dim} vs {n})");
        }
        byte[]? normCodes = null;
        ProductQuantizer? npq = null;
        if (qnorm)
        {
            reader.EnsureAvailable(m, 1, what + " norm codes");
            normCodes = new byte[m];
            reader.ReadExactly(normCodes, what + " norm codes");
            npq = ProductQuantizer.Load(reader, what + " norm quantizer");
            if (npq.Dim != 1)
            {
                throw new FastTextFormatException($"invalid fastText model: the norm quantizer of {what} has dim {npq.Dim}, not 1");
            }
        }
        return new QuantMatrix(qnorm, m, n, codes, pq, normCodes, npq);
    }

    internal override void Save(ModelWriter writer)
    {
        writer.WriteBool(QNorm);
        writer.WriteInt64(_rows);
        writer.WriteInt64(_cols);
        writer.WriteInt32(Codes.Length);
        writer.WriteBytes(Codes);
        Pq.Save(writer);
        if (QNorm)
        {
            writer.WriteBytes(NormCodes);
            Npq!.Save(writer);
        }
    }
}

/// <summary>fastText's product quantizer: 256 centroids per sub-vector of <see cref="Dsub"/> floats.</summary>
public sealed class ProductQuantizer
{
    /// <summary>Number of centroids per sub-quantizer (8-bit codes).</summary>
    public const int KSub = 256;

    internal ProductQuantizer(int dim, int nsubq, int dsub, int lastDsub, float[] centroids)
    {
        Dim = dim;
        NSubq = nsubq;
        Dsub = dsub;
        LastDsub = lastDsub;
        Centroids = centroids;
    }

    /// <summary>Vector dimension.</summary>
    public int Dim { get; }

    /// <summary>Number of sub-quantizers.</summary>
    public int NSubq { get; }

    /// <summary>Size of each sub-vector but the last.</summary>
    public int Dsub { get; }

    /// <summary>Size of the last sub-vector.</summary>
    public int LastDsub { get; }

    /// <summary>The centroids: <c>Dim × 256</c> floats.</summary>
    public float[] Centroids { get; }

    /// <summary>Centroid <paramref name="code"/> of sub-quantizer <paramref name="m"/>.</summary>
    public ReadOnlySpan<float> Centroid(int m, byte code) => m == NSubq - 1
        ? Centroids.AsSpan((m * KSub * Dsub) + (code * LastDsub), LastDsub)
        : Centroids.AsSpan(((m * KSub) + code) * Dsub, Dsub);

    /// <summary>
    /// x += alpha · decode(row), as fastText's <c>addcode</c> (each element: one float multiply, one float add).
    /// The hot path of quantized prediction: bounds are checked once, then the sub-vectors are walked by reference.
    /// </summary>
    public void AddCode(Span<float> x, ReadOnlySpan<byte> codes, long row, float alpha)
    {
        if (x.Length < Dim)
        {
            throw new ArgumentException($"the vector has {x.Length} elements, fewer than the quantizer's {Dim}", nameof(x));
        }
        ReadOnlySpan<byte> code = codes.Slice(checked((int)(NSubq * row)), NSubq);
        ref float centroids = ref MemoryMarshal.GetArrayDataReference(Centroids);
        ref float xr = ref MemoryMarshal.GetReference(x);
        int dsub = Dsub;
        int last = NSubq - 1;
        for (int m = 0; m < last; m++)
        {
            ref float c = ref Unsafe.Add(ref centroids, ((m * KSub) + code[m]) * dsub);
            ref float xs = ref Unsafe.Add(ref xr, m * dsub);
            for (int n = 0; n < dsub; n++)
            {
                Unsafe.Add(ref xs, n) += alpha * Unsafe.Add(ref c, n);
            }
        }
        ref float cl = ref Unsafe.Add(ref centroids, (last * KSub * dsub) + (code[last] * LastDsub));
        ref float xl = ref Unsafe.Add(ref xr, last * dsub);
        for (int n = 0; n < LastDsub; n++)
        {
            Unsafe.Add(ref xl, n) += alpha * Unsafe.Add(ref cl, n);
        }
    }

    /// <summary>alpha · (x · decode(row)), accumulated in order, as fastText's <c>mulcode</c>.</summary>
    public float MulCode(ReadOnlySpan<float> x, ReadOnlySpan<byte> codes, long row, float alpha)
    {
        float res = 0f;
        ReadOnlySpan<byte> code = codes.Slice((int)(NSubq * row), NSubq);
        for (int m = 0; m < NSubq; m++)
        {
            ReadOnlySpan<float> c = Centroid(m, code[m]);
            ReadOnlySpan<float> xs = x.Slice(m * Dsub, c.Length);
            for (int n = 0; n < c.Length; n++)
            {
                res += xs[n] * c[n];
            }
        }
        return res * alpha;
    }

    internal static ProductQuantizer Load(ModelReader reader, string what)
    {
        int dim = reader.ReadInt32(what);
        int nsubq = reader.ReadInt32(what);
        int dsub = reader.ReadInt32(what);
        int lastDsub = reader.ReadInt32(what);
        if (dim <= 0 || nsubq <= 0 || dsub <= 0 || lastDsub <= 0 || (long)dsub * (nsubq - 1) + lastDsub != dim)
        {
            throw new FastTextFormatException(
                $"invalid fastText model: {what} has dim {dim}, {nsubq} sub-quantizers of {dsub} (last {lastDsub})");
        }
        reader.EnsureAvailable((long)dim * KSub, 4, what + " centroids");
        var centroids = new float[dim * KSub];
        reader.ReadFloats(centroids, what + " centroids");
        return new ProductQuantizer(dim, nsubq, dsub, lastDsub, centroids);
    }

    internal void Save(ModelWriter writer)
    {
        writer.WriteInt32(Dim);
        writer.WriteInt32(NSubq);
        writer.WriteInt32(Dsub);
        writer.WriteInt32(LastDsub);
        writer.WriteFloats(Centroids);
    }
}

/// <summary>Float kernels shared by prediction and training.</summary>
public static class VectorMath
{
    /// <summary>x[i] += y[i]; vectorised, each element one float add (bit-identical to a scalar loop).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(Span<float> x, ReadOnlySpan<float> y)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float yr = ref MemoryMarshal.GetReference(y);
            int last = x.Length - Vector<float>.Count;
            for (; i <= last; i += Vector<float>.Count)
            {
                var sum = Vector.LoadUnsafe(ref xr, (nuint)i) + Vector.LoadUnsafe(ref yr, (nuint)i);
                sum.StoreUnsafe(ref xr, (nuint)i);
            }
        }
        for (; i < x.Length; i++)
        {
            x[i] += y[i];
        }
    }

    /// <summary>x[i] += a · y[i]; vectorised, each element one float multiply and one float add (no fused multiply-add).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(Span<float> x, ReadOnlySpan<float> y, float a)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float yr = ref MemoryMarshal.GetReference(y);
            var va = new Vector<float>(a);
            int last = x.Length - Vector<float>.Count;
            for (; i <= last; i += Vector<float>.Count)
            {
                var sum = Vector.LoadUnsafe(ref xr, (nuint)i) + (va * Vector.LoadUnsafe(ref yr, (nuint)i));
                sum.StoreUnsafe(ref xr, (nuint)i);
            }
        }
        for (; i < x.Length; i++)
        {
            x[i] += a * y[i];
        }
    }

    /// <summary>x[i] *= a.</summary>
    public static void Scale(Span<float> x, float a)
    {
        for (int i = 0; i < x.Length; i++)
        {
            x[i] *= a;
        }
    }

    /// <summary>Dot product accumulated left to right in float (the reference's order, so results are bit-identical).</summary>
    public static float DotInOrder(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float d = 0f;
        for (int j = 0; j < a.Length; j++)
        {
            d += a[j] * b[j];
        }
        return d;
    }

    /// <summary>Euclidean norm accumulated in float, as fastText's <c>Vector::norm</c>.</summary>
    public static float Norm(ReadOnlySpan<float> x)
    {
        float sum = 0f;
        for (int i = 0; i < x.Length; i++)
        {
            sum += x[i] * x[i];
        }
        return MathF.Sqrt(sum);
    }
}
