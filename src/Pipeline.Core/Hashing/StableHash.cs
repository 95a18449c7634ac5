using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Core.Hashing;

/// <summary>
/// Stable hashes for ids and seeds. Values never change between versions, platforms or runs,
/// because output bytes depend on them.
/// </summary>
public static class StableHash
{
    /// <summary>64-bit id of a string: the first 8 bytes (little-endian) of its UTF-8 SHA-256.</summary>
    public static long Id64(string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        var rented = max <= 512 ? null : ArrayPool<byte>.Shared.Rent(max);
        Span<byte> buffer = rented ?? stackalloc byte[512];
        try
        {
            var n = Encoding.UTF8.GetBytes(value, buffer);
            Span<byte> digest = stackalloc byte[32];
            SHA256.HashData(buffer[..n], digest);
            return BinaryPrimitives.ReadInt64LittleEndian(digest);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The document id: a hash of the source name and the original id (or <c>path:line</c>).</summary>
    public static long DocumentId(string source, string originalIdOrLocation) => Id64(source + "\u001f" + originalIdOrLocation);

    /// <summary>Lower-case hex SHA-256 of a string.</summary>
    public static string Sha256Hex(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    /// <summary>SplitMix64 finalizer: a bijective mix of 64 bits.</summary>
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>A seeded 64-bit key for (job seed, document id, purpose); purposes keep draws independent.</summary>
    public static ulong Key(long seed, long docId, Purpose purpose) =>
        Mix(Mix(Mix((ulong)seed) ^ (ulong)docId) ^ (ulong)purpose);

    /// <summary>The pack bucket of a document.</summary>
    public static int Bucket(long seed, long docId, int buckets) => (int)(Key(seed, docId, Purpose.Bucket) % (ulong)buckets);
}

/// <summary>What a seeded draw is for; each purpose gets an independent stream.</summary>
public enum Purpose : ulong
{
    /// <summary>Assignment of a document to a pack bucket.</summary>
    Bucket = 1,
    /// <summary>Order of documents within a bucket.</summary>
    Order = 2,
    /// <summary>Downsampling to a token budget.</summary>
    Budget = 3,
    /// <summary>Order of packed sequences within a bucket.</summary>
    SequenceOrder = 4,
    /// <summary>Order among documents with equal scores at a selection threshold.</summary>
    ScoreTie = 5,
    /// <summary>Which documents get the extra (fractional) repetition when a source is upsampled.</summary>
    Repeat = 6,
    /// <summary>Order among equally weak documents when PreSelect picks its negatives.</summary>
    PreSelectNegative = 7,
}
