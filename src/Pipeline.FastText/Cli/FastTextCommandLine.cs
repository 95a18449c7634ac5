using System.Globalization;
using System.Text;
using Pipeline.FastText.Training;

namespace Pipeline.FastText.Cli;

/// <summary>
/// The reference <c>fasttext</c> command line (0.9.2): same commands, arguments, output format and exit codes,
/// so scripts can swap binaries. Prediction output is written as raw bytes (labels are printed as stored).
/// </summary>
public static class FastTextCommandLine
{
    private const string Usage =
        "usage: fasttext <command> <args>\n\n" +
        "The commands supported by fasttext are:\n\n" +
        "  supervised              train a supervised classifier\n" +
        "  quantize                quantize a model to reduce the memory usage\n" +
        "  test                    evaluate a supervised classifier\n" +
        "  test-label              print labels with precision and recall scores\n" +
        "  predict                 predict most likely labels\n" +
        "  predict-prob            predict most likely labels with probabilities\n" +
        "  skipgram                train a skipgram model\n" +
        "  cbow                    train a cbow model\n" +
        "  print-word-vectors      print word vectors given a trained model\n" +
        "  print-sentence-vectors  print sentence vectors given a trained model\n" +
        "  print-ngrams            print ngrams given a trained model and word\n" +
        "  nn                      query for nearest neighbors\n" +
        "  analogies               query for analogies\n" +
        "  dump                    dump arguments,dictionary,input/output vectors\n\n";

    private const string PredictUsage =
        "usage: fasttext predict[-prob] <model> <test-data> [<k>] [<th>]\n\n" +
        "  <model>      model filename\n" +
        "  <test-data>  test data filename (if -, read from stdin)\n" +
        "  <k>          (optional; 1 by default) predict top k labels\n" +
        "  <th>         (optional; 0.0 by default) probability threshold\n\n";

    private const string TestUsage =
        "usage: fasttext test <model> <test-data> [<k>] [<th>]\n\n" +
        "  <model>      model filename\n" +
        "  <test-data>  test data filename (if -, read from stdin)\n" +
        "  <k>          (optional; 1 by default) predict top k labels\n" +
        "  <th>         (optional; 0.0 by default) probability threshold\n\n";

    private const string DumpUsage =
        "usage: fasttext dump <model> <option>\n\n" +
        "  <model>      model filename\n" +
        "  <option>     option from args,dict,input,output\n";

    private const string NnUsage =
        "usage: fasttext nn <model> <k>\n\n" +
        "  <model>      model filename\n" +
        "  <k>          (optional; 10 by default) predict top k labels\n\n";

    /// <summary>Runs one command (<paramref name="args"/>[0] is the command name, as in <c>fasttext ARGS</c>).</summary>
    /// <returns>The process exit code: 0 on success, 1 on bad usage or a failed command.</returns>
    public static int Run(IReadOnlyList<string> args, Stream stdin, Stream stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Count < 1)
        {
            stderr.Write(Usage);
            return 1;
        }
        var output = new BufferedStream(stdout, 1 << 16);
        try
        {
            return args[0] switch
            {
                "predict" or "predict-prob" => Predict(args, stdin, output, stderr),
                "test" or "test-label" => Test(args, stdin, output, stderr),
                "print-word-vectors" => PrintWordVectors(args, stdin, output, stderr),
                "print-sentence-vectors" => PrintSentenceVectors(args, stdin, output, stderr),
                "nn" => NearestNeighbors(args, stdin, output),
                "analogies" => Analogies(args, stdin, output, stderr),
                "print-ngrams" => PrintNgrams(args, output, stderr),
                "dump" => Dump(args, output, stderr),
                "supervised" or "skipgram" or "cbow" or "quantize" =>
                    TrainingCommands.Run(args[0], [.. args.Skip(1)], new StreamWriter(output, new UTF8Encoding(false)) { AutoFlush = true }, stderr),
                _ => Fail(stderr, Usage),
            };
        }
        catch (FastTextFormatException e)
        {
            output.Flush();
            stderr.WriteLine(e.Message);
            return 1;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            output.Flush();
            stderr.WriteLine(e.Message);
            return 1;
        }
        finally
        {
            output.Flush();
        }
    }

    private static int Fail(TextWriter stderr, string usage)
    {
        stderr.Write(usage);
        return 1;
    }

    private static FastTextModel LoadModel(string path)
    {
        try
        {
            return FastTextModel.Load(path);
        }
        catch (FileNotFoundException)
        {
            throw new FastTextFormatException($"{path} cannot be opened for loading!");
        }
        catch (DirectoryNotFoundException)
        {
            throw new FastTextFormatException($"{path} cannot be opened for loading!");
        }
    }

    /// <summary>Opens the input file (or stdin for "-"); reports <paramref name="failure"/> and returns null when it cannot.</summary>
    private static Stream? OpenInput(string path, Stream stdin, TextWriter stderr, string failure)
    {
        try
        {
            return path == "-" ? stdin : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (IOException)
        {
            stderr.WriteLine(failure);
            return null;
        }
    }

    /// <summary>The optional <c>[&lt;k&gt;] [&lt;th&gt;]</c> arguments of predict and test (defaults 1 and 0.0).</summary>
    private static (int K, float Threshold) KAndThreshold(IReadOnlyList<string> args) =>
        (args.Count > 3 ? ParseInt(args[3]) : 1, args.Count > 4 ? ParseFloat(args[4]) : 0f);

    private static int ParseInt(string s) => int.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static float ParseFloat(string s) => float.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static int Predict(IReadOnlyList<string> args, Stream stdin, Stream output, TextWriter stderr)
    {
        if (args.Count is < 3 or > 5)
        {
            return Fail(stderr, PredictUsage);
        }
        (int k, float threshold) = KAndThreshold(args);
        bool printProb = args[0] == "predict-prob";
        FastTextModel model = LoadModel(args[1]);
        if (OpenInput(args[2], stdin, stderr, "Input file cannot be opened!") is not { } input)
        {
            return 1;
        }
        using (args[2] == "-" ? null : input)
        {
            FastTextPredictor predictor = model.CreatePredictor();
            int capacity = k == -1 ? (int)model.Output.Rows : k;
            var predictions = new Prediction[Math.Max(1, capacity)];
            var reader = new LineReader(input);
            var text = new Utf8Out(output);
            reader.ForEachFastTextLine((line, endOfLine) =>
            {
                int n = predictor.PredictLine(line, endOfLine, k, threshold, predictions, out int rest);
                for (int i = 0; i < n; i++)
                {
                    if (i > 0)
                    {
                        text.Byte((byte)' ');
                    }
                    text.Bytes(model.Dictionary.GetLabelBytes(predictions[i].LabelIndex));
                    if (printProb)
                    {
                        text.Byte((byte)' ');
                        text.Ascii(CFormat.General(predictions[i].Probability));
                    }
                }
                text.Byte((byte)'\n');
                return rest;
            });
        }
        return 0;
    }

    private static int Test(IReadOnlyList<string> args, Stream stdin, Stream output, TextWriter stderr)
    {
        if (args.Count is < 3 or > 5)
        {
            return Fail(stderr, TestUsage);
        }
        bool perLabel = args[0] == "test-label";
        (int k, float threshold) = KAndThreshold(args);
        FastTextModel model = LoadModel(args[1]);
        if (OpenInput(args[2], stdin, stderr, "Test file cannot be opened!") is not { } input)
        {
            return 1;
        }
        TestMeter meter;
        using (args[2] == "-" ? null : input)
        {
            meter = TestMeter.Evaluate(model, input, k, threshold);
        }
        var text = new Utf8Out(output);
        if (perLabel)
        {
            for (int label = 0; label < model.Dictionary.NLabels; label++)
            {
                WriteMetric(text, "F1-Score", meter.F1(label));
                WriteMetric(text, "Precision", meter.Precision(label));
                WriteMetric(text, "Recall", meter.Recall(label));
                text.Byte((byte)' ');
                text.Bytes(model.Dictionary.GetLabelBytes(label));
                text.Byte((byte)'\n');
            }
        }
        string Number(double v) => perLabel ? CFormat.Fixed(v, 3) : CFormat.General(v, 3);
        text.Ascii($"N\t{meter.Examples}\n");
        text.Ascii($"P@{k}\t{Number(meter.Precision())}\n");
        text.Ascii($"R@{k}\t{Number(meter.Recall())}\n");
        return 0;
    }

    private static void WriteMetric(Utf8Out text, string name, double value)
    {
        text.Ascii(name);
        text.Ascii(" : ");
        text.Ascii(double.IsFinite(value) ? CFormat.Fixed(value, 6) : "--------");
        text.Ascii("  ");
    }

    private static int PrintWordVectors(IReadOnlyList<string> args, Stream stdin, Stream output, TextWriter stderr)
    {
        if (args.Count != 2)
        {
            return Fail(stderr, "usage: fasttext print-word-vectors <model>\n\n  <model>      model filename\n\n");
        }
        FastTextModel model = LoadModel(args[1]);
        var vec = new float[model.Dim];
        var scratch = new List<int>();
        var text = new Utf8Out(output);
        foreach (byte[] word in SpaceTokens(stdin))
        {
            if (model.Dictionary.GetId(word) >= model.Dictionary.NWords)
            {
                // The reference aborts on an assertion here (exit 134); we stop with a clear message instead.
                output.Flush();
                stderr.WriteLine($"'{Encoding.UTF8.GetString(word)}' is a label of this model, not a word: it has no word vector");
                return 1;
            }
            model.GetWordVector(word, vec, scratch);
            text.Bytes(word);
            text.Byte((byte)' ');
            WriteVector(text, vec);
            text.Byte((byte)'\n');
        }
        return 0;
    }

    private static int PrintSentenceVectors(IReadOnlyList<string> args, Stream stdin, Stream output, TextWriter stderr)
    {
        if (args.Count != 2)
        {
            return Fail(stderr, "usage: fasttext print-sentence-vectors <model>\n\n  <model>      model filename\n\n");
        }
        FastTextModel model = LoadModel(args[1]);
        FastTextPredictor predictor = model.CreatePredictor();
        var vec = new float[model.Dim];
        var reader = new LineReader(stdin);
        var text = new Utf8Out(output);
        reader.ForEachFastTextLine((line, endOfLine) =>
        {
            predictor.SentenceVector(line, endOfLine, vec, out int rest);
            WriteVector(text, vec);
            text.Byte((byte)'\n');
            return rest;
        });
        return 0;
    }

    private static int NearestNeighbors(IReadOnlyList<string> args, Stream stdin, Stream output)
    {
        int k;
        if (args.Count == 2)
        {
            k = 10;
        }
        else if (args.Count == 3)
        {
            k = ParseInt(args[2]);
        }
        else
        {
            var usage = new Utf8Out(output);
            usage.Ascii(NnUsage);
            return 1;
        }
        FastTextModel model = LoadModel(args[1]);
        var text = new Utf8Out(output);
        const string Prompt = "Query word? ";
        text.Ascii(Prompt);
        foreach (byte[] word in SpaceTokens(stdin))
        {
            foreach ((float similarity, string neighbour) in model.GetNearestNeighbors(Encoding.UTF8.GetString(word), k))
            {
                text.Bytes(Encoding.UTF8.GetBytes(neighbour));
                text.Byte((byte)' ');
                text.Ascii(CFormat.General(similarity));
                text.Byte((byte)'\n');
            }
            text.Ascii(Prompt);
        }
        return 0;
    }

    private static int PrintNgrams(IReadOnlyList<string> args, Stream output, TextWriter stderr)
    {
        if (args.Count != 3)
        {
            return Fail(stderr, "usage: fasttext print-ngrams <model> <word>\n\n  <model>      model filename\n  <word>       word to print\n\n");
        }
        FastTextModel model = LoadModel(args[1]);
        byte[] word = Encoding.UTF8.GetBytes(args[2]);
        FastTextVocabulary dict = model.Dictionary;
        var rows = new List<int>();
        var texts = new List<byte[]>();
        int id = dict.GetId(word);
        if (id >= 0)
        {
            rows.Add(id);
            texts.Add(word);
        }
        if (!word.AsSpan().SequenceEqual(FastTextVocabulary.EndOfSentence))
        {
            byte[] wrapped = [(byte)'<', .. word, (byte)'>'];
            var ranges = new List<Range>();
            dict.ComputeSubwords(wrapped, rows, ranges);
            foreach (Range r in ranges)
            {
                texts.Add(wrapped[r]);
            }
        }
        var text = new Utf8Out(output);
        var vec = new float[model.Dim];
        for (int i = 0; i < rows.Count; i++)
        {
            Array.Clear(vec);
            if (rows[i] >= 0)
            {
                model.Input.AddRowTo(vec, rows[i]);
            }
            text.Bytes(texts[i]);
            text.Byte((byte)' ');
            WriteVector(text, vec);
            text.Byte((byte)'\n');
        }
        return 0;
    }

    private static int Analogies(IReadOnlyList<string> args, Stream stdin, Stream output, TextWriter stderr)
    {
        int k;
        if (args.Count == 2)
        {
            k = 10;
        }
        else if (args.Count == 3)
        {
            k = ParseInt(args[2]);
        }
        else
        {
            return Fail(stderr, "usage: fasttext analogies <model> <k>\n\n  <model>      model filename\n  <k>          (optional; 10 by default) predict top k labels\n\n");
        }
        if (k <= 0)
        {
            stderr.WriteLine("k needs to be 1 or higher!");
            return 1;
        }
        var text = new Utf8Out(output);
        text.Ascii($"Loading model {args[1]}\n");
        FastTextModel model = LoadModel(args[1]);
        const string Prompt = "Query triplet (A - B + C)? ";
        text.Ascii(Prompt);
        var words = new List<string>(3);
        // The reference loops forever once stdin ends; we stop there.
        foreach (byte[] word in SpaceTokens(stdin))
        {
            words.Add(Encoding.UTF8.GetString(word));
            if (words.Count < 3)
            {
                continue;
            }
            foreach ((float similarity, string neighbour) in model.GetAnalogies(k, words[0], words[1], words[2]))
            {
                text.Bytes(Encoding.UTF8.GetBytes(neighbour));
                text.Byte((byte)' ');
                text.Ascii(CFormat.General(similarity));
                text.Byte((byte)'\n');
            }
            text.Ascii(Prompt);
            words.Clear();
        }
        return 0;
    }

    private static int Dump(IReadOnlyList<string> args, Stream output, TextWriter stderr)
    {
        var text = new Utf8Out(output);
        if (args.Count < 3)
        {
            text.Ascii(DumpUsage);
            return 1;
        }
        FastTextModel model = LoadModel(args[1]);
        switch (args[2])
        {
            case "args":
                DumpArgs(text, model.Args);
                break;
            case "dict":
                FastTextVocabulary dict = model.Dictionary;
                text.Ascii(dict.Size.ToString(CultureInfo.InvariantCulture));
                text.Byte((byte)'\n');
                for (int i = 0; i < dict.Size; i++)
                {
                    text.Bytes(dict.GetWordBytes(i));
                    text.Ascii(" " + dict.GetCount(i).ToString(CultureInfo.InvariantCulture));
                    text.Ascii(dict.GetEntryType(i) == EntryType.Word ? " word\n" : " label\n");
                }
                break;
            case "input" or "output" when model.IsQuantized:
                // The reference refuses both matrices of a quantized model on stderr and still exits 0.
                stderr.WriteLine("Not supported for quantized models.");
                break;
            case "input":
                DumpMatrix(text, (DenseMatrix)model.Input);
                break;
            case "output":
                DumpMatrix(text, (DenseMatrix)model.Output);
                break;
            default:
                text.Ascii(DumpUsage);
                return 1;
        }
        return 0;
    }

    private static void DumpArgs(Utf8Out text, FastTextArgs a)
    {
        string loss = a.Loss switch
        {
            LossName.HierarchicalSoftmax => "hs",
            LossName.NegativeSampling => "ns",
            LossName.Softmax => "softmax",
            _ => "one-vs-all",
        };
        string model = a.Model switch { ModelName.Cbow => "cbow", ModelName.SkipGram => "sg", _ => "sup" };
        string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        text.Ascii(
            $"dim {I(a.Dim)}\nws {I(a.WindowSize)}\nepoch {I(a.Epoch)}\nminCount {I(a.MinCount)}\nneg {I(a.Neg)}\n" +
            $"wordNgrams {I(a.WordNgrams)}\nloss {loss}\nmodel {model}\nbucket {I(a.Bucket)}\nminn {I(a.Minn)}\n" +
            $"maxn {I(a.Maxn)}\nlrUpdateRate {I(a.LrUpdateRate)}\nt {CFormat.General(a.SamplingThreshold)}\n");
    }

    private static void DumpMatrix(Utf8Out text, DenseMatrix dense)
    {
        text.Ascii($"{dense.Rows.ToString(CultureInfo.InvariantCulture)} {dense.Cols.ToString(CultureInfo.InvariantCulture)}\n");
        for (long i = 0; i < dense.Rows; i++)
        {
            Span<float> row = dense.Row(i);
            for (int j = 0; j < row.Length; j++)
            {
                if (j > 0)
                {
                    text.Byte((byte)' ');
                }
                text.Ascii(CFormat.General(row[j]));
            }
            text.Byte((byte)'\n');
        }
    }

    private static void WriteVector(Utf8Out text, ReadOnlySpan<float> vec)
    {
        Span<byte> number = stackalloc byte[32];
        foreach (float v in vec)
        {
            text.Bytes(number[..CFormat.General(v, 5, number)]);
            text.Byte((byte)' ');
        }
    }

    /// <summary>C++ <c>std::cin &gt;&gt; word</c> over the whole stream: tokens separated by C-locale whitespace.</summary>
    private static IEnumerable<byte[]> SpaceTokens(Stream input)
    {
        var reader = new LineReader(input);
        while (reader.TryReadLine(out ReadOnlySpan<byte> line, out _))
        {
            var tokens = new List<byte[]>();
            int pos = 0;
            while (CText.NextToken(line, ref pos, out ReadOnlySpan<byte> token))
            {
                tokens.Add(token.ToArray());
            }
            foreach (byte[] t in tokens)
            {
                yield return t;
            }
        }
    }

    /// <summary>A tiny byte writer over the buffered output.</summary>
    private readonly struct Utf8Out(Stream stream)
    {
        public void Byte(byte b) => stream.WriteByte(b);

        public void Bytes(ReadOnlySpan<byte> bytes) => stream.Write(bytes);

        public void Ascii(string s)
        {
            Span<byte> buffer = s.Length <= 256 ? stackalloc byte[256] : new byte[Encoding.UTF8.GetMaxByteCount(s.Length)];
            int n = Encoding.UTF8.GetBytes(s, buffer);
            stream.Write(buffer[..n]);
        }
    }
}
