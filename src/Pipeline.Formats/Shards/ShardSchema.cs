using System.Globalization;
using Parquet.Schema;

namespace Pipeline.Formats.Shards;

/// <summary>The token-shard Parquet schema and the footer keys the writer reserves.</summary>
public static class ShardSchema
{
    /// <summary>Column of exactly seq_len token ids per row (list&lt;int32&gt;).</summary>
    public const string InputIds = "input_ids";

    /// <summary>Column of per-segment lengths (list&lt;int32&gt;).</summary>
    public const string SeqLengths = "seq_lengths";

    /// <summary>Column of per-segment document ids (list&lt;int64&gt;).</summary>
    public const string DocIds = "doc_ids";

    /// <summary>Column of per-segment chunk indexes (list&lt;int32&gt;).</summary>
    public const string ChunkIndex = "chunk_index";

    /// <summary>Column with the padding count per row (int32).</summary>
    public const string NumPad = "num_pad";

    /// <summary>Prefix of footer keys owned by the writer; callers may not set keys with it.</summary>
    public const string ReservedPrefix = "pipeline.shard.";

    /// <summary>Footer key holding the format name and version.</summary>
    public const string FormatKey = "pipeline.shard.format";

    /// <summary>Footer key holding seq_len (invariant decimal).</summary>
    public const string SeqLenKey = "pipeline.shard.seq_len";

    /// <summary>Footer key holding the pad token id (invariant decimal).</summary>
    public const string PadIdKey = "pipeline.shard.pad_id";

    /// <summary>Value of <see cref="FormatKey"/> written by this version.</summary>
    public const string FormatVersion = "token-packed/1";

    internal static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Builds a fresh schema instance (Parquet.Net fields carry per-schema state, so do not share them between files).</summary>
    internal static (ParquetSchema Schema, DataField Ids, DataField Lengths, DataField Docs, DataField Chunks, DataField Pad) Create()
    {
        var ids = new ListField(InputIds, new DataField<int>(ListField.ElementName));
        var lengths = new ListField(SeqLengths, new DataField<int>(ListField.ElementName));
        var docs = new ListField(DocIds, new DataField<long>(ListField.ElementName));
        var chunks = new ListField(ChunkIndex, new DataField<int>(ListField.ElementName));
        var pad = new DataField<int>(NumPad);
        var schema = new ParquetSchema(ids, lengths, docs, chunks, pad);
        return (schema, (DataField)ids.Item, (DataField)lengths.Item, (DataField)docs.Item, (DataField)chunks.Item, pad);
    }
}
