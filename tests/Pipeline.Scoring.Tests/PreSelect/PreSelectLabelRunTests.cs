using System.Text;
using Pipeline.Core.Jobs;
using Pipeline.Formats.Work;
using Pipeline.Scoring.PreSelect;

namespace Pipeline.Scoring.Tests.PreSelect;

public sealed class PreSelectLabelRunTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content) => TestPaths.WriteText(_dir, name, content);

    private (string Losses, string Benchmarks, string Docs) Inputs()
    {
        var docs = Write("docs.jsonl", string.Join("\n",
            "{\"id\":\"p1\",\"text\":\"good\\ndoc one\"}",
            "{\"id\":\"n1\",\"text\":\"bad\\ndoc\"}",
            "{\"id\":\"p2\",\"text\":\"good doc two\"}",
            "{\"id\":\"m1\",\"text\":\"middle\"}",
            "{\"id\":\"n2\",\"text\":\"worse\\n\\ndoc\"}") + "\n");
        var benchmarks = Write("benchmarks.json", "{\"small\": 1, \"medium\": 2, \"large\": 3}\n");
        var rows = new StringBuilder();
        void Add(string id, double s, double m, double l)
        {
            rows.Append($"{{\"doc_id\":\"{id}\",\"model\":\"small\",\"loss\":{s}}}\n");
            rows.Append($"{{\"doc_id\":\"{id}\",\"model\":\"medium\",\"loss\":{m}}}\n");
            rows.Append($"{{\"doc_id\":\"{id}\",\"model\":\"large\",\"loss\":{l}}}\n");
        }
        Add("n2", 1, 2, 3);
        Add("p1", 3, 2, 1);
        Add("m1", 2, 3, 1);
        Add("p2", 3.5, 2.5, 1.5);
        Add("n1", 1, 1, 1);
        return (Write("losses.jsonl", rows.ToString()), benchmarks, docs);
    }

    [Theory]
    [InlineData(NewlineMode.Space, "__label__1 good doc one\n__label__1 good doc two\n__label__0 bad doc\n__label__0 worse  doc\n")]
    [InlineData(NewlineMode.Delete, "__label__1 gooddoc one\n__label__1 good doc two\n__label__0 baddoc\n__label__0 worsedoc\n")]
    public async Task RunAsync_SmallCorpus_WritesPositivesThenNegatives(NewlineMode mode, string expected)
    {
        var (losses, benchmarks, docs) = Inputs();
        var output = Path.Combine(_dir, "out");
        var result = await PreSelectLabelRun.RunAsync(
            new PreSelectLabelRequest(losses, benchmarks, [docs], output, mode, new PreSelectLabelOptions()), CancellationToken.None);

        Assert.Equal(expected, await File.ReadAllTextAsync(result.TrainingPath));
        Assert.Equal(4, result.TrainingLines);
        Assert.Equal(2, result.Labels.Positives);
        Assert.Equal(2, result.Labels.Negatives);

        await using var stream = File.OpenRead(result.StrengthPath);
        var rows = await ParquetTables.ReadAsync<StrengthRow>(stream, CancellationToken.None);
        Assert.Equal(["p1", "n1", "p2", "m1", "n2"], rows.Select(r => r.DocId));
        Assert.Equal([1.0, 0.0, 1.0, 2.0 / 3.0, 0.0], rows.Select(r => r.S));
        Assert.Equal([1, 0, 1, -1, 0], rows.Select(r => r.Label));
        Assert.Equal([3, 0, 3, 2, 0], rows.Select(r => r.Concordant));
        Assert.True(File.Exists(Path.Combine(output, PreSelectLabelRun.SummaryFile)));
        Assert.Empty(Directory.GetFiles(output, "*.tmp"));
    }

    [Fact]
    public async Task RunAsync_SameInputsTwice_WritesIdenticalBytes()
    {
        var (losses, benchmarks, docs) = Inputs();
        var a = await PreSelectLabelRun.RunAsync(new PreSelectLabelRequest(losses, benchmarks, [docs], Path.Combine(_dir, "a"), NewlineMode.Space, new PreSelectLabelOptions()), CancellationToken.None);
        var b = await PreSelectLabelRun.RunAsync(new PreSelectLabelRequest(losses, benchmarks, [docs], Path.Combine(_dir, "b"), NewlineMode.Space, new PreSelectLabelOptions()), CancellationToken.None);
        foreach (var name in new[] { PreSelectLabelRun.StrengthFile, PreSelectLabelRun.TrainingFile, PreSelectLabelRun.SummaryFile })
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(_dir, "a", name)), await File.ReadAllBytesAsync(Path.Combine(_dir, "b", name)));
        }
        Assert.Equal(a.TrainingLines, b.TrainingLines);
    }

    [Fact]
    public async Task RunAsync_DocumentWithoutId_ErrorNamesLine()
    {
        var (losses, benchmarks, _) = Inputs();
        var docs = Write("noid.jsonl", "{\"id\":\"p1\",\"text\":\"x\"}\n{\"text\":\"no id\"}\n");
        var ex = await Assert.ThrowsAsync<PreSelectInputException>(() => PreSelectLabelRun.RunAsync(
            new PreSelectLabelRequest(losses, benchmarks, [docs], Path.Combine(_dir, "out"), NewlineMode.Space, new PreSelectLabelOptions()), CancellationToken.None));
        Assert.Contains("noid.jsonl line 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MalformedDocument_ErrorNamesLineAndReason()
    {
        var (losses, benchmarks, _) = Inputs();
        var docs = Write("bad.jsonl", "{\"id\":\"p1\",\"text\":\"x\"}\n{\"id\":\"p2\",\"text\":\n");
        var ex = await Assert.ThrowsAsync<PreSelectInputException>(() => PreSelectLabelRun.RunAsync(
            new PreSelectLabelRequest(losses, benchmarks, [docs], Path.Combine(_dir, "out"), NewlineMode.Space, new PreSelectLabelOptions()), CancellationToken.None));
        Assert.Contains("bad.jsonl line 2: malformed_json", ex.Message, StringComparison.Ordinal);
    }
}
