namespace Pipeline.Formats.Shards;

/// <summary>One segment of a packed sequence: which document piece it is and how many tokens it holds.</summary>
/// <param name="DocId">Stable 64-bit document id.</param>
/// <param name="ChunkIndex">Chunk index within the document (0 = head).</param>
/// <param name="Length">Number of tokens in the segment (≥ 1).</param>
public readonly record struct ShardSegment(long DocId, int ChunkIndex, int Length);

/// <summary>Totals of a completed shard, as returned by <see cref="TokenShardWriter.CompleteAsync"/>.</summary>
/// <param name="Rows">Number of rows (training sequences).</param>
/// <param name="Tokens">Real tokens: sum of all <c>seq_lengths</c>.</param>
/// <param name="PadTokens">Padding tokens: sum of <c>num_pad</c>.</param>
/// <param name="RowGroups">Number of Parquet row groups written.</param>
/// <param name="Bytes">Bytes written to the destination stream by this writer.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of exactly those bytes.</param>
public sealed record ShardStats(long Rows, long Tokens, long PadTokens, int RowGroups, long Bytes, string Sha256);

/// <summary>Where a shard was stored and what it holds.</summary>
/// <param name="Path">Storage path of the shard.</param>
/// <param name="Rows">Number of rows (training sequences).</param>
/// <param name="Tokens">Real tokens: sum of all <c>seq_lengths</c>.</param>
/// <param name="PadTokens">Padding tokens: sum of <c>num_pad</c>.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file bytes.</param>
/// <param name="Bytes">File size in bytes.</param>
public sealed record ShardInfo(string Path, long Rows, long Tokens, long PadTokens, string Sha256, long Bytes)
{
    /// <summary>Combines a storage path with the stats returned by the writer.</summary>
    public static ShardInfo From(string path, ShardStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        return new ShardInfo(path, stats.Rows, stats.Tokens, stats.PadTokens, stats.Sha256, stats.Bytes);
    }
}

/// <summary>One row of a token shard as read back.</summary>
/// <param name="InputIds">Exactly seq_len token ids, padding at the end.</param>
/// <param name="SeqLengths">Segment lengths in order; their sum is seq_len − NumPad.</param>
/// <param name="DocIds">Document id per segment.</param>
/// <param name="ChunkIndex">Chunk index per segment (0 = head).</param>
/// <param name="NumPad">Number of padding tokens at the end of <paramref name="InputIds"/>.</param>
public sealed record ShardRow(int[] InputIds, int[] SeqLengths, long[] DocIds, int[] ChunkIndex, int NumPad);

/// <summary>Footer-level description of a token shard.</summary>
/// <param name="Columns">Top-level column names in schema order.</param>
/// <param name="RowGroups">Number of row groups.</param>
/// <param name="Rows">Total rows.</param>
/// <param name="SeqLen">Sequence length recorded by the writer.</param>
/// <param name="PadId">Padding token id recorded by the writer.</param>
/// <param name="Metadata">All footer key-value metadata, including the writer's reserved <c>pipeline.shard.*</c> keys.</param>
public sealed record ShardSchemaInfo(
    IReadOnlyList<string> Columns,
    int RowGroups,
    long Rows,
    int SeqLen,
    int PadId,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>Thrown when a file is not a valid token shard (wrong schema, missing keys, inconsistent rows).</summary>
public sealed class ShardFormatException : Exception
{
    /// <summary>Creates an exception with no message.</summary>
    public ShardFormatException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public ShardFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the underlying cause.</summary>
    public ShardFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
