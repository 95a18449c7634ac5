using ParquetSharp;
using Pipeline.Core.Documents;
using Pipeline.Formats.Input;
using static Pipeline.Formats.Tests.Input.ReaderTestSupport;

namespace Pipeline.Formats.Tests.Input;

/// <summary>Parquet files are written with ParquetSharp (Arrow C++), an implementation independent of the reader's Parquet.Net.</summary>
public sealed class ParquetReaderTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pipeline-parquet-" + Guid.NewGuid().ToString("N"));

    public ParquetReaderTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ReadAsync_StringIdTwoRowGroups_ReturnsRowsWithRowNumbers()
    {
        string path = Write("a.parquet", [new Column<string>("id"), new Column<string>("text"), new Column<int>("n")],
            G(S("r1", "r2", "r3"), S("one", "two", "three"), I(1, 2, 3)), G(S("r4", "r5"), S("four", "fünf"), I(4, 5)));

        var docs = await ReadAll(path, OpenFile(path));

        Assert.Equal(["one", "two", "three", "four", "fünf"], docs.Select(d => d.Text));
        Assert.Equal(["r1", "r2", "r3", "r4", "r5"], docs.Select(d => d.OriginalId));
        Assert.Equal([1L, 2L, 3L, 4L, 5L], docs.Select(d => d.Line));
        Assert.Equal([0L, 1L, 2L, 3L, 4L], docs.Select(d => d.ByteOffset));
        Assert.Equal(5, docs[4].ByteLength);
        Assert.All(docs, d => Assert.Null(d.Reject));
    }

    [Fact]
    public async Task ReadAsync_Int64IdColumn_IdIsItsDecimalText()
    {
        string path = Write("b.parquet", [new Column<string>("text"), new Column<long>("id")],
            G(S("x", "y"), L(long.MaxValue, -7L)));

        var docs = await ReadAll(path, OpenFile(path));

        Assert.Equal(["9223372036854775807", "-7"], docs.Select(d => d.OriginalId));
    }

    [Fact]
    public async Task ReadAsync_NoIdColumn_IdsAreNull()
    {
        string path = Write("c.parquet", [new Column<string>("text")], G(S("x", "y")));

        var docs = await ReadAll(path, OpenFile(path));

        Assert.All(docs, d => Assert.Null(d.OriginalId));
        Assert.Equal(2, docs.Count);
    }

    [Fact]
    public async Task ReadAsync_NullEmptyAndTooLongText_RejectedAtTheirRowsOthersKept()
    {
        string path = Write("d.parquet", [new Column<string>("text"), new Column<long>("id")],
            G(S("a", null, "c"), L(1, 2, 3)), G(S(string.Empty, new string('z', 100), "f"), L(4, 5, 6)));

        var docs = await ReadAll(path, OpenFile(path), new ReaderOptions("text", "id", 50));

        Assert.Equal([null, RejectReasons.MissingText, null, RejectReasons.EmptyText, RejectReasons.TooLong, null], docs.Select(d => d.Reject));
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], docs.Select(d => d.Line));
        Assert.Equal("2", docs[1].OriginalId);
        Assert.Equal(100, docs[4].ByteLength);
        Assert.Equal(["a", "c", "f"], docs.Where(d => d.Reject is null).Select(d => d.Text));
    }

    [Fact]
    public async Task ReadAsync_MissingTextColumn_OneUnreadableRejectNamingTheColumns()
    {
        string path = Write("e.parquet", [new Column<string>("a"), new Column<long>("b")], G(S("x"), L(1)));

        var docs = await ReadAll(path, OpenFile(path));

        var reject = Assert.Single(docs);
        Assert.Equal(RejectReasons.Unreadable, reject.Reject);
        Assert.Equal(0, reject.Line);
        Assert.Equal("column 'text' not found; columns: a, b", reject.RejectDetail);
    }

    [Fact]
    public async Task ReadAsync_TextColumnNotString_OneUnreadableReject()
    {
        string path = Write("f.parquet", [new Column<long>("text")], G(L(1, 2)));

        var docs = await ReadAll(path, OpenFile(path));

        var reject = Assert.Single(docs);
        Assert.Equal(RejectReasons.Unreadable, reject.Reject);
        Assert.Contains("not a string column", reject.RejectDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_NotAParquetFile_OneUnreadableReject()
    {
        var docs = await ReadAll("g.parquet", Utf8("{\"text\":\"this is JSON, not Parquet\"}\n"));

        var reject = Assert.Single(docs);
        Assert.Equal(RejectReasons.Unreadable, reject.Reject);
        Assert.Contains("not a readable Parquet file", reject.RejectDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_TruncatedParquet_OneUnreadableReject()
    {
        string path = Write("h.parquet", [new Column<string>("text")], G(S("a", "b", "c")));
        var bytes = await File.ReadAllBytesAsync(path);

        var docs = await ReadAll("h.parquet", bytes[..(bytes.Length - 10)]);

        Assert.Equal(RejectReasons.Unreadable, Assert.Single(docs).Reject);
    }

    [Fact]
    public async Task ReadAsync_ManyRowGroups_AllRowsInOrder()
    {
        var groups = new List<Array[]>();
        int next = 0;
        for (int g = 0; g < 7; g++)
        {
            int rows = 100 + (g * 37);
            groups.Add(G(
                Enumerable.Range(next, rows).Select(i => (string?)$"text {i}").ToArray(),
                Enumerable.Range(next, rows).Select(i => (long)i).ToArray()));
            next += rows;
        }

        string path = Write("i.parquet", [new Column<string>("text"), new Column<long>("id")], [.. groups]);

        var docs = await ReadAll(path, OpenFile(path));

        Assert.Equal(next, docs.Count);
        for (int i = 0; i < next; i++)
        {
            Assert.Equal($"text {i}", docs[i].Text);
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), docs[i].OriginalId);
            Assert.Equal(i, docs[i].ByteOffset);
        }
    }

    private static Array[] G(params Array[] columns) => columns;

    private static string?[] S(params string?[] values) => values;

    private static long[] L(params long[] values) => values;

    private static int[] I(params int[] values) => values;

    // groups[g][c] holds column c of row group g.
    private string Write(string name, Column[] columns, params Array[][] groups)
    {
        string path = Path.Combine(_dir, name);
        using (var file = new ParquetFileWriter(path, columns))
        {
            foreach (var values in groups)
            {
                using var group = file.AppendRowGroup();
                for (int c = 0; c < columns.Length; c++)
                {
                    using var writer = group.NextColumn();
                    switch (values[c])
                    {
                        case string?[] s:
                            using (var w = writer.LogicalWriter<string?>())
                            {
                                w.WriteBatch(s);
                            }

                            break;
                        case long[] l:
                            using (var w = writer.LogicalWriter<long>())
                            {
                                w.WriteBatch(l);
                            }

                            break;
                        case int[] n:
                            using (var w = writer.LogicalWriter<int>())
                            {
                                w.WriteBatch(n);
                            }

                            break;
                        default:
                            throw new NotSupportedException(values[c].GetType().Name);
                    }
                }
            }

            file.Close();
        }

        return path;
    }
}
