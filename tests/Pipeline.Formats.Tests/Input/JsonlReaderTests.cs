using System.IO.Compression;
using System.Text;
using Pipeline.Core.Documents;
using Pipeline.Core.Jobs;
using Pipeline.Formats.Input;
using Xunit.Abstractions;
using static Pipeline.Formats.Tests.Input.ReaderTestSupport;

namespace Pipeline.Formats.Tests.Input;

public sealed class JsonlReaderTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("a.jsonl", InputFormat.Jsonl, true)]
    [InlineData("dir/b.JSON", InputFormat.Jsonl, true)]
    [InlineData("c.ndjson", InputFormat.Jsonl, true)]
    [InlineData("d.jsonl.gz", InputFormat.Jsonl, false)]
    [InlineData("e.ndjson.zst", InputFormat.Jsonl, false)]
    [InlineData("az://acct/corpus/f.jsonl.zstd", InputFormat.Jsonl, false)]
    [InlineData("az://acct/corpus/g.jsonl?sv=2025-01-05&sig=x", InputFormat.Jsonl, true)]
    [InlineData("h.parquet", InputFormat.Parquet, false)]
    public void Detect_KnownExtension_ReturnsFormatAndSplittability(string path, InputFormat format, bool splittable)
    {
        Assert.Equal(format, DocumentReaders.Detect(path));
        Assert.Equal(splittable, DocumentReaders.IsSplittable(path));
    }

    [Theory]
    [InlineData("notes.txt")]
    [InlineData("data.csv.gz")]
    [InlineData("data.parquet.gz")]
    [InlineData("jsonl")]
    public void Detect_UnknownExtension_ThrowsTypedExceptionNamingThePath(string path)
    {
        var ex = Assert.Throws<UnsupportedInputFormatException>(() => DocumentReaders.Detect(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Equal(path, ex.Path);
    }

    [Fact]
    public async Task ReadAsync_DeclaredFormat_OverridesTheFileName()
    {
        var plain = MakeJsonl(3);
        var docs = new List<SourceDocument>();
        await foreach (var d in DocumentReaders.ReadAsync("dump.txt.zst", InputFormat.Jsonl, Open(Zstd(plain)), 0, null, Options, CancellationToken.None))
        {
            docs.Add(d);
        }

        Assert.Equal(["doc-1", "doc-2", "doc-3"], docs.Select(d => d.OriginalId));
        Assert.True(DocumentReaders.IsSplittable("dump.txt", InputFormat.Jsonl));
        Assert.False(DocumentReaders.IsSplittable("dump.txt.gz", InputFormat.Jsonl));
        Assert.False(DocumentReaders.IsSplittable("rows.bin", InputFormat.Parquet));
        Assert.Throws<UnsupportedInputFormatException>(() => DocumentReaders.IsSplittable("dump.txt", InputFormat.Auto));
    }

    [Fact]
    public void ReadAsync_RangeOnCompressedFile_ThrowsArgumentException()
    {
        var blob = Gzip(MakeJsonl(3));
        Assert.Throws<ArgumentException>(() => DocumentReaders.ReadAsync("a.jsonl.gz", Open(blob), 10, null, Options, CancellationToken.None));
        Assert.Throws<ArgumentException>(() => DocumentReaders.ReadAsync("a.parquet", Open(blob), 0, 100, Options, CancellationToken.None));
    }

    [Fact]
    public void ReaderOptions_InvalidValues_Throw()
    {
        Assert.Throws<ArgumentException>(() => new ReaderOptions("", null, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReaderOptions("text", null, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReaderOptions("text", null, ReaderOptions.MaxDocumentBytesLimit + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Options with { MaxDocumentBytes = -1 });
    }

    [Fact]
    public async Task ReaderOptions_WithNewTextField_ReadsTheNewField()
    {
        var options = Options with { TextField = "body" };

        var docs = await ReadAll("x.jsonl", Utf8("{\"id\":\"a\",\"text\":\"t\",\"body\":\"b\"}"), options: options);

        Assert.Equal("b", Assert.Single(docs).Text);
        Assert.Equal(new ReaderOptions("body", "id", 8 << 20), options);
    }

    [Fact]
    public async Task ReadAsync_PlainJsonl_ReturnsEveryDocumentWithLineOffsetAndLength()
    {
        var lines = new[] { "{\"id\":\"a\",\"text\":\"hello\"}", "{\"text\":\"wörld\",\"id\":\"b\",\"extra\":{\"x\":[1,2,{\"y\":null}]}}", "{\"id\":\"c\",\"text\":\"line\\nbreak \\u00e9\"}" };
        var blob = Utf8(string.Join("\n", lines) + "\n");

        var docs = await ReadAll("x.jsonl", blob);

        Assert.Equal(3, docs.Count);
        long offset = 0;
        for (int i = 0; i < 3; i++)
        {
            Assert.Null(docs[i].Reject);
            Assert.Equal(i + 1, docs[i].Line);
            Assert.Equal(offset, docs[i].ByteOffset);
            Assert.Equal(Encoding.UTF8.GetByteCount(lines[i]), docs[i].ByteLength);
            offset += docs[i].ByteLength + 1;
        }

        Assert.Equal(["hello", "wörld", "line\nbreak é"], docs.Select(d => d.Text));
        Assert.Equal(["a", "b", "c"], docs.Select(d => d.OriginalId));
    }

    [Fact]
    public async Task ReadAsync_IdField_StringNumberMissingAndOtherTypes()
    {
        var blob = Utf8("""
            {"id":"s-1","text":"a"}
            {"id":12345678901234567890,"text":"b"}
            {"id":-1.5e3,"text":"c"}
            {"text":"d"}
            {"id":null,"text":"e"}
            {"id":true,"text":"f"}
            {"id":"\u0041\"q","text":"g"}
            """);

        var docs = await ReadAll("x.jsonl", blob);

        Assert.Equal(["s-1", "12345678901234567890", "-1.5e3", null, null, null, "A\"q"], docs.Select(d => d.OriginalId));
        Assert.All(docs, d => Assert.Null(d.Reject));
    }

    [Fact]
    public async Task ReadAsync_NoIdFieldConfigured_OriginalIdIsNull()
    {
        var docs = await ReadAll("x.jsonl", Utf8("{\"id\":\"a\",\"body\":\"t\"}\n"), options: new ReaderOptions("body", null, 1000));
        Assert.Null(Assert.Single(docs).OriginalId);
        Assert.Equal("t", docs[0].Text);
    }

    [Fact]
    public async Task ReadAsync_Bom_IsSkippedAndFirstOffsetFollowsIt()
    {
        var blob = Utf8("\uFEFF{\"text\":\"a\"}\n{\"text\":\"b\"}");
        Assert.Equal(0xEF, blob[0]);

        var docs = await ReadAll("x.jsonl", blob);

        Assert.Equal(["a", "b"], docs.Select(d => d.Text));
        Assert.Equal(3, docs[0].ByteOffset);
        Assert.Equal(12, docs[0].ByteLength);
        Assert.Equal(16, docs[1].ByteOffset);
        Assert.Equal(2, docs[1].Line);
    }

    [Fact]
    public async Task ReadAsync_CrlfBlankAndWhitespaceLines_StripsCrSkipsBlanksAndCountsLines()
    {
        var blob = Utf8("{\"text\":\"a\"}\r\n\r\n  \t \n\n{\"text\":\"b\"}\r\n{\"text\":\"c\"}\r");

        var docs = await ReadAll("x.jsonl", blob, maxRead: 3);

        Assert.Equal(["a", "b", "c"], docs.Select(d => d.Text));
        Assert.Equal([1L, 5L, 6L], docs.Select(d => d.Line));
        Assert.Equal([0L, 22L, 36L], docs.Select(d => d.ByteOffset));
        Assert.All(docs, d => Assert.Equal(12, d.ByteLength));
    }

    [Theory]
    [InlineData("x.jsonl")]
    [InlineData("x.jsonl.gz")]
    [InlineData("x.jsonl.zst")]
    public async Task ReadAsync_EmptyFile_ReturnsNoDocuments(string path)
    {
        Assert.Empty(await ReadAll(path, []));
    }

    [Fact]
    public async Task ReadAsync_EmptyButValidArchives_ReturnNoDocuments()
    {
        Assert.Empty(await ReadAll("x.jsonl.gz", Gzip([])));
        Assert.Empty(await ReadAll("x.jsonl.zst", Zstd([])));
        Assert.Empty(await ReadAll("x.jsonl.gz", Gzip(Utf8("\n\n  \r\n"))));
    }

    public static TheoryData<string, byte[], string, string?> BadLines() => new()
    {
        { "unterminated object", Utf8("{\"id\":\"x\",\"text\":\"abc\""), RejectReasons.MalformedJson, "BytePositionInLine" },
        { "trailing garbage", Utf8("{\"text\":\"abc\"} x"), RejectReasons.MalformedJson, "BytePositionInLine" },
        { "two objects", Utf8("{\"text\":\"a\"}{\"text\":\"b\"}"), RejectReasons.MalformedJson, null },
        { "comment", Utf8("{\"text\":\"a\"} // c"), RejectReasons.MalformedJson, null },
        { "invalid utf-8", [.. Utf8("{\"text\":\"ab"), 0xFF, .. Utf8("\"}")], RejectReasons.InvalidUtf8, "at byte 11" },
        { "overlong utf-8", [.. Utf8("{\"text\":\""), 0xC0, 0xAF, .. Utf8("\"}")], RejectReasons.InvalidUtf8, "at byte 9" },
        { "utf-16 surrogate in utf-8", [.. Utf8("{\"text\":\""), 0xED, 0xA0, 0x80, .. Utf8("\"}")], RejectReasons.InvalidUtf8, null },
        { "lone surrogate escape", Utf8("{\"text\":\"\\ud800\"}"), RejectReasons.MalformedJson, null },
        { "missing text", Utf8("{\"id\":\"m\",\"body\":\"abc\"}"), RejectReasons.MissingText, "not found" },
        { "null text", Utf8("{\"id\":\"m\",\"text\":null}"), RejectReasons.MissingText, "null" },
        { "number text", Utf8("{\"id\":\"m\",\"text\":42}"), RejectReasons.MissingText, "a number" },
        { "object text", Utf8("{\"id\":\"m\",\"text\":{\"a\":1}}"), RejectReasons.MissingText, "an object" },
        { "empty text", Utf8("{\"id\":\"m\",\"text\":\"\"}"), RejectReasons.EmptyText, null },
        { "array line", Utf8("[{\"text\":\"a\"}]"), RejectReasons.MalformedJson, "an array" },
        { "number line", Utf8("42"), RejectReasons.MalformedJson, "a number" },
        { "string line", Utf8("\"text\""), RejectReasons.MalformedJson, "a string" },
        { "null line", Utf8("null"), RejectReasons.MalformedJson, "null" },
        { "nested too deep", Utf8("{\"text\":\"a\",\"x\":" + new string('[', 100) + new string(']', 100) + "}"), RejectReasons.MalformedJson, null },
    };

    [Theory]
    [MemberData(nameof(BadLines))]
    public async Task ReadAsync_BadLine_RejectedWithReasonAndLineAndOthersKept(string name, byte[] bad, string reason, string? detailPart)
    {
        foreach (var path in new[] { "x.jsonl", "x.jsonl.gz", "x.jsonl.zst" })
        {
            byte[] plain = [.. Utf8("{\"id\":\"1\",\"text\":\"one\"}\n{\"id\":\"2\",\"text\":\"two\"}\n"), .. bad, .. Utf8("\n{\"id\":\"4\",\"text\":\"four\"}\n{\"id\":\"5\",\"text\":\"five\"}")];
            byte[] blob = path.EndsWith(".gz", StringComparison.Ordinal) ? Gzip(plain) : path.EndsWith(".zst", StringComparison.Ordinal) ? Zstd(plain) : plain;

            var docs = await ReadAll(path, blob);

            Assert.Equal(5, docs.Count);
            var rejected = docs[2];
            Assert.True(reason == rejected.Reject, $"{name} ({path}): expected {reason}, got {rejected.Reject}: {rejected.RejectDetail}");
            Assert.Equal(3, rejected.Line);
            Assert.Equal(48, rejected.ByteOffset);
            Assert.Equal(bad.Length, rejected.ByteLength);
            Assert.Null(rejected.Text);
            Assert.False(string.IsNullOrEmpty(rejected.RejectDetail));
            if (detailPart is not null)
            {
                Assert.Contains(detailPart, rejected.RejectDetail, StringComparison.Ordinal);
            }

            Assert.Equal(["one", "two", "four", "five"], docs.Where(d => d.Reject is null).Select(d => d.Text));
            Assert.Equal([1L, 2L, 4L, 5L], docs.Where(d => d.Reject is null).Select(d => d.Line));
        }
    }

    [Fact]
    public async Task ReadAsync_MissingText_KeepsTheOriginalId()
    {
        var docs = await ReadAll("x.jsonl", Utf8("{\"id\":7,\"body\":\"x\"}"));
        Assert.Equal(RejectReasons.MissingText, docs[0].Reject);
        Assert.Equal("7", docs[0].OriginalId);
    }

    [Fact]
    public async Task ReadAsync_RepeatedTextKey_LastOccurrenceWins()
    {
        var docs = await ReadAll("x.jsonl", Utf8("{\"text\":\"first\",\"text\":\"second\"}"));
        Assert.Equal("second", Assert.Single(docs).Text);
    }

    [Theory]
    [InlineData("\n", 0)]
    [InlineData("\r\n", 0)]
    [InlineData("\n", 3)]
    [InlineData("\r\n", 2)]
    public async Task ReadAsync_LineLengthAroundLimit_ExactLimitAcceptedLongerRejected(string newline, int maxRead)
    {
        var options = new ReaderOptions("text", null, 32);
        string exact = "{\"text\":\"" + new string('a', 32 - 11) + "\"}";
        string over = "{\"text\":\"" + new string('b', 33 - 11) + "\"}";
        string far = "{\"text\":\"" + new string('c', 500) + "\"}";
        Assert.Equal(32, exact.Length);
        var blob = Utf8(exact + newline + over + newline + far + newline + exact + newline + far);

        var docs = await ReadAll("x.jsonl", blob, options: options, maxRead: maxRead);

        Assert.Equal([null, RejectReasons.TooLong, RejectReasons.TooLong, null, RejectReasons.TooLong], docs.Select(d => d.Reject));
        Assert.Equal([32, 33, 511, 32, 511], docs.Select(d => d.ByteLength));
        Assert.Equal([1L, 2L, 3L, 4L, 5L], docs.Select(d => d.Line));
        long step = newline.Length;
        Assert.Equal([0L, 32 + step, 65 + (2 * step), 576 + (3 * step), 608 + (4 * step)], docs.Select(d => d.ByteOffset));
        Assert.Contains("exceeds the limit of 32 bytes", docs[1].RejectDetail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x.jsonl", "\n")]
    [InlineData("x.jsonl", "\r\n")]
    [InlineData("x.jsonl.gz", "\n")]
    [InlineData("x.jsonl.zst", "\r\n")]
    public async Task ReadAsync_30MbLineWith8MbLimit_RejectedTooLongOthersKeptMemoryBounded(string path, string newline)
    {
        var options = new ReaderOptions("text", "id", 8 << 20);
        const int hugeText = 30 << 20;
        var huge = new byte[hugeText + 64];
        int p = Encoding.UTF8.GetBytes("{\"id\":\"big\",\"text\":\"", huge);
        huge.AsSpan(p, hugeText).Fill((byte)'x');
        p += hugeText;
        p += Encoding.UTF8.GetBytes("\"}", huge.AsSpan(p));
        var hugeLine = huge.AsSpan(0, p).ToArray();
        byte[] plain = [.. Utf8("{\"id\":\"1\",\"text\":\"one\"}" + newline), .. hugeLine, .. Utf8(newline + "{\"id\":\"3\",\"text\":\"three\"}" + newline)];
        byte[] blob = path.EndsWith(".gz", StringComparison.Ordinal) ? Gzip(plain, CompressionLevel.Fastest) : path.EndsWith(".zst", StringComparison.Ordinal) ? Zstd(plain, 1) : plain;
        huge = [];

        long before = GC.GetAllocatedBytesForCurrentThread();
        var docs = await ReadAll(path, blob, options: options);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(3, docs.Count);
        Assert.Equal("one", docs[0].Text);
        Assert.Equal(RejectReasons.TooLong, docs[1].Reject);
        Assert.Equal(2, docs[1].Line);
        Assert.Equal(hugeLine.Length, docs[1].ByteLength);
        Assert.Equal(23 + newline.Length, docs[1].ByteOffset);
        Assert.Equal("three", docs[2].Text);
        Assert.Equal(3, docs[2].Line);
        output.WriteLine($"{path}: allocated {allocated:N0} bytes reading a {hugeLine.Length:N0}-byte line");
        // The line is 30 MB; the reader may hold at most one 8 MB line plus a read chunk (and decompressor state).
        Assert.True(allocated < (12L << 20), $"allocated {allocated:N0} bytes reading a {hugeLine.Length:N0}-byte line");
    }

    [Fact]
    public async Task ReadAsync_HugeLastLineWithoutNewline_RejectedTooLong()
    {
        var options = new ReaderOptions("text", null, 1000);
        var blob = Utf8("{\"text\":\"a\"}\n{\"text\":\"" + new string('z', 5000) + "\"}");

        var docs = await ReadAll("x.jsonl", blob, options: options, maxRead: 700);

        Assert.Equal([null, RejectReasons.TooLong], docs.Select(d => d.Reject));
        Assert.Equal(5011, docs[1].ByteLength);
        Assert.Equal(2, docs[1].Line);
    }

    [Theory]
    [InlineData("x.jsonl", 0)]
    [InlineData("x.jsonl", 5000)]
    [InlineData("x.jsonl.gz", 0)]
    [InlineData("x.jsonl.zst", 0)]
    public async Task ReadAsync_ManyLinesAcrossBufferBoundaries_ReturnsAllInOrder(string path, int maxRead)
    {
        var plain = MakeJsonl(40_000);
        byte[] blob = path.EndsWith(".gz", StringComparison.Ordinal) ? Gzip(plain) : path.EndsWith(".zst", StringComparison.Ordinal) ? Zstd(plain) : plain;

        var docs = await ReadAll(path, blob, maxRead: maxRead);

        Assert.Equal(40_000, docs.Count);
        var rnd = new Random(7);
        long offset = 0;
        for (int i = 0; i < docs.Count; i++)
        {
            Assert.Null(docs[i].Reject);
            Assert.Equal($"doc-{i + 1}", docs[i].OriginalId);
            Assert.Equal(TextFor(i + 1, rnd), docs[i].Text);
            Assert.Equal(i + 1, docs[i].Line);
            Assert.Equal(offset, docs[i].ByteOffset);
            offset += docs[i].ByteLength + 1;
        }

        Assert.Equal(plain.Length, offset);
    }

    [Fact]
    public async Task ReadAsync_RealFilesOnDisk_AllFormatsReturnTheSameDocuments()
    {
        var plain = MakeJsonl(5_000, seed: 3, newline: "\r\n");
        string dir = Path.Combine(Path.GetTempPath(), "pipeline-readers-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(dir, "a.jsonl"), plain);
            await File.WriteAllBytesAsync(Path.Combine(dir, "a.jsonl.gz"), Gzip(plain));
            await File.WriteAllBytesAsync(Path.Combine(dir, "a.jsonl.zst"), Zstd(plain));
            var results = new List<List<SourceDocument>>();
            foreach (var name in new[] { "a.jsonl", "a.jsonl.gz", "a.jsonl.zst" })
            {
                string file = Path.Combine(dir, name);
                results.Add(await ReadAll(file, OpenFile(file)));
            }

            Assert.Equal(5_000, results[0].Count);
            Assert.Equal(results[0], results[1]);
            Assert.Equal(results[0], results[2]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task ReadAsync_MultiMemberGzip_ReadsEveryMember()
    {
        var a = MakeJsonl(100, seed: 1);
        var b = MakeJsonl(50, seed: 2);
        byte[] blob = [.. Gzip(a), .. Gzip([]), .. Gzip(b, CompressionLevel.NoCompression)];

        var docs = await ReadAll("x.jsonl.gz", blob, maxRead: 97);

        Assert.Equal(150, docs.Count);
        Assert.All(docs, d => Assert.Null(d.Reject));
        Assert.Equal(101, docs[100].Line);
        Assert.Equal(a.Length, docs[100].ByteOffset);
    }

    [Fact]
    public async Task ReadAsync_MultiFrameZstd_ReadsEveryFrame()
    {
        var a = MakeJsonl(100, seed: 1);
        var b = MakeJsonl(50, seed: 2);
        byte[] blob = [.. Zstd(a), .. Zstd(b, 19)];

        var docs = await ReadAll("x.jsonl.zst", blob, maxRead: 97);

        Assert.Equal(150, docs.Count);
        Assert.All(docs, d => Assert.Null(d.Reject));
        Assert.Equal(a.Length, docs[100].ByteOffset);
    }

    [Fact]
    public async Task ReadAsync_TruncatedGzip_ReturnsEveryDecodableLineThenOneReject()
    {
        var plain = MakeJsonl(3_000);
        var gz = Gzip(plain);
        var cut = gz[..(gz.Length * 2 / 3)];

        var docs = await ReadAll("x.jsonl.gz", cut);

        AssertPrefixThenTruncated(plain, DecodablePrefixGzip(cut), docs, "gzip");
        Assert.True(docs.Count > 1000, "a third of the file should be lost at most");
    }

    [Fact]
    public async Task ReadAsync_TruncatedZstd_ReturnsEveryDecodableLineThenOneReject()
    {
        var plain = MakeJsonl(30_000);
        var zst = Zstd(plain);
        var cut = zst[..(zst.Length * 2 / 3)];

        var docs = await ReadAll("x.jsonl.zst", cut);

        AssertPrefixThenTruncated(plain, DecodablePrefixZstd(cut), docs, "zstd");
        Assert.True(docs.Count > 10_000, "a third of the file should be lost at most");
    }

    [Fact]
    public async Task ReadAsync_GzipCutAtEveryByte_PrefixThenOneRejectUnlessCutBetweenMembers()
    {
        // Three members so that cuts land in headers, deflate data, trailers and between members.
        var parts = new[] { MakeJsonl(12, seed: 1), MakeJsonl(9, seed: 2), MakeJsonl(15, seed: 3) };
        var members = new[] { Gzip(parts[0]), Gzip(parts[1], CompressionLevel.NoCompression), Gzip(parts[2], CompressionLevel.SmallestSize) };
        byte[] plain = [.. parts[0], .. parts[1], .. parts[2]];
        byte[] gz = [.. members[0], .. members[1], .. members[2]];
        var boundaries = new HashSet<int> { 0, members[0].Length, members[0].Length + members[1].Length, gz.Length };

        for (int cut = 0; cut <= gz.Length; cut++)
        {
            var blob = gz[..cut];
            var docs = await ReadAll("x.jsonl.gz", blob, maxRead: cut % 2 == 0 ? 0 : 1 + (cut % 13));
            var prefix = DecodablePrefixGzip(blob);
            if (boundaries.Contains(cut))
            {
                Assert.All(docs, d => Assert.Null(d.Reject));
                Assert.Equal(prefix.Count(b => b == (byte)'\n'), docs.Count);
            }
            else
            {
                AssertPrefixThenTruncated(plain, prefix, docs, $"gzip cut {cut}");
            }
        }
    }

    [Fact]
    public async Task ReadAsync_ZstdCutAtEveryByte_PrefixThenOneRejectUnlessCutBetweenFrames()
    {
        var parts = new[] { MakeJsonl(20, seed: 1), MakeJsonl(25, seed: 2) };
        var frames = new[] { Zstd(parts[0]), Zstd(parts[1], 19) };
        byte[] plain = [.. parts[0], .. parts[1]];
        byte[] zst = [.. frames[0], .. frames[1]];
        var boundaries = new HashSet<int> { 0, frames[0].Length, zst.Length };

        for (int cut = 0; cut <= zst.Length; cut++)
        {
            var blob = zst[..cut];
            var docs = await ReadAll("x.jsonl.zst", blob, maxRead: cut % 2 == 0 ? 0 : 1 + (cut % 13));
            var prefix = DecodablePrefixZstd(blob);
            if (boundaries.Contains(cut))
            {
                Assert.All(docs, d => Assert.Null(d.Reject));
                Assert.Equal(prefix.Count(b => b == (byte)'\n'), docs.Count);
            }
            else
            {
                AssertPrefixThenTruncated(plain, prefix, docs, $"zstd cut {cut}");
            }
        }
    }

    [Fact]
    public async Task ReadAsync_CorruptGzip_ReturnsDocumentsBeforeTheDamageThenOneReject()
    {
        var plain = MakeJsonl(3_000);
        var gz = Gzip(plain);
        for (int i = gz.Length / 2; i < (gz.Length / 2) + 64; i++)
        {
            gz[i] ^= 0x5A;
        }

        var docs = await ReadAll("x.jsonl.gz", gz);

        var last = docs[^1];
        Assert.Equal(RejectReasons.TruncatedArchive, last.Reject);
        Assert.StartsWith("gzip", last.RejectDetail, StringComparison.Ordinal);
        Assert.Single(docs, d => d.Reject == RejectReasons.TruncatedArchive);
        Assert.Equal(docs.Count, last.Line);
        // Deflate has no per-block checksum: the damaged block may decode to garbage lines first (caught as
        // malformed), but every line before the damaged region must come back intact.
        var rnd = new Random(7);
        int intact = 0;
        while (intact < docs.Count - 1 && docs[intact].Reject is null && docs[intact].Text == TextFor(intact + 1, rnd))
        {
            intact++;
        }

        Assert.True(intact > 1000, $"only {intact} documents before the damage survived");
    }

    [Fact]
    public async Task ReadAsync_GzipWithTrailingGarbage_ReportsTruncatedArchiveAfterAllDocuments()
    {
        byte[] blob = [.. Gzip(MakeJsonl(10)), .. Utf8("garbage that is not gzip")];

        var docs = await ReadAll("x.jsonl.gz", blob);

        Assert.Equal(11, docs.Count);
        Assert.All(docs.Take(10), d => Assert.Null(d.Reject));
        Assert.Equal(RejectReasons.TruncatedArchive, docs[10].Reject);
        Assert.Equal(11, docs[10].Line);
    }

    [Theory]
    [InlineData("x.jsonl")]
    [InlineData("x.jsonl.gz")]
    [InlineData("x.jsonl.zst")]
    public async Task ReadAsync_StoreIoErrorMidStream_PropagatesTheStoresException(string path)
    {
        var plain = MakeJsonl(20_000);
        byte[] blob = path.EndsWith(".gz", StringComparison.Ordinal) ? Gzip(plain) : path.EndsWith(".zst", StringComparison.Ordinal) ? Zstd(plain) : plain;
        var error = new IOException("connection reset by peer");
        OpenAt open = (_, _) => Task.FromResult<Stream>(new FailingStream(blob, blob.Length / 2, error));
        int seen = 0;

        var thrown = await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var d in DocumentReaders.ReadAsync(path, open, 0, null, Options, CancellationToken.None))
            {
                Assert.Null(d.Reject);
                seen++;
            }
        });

        Assert.Same(error, thrown);
        Assert.True(seen > 0);
    }

    [Fact]
    public async Task ReadAsync_CancelledToken_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        var blob = MakeJsonl(100_000);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var d in DocumentReaders.ReadAsync("x.jsonl", Open(blob), 0, null, Options, cts.Token))
            {
                await cts.CancelAsync();
            }
        });
    }

    [Fact]
    public async Task ReadAsync_BundledSamples_ReadWithoutRejects()
    {
        string root = RepoRoot();
        var web = Directory.GetFiles(Path.Combine(root, "samples", "web"), "*.jsonl.gz").Order(StringComparer.Ordinal).ToArray();
        var synthetic = Directory.GetFiles(Path.Combine(root, "samples", "synthetic"), "*.jsonl.zst").Order(StringComparer.Ordinal).ToArray();
        var ids = new List<string?>();
        foreach (var file in web.Concat(synthetic))
        {
            foreach (var d in await ReadAll(file, OpenFile(file)))
            {
                Assert.Null(d.Reject);
                ids.Add(d.OriginalId);
            }
        }

        Assert.Equal(4_500, ids.Count);
        Assert.Equal("brown-ca01", ids[0]);
        Assert.Equal(500, ids.Count(i => i!.StartsWith("brown-", StringComparison.Ordinal)));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    private static void AssertPrefixThenTruncated(byte[] plain, byte[] prefix, List<SourceDocument> docs, string what)
    {
        Assert.True(plain.AsSpan().StartsWith(prefix), $"{what}: decodable prefix is not a prefix of the data");
        int complete = prefix.Count(b => b == (byte)'\n');
        Assert.True(docs.Count == complete + 1, $"{what}: expected {complete} documents and one reject, got {docs.Count}");
        var expected = ReadLines(plain, complete);
        for (int i = 0; i < complete; i++)
        {
            Assert.True(docs[i].Reject is null, $"{what}: line {i + 1} rejected: {docs[i].Reject} {docs[i].RejectDetail}");
            Assert.Equal(expected[i], docs[i].Text);
            Assert.Equal(i + 1, docs[i].Line);
        }

        var reject = docs[^1];
        Assert.Equal(RejectReasons.TruncatedArchive, reject.Reject);
        Assert.Equal(complete + 1, reject.Line);
        int lastNewline = Array.LastIndexOf(prefix, (byte)'\n');
        Assert.Equal(lastNewline + 1, reject.ByteOffset);
        Assert.Equal(prefix.Length - (lastNewline + 1), reject.ByteLength);
        Assert.False(string.IsNullOrEmpty(reject.RejectDetail));
    }

    private static List<string> ReadLines(byte[] plain, int count)
    {
        var result = new List<string>();
        foreach (var line in Encoding.UTF8.GetString(plain).Split('\n').Take(count))
        {
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            result.Add(doc.RootElement.GetProperty("text").GetString()!);
        }

        return result;
    }

    // What GZipStream yields from a cut file before it (silently) stops: the most any reader can recover.
    private static byte[] DecodablePrefixGzip(byte[] blob)
    {
        using var output = new MemoryStream();
        try
        {
            using var gz = new GZipStream(new MemoryStream(blob), CompressionMode.Decompress);
            gz.CopyTo(output);
        }
        catch (InvalidDataException)
        {
            // A cut inside a trailer or header: everything decoded before it still counts.
        }

        return output.ToArray();
    }

    private static byte[] DecodablePrefixZstd(byte[] blob)
    {
        using var output = new MemoryStream();
        var buffer = new byte[1];
        try
        {
            using var z = new ZstdSharp.DecompressionStream(new MemoryStream(blob));
            int n;
            while ((n = z.Read(buffer)) > 0)
            {
                output.Write(buffer, 0, n);
            }
        }
        catch (EndOfStreamException)
        {
        }
        catch (ZstdSharp.ZstdException)
        {
        }

        return output.ToArray();
    }
}
