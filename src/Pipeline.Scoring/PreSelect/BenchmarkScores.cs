using System.Globalization;
using System.Text.Json;

namespace Pipeline.Scoring.PreSelect;

/// <summary>The models of a PreSelect family with their benchmark scores (higher is better), in file order.</summary>
public sealed class BenchmarkScores
{
    private readonly Dictionary<string, int> _index;

    /// <summary>Creates the scores; names must be distinct and not empty, scores finite, and there must be at least 2 models.</summary>
    /// <exception cref="PreSelectInputException">The list breaks one of these rules.</exception>
    public BenchmarkScores(IReadOnlyList<KeyValuePair<string, double>> scores, string source = "benchmarks")
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count < 2)
        {
            throw new PreSelectInputException($"{source}: PreSelect needs at least 2 models, found {scores.Count}");
        }
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        var models = new string[scores.Count];
        var values = new double[scores.Count];
        for (int i = 0; i < scores.Count; i++)
        {
            var (model, score) = scores[i];
            if (string.IsNullOrEmpty(model)) throw new PreSelectInputException($"{source}: model {i + 1} has an empty name");
            if (!double.IsFinite(score)) throw new PreSelectInputException($"{source}: model '{model}' has a score that is not a finite number ({score.ToString(CultureInfo.InvariantCulture)})");
            if (!_index.TryAdd(model, i)) throw new PreSelectInputException($"{source}: model '{model}' is listed twice");
            models[i] = model;
            values[i] = score;
        }
        Models = models;
        Scores = values;
    }

    /// <summary>Model names in file order.</summary>
    public IReadOnlyList<string> Models { get; }

    /// <summary>Scores, aligned with <see cref="Models"/>.</summary>
    public IReadOnlyList<double> Scores { get; }

    /// <summary>Number of models.</summary>
    public int Count => Models.Count;

    /// <summary>True when two models share a score: such pairs never count, so S = 1 is out of reach.</summary>
    public bool HasTies
    {
        get
        {
            var distinct = new HashSet<double>(Scores);
            return distinct.Count < Scores.Count;
        }
    }

    /// <summary>The highest S_raw any document can reach: pairs with distinct scores.</summary>
    public int ReachablePairs
    {
        get
        {
            int n = 0;
            for (int i = 0; i < Count; i++)
                for (int j = i + 1; j < Count; j++)
                    if (Scores[i] != Scores[j]) n++;
            return n;
        }
    }

    /// <summary>The index of a model, or -1.</summary>
    public int IndexOf(string model) => _index.TryGetValue(model, out var i) ? i : -1;

    /// <summary>Reads a JSON object <c>{"model": score, ...}</c>; member order is the model order.</summary>
    /// <exception cref="PreSelectInputException">Not an object, a value that is not a number, a duplicate name, or fewer than 2 models; the message names the line.</exception>
    public static async Task<BenchmarkScores> ReadAsync(string path, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
        return Parse(bytes, path);
    }

    /// <summary>Parses a JSON object <c>{"model": score, ...}</c> (see <see cref="ReadAsync"/>).</summary>
    public static BenchmarkScores Parse(ReadOnlySpan<byte> json, string source)
    {
        var list = new List<KeyValuePair<string, double>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new PreSelectInputException($"{source}: expected a JSON object {{\"model\": score, ...}}");
            }
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string name = reader.GetString()!;
                long line = LineOf(json, reader.TokenStartIndex);
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number)
                {
                    throw new PreSelectInputException($"{source} line {line}: the score of '{name}' must be a number");
                }
                if (!seen.Add(name))
                {
                    throw new PreSelectInputException($"{source} line {line}: model '{name}' is listed twice");
                }
                list.Add(new(name, reader.GetDouble()));
            }
        }
        catch (JsonException ex)
        {
            throw new PreSelectInputException($"{source} line {ex.LineNumber + 1}: not valid JSON: {ex.Message}", ex);
        }
        return new BenchmarkScores(list, source);
    }

    /// <summary>Writes the scores as an indented JSON object in model order (round-trip doubles) and a newline.</summary>
    public async Task WriteAsync(Stream destination, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var writer = new Utf8JsonWriter(destination, new JsonWriterOptions { Indented = true });
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            for (int i = 0; i < Count; i++) writer.WriteNumber(Models[i], Scores[i]);
            writer.WriteEndObject();
            await writer.FlushAsync(ct).ConfigureAwait(false);
        }
        await destination.WriteAsync("\n"u8.ToArray(), ct).ConfigureAwait(false);
    }

    private static long LineOf(ReadOnlySpan<byte> json, long index)
    {
        long line = 1;
        foreach (byte b in json[..(int)Math.Min(index, json.Length)]) if (b == (byte)'\n') line++;
        return line;
    }
}
