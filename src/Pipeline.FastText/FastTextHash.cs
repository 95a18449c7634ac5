namespace Pipeline.FastText;

/// <summary>fastText's string hash: FNV-1a over bytes, each byte sign-extended before the XOR.</summary>
public static class FastTextHash
{
    /// <summary>The FNV offset basis.</summary>
    public const uint Seed = 2166136261;

    /// <summary>The FNV prime.</summary>
    public const uint Prime = 16777619;

    /// <summary>Hashes <paramref name="bytes"/> exactly like fastText's <c>Dictionary::hash</c>.</summary>
    public static uint Hash(ReadOnlySpan<byte> bytes) => Continue(Seed, bytes);

    /// <summary>Continues a hash over more bytes (the hash is incremental).</summary>
    public static uint Continue(uint h, ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            h ^= (uint)(sbyte)b;
            h *= Prime;
        }
        return h;
    }

    /// <summary>Continues a hash over one byte.</summary>
    public static uint Continue(uint h, byte b) => (h ^ (uint)(sbyte)b) * Prime;
}
