using System.Text;
using System.Text.Json.Serialization;
using Pipeline.Formats.Work;
using Pipeline.Scoring.PreSelect;

namespace Pipeline.Scoring.Tests.PreSelect;

public sealed class InputFileTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content) => TestPaths.WriteText(_dir, name, content);

    [Fact]
    public async Task ReadAsync_Jsonl_ReadsRowsWithLineNumbersAndNumericIds()
    {
        var path = Write("losses.jsonl", "{\"doc_id\":\"a\",\"model\":\"m1\",\"loss\":1.5}\n\n{\"doc_id\":42,\"model\":\"m2\",\"loss\":\"0.25\",\"extra\":[1]}\n");
        var table = await LossTable.ReadAsync(path, CancellationToken.None);

        Assert.Equal(2, table.Records.Count);
        Assert.Equal(new LossRecord("a", "m1", 1.5, 1), table.Records[0]);
        Assert.Equal(new LossRecord("42", "m2", 0.25, 3), table.Records[1]);
        Assert.Equal($"{path} line 3", table.Locate(3));
    }

    [Fact]
    public async Task ReadAsync_PythonNaNLiteral_ReadsNaNSoThatLabelingNamesIt()
    {
        var path = Write("losses.jsonl", "{\"doc_id\":\"a\",\"model\":\"m1\",\"loss\":1.5}\n{\"doc_id\":\"NaN here\",\"model\":\"m1\",\"loss\":NaN}\n");
        var table = await LossTable.ReadAsync(path, CancellationToken.None);

        Assert.True(double.IsNaN(table.Records[1].Loss));
        Assert.Equal("NaN here", table.Records[1].DocId);
    }

    [Theory]
    [InlineData("{\"doc_id\":\"a\",\"model\":\"m1\"}", "line 2: loss is missing")]
    [InlineData("{\"model\":\"m1\",\"loss\":1}", "line 2: doc_id is missing")]
    [InlineData("{\"doc_id\":\"a\",\"model\":7,\"loss\":1}", "line 2: model must be a string")]
    [InlineData("{\"doc_id\":\"a\",\"model\":\"m1\",\"loss\":true}", "line 2: loss must be a number")]
    [InlineData("{\"doc_id\":\"a\",", "line 2: not valid JSON")]
    [InlineData("[1,2]", "line 2: expected a JSON object")]
    public async Task ReadAsync_MalformedLine_ErrorNamesLine(string line, string expected)
    {
        var path = Write("losses.jsonl", "{\"doc_id\":\"a\",\"model\":\"m1\",\"loss\":1.5}\n" + line + "\n");
        var ex = await Assert.ThrowsAsync<PreSelectInputException>(() => LossTable.ReadAsync(path, CancellationToken.None));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_ParquetRoundTrip_KeepsRowsAndNumbersRows()
    {
        var path = Path.Combine(_dir, "losses.parquet");
        await LossTable.WriteParquetAsync(
            [new LossRow { DocId = "a", Model = "m1", Loss = 1.25 }, new LossRow { DocId = "b", Model = "m2", Loss = 0.5 }], path, CancellationToken.None);
        var table = await LossTable.ReadAsync(path, CancellationToken.None);

        Assert.Equal([new LossRecord("a", "m1", 1.25, 1), new LossRecord("b", "m2", 0.5, 2)], table.Records);
        Assert.Equal($"{path} row 2", table.Locate(2));
    }

    private sealed class Int64IdRow
    {
        [JsonPropertyName("doc_id")] public long DocId { get; set; }

        [JsonPropertyName("model")] public string Model { get; set; } = "";

        [JsonPropertyName("loss")] public double Loss { get; set; }
    }

    [Fact]
    public async Task ReadAsync_ParquetWithInt64Ids_ReadsIdsAsDecimalText()
    {
        var path = Path.Combine(_dir, "ids.parquet");
        await using (var stream = File.Create(path))
        {
            await ParquetTables.WriteAsync([new Int64IdRow { DocId = -9_000_000_000, Model = "m1", Loss = 2 }], stream, CancellationToken.None);
        }
        var table = await LossTable.ReadAsync(path, CancellationToken.None);
        Assert.Equal(new LossRecord("-9000000000", "m1", 2, 1), Assert.Single(table.Records));
    }

    [Fact]
    public async Task ReadAsync_UnsupportedExtension_Throws()
    {
        var path = Write("losses.csv", "doc_id,model,loss\n");
        await Assert.ThrowsAsync<PreSelectInputException>(() => LossTable.ReadAsync(path, CancellationToken.None));
    }

    [Fact]
    public void Parse_Benchmarks_KeepsFileOrder()
    {
        var b = BenchmarkScores.Parse("{\"llama-7b\": 75.38, \"llama-65b\": 81.19, \"llama-13b\": 77.27}"u8, "b.json");
        Assert.Equal(["llama-7b", "llama-65b", "llama-13b"], b.Models);
        Assert.Equal([75.38, 81.19, 77.27], b.Scores);
        Assert.Equal(1, b.IndexOf("llama-65b"));
        Assert.Equal(-1, b.IndexOf("mistral"));
    }

    [Theory]
    [InlineData("{\n\"a\": 1,\n\"b\": 2,\n\"a\": 3\n}", "b.json line 4: model 'a' is listed twice")]
    [InlineData("{\n\"a\": 1,\n\"b\": \"high\"\n}", "b.json line 3: the score of 'b' must be a number")]
    [InlineData("{\"a\": 1}", "b.json: PreSelect needs at least 2 models, found 1")]
    [InlineData("[1, 2]", "b.json: expected a JSON object")]
    public void Parse_BadBenchmarks_ErrorNamesLine(string json, string expected)
    {
        var ex = Assert.Throws<PreSelectInputException>(() => BenchmarkScores.Parse(Encoding.UTF8.GetBytes(json), "b.json"));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
