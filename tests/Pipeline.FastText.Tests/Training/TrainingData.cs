using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Pipeline.FastText.Cli;

namespace Pipeline.FastText.Tests.Training;

/// <summary>
/// Labeled data for the training tests: the golden corpus (train.txt rebuilt by scripts/fasttext-golden/make-corpus.py,
/// test.txt committed as tests/data/fasttext/inputs/test.txt); when Python or zstd is missing, a deterministic
/// labeled split built from samples/web/*.jsonl.gz (Brown genre letter as label, 100-word lines).
/// Also an unlabeled copy of the training text for cbow/skipgram, and helpers to score models.
/// </summary>
internal static class TrainingData
{
    private static readonly Lazy<(string Train, string Test, string Plain)> Files = new(Build);

    public static string Train => Files.Value.Train;

    public static string Test => Files.Value.Test;

    public static string Plain => Files.Value.Plain;

    /// <summary>A fresh temporary folder for one test's outputs.</summary>
    public static string NewTempDir(string name)
    {
        string dir = Path.Combine(Path.GetTempPath(), "pipeline-fttrain-tests", $"{name}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Every <paramref name="step"/>-th line of the training file, for tests that need less data.</summary>
    public static string TrainSubset(int step) => Subset(Train, "train", step);

    /// <summary>Every <paramref name="step"/>-th line of the unlabeled training text.</summary>
    public static string PlainSubset(int step) => Subset(Plain, "plain", step);

    private static string Subset(string source, string name, int step)
    {
        string path = Path.Combine(Root, $"{name}-every-{step}.txt");
        if (!System.IO.File.Exists(path))
        {
            string[] lines = System.IO.File.ReadAllLines(source);
            System.IO.File.WriteAllLines(path + ".tmp", lines.Where((_, i) => i % step == 0));
            System.IO.File.Move(path + ".tmp", path, overwrite: true);
        }
        return path;
    }

    /// <summary>P@1 of a model on the test file, as <c>fasttext test</c> computes it.</summary>
    public static double PrecisionAt1(FastTextModel model)
    {
        using FileStream input = System.IO.File.OpenRead(Test);
        TestMeter meter = TestMeter.Evaluate(model, input, 1, 0f);
        return (double)meter.PredictedGold / meter.Predicted;
    }

    /// <summary>P@1 as printed by the reference CLI's <c>test</c> (3 significant digits).</summary>
    public static double ReferencePrecisionAt1(string modelPath)
    {
        (int exit, byte[] stdout, string stderr) = ReferenceCli.Run(["test", modelPath, Test]);
        Assert.True(exit == 0, stderr);
        string line = Encoding.UTF8.GetString(stdout).Split('\n').Single(l => l.StartsWith("P@1", StringComparison.Ordinal));
        return double.Parse(line.Split('\t')[1], CultureInfo.InvariantCulture);
    }

    private static string Root { get; } = CreateRoot();

    private static string CreateRoot()
    {
        string dir = Path.Combine(Path.GetTempPath(), "pipeline-fttrain-tests", "data-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static (string, string, string) Build()
    {
        string train = TestPaths.File("train.txt");
        string test = TestPaths.File("test.txt");
        if (!System.IO.File.Exists(train) || !System.IO.File.Exists(test))
        {
            (train, test) = MakeCorpus() ?? BuildFromSamples();
        }
        string plain = Path.Combine(Root, "plain.txt");
        var sb = new StringBuilder();
        foreach (string line in System.IO.File.ReadLines(train))
        {
            sb.AppendJoin(' ', line.Split(' ').Where(t => !t.StartsWith("__label__", StringComparison.Ordinal))).Append('\n');
        }
        System.IO.File.WriteAllText(plain, sb.ToString());
        return (train, test, plain);
    }

    /// <summary>
    /// The golden corpus (tests/data/fasttext/PROVENANCE.md): test.txt is committed as inputs/test.txt, train.txt is
    /// rebuilt byte-identically by scripts/fasttext-golden/make-corpus.py (Python 3 and zstd). Null when that fails.
    /// </summary>
    private static (string, string)? MakeCorpus()
    {
        string test = Path.Combine(TestPaths.Data, "inputs", "test.txt");
        string script = Path.Combine(TestPaths.RepoRoot, "scripts", "fasttext-golden", "make-corpus.py");
        if (!System.IO.File.Exists(test) || !System.IO.File.Exists(script))
        {
            return null;
        }
        string outDir = Path.Combine(Root, "corpus");
        try
        {
            var psi = new System.Diagnostics.ProcessStartInfo("python3")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (string a in new[] { script, "--root", TestPaths.RepoRoot, "--out", outDir })
            {
                psi.ArgumentList.Add(a);
            }
            using var p = System.Diagnostics.Process.Start(psi)!;
            p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            string train = Path.Combine(outDir, "train.txt");
            return p.ExitCode == 0 && System.IO.File.Exists(train) ? (train, test) : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static (string, string) BuildFromSamples()
    {
        string train = Path.Combine(Root, "train.txt");
        string test = Path.Combine(Root, "test.txt");
        var trainText = new StringBuilder();
        var testText = new StringBuilder();
        int n = 0;
        foreach (string file in Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "samples", "web"), "*.jsonl.gz").Order(StringComparer.Ordinal))
        {
            using var gz = new GZipStream(System.IO.File.OpenRead(file), CompressionMode.Decompress);
            using var reader = new StreamReader(gz);
            while (reader.ReadLine() is { } json)
            {
                using var doc = JsonDocument.Parse(json);
                string id = doc.RootElement.GetProperty("id").GetString()!;
                string label = "__label__" + id.Split('-')[1][1];
                string[] words = doc.RootElement.GetProperty("text").GetString()!.ToLowerInvariant()
                    .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                for (int i = 0; i < words.Length; i += 100)
                {
                    StringBuilder target = n++ % 10 == 0 ? testText : trainText;
                    target.Append(label).Append(' ').AppendJoin(' ', words.Skip(i).Take(100)).Append('\n');
                }
            }
        }
        System.IO.File.WriteAllText(train, trainText.ToString());
        System.IO.File.WriteAllText(test, testText.ToString());
        return (train, test);
    }
}
