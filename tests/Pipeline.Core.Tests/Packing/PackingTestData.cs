namespace Pipeline.Core.Tests.Packing;

/// <summary>Seeded synthetic document-length distributions for packing tests.</summary>
internal static class PackingTestData
{
    /// <summary>
    /// Long-tailed web-like lengths: log-normal with median e^mu tokens and shape sigma, clamped to
    /// [1, maxLength]. mu = 6.2, sigma = 1.1 gives a median of ~490 tokens, mean ~900, p99 ~6,300.
    /// </summary>
    public static int[] LogNormal(int count, int seed, double mu = 6.2, double sigma = 1.1, int maxLength = 1 << 20)
    {
        var rng = new Random(seed);
        var lengths = new int[count];
        for (var i = 0; i < count; i++)
        {
            // Box-Muller; 1 - NextDouble() is in (0, 1] so Log never sees 0.
            var u1 = 1.0 - rng.NextDouble();
            var u2 = rng.NextDouble();
            var z = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
            var v = Math.Exp(mu + (sigma * z));
            lengths[i] = (int)Math.Clamp(Math.Round(v), 1, maxLength);
        }

        return lengths;
    }

    /// <summary>Uniform lengths in [1, max].</summary>
    public static int[] Uniform(int count, int max, int seed)
    {
        var rng = new Random(seed);
        var lengths = new int[count];
        for (var i = 0; i < count; i++)
        {
            lengths[i] = rng.Next(1, max + 1);
        }

        return lengths;
    }
}
