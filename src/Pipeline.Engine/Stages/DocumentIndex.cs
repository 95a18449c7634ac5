using System.Buffers.Binary;

namespace Pipeline.Engine.Stages;

/// <summary>
/// One entry of a unit's document index (<see cref="WorkLayout.UnitIndex"/>): doc id (int64), tokens (int32) and
/// score (float64), little-endian. The Pack stage reads it instead of the document table.
/// </summary>
internal static class DocumentIndex
{
    /// <summary>Bytes per entry.</summary>
    public const int EntryBytes = sizeof(long) + sizeof(int) + sizeof(double);

    /// <summary>Writes one entry at the start of <paramref name="destination"/>.</summary>
    public static void Write(Span<byte> destination, long docId, int tokens, double score)
    {
        BinaryPrimitives.WriteInt64LittleEndian(destination, docId);
        BinaryPrimitives.WriteInt32LittleEndian(destination[sizeof(long)..], tokens);
        BinaryPrimitives.WriteDoubleLittleEndian(destination[(sizeof(long) + sizeof(int))..], score);
    }

    /// <summary>Reads the entry at the start of <paramref name="source"/>.</summary>
    public static (long DocId, int Tokens, double Score) Read(ReadOnlySpan<byte> source) =>
        (BinaryPrimitives.ReadInt64LittleEndian(source),
         BinaryPrimitives.ReadInt32LittleEndian(source[sizeof(long)..]),
         BinaryPrimitives.ReadDoubleLittleEndian(source[(sizeof(long) + sizeof(int))..]));
}
