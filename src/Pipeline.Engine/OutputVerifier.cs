using System.Globalization;
using System.Security.Cryptography;
using Pipeline.Formats.Lineage;
using Pipeline.Formats.Manifests;
using Pipeline.Formats.Shards;
using Pipeline.Formats.Work;
using Pipeline.Storage;

namespace Pipeline.Engine;

/// <summary>What <see cref="OutputVerifier"/> found.</summary>
/// <param name="Problem">The first class of mismatch, or null when the output is consistent.</param>
/// <param name="Shards">Shards checked.</param>
/// <param name="Rows">Rows checked.</param>
/// <param name="Tokens">Tokens checked.</param>
/// <param name="LineageRows">Lineage rows checked.</param>
public sealed record VerifyReport(string? Problem, int Shards, long Rows, long Tokens, long LineageRows);

/// <summary>
/// Checks a finished output against its manifest: checksums, row and token counts, token ids below the vocabulary
/// size, <c>sum(seq_lengths) + num_pad == seq_len</c> on every row, every segment's document in lineage as kept,
/// each kept document's tokens in the shards exactly its lineage tokens × copies, lineage counts equal to the
/// documents read, and the checksums of the files a training step wrote. Stops at the first class of mismatch.
/// </summary>
public static class OutputVerifier
{
    /// <summary>Verifies the output in <paramref name="store"/>.</summary>
    public static async Task<VerifyReport> VerifyAsync(IBlobStore store, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (await store.TryReadAllBytesAsync(OutputLayout.Manifest, ct).ConfigureAwait(false) is not { } manifestBytes)
        {
            return new VerifyReport($"no manifest: {store.Describe(OutputLayout.Manifest)} is missing (the job did not finish)", 0, 0, 0, 0);
        }
        var manifest = JsonFiles.Deserialize<Manifest>(manifestBytes, store.Describe(OutputLayout.Manifest));

        // Tokens every kept document must have in the shards: its tokens times its copies (lineage written before
        // copies existed reads 0 copies for a kept document, which means 1).
        var expected = new Dictionary<long, long>();
        long lineageRows = 0, lineageKept = 0;
        foreach (var file in manifest.Lineage)
        {
            var bytes = await store.ReadAllBytesAsync(file.Path, ct).ConfigureAwait(false);
            if (Problem(file.Path, bytes, file.Bytes, file.Sha256) is { } bad) return new VerifyReport(bad, 0, 0, 0, lineageRows);
            var rows = await ParquetTables.ReadAsync<LineageRow>(new MemoryStream(bytes), ct).ConfigureAwait(false);
            if (rows.Count != file.Rows) return new VerifyReport($"lineage {file.Path}: {rows.Count} rows, manifest says {file.Rows}", 0, 0, 0, lineageRows);
            foreach (var row in rows)
            {
                if (row.Decision == LineageRow.Kept)
                {
                    lineageKept++;
                    expected[row.DocId] = expected.GetValueOrDefault(row.DocId) + ((long)row.Tokens * Math.Max(1, row.Copies));
                }
            }
            lineageRows += rows.Count;
        }
        if (lineageRows != manifest.Totals.DocumentsRead)
        {
            return new VerifyReport($"lineage holds {lineageRows} documents, but {manifest.Totals.DocumentsRead} were read", 0, 0, 0, lineageRows);
        }
        if (lineageKept != manifest.Totals.DocumentsKept)
        {
            return new VerifyReport($"lineage keeps {lineageKept} documents, manifest says {manifest.Totals.DocumentsKept}", 0, 0, 0, lineageRows);
        }

        long totalRows = 0, totalTokens = 0;
        var shards = 0;
        var seqLen = manifest.SeqLen;
        var vocab = manifest.Tokenizer.VocabSize;
        foreach (var shard in manifest.Shards)
        {
            var bytes = await store.ReadAllBytesAsync(shard.Path, ct).ConfigureAwait(false);
            if (Problem(shard.Path, bytes, shard.Bytes, shard.Sha256) is { } bad) return new VerifyReport(bad, shards, totalRows, totalTokens, lineageRows);
            long rows = 0, tokens = 0, pad = 0;
            await foreach (var row in TokenShardReader.ReadAsync(new MemoryStream(bytes), ct).ConfigureAwait(false))
            {
                var where = string.Create(CultureInfo.InvariantCulture, $"shard {shard.Path} row {rows}");
                if (row.InputIds.Length != seqLen) return Fail($"{where}: {row.InputIds.Length} input_ids, seq_len is {seqLen}");
                var sum = 0;
                foreach (var length in row.SeqLengths) sum += length;
                if (sum + row.NumPad != seqLen) return Fail($"{where}: sum(seq_lengths) {sum} + num_pad {row.NumPad} != seq_len {seqLen}");
                if (row.DocIds.Length != row.SeqLengths.Length || row.ChunkIndex.Length != row.SeqLengths.Length)
                {
                    return Fail($"{where}: {row.SeqLengths.Length} segments but {row.DocIds.Length} doc_ids and {row.ChunkIndex.Length} chunk_index values");
                }
                foreach (var id in row.InputIds)
                {
                    if ((uint)id >= (uint)vocab) return Fail($"{where}: token id {id} outside the vocabulary (size {vocab})");
                }
                for (var i = 0; i < row.DocIds.Length; i++)
                {
                    var doc = row.DocIds[i];
                    if (!expected.TryGetValue(doc, out var left)) return Fail($"{where}: document {doc} is not kept in lineage");
                    expected[doc] = left - row.SeqLengths[i];
                }
                rows++;
                tokens += sum;
                pad += row.NumPad;
            }
            if (rows != shard.Rows || tokens != shard.Tokens || pad != shard.PadTokens)
            {
                return Fail($"shard {shard.Path}: {rows} rows, {tokens} tokens, {pad} padding; manifest says {shard.Rows}, {shard.Tokens}, {shard.PadTokens}");
            }
            shards++;
            totalRows += rows;
            totalTokens += tokens;
        }
        if (totalRows != manifest.Totals.Sequences || totalTokens != manifest.Totals.Tokens)
        {
            return Fail($"shards hold {totalRows} rows and {totalTokens} tokens; manifest totals say {manifest.Totals.Sequences} and {manifest.Totals.Tokens}");
        }
        foreach (var file in manifest.Scorer?.TrainedFiles ?? [])
        {
            var bytes = await store.ReadAllBytesAsync(file.Path, ct).ConfigureAwait(false);
            if (Problem(file.Path, bytes, file.Bytes, file.Sha256) is { } bad) return Fail(bad);
        }
        foreach (var (doc, left) in expected)
        {
            if (left != 0) return Fail($"document {doc}: the shards hold {(left > 0 ? "fewer" : "more")} tokens than lineage's tokens × copies (off by {Math.Abs(left)})");
        }
        return new VerifyReport(null, shards, totalRows, totalTokens, lineageRows);

        VerifyReport Fail(string problem) => new(problem, shards, totalRows, totalTokens, lineageRows);
    }

    private static string? Problem(string path, byte[] bytes, long expectedBytes, string expectedSha)
    {
        if (bytes.LongLength != expectedBytes) return $"{path}: {bytes.LongLength} bytes, manifest says {expectedBytes}";
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return sha == expectedSha ? null : $"{path}: sha256 {sha} does not match the manifest's {expectedSha}";
    }
}
