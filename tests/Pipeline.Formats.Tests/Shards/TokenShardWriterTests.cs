using System.Security.Cryptography;
using ParquetSharp;
using Pipeline.Formats.Shards;

namespace Pipeline.Formats.Tests.Shards;

public sealed class TokenShardWriterTests : IDisposable
{
    private const int SeqLen = 2048;
    private const int PadId = 100_257;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pipeline-shard-tests-" + Guid.NewGuid().ToString("N"));

    private static readonly Dictionary<string, string> Metadata = new(StringComparer.Ordinal)
    {
        ["tokenizer"] = "cl100k_base",
        ["pipeline.run"] = "test-run-1",
        ["eos_id"] = "100257",
    };

    public TokenShardWriterTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task WriteAsync_SeededPackedRows_OurReaderAndParquetSharpAgreeWithInput()
    {
        // ~3,000 rows of 2,048 tokens: 2,000 documents of 1..6,144 tokens packed with best fit.
        var sequences = ShardTestData.Packed(2000, SeqLen, seed: 42);
        var groups = (sequences.Count + 1023) / 1024;
        var path = Path.Combine(_dir, "shard-00000.parquet");
        ShardStats stats;
        await using (var fs = File.Create(path))
        {
            stats = await ShardTestData.WriteAsync(fs, sequences, SeqLen, PadId, 1024, Metadata);
        }

        long tokens = 0, idSum = 0, pad = 0;
        var docIds = new List<long>();
        var chunks = new List<int>();
        foreach (var s in sequences)
        {
            tokens += s.Tokens.Length;
            pad += SeqLen - s.Tokens.Length;
            foreach (var t in s.Tokens)
            {
                idSum += t;
            }

            foreach (var seg in s.Segments)
            {
                docIds.Add(seg.DocId);
                chunks.Add(seg.ChunkIndex);
            }
        }

        idSum += pad * PadId;
        Assert.InRange(sequences.Count, 2800, 3200);
        Assert.Equal(sequences.Count, stats.Rows);
        Assert.Equal(tokens, stats.Tokens);
        Assert.Equal(pad, stats.PadTokens);
        Assert.Equal(groups, stats.RowGroups);
        var bytes = await File.ReadAllBytesAsync(path);
        Assert.Equal(bytes.LongLength, stats.Bytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), stats.Sha256);

        // Our reader: exact row-by-row equality with the input.
        await using (var fs = File.OpenRead(path))
        {
            var r = 0;
            await foreach (var row in TokenShardReader.ReadAsync(fs, CancellationToken.None))
            {
                var s = sequences[r++];
                Assert.Equal(SeqLen, row.InputIds.Length);
                Assert.Equal(s.Tokens, row.InputIds.AsSpan(0, s.Tokens.Length).ToArray());
                Assert.All(row.InputIds[s.Tokens.Length..], id => Assert.Equal(PadId, id));
                Assert.Equal(SeqLen - s.Tokens.Length, row.NumPad);
                Assert.Equal(s.Segments.Select(x => x.Length), row.SeqLengths);
                Assert.Equal(s.Segments.Select(x => x.DocId), row.DocIds);
                Assert.Equal(s.Segments.Select(x => x.ChunkIndex), row.ChunkIndex);
            }

            Assert.Equal(sequences.Count, r);
        }

        await using (var fs = File.OpenRead(path))
        {
            var info = await TokenShardReader.ReadSchemaAsync(fs, CancellationToken.None);
            Assert.Equal(["input_ids", "seq_lengths", "doc_ids", "chunk_index", "num_pad"], info.Columns);
            Assert.Equal(groups, info.RowGroups);
            Assert.Equal(sequences.Count, info.Rows);
            Assert.Equal(SeqLen, info.SeqLen);
            Assert.Equal(PadId, info.PadId);
            Assert.Equal("cl100k_base", info.Metadata["tokenizer"]);
            Assert.Equal(ShardSchema.FormatVersion, info.Metadata[ShardSchema.FormatKey]);
        }

        // ParquetSharp (Arrow C++), an independent reader.
        using var file = new ParquetFileReader(path);
        var meta = file.FileMetaData;
        Assert.Equal(sequences.Count, meta.NumRows);
        Assert.Equal(groups, meta.NumRowGroups);
        Assert.Equal("input_ids.list.element", meta.Schema.Column(0).Path.ToDotString());
        Assert.Equal("seq_lengths.list.element", meta.Schema.Column(1).Path.ToDotString());
        Assert.Equal("doc_ids.list.element", meta.Schema.Column(2).Path.ToDotString());
        Assert.Equal("chunk_index.list.element", meta.Schema.Column(3).Path.ToDotString());
        Assert.Equal("num_pad", meta.Schema.Column(4).Path.ToDotString());
        var kv = meta.KeyValueMetadata;
        Assert.Equal("cl100k_base", kv["tokenizer"]);
        Assert.Equal("test-run-1", kv["pipeline.run"]);
        Assert.Equal("2048", kv[ShardSchema.SeqLenKey]);
        Assert.Equal("100257", kv[ShardSchema.PadIdKey]);

        long psRows = 0, psTokens = 0, psIdSum = 0, psPad = 0;
        var psDocs = new List<long>();
        var psChunks = new List<int>();
        for (var g = 0; g < meta.NumRowGroups; g++)
        {
            using var rg = file.RowGroup(g);
            var n = checked((int)rg.MetaData.NumRows);
            Assert.Equal(g < groups - 1 ? 1024 : sequences.Count - ((groups - 1) * 1024), n);
            var idsMeta = rg.MetaData.GetColumnChunkMetaData(0);
            Assert.Equal(Compression.Zstd, idsMeta.Compression);
            Assert.Contains(Encoding.Plain, idsMeta.Encodings);
            Assert.DoesNotContain(Encoding.DeltaBinaryPacked, idsMeta.Encodings);

            using var idsReader = rg.Column(0).LogicalReader<int[]>();
            using var lenReader = rg.Column(1).LogicalReader<int[]>();
            using var docReader = rg.Column(2).LogicalReader<long[]>();
            using var chunkReader = rg.Column(3).LogicalReader<int[]>();
            using var padReader = rg.Column(4).LogicalReader<int>();
            var ids = idsReader.ReadAll(n);
            var lens = lenReader.ReadAll(n);
            var docs = docReader.ReadAll(n);
            var chunkIdx = chunkReader.ReadAll(n);
            var pads = padReader.ReadAll(n);
            for (var i = 0; i < n; i++)
            {
                Assert.Equal(SeqLen, ids[i].Length);
                foreach (var id in ids[i])
                {
                    psIdSum += id;
                }

                var rowTokens = lens[i].Sum();
                Assert.Equal(SeqLen, rowTokens + pads[i]);
                Assert.Equal(lens[i].Length, docs[i].Length);
                Assert.Equal(lens[i].Length, chunkIdx[i].Length);
                psTokens += rowTokens;
                psPad += pads[i];
                psDocs.AddRange(docs[i]);
                psChunks.AddRange(chunkIdx[i]);
            }

            psRows += n;
        }

        Assert.Equal(sequences.Count, psRows);
        Assert.Equal(tokens, psTokens);
        Assert.Equal(pad, psPad);
        Assert.Equal(idSum, psIdSum);
        Assert.Equal(docIds, psDocs);
        Assert.Equal(chunks, psChunks);
    }

    [Fact]
    public async Task WriteAsync_SameInputTwice_ByteIdenticalOutput()
    {
        var sequences = ShardTestData.Packed(600, 512, seed: 5);
        using var a = new MemoryStream();
        using var b = new MemoryStream();

        // Same metadata in a different insertion order must not change the bytes.
        var reordered = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["eos_id"] = "100257",
            ["pipeline.run"] = "test-run-1",
            ["tokenizer"] = "cl100k_base",
        };
        var sa = await ShardTestData.WriteAsync(a, sequences, 512, 0, 128, Metadata);
        var sb = await ShardTestData.WriteAsync(b, sequences, 512, 0, 128, reordered);

        Assert.True(a.Length > 0);
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.Equal(sa, sb);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(a.ToArray())), sa.Sha256);
    }

    [Fact]
    public async Task WriteAsync_SmallFixedShard_MatchesGoldenSha256()
    {
        // PROVENANCE: golden hash produced by this test's own first run (TokenShardWriter, Parquet.Net 6.1.0,
        // ZstdSharp.Port 0.8.8, .NET 10.0.12, 2026-11-28). It pins the bytes across processes and machines; if
        // it changes after a package bump, shard bytes changed: check the change, then update the constant.
        var sequences = ShardTestData.Packed(60, 64, seed: 3);
        using var ms = new MemoryStream();

        var stats = await ShardTestData.WriteAsync(ms, sequences, 64, 0, 16, Metadata);

        Assert.Equal(sequences.Count, stats.Rows);
        Assert.Equal(20978, stats.Bytes);
        Assert.Equal("cfc533268ee134cd84c45fc301523522848d61d048792070763935bd14b5fd1d", stats.Sha256);
    }

    [Fact]
    public async Task CompleteAsync_NoRows_WritesValidEmptyShard()
    {
        var path = Path.Combine(_dir, "empty.parquet");
        ShardStats stats;
        await using (var fs = File.Create(path))
        {
            stats = await ShardTestData.WriteAsync(fs, [], SeqLen, PadId, 1024, Metadata);
        }

        Assert.Equal(0, stats.Rows);
        Assert.Equal(0, stats.Tokens);
        Assert.Equal(0, stats.RowGroups);
        Assert.Equal(new FileInfo(path).Length, stats.Bytes);

        await using (var fs = File.OpenRead(path))
        {
            var info = await TokenShardReader.ReadSchemaAsync(fs, CancellationToken.None);
            Assert.Equal(0, info.Rows);
            Assert.Equal(0, info.RowGroups);
            Assert.Equal(SeqLen, info.SeqLen);
            Assert.Equal("cl100k_base", info.Metadata["tokenizer"]);
            fs.Position = 0;
            var count = 0;
            await foreach (var unused in TokenShardReader.ReadAsync(fs, CancellationToken.None))
            {
                count++;
            }

            Assert.Equal(0, count);
        }

        using var file = new ParquetFileReader(path);
        Assert.Equal(0, file.FileMetaData.NumRows);
        Assert.Equal(0, file.FileMetaData.NumRowGroups);
        Assert.Equal(5, file.FileMetaData.NumColumns);
        Assert.Equal("cl100k_base", file.FileMetaData.KeyValueMetadata["tokenizer"]);
    }

    [Fact]
    public async Task DisposeAsync_WithoutComplete_LeavesNoValidFooter()
    {
        var sequences = ShardTestData.Packed(300, 256, seed: 9);
        using var ms = new MemoryStream();
        var writer = new TokenShardWriter(ms, 256, 0, 16, Metadata);
        await using (writer)
        {
            foreach (var s in sequences)
            {
                await writer.AddSequenceAsync(s.Tokens, s.Segments, CancellationToken.None);
            }
        }

        Assert.True(ms.Length > 0, "full row groups were flushed before disposal");
        ms.Position = 0;
        await Assert.ThrowsAsync<ShardFormatException>(() => TokenShardReader.ReadSchemaAsync(ms, CancellationToken.None));
    }

    [Fact]
    public async Task AddSequenceAsync_InvalidInput_Throws()
    {
        using var ms = new MemoryStream();
        var writer = new TokenShardWriter(ms, 8, 0, 4, Metadata);
        await using (writer)
        {
            await Assert.ThrowsAsync<ArgumentException>(async () => await writer.AddSequenceAsync(new int[9], [new ShardSegment(1, 0, 9)], CancellationToken.None));
            await Assert.ThrowsAsync<ArgumentException>(async () => await writer.AddSequenceAsync(new int[4], [new ShardSegment(1, 0, 3)], CancellationToken.None));
            await Assert.ThrowsAsync<ArgumentException>(async () => await writer.AddSequenceAsync(new int[4], [], CancellationToken.None));
            await Assert.ThrowsAsync<ArgumentException>(async () => await writer.AddSequenceAsync([], [], CancellationToken.None));
            await Assert.ThrowsAsync<ArgumentException>(async () => await writer.AddSequenceAsync(new int[4], [new ShardSegment(1, 0, 4), new ShardSegment(2, 0, 0)], CancellationToken.None));

            // A rejected call leaves the writer usable.
            await writer.AddSequenceAsync([1, 2, 3], [new ShardSegment(7, 0, 2), new ShardSegment(8, 1, 1)], CancellationToken.None);
            var stats = await writer.CompleteAsync(CancellationToken.None);
            Assert.Equal(1, stats.Rows);
            Assert.Equal(3, stats.Tokens);
            Assert.Equal(5, stats.PadTokens);
        }
    }

    [Fact]
    public void Constructor_ReservedMetadataKey_Throws()
    {
        using var ms = new MemoryStream();
        var bad = new Dictionary<string, string> { [ShardSchema.SeqLenKey] = "1" };

        Assert.Throws<ArgumentException>(() => new TokenShardWriter(ms, 8, 0, 4, bad));
    }

    [Fact]
    public async Task ReadAsync_NotAShard_ThrowsShardFormatException()
    {
        using var ms = new MemoryStream(System.Text.Encoding.UTF8.GetBytes("definitely not parquet, just text padding it out"));

        await Assert.ThrowsAsync<ShardFormatException>(async () =>
        {
            await foreach (var unused in TokenShardReader.ReadAsync(ms, CancellationToken.None))
            {
            }
        });
    }

    [Fact]
    public async Task Writers_ReusePooledBuffers_NoStaleTokensLeakIntoLaterShards()
    {
        // The row-group buffer is pooled across writers: a later, shorter shard must hold only its own tokens and padding.
        const int Len = 64;
        for (var round = 0; round < 3; round++)
        {
            var big = new MemoryStream();
            var first = new TokenShardWriter(big, Len, 0, 8, Metadata);
            await using (first)
            {
                for (var r = 0; r < 20; r++)
                {
                    await first.AddSequenceAsync(Enumerable.Repeat(777, Len).ToArray(), [new ShardSegment(r, 0, Len)], CancellationToken.None);
                }
                await first.CompleteAsync(CancellationToken.None);
            }

            var small = new MemoryStream();
            var second = new TokenShardWriter(small, Len, 0, 8, Metadata);
            await using (second)
            {
                await second.AddSequenceAsync([5, 6, 7], [new ShardSegment(99, 0, 3)], CancellationToken.None);
                await second.CompleteAsync(CancellationToken.None);
            }

            small.Position = 0;
            var rows = new List<ShardRow>();
            await foreach (var row in TokenShardReader.ReadAsync(small, CancellationToken.None))
            {
                rows.Add(row);
            }
            var only = Assert.Single(rows);
            Assert.Equal([5, 6, 7], only.InputIds[..3]);
            Assert.All(only.InputIds[3..], id => Assert.Equal(0, id));
            Assert.DoesNotContain(777, only.InputIds);
        }
    }
}
