using System.Globalization;
using System.Text;
using Pipeline.FastText.Cli;

namespace Pipeline.FastText.Training;

/// <summary>
/// The training commands of the fastText 0.9.2 CLI (<c>supervised</c>, <c>skipgram</c>, <c>cbow</c>, <c>quantize</c>)
/// with its flags, defaults, messages and output files.
/// </summary>
public static class TrainingCommands
{
    /// <summary>The commands this class runs.</summary>
    public static IReadOnlyList<string> Commands { get; } = ["supervised", "skipgram", "cbow", "quantize"];

    /// <summary>
    /// Runs <paramref name="command"/> with <paramref name="args"/> (the arguments after the command name, e.g.
    /// <c>-input train.txt -output model</c>). Training writes OUTPUT.bin and OUTPUT.vec (and OUTPUT.output with
    /// <c>-saveOutput</c>); quantize reads OUTPUT.bin and writes OUTPUT.ftz. Messages and progress go to
    /// <paramref name="stderr"/>, as the reference prints them.
    /// </summary>
    /// <returns>0 on success, 1 on bad usage or failure.</returns>
    public static int Run(string command, IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr) =>
        Run(command, args, stdout, stderr, CancellationToken.None);

    /// <summary>As <see cref="Run(string, IReadOnlyList{string}, TextWriter, TextWriter)"/>, cancellable (returns 1 when cancelled).</summary>
    public static int Run(string command, IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ModelName model;
        switch (command)
        {
            case "supervised":
                model = ModelName.Supervised;
                break;
            case "skipgram":
            case "quantize":
                model = ModelName.SkipGram;
                break;
            case "cbow":
                model = ModelName.Cbow;
                break;
            default:
                stderr.Write($"Unknown training command: {command} (expected supervised, skipgram, cbow or quantize)\n");
                return 1;
        }
        if (command == "quantize" && args.Count == 0)
        {
            stderr.Write("usage: fasttext quantize <args>\n");
            stderr.Write(Help(FastTextArgs.UnsupervisedDefaults(ModelName.SkipGram) with { Threads = 12 }, false));
            return 1;
        }
        CliOptions? options = Parse(model, args, stderr);
        if (options is null)
        {
            return 1;
        }
        try
        {
            return command == "quantize"
                ? Quantize(options, stderr, cancellationToken)
                : Train(options, stderr, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            stderr.Write("\nTraining cancelled.\n");
            return 1;
        }
        catch (Exception e) when (e is FastTextTrainingException or FastTextFormatException or IOException
            or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            stderr.Write($"\n{e.Message}\n");
            return 1;
        }
    }

    private static int Train(CliOptions o, TextWriter stderr, CancellationToken cancellationToken)
    {
        string binPath = o.Output + ".bin";
        using (new FileStream(binPath, FileMode.Create, FileAccess.Write))
        {
            // The reference checks that the output can be written before training.
        }
        FastTextModel model = FastTextTrainer.Train(o.Args, o.Input, p => PrintProgress(stderr, p), stderr, cancellationToken);
        model.Save(binPath);
        FastTextVectorWriter.SaveVectors(model, o.Output + ".vec");
        if (o.SaveOutput)
        {
            FastTextVectorWriter.SaveOutput(model, o.Output + ".output");
        }
        return 0;
    }

    private static int Quantize(CliOptions o, TextWriter stderr, CancellationToken cancellationToken)
    {
        FastTextModel model = FastTextModel.Load(o.Output + ".bin");
        FastTextModel quantized = FastTextQuantizer.Quantize(model, o.Args, o.Input, p => PrintProgress(stderr, p), cancellationToken);
        quantized.Save(o.Output + ".ftz");
        return 0;
    }

    private static void PrintProgress(TextWriter stderr, TrainingProgress p)
    {
        stderr.Write("\r" + p.Format());
        if (p.IsFinal)
        {
            stderr.Write('\n');
        }
        stderr.Flush();
    }

    private sealed record CliOptions(FastTextArgs Args, string Input, string Output, bool SaveOutput);

    private static CliOptions? Parse(ModelName model, IReadOnlyList<string> argv, TextWriter stderr)
    {
        FastTextArgs a = model == ModelName.Supervised ? FastTextArgs.SupervisedDefaults : FastTextArgs.UnsupervisedDefaults(model);
        a = a with { Threads = 12 };
        string input = "";
        string output = "";
        bool saveOutput = false;
        for (int ai = 0; ai < argv.Count; ai += 2)
        {
            string flag = argv[ai];
            if (flag.Length == 0 || flag[0] != '-')
            {
                stderr.Write("Provided argument without a dash! Usage:\n");
                stderr.Write(Help(a, saveOutput));
                return null;
            }
            string? value = ai + 1 < argv.Count ? argv[ai + 1] : null;
            bool flagOnly = flag is "-saveOutput" or "-qnorm" or "-retrain" or "-qout" or "-h";
            if (!flagOnly && value is null)
            {
                stderr.Write($"{flag} is missing an argument\n");
                stderr.Write(Help(a, saveOutput));
                return null;
            }
            try
            {
                switch (flag)
                {
                    case "-h":
                        stderr.Write("Here is the help! Usage:\n");
                        stderr.Write(Help(a, saveOutput));
                        return null;
                    case "-input": input = value!; break;
                    case "-output": output = value!; break;
                    case "-lr": a = a with { LearningRate = StoF(value!) }; break;
                    case "-lrUpdateRate": a = a with { LrUpdateRate = StoI(value!) }; break;
                    case "-dim": a = a with { Dim = StoI(value!) }; break;
                    case "-ws": a = a with { WindowSize = StoI(value!) }; break;
                    case "-epoch": a = a with { Epoch = StoI(value!) }; break;
                    case "-minCount": a = a with { MinCount = StoI(value!) }; break;
                    case "-minCountLabel": a = a with { MinCountLabel = StoI(value!) }; break;
                    case "-neg": a = a with { Neg = StoI(value!) }; break;
                    case "-wordNgrams": a = a with { WordNgrams = StoI(value!) }; break;
                    case "-loss":
                        LossName? loss = value switch
                        {
                            "hs" => LossName.HierarchicalSoftmax,
                            "ns" => LossName.NegativeSampling,
                            "softmax" => LossName.Softmax,
                            "one-vs-all" or "ova" => LossName.OneVsAll,
                            _ => null,
                        };
                        if (loss is null)
                        {
                            stderr.Write($"Unknown loss: {value}\n");
                            stderr.Write(Help(a, saveOutput));
                            return null;
                        }
                        a = a with { Loss = loss.Value };
                        break;
                    case "-bucket": a = a with { Bucket = StoI(value!) }; break;
                    case "-minn": a = a with { Minn = StoI(value!) }; break;
                    case "-maxn": a = a with { Maxn = StoI(value!) }; break;
                    case "-thread": a = a with { Threads = StoI(value!) }; break;
                    case "-t": a = a with { SamplingThreshold = StoF(value!) }; break;
                    case "-label": a = a with { LabelPrefix = value! }; break;
                    case "-verbose": a = a with { Verbose = StoI(value!) }; break;
                    case "-pretrainedVectors": a = a with { PretrainedVectors = value! }; break;
                    case "-saveOutput": saveOutput = true; ai--; break;
                    case "-seed": a = a with { Seed = StoI(value!) }; break;
                    case "-qnorm": a = a with { QuantizeNorm = true }; ai--; break;
                    case "-retrain": a = a with { Retrain = true }; ai--; break;
                    case "-qout": a = a with { QuantizeOutput = true }; ai--; break;
                    case "-cutoff": a = a with { Cutoff = StoI(value!) }; break;
                    case "-dsub": a = a with { Dsub = StoI(value!) }; break;
                    default:
                        if (flag.StartsWith("-autotune-", StringComparison.Ordinal))
                        {
                            stderr.Write($"{flag}: autotune is not supported by this implementation\n");
                            return null;
                        }
                        stderr.Write($"Unknown argument: {flag}\n");
                        stderr.Write(Help(a, saveOutput));
                        return null;
                }
            }
            catch (FormatException)
            {
                stderr.Write($"{flag}: invalid value '{value}'\n");
                return null;
            }
        }
        if (input.Length == 0 || output.Length == 0)
        {
            stderr.Write("Empty input or output path.\n");
            stderr.Write(Help(a, saveOutput));
            return null;
        }
        if (a.WordNgrams <= 1 && a.Maxn == 0)
        {
            a = a with { Bucket = 0 };
        }
        if (a.Dim <= 0 || a.Threads <= 0 || a.WindowSize <= 0 || a.LrUpdateRate <= 0 || a.Bucket < 0 || a.Epoch < 0 || a.Dsub <= 0)
        {
            stderr.Write("-dim, -thread, -ws, -lrUpdateRate and -dsub must be positive; -bucket and -epoch must not be negative\n");
            return null;
        }
        return new CliOptions(a, input, output, saveOutput);
    }

    /// <summary>C++ <c>std::stoi</c>: leading spaces, optional sign, digits; trailing text ignored.</summary>
    private static int StoI(string s)
    {
        int i = 0;
        while (i < s.Length && char.IsWhiteSpace(s[i]))
        {
            i++;
        }
        int start = i;
        if (i < s.Length && (s[i] == '-' || s[i] == '+'))
        {
            i++;
        }
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }
        if (!int.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v))
        {
            throw new FormatException(s);
        }
        return v;
    }

    /// <summary>C++ <c>std::stof</c>: the longest leading decimal number; trailing text ignored.</summary>
    private static double StoF(string s)
    {
        string t = s.Trim();
        for (int len = t.Length; len > 0; len--)
        {
            if (float.TryParse(t.AsSpan(0, len), NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
            {
                return v;
            }
        }
        throw new FormatException(s);
    }

    private static string G(double v) => CFormat.General(v, 6);

    private static string LossText(LossName l) => l switch
    {
        LossName.HierarchicalSoftmax => "hs",
        LossName.NegativeSampling => "ns",
        LossName.Softmax => "softmax",
        _ => "one-vs-all",
    };

    /// <summary>The reference's <c>printHelp</c>, with the current values in brackets.</summary>
    private static string Help(FastTextArgs a, bool saveOutput)
    {
        var sb = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        sb.Append('\n');
        sb.Append("The following arguments are mandatory:\n");
        sb.Append("  -input              training file path\n");
        sb.Append("  -output             output file path\n\n");
        sb.Append("The following arguments are optional:\n");
        sb.Append(c, $"  -verbose            verbosity level [{a.Verbose}]\n\n");
        sb.Append("The following arguments for the dictionary are optional:\n");
        sb.Append(c, $"  -minCount           minimal number of word occurences [{a.MinCount}]\n");
        sb.Append(c, $"  -minCountLabel      minimal number of label occurences [{a.MinCountLabel}]\n");
        sb.Append(c, $"  -wordNgrams         max length of word ngram [{a.WordNgrams}]\n");
        sb.Append(c, $"  -bucket             number of buckets [{a.Bucket}]\n");
        sb.Append(c, $"  -minn               min length of char ngram [{a.Minn}]\n");
        sb.Append(c, $"  -maxn               max length of char ngram [{a.Maxn}]\n");
        sb.Append(c, $"  -t                  sampling threshold [{G(a.SamplingThreshold)}]\n");
        sb.Append(c, $"  -label              labels prefix [{a.LabelPrefix}]\n\n");
        sb.Append("The following arguments for training are optional:\n");
        sb.Append(c, $"  -lr                 learning rate [{G(a.LearningRate)}]\n");
        sb.Append(c, $"  -lrUpdateRate       change the rate of updates for the learning rate [{a.LrUpdateRate}]\n");
        sb.Append(c, $"  -dim                size of word vectors [{a.Dim}]\n");
        sb.Append(c, $"  -ws                 size of the context window [{a.WindowSize}]\n");
        sb.Append(c, $"  -epoch              number of epochs [{a.Epoch}]\n");
        sb.Append(c, $"  -neg                number of negatives sampled [{a.Neg}]\n");
        sb.Append(c, $"  -loss               loss function {{ns, hs, softmax, one-vs-all}} [{LossText(a.Loss)}]\n");
        sb.Append(c, $"  -thread             number of threads (set to 1 to ensure reproducible results) [{a.Threads}]\n");
        sb.Append(c, $"  -pretrainedVectors  pretrained word vectors for supervised learning [{a.PretrainedVectors}]\n");
        sb.Append(c, $"  -saveOutput         whether output params should be saved [{(saveOutput ? "true" : "false")}]\n");
        sb.Append(c, $"  -seed               random generator seed  [{a.Seed}]\n\n");
        sb.Append("The following arguments are for autotune:\n");
        sb.Append("  -autotune-validation            validation file to be used for evaluation\n");
        sb.Append("  -autotune-metric                metric objective {f1, f1:labelname} [f1]\n");
        sb.Append("  -autotune-predictions           number of predictions used for evaluation  [1]\n");
        sb.Append("  -autotune-duration              maximum duration in seconds [300]\n");
        sb.Append("  -autotune-modelsize             constraint model file size [] (empty = do not quantize)\n\n");
        sb.Append("The following arguments for quantization are optional:\n");
        sb.Append(c, $"  -cutoff             number of words and ngrams to retain [{a.Cutoff}]\n");
        sb.Append(c, $"  -retrain            whether embeddings are finetuned if a cutoff is applied [{(a.Retrain ? "true" : "false")}]\n");
        sb.Append(c, $"  -qnorm              whether the norm is quantized separately [{(a.QuantizeNorm ? "true" : "false")}]\n");
        sb.Append(c, $"  -qout               whether the classifier is quantized [{(a.QuantizeOutput ? "true" : "false")}]\n");
        sb.Append(c, $"  -dsub               size of each sub-vector [{a.Dsub}]\n");
        return sb.ToString();
    }
}
