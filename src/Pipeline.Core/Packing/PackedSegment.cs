namespace Pipeline.Core.Packing;

/// <summary>One piece of a document placed in a packed sequence.</summary>
/// <param name="Document">Index of the document in the input lengths.</param>
/// <param name="Chunk">Chunk index within the document (0 = head).</param>
/// <param name="Offset">Token offset of this piece within the document.</param>
/// <param name="Length">Number of tokens in this piece.</param>
public readonly record struct PackedSegment(int Document, int Chunk, int Offset, int Length);
