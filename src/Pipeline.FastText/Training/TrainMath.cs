using System.Numerics;
using System.Runtime.CompilerServices;

namespace Pipeline.FastText.Training;

/// <summary>
/// SIMD kernels of the training hot loops. Unlike <see cref="VectorMath"/> these do not reproduce the reference's
/// float summation order (training only has to be as accurate as the reference, not bit-identical).
/// </summary>
internal static class TrainMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ref float a, ref float b, int n)
    {
        int i = 0;
        int vc = Vector<float>.Count;
        var acc0 = Vector<float>.Zero;
        var acc1 = Vector<float>.Zero;
        for (; i <= n - (2 * vc); i += 2 * vc)
        {
            acc0 += Vector.LoadUnsafe(ref a, (nuint)i) * Vector.LoadUnsafe(ref b, (nuint)i);
            acc1 += Vector.LoadUnsafe(ref a, (nuint)(i + vc)) * Vector.LoadUnsafe(ref b, (nuint)(i + vc));
        }
        if (i <= n - vc)
        {
            acc0 += Vector.LoadUnsafe(ref a, (nuint)i) * Vector.LoadUnsafe(ref b, (nuint)i);
            i += vc;
        }
        float s = Vector.Sum(acc0 + acc1);
        for (; i < n; i++)
        {
            s += Unsafe.Add(ref a, i) * Unsafe.Add(ref b, i);
        }
        return s;
    }

    /// <summary>y += x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(ref float y, ref float x, int n)
    {
        int i = 0;
        int vc = Vector<float>.Count;
        for (; i <= n - vc; i += vc)
        {
            (Vector.LoadUnsafe(ref y, (nuint)i) + Vector.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
        }
        for (; i < n; i++)
        {
            Unsafe.Add(ref y, i) += Unsafe.Add(ref x, i);
        }
    }

    /// <summary>y += a · x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(ref float y, ref float x, float a, int n)
    {
        int i = 0;
        int vc = Vector<float>.Count;
        var va = new Vector<float>(a);
        for (; i <= n - vc; i += vc)
        {
            (Vector.LoadUnsafe(ref y, (nuint)i) + (va * Vector.LoadUnsafe(ref x, (nuint)i))).StoreUnsafe(ref y, (nuint)i);
        }
        for (; i < n; i++)
        {
            Unsafe.Add(ref y, i) += a * Unsafe.Add(ref x, i);
        }
    }

    /// <summary>grad += alpha · row, then row += alpha · hidden (the reference's two updates, fused in one pass).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void UpdateBoth(ref float grad, ref float row, ref float hidden, float alpha, int n)
    {
        int i = 0;
        int vc = Vector<float>.Count;
        var va = new Vector<float>(alpha);
        for (; i <= n - vc; i += vc)
        {
            var r = Vector.LoadUnsafe(ref row, (nuint)i);
            (Vector.LoadUnsafe(ref grad, (nuint)i) + (va * r)).StoreUnsafe(ref grad, (nuint)i);
            (r + (va * Vector.LoadUnsafe(ref hidden, (nuint)i))).StoreUnsafe(ref row, (nuint)i);
        }
        for (; i < n; i++)
        {
            float r = Unsafe.Add(ref row, i);
            Unsafe.Add(ref grad, i) += alpha * r;
            Unsafe.Add(ref row, i) = r + (alpha * Unsafe.Add(ref hidden, i));
        }
    }

    /// <summary>y *= a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Scale(ref float y, float a, int n)
    {
        int i = 0;
        int vc = Vector<float>.Count;
        var va = new Vector<float>(a);
        for (; i <= n - vc; i += vc)
        {
            (Vector.LoadUnsafe(ref y, (nuint)i) * va).StoreUnsafe(ref y, (nuint)i);
        }
        for (; i < n; i++)
        {
            Unsafe.Add(ref y, i) *= a;
        }
    }
}
