using System.Numerics;

namespace Pipeline.FastText.Training;

/// <summary>
/// libstdc++'s <c>std::minstd_rand</c> with the distributions fastText 0.9.2 draws from it
/// (<c>uniform_int_distribution</c>, <c>uniform_real_distribution&lt;double&gt;</c>, <c>std::shuffle</c>), reproduced
/// exactly so that seeded initialisation and product quantization consume the same random numbers as the reference.
/// </summary>
internal struct MinStdRand
{
    private const ulong Modulus = 2147483647;
    private const ulong Multiplier = 48271;

    /// <summary>max() - min() of the engine.</summary>
    private const ulong Range = Modulus - 2;

    private ulong _x;

    /// <summary>Seeds the engine as libstdc++ does (the seed is converted to a 64-bit unsigned, then reduced mod 2^31-1; 0 becomes 1).</summary>
    public MinStdRand(long seed)
    {
        ulong s = (ulong)seed % Modulus;
        _x = s == 0 ? 1 : s;
    }

    /// <summary>The next raw value in [1, 2^31 - 2].</summary>
    public ulong Next()
    {
        _x = _x * Multiplier % Modulus;
        return _x;
    }

    /// <summary><c>std::uniform_int_distribution(a, b)</c> (the downscaling path libstdc++ takes for this engine).</summary>
    public long UniformInt(long a, long b)
    {
        ulong urange = (ulong)(b - a);
        if (urange > Range)
        {
            throw new ArgumentOutOfRangeException(nameof(b), "ranges wider than the engine are not needed by fastText");
        }
        ulong uerange = urange + 1;
        ulong scaling = Range / uerange;
        ulong past = uerange * scaling;
        ulong ret;
        do
        {
            ret = Next() - 1;
        }
        while (ret >= past);
        return a + (long)(ret / scaling);
    }

    /// <summary><c>std::generate_canonical&lt;double, 53&gt;</c>: two engine draws.</summary>
    public double Canonical()
    {
        const double R = 2147483646.0;
        double sum = (Next() - 1) * 1.0;
        sum += (Next() - 1) * R;
        double ret = sum / (R * R);
        return ret >= 1.0 ? Math.BitDecrement(1.0) : ret;
    }

    /// <summary><c>std::uniform_real_distribution&lt;double&gt;(a, b)</c>.</summary>
    public double UniformReal(double a, double b) => (Canonical() * (b - a)) + a;

    /// <summary>libstdc++'s <c>std::shuffle</c> (GCC 10+ draws two swap positions per engine call when the range allows).</summary>
    public void Shuffle<T>(Span<T> span)
    {
        int n = span.Length;
        if (n == 0)
        {
            return;
        }
        ulong urange = (ulong)n;
        if (Range / urange >= urange)
        {
            int i = 1;
            if ((urange % 2) == 0)
            {
                Swap(span, i++, (int)UniformInt(0, 1));
            }
            while (i != n)
            {
                ulong swapRange = (ulong)i + 1;
                ulong x = (ulong)UniformInt(0, (long)((swapRange * (swapRange + 1)) - 1));
                Swap(span, i++, (int)(x / (swapRange + 1)));
                Swap(span, i++, (int)(x % (swapRange + 1)));
            }
            return;
        }
        for (int i = 1; i != n; i++)
        {
            Swap(span, i, (int)UniformInt(0, i));
        }
    }

    private static void Swap<T>(Span<T> span, int i, int j) => (span[i], span[j]) = (span[j], span[i]);
}

/// <summary>A strict-weak-ordering "less than" for <see cref="LibStdSort"/>.</summary>
internal interface ILess<T>
{
    bool Less(in T a, in T b);
}

/// <summary>
/// libstdc++'s <c>std::sort</c> (introsort: median-of-three, unguarded partition, heapsort past 2·log2(n) levels,
/// final insertion sort in runs of 16), reproduced so that ties come out in the reference's order.
/// </summary>
internal static class LibStdSort
{
    private const int Threshold = 16;

    public static void Sort<T, TLess>(Span<T> a, TLess less)
        where TLess : ILess<T>
    {
        if (a.Length <= 1)
        {
            return;
        }
        IntroLoop(a, 0, a.Length, 2 * BitOperations.Log2((uint)a.Length), less);
        FinalInsertionSort(a, less);
    }

    private static void IntroLoop<T, TLess>(Span<T> a, int first, int last, int depth, TLess less)
        where TLess : ILess<T>
    {
        while (last - first > Threshold)
        {
            if (depth == 0)
            {
                HeapSort(a.Slice(first, last - first), less);
                return;
            }
            depth--;
            int mid = first + ((last - first) / 2);
            MoveMedianToFirst(a, first, first + 1, mid, last - 1, less);
            int cut = UnguardedPartition(a, first + 1, last, first, less);
            IntroLoop(a, cut, last, depth, less);
            last = cut;
        }
    }

    private static void MoveMedianToFirst<T, TLess>(Span<T> s, int result, int a, int b, int c, TLess less)
        where TLess : ILess<T>
    {
        if (less.Less(s[a], s[b]))
        {
            if (less.Less(s[b], s[c]))
            {
                Swap(s, result, b);
            }
            else if (less.Less(s[a], s[c]))
            {
                Swap(s, result, c);
            }
            else
            {
                Swap(s, result, a);
            }
        }
        else if (less.Less(s[a], s[c]))
        {
            Swap(s, result, a);
        }
        else if (less.Less(s[b], s[c]))
        {
            Swap(s, result, c);
        }
        else
        {
            Swap(s, result, b);
        }
    }

    private static int UnguardedPartition<T, TLess>(Span<T> s, int first, int last, int pivot, TLess less)
        where TLess : ILess<T>
    {
        while (true)
        {
            while (less.Less(s[first], s[pivot]))
            {
                first++;
            }
            last--;
            while (less.Less(s[pivot], s[last]))
            {
                last--;
            }
            if (!(first < last))
            {
                return first;
            }
            Swap(s, first, last);
            first++;
        }
    }

    private static void FinalInsertionSort<T, TLess>(Span<T> s, TLess less)
        where TLess : ILess<T>
    {
        if (s.Length > Threshold)
        {
            InsertionSort(s, 0, Threshold, less);
            for (int i = Threshold; i < s.Length; i++)
            {
                UnguardedLinearInsert(s, i, less);
            }
        }
        else
        {
            InsertionSort(s, 0, s.Length, less);
        }
    }

    private static void InsertionSort<T, TLess>(Span<T> s, int first, int last, TLess less)
        where TLess : ILess<T>
    {
        if (first == last)
        {
            return;
        }
        for (int i = first + 1; i != last; i++)
        {
            if (less.Less(s[i], s[first]))
            {
                T val = s[i];
                s.Slice(first, i - first).CopyTo(s.Slice(first + 1, i - first));
                s[first] = val;
            }
            else
            {
                UnguardedLinearInsert(s, i, less);
            }
        }
    }

    private static void UnguardedLinearInsert<T, TLess>(Span<T> s, int last, TLess less)
        where TLess : ILess<T>
    {
        T val = s[last];
        int next = last - 1;
        while (less.Less(val, s[next]))
        {
            s[last] = s[next];
            last = next;
            next--;
        }
        s[last] = val;
    }

    private static void HeapSort<T, TLess>(Span<T> s, TLess less)
        where TLess : ILess<T>
    {
        int len = s.Length;
        if (len >= 2)
        {
            int parent = (len - 2) / 2;
            while (true)
            {
                AdjustHeap(s, parent, len, s[parent], less);
                if (parent == 0)
                {
                    break;
                }
                parent--;
            }
        }
        for (int last = len; last > 1;)
        {
            last--;
            T value = s[last];
            s[last] = s[0];
            AdjustHeap(s, 0, last, value, less);
        }
    }

    private static void AdjustHeap<T, TLess>(Span<T> s, int hole, int len, T value, TLess less)
        where TLess : ILess<T>
    {
        int top = hole;
        int second = hole;
        while (second < (len - 1) / 2)
        {
            second = 2 * (second + 1);
            if (less.Less(s[second], s[second - 1]))
            {
                second--;
            }
            s[hole] = s[second];
            hole = second;
        }
        if ((len & 1) == 0 && second == (len - 2) / 2)
        {
            second = 2 * (second + 1);
            s[hole] = s[second - 1];
            hole = second - 1;
        }
        int parent = (hole - 1) / 2;
        while (hole > top && less.Less(s[parent], value))
        {
            s[hole] = s[parent];
            hole = parent;
            parent = (hole - 1) / 2;
        }
        s[hole] = value;
    }

    private static void Swap<T>(Span<T> s, int i, int j) => (s[i], s[j]) = (s[j], s[i]);
}
