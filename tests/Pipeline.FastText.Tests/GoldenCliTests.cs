using System.Text;

namespace Pipeline.FastText.Tests;

/// <summary>
/// Our CLI against the reference's recorded output: every row of <c>tests/data/fasttext/golden/index.tsv</c> (made by
/// the reference fastText 0.9.2 CLI; see tests/data/fasttext/PROVENANCE.md) is rerun with our implementation and
/// must give the same stdout, byte for byte.
/// </summary>
public sealed class GoldenCliTests
{
    /// <summary>One recorded reference run.</summary>
    public sealed record GoldenRun(string File, string[] Argv, string? Stdin, string ExitCode, string? StderrFile, int? HeadLines)
    {
        /// <inheritdoc />
        public override string ToString() => File;
    }

    private static readonly Lazy<Dictionary<string, GoldenRun>> Runs = new(LoadIndex);

    private static Dictionary<string, GoldenRun> LoadIndex()
    {
        var runs = new Dictionary<string, GoldenRun>(StringComparer.Ordinal);
        string[] lines = System.IO.File.ReadAllLines(Path.Combine(TestPaths.Golden, "index.tsv"));
        foreach (string line in lines.Skip(1))
        {
            string[] f = line.Split('\t');
            string command = f[2];
            int? head = null;
            int pipe = command.IndexOf(" | head -n ", StringComparison.Ordinal);
            if (pipe >= 0)
            {
                head = int.Parse(command[(pipe + " | head -n ".Length)..], System.Globalization.CultureInfo.InvariantCulture);
                command = command[..pipe];
            }
            string[] argv = command.Split(' ')[1..];
            runs[f[0]] = new GoldenRun(f[0], argv, f[3] == "-" ? null : f[3], f[4], f.Length > 5 && f[5].Length > 0 ? f[5] : null, head);
        }
        return runs;
    }

    /// <summary>The golden files, one test case each.</summary>
    public static TheoryData<string> GoldenFiles()
    {
        var data = new TheoryData<string>();
        foreach (string file in Runs.Value.Keys.Order(StringComparer.Ordinal))
        {
            data.Add(file);
        }
        return data;
    }

    [Fact]
    public void Index_CoversEveryCommandAndModel()
    {
        Dictionary<string, GoldenRun> runs = Runs.Value;
        Assert.True(runs.Count >= 100, $"only {runs.Count} golden runs");
        string[] commands = ["predict", "predict-prob", "test", "test-label", "print-word-vectors", "print-sentence-vectors", "nn", "dump", "print-ngrams", "analogies"];
        foreach (string command in commands)
        {
            Assert.Contains(runs.Values, r => r.Argv[0] == command);
        }
        string[] models = ["sup-softmax.bin", "sup-hs.bin", "sup-ova.bin", "sup-ns.bin", "sup-char.bin", "sup-quant.ftz", "sup-quant-qout.ftz"];
        foreach (string model in models)
        {
            foreach (string k in new[] { "1", "2", "5" })
            {
                Assert.Contains(runs.Values, r => r.Argv[0] == "predict-prob" && r.Argv[1] == "models/" + model && r.Argv.Length == 4 && r.Argv[3] == k);
            }
        }
    }

    [Theory]
    [MemberData(nameof(GoldenFiles))]
    public void OurCli_GivesTheReferenceOutput(string goldenFile)
    {
        GoldenRun run = Runs.Value[goldenFile];
        string[] args = [.. run.Argv.Select(Resolve)];
        byte[]? stdin = run.Stdin is null ? null : System.IO.File.ReadAllBytes(Path.Combine(TestPaths.Data, run.Stdin));
        (int exit, byte[] stdout, string stderr) = ReferenceCli.RunOurs(args, stdin);

        byte[] expected = System.IO.File.ReadAllBytes(Path.Combine(TestPaths.Data, run.File));
        byte[] actual = Unresolve(stdout);
        if (run.HeadLines is int head)
        {
            actual = FirstLines(actual, head);
        }
        AssertSameBytes(expected, actual, run.File);
        if (run.ExitCode == "0")
        {
            Assert.Equal(0, exit);
            if (run.StderrFile is not null)
            {
                string expectedErr = System.IO.File.ReadAllText(Path.Combine(TestPaths.Data, run.StderrFile));
                Assert.Equal(expectedErr, stderr);
            }
        }
        else if (run.ExitCode != "SIGPIPE")
        {
            // The reference aborts (e.g. an assertion, exit 134); ours must fail too, with a message.
            Assert.NotEqual(0, exit);
            Assert.False(string.IsNullOrWhiteSpace(stderr));
        }
    }

    private static string Resolve(string arg) =>
        arg.StartsWith("models/", StringComparison.Ordinal) || arg.StartsWith("inputs/", StringComparison.Ordinal)
            ? Path.Combine(TestPaths.Data, arg)
            : arg;

    private static byte[] Unresolve(byte[] output)
    {
        byte[] prefix = Encoding.UTF8.GetBytes(TestPaths.Data.TrimEnd('/') + "/");
        int at = output.AsSpan().IndexOf(prefix);
        if (at < 0)
        {
            return output;
        }
        return [.. output.AsSpan(0, at), .. Unresolve(output[(at + prefix.Length)..])];
    }

    private static byte[] FirstLines(byte[] bytes, int lines)
    {
        int seen = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '\n' && ++seen == lines)
            {
                return bytes[..(i + 1)];
            }
        }
        return bytes;
    }

    internal static void AssertSameBytes(byte[] expected, byte[] actual, string what)
    {
        if (expected.AsSpan().SequenceEqual(actual))
        {
            return;
        }
        int i = 0;
        while (i < expected.Length && i < actual.Length && expected[i] == actual[i])
        {
            i++;
        }
        int line = expected.AsSpan(0, Math.Min(i, expected.Length)).Count((byte)'\n') + 1;
        string Around(byte[] b) => Encoding.UTF8.GetString(b, Math.Max(0, i - 60), Math.Min(b.Length, i + 60) - Math.Max(0, i - 60));
        Assert.Fail($"{what}: first difference at byte {i} (line {line}) of {expected.Length} expected / {actual.Length} actual\n" +
            $"expected: …{Around(expected)}…\nactual:   …{Around(actual)}…");
    }
}
