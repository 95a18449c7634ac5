using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Formats.Work;

namespace Pipeline.Scoring.PreSelect;

/// <summary>One row of a loss table as stored in Parquet: a document's loss under one model.</summary>
public sealed class LossRow
{
    /// <summary>The document's id (the <c>id</c> field of the documents file).</summary>
    [JsonPropertyName("doc_id")] public string? DocId { get; set; }

    /// <summary>The model's name, as in the benchmarks file.</summary>
    [JsonPropertyName("model")] public string? Model { get; set; }

    /// <summary>The loss (e.g. bits per character); lower is better.</summary>
    [JsonPropertyName("loss")] public double? Loss { get; set; }
}

/// <summary>A loss row read with the column types and nullability of a file (Parquet.Net needs both to match).</summary>
internal sealed class LossRowOf<TId, TLoss>
{
    [JsonPropertyName("doc_id")] public TId DocId { get; set; } = default!;

    [JsonPropertyName("model")] public string? Model { get; set; }

    [JsonPropertyName("loss")] public TLoss Loss { get; set; } = default!;
}

/// <summary>One loss record with its 1-based row (Parquet) or line (JSONL) number in the table.</summary>
/// <param name="DocId">The document's id.</param>
/// <param name="Model">The model's name.</param>
/// <param name="Loss">The loss as read (may be NaN, infinite or negative: validation happens when labeling).</param>
/// <param name="Row">1-based line or row number.</param>
public readonly record struct LossRecord(string DocId, string Model, double Loss, long Row);

/// <summary>A loss table read from a file: its records in file order and how to name a row in messages.</summary>
public sealed class LossTable
{
    /// <summary>Creates a table.</summary>
    /// <param name="path">The file it came from (used in messages).</param>
    /// <param name="rowUnit"><c>line</c> for JSONL, <c>row</c> for Parquet.</param>
    /// <param name="records">The records, in file order.</param>
    public LossTable(string path, string rowUnit, IReadOnlyList<LossRecord> records)
    {
        Path = path;
        RowUnit = rowUnit;
        Records = records;
    }

    /// <summary>The file the table came from.</summary>
    public string Path { get; }

    /// <summary><c>line</c> (JSONL) or <c>row</c> (Parquet).</summary>
    public string RowUnit { get; }

    /// <summary>The records, in file order.</summary>
    public IReadOnlyList<LossRecord> Records { get; }

    /// <summary>Names a row for messages, e.g. <c>losses.jsonl line 7</c>.</summary>
    public string Locate(long row) => $"{Path} {RowUnit} {row}";

    /// <summary>
    /// Reads a loss table: <c>.parquet</c> (columns <c>doc_id</c> string or int64, <c>model</c> string, <c>loss</c>
    /// double) or JSONL (<c>.jsonl</c>/<c>.json</c>/<c>.ndjson</c>, optionally <c>.gz</c>), one object per line with
    /// <c>doc_id</c> (string or integer), <c>model</c> and <c>loss</c> (a number, or the strings/literals
    /// <c>NaN</c>/<c>Infinity</c>, which are read so that validation can name them).
    /// </summary>
    /// <exception cref="PreSelectInputException">A row is malformed or a field is missing; the message names the row.</exception>
    public static async Task<LossTable> ReadAsync(string path, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
        {
            return await ReadParquetAsync(path, ct).ConfigureAwait(false);
        }
        string name = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        if (!(name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase)))
        {
            throw new PreSelectInputException($"{path}: a loss table must be .parquet or .jsonl/.json/.ndjson (optionally .gz)");
        }
        return await ReadJsonlAsync(path, ct).ConfigureAwait(false);
    }

    /// <summary>Writes records as Zstd Parquet (<c>doc_id</c>, <c>model</c>, <c>loss</c>) in the given order.</summary>
    public static async Task WriteParquetAsync(IReadOnlyCollection<LossRow> rows, string path, CancellationToken ct)
    {
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            await ParquetTables.WriteAsync(rows, stream, ct).ConfigureAwait(false);
        }
    }

    private static async Task<LossTable> ReadParquetAsync(string path, CancellationToken ct)
    {
        // Parquet.Net maps columns to properties only when types and nullability agree, so each supported layout
        // (doc_id string or int64, required or optional; loss double, required or optional) is tried in turn.
        var models = new Dictionary<string, string>(StringComparer.Ordinal);
        Exception? first = null;
        foreach (var attempt in Layouts)
        {
            List<(string? DocId, string? Model, double? Loss)> rows;
            try
            {
                rows = await attempt(path, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException or NotSupportedException or ArgumentException)
            {
                first ??= ex;
                continue;
            }
            var records = new List<LossRecord>(rows.Count);
            for (int i = 0; i < rows.Count; i++)
            {
                var (docId, model, value) = rows[i];
                long row = i + 1;
                if (string.IsNullOrEmpty(docId)) throw new PreSelectInputException($"{path} row {row}: doc_id is missing");
                if (string.IsNullOrEmpty(model)) throw new PreSelectInputException($"{path} row {row}: model is missing");
                if (value is not double loss) throw new PreSelectInputException($"{path} row {row}: loss is missing");
                records.Add(new LossRecord(docId, Intern(models, model), loss, row));
            }
            return new LossTable(path, "row", records);
        }
        throw new PreSelectInputException(
            $"{path}: not a loss table (expected Parquet columns doc_id string or int64, model string, loss double): {first?.Message}", first!);
    }

    private static readonly Func<string, CancellationToken, Task<List<(string?, string?, double?)>>>[] Layouts =
    [
        (p, ct) => Read<string?, double?>(p, id => id, l => l, ct),
        (p, ct) => Read<string?, double>(p, id => id, l => l, ct),
        (p, ct) => Read<long, double>(p, Decimal, l => l, ct),
        (p, ct) => Read<long, double?>(p, Decimal, l => l, ct),
        (p, ct) => Read<long?, double>(p, id => id is long v ? Decimal(v) : null, l => l, ct),
        (p, ct) => Read<long?, double?>(p, id => id is long v ? Decimal(v) : null, l => l, ct),
    ];

    private static string Decimal(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static async Task<List<(string?, string?, double?)>> Read<TId, TLoss>(
        string path, Func<TId, string?> id, Func<TLoss, double?> loss, CancellationToken ct)
    {
        var rows = await ReadRowsAsync<LossRowOf<TId, TLoss>>(path, ct).ConfigureAwait(false);
        var list = new List<(string?, string?, double?)>(rows.Count);
        foreach (var r in rows) list.Add((id(r.DocId), r.Model, loss(r.Loss)));
        return list;
    }

    private static async Task<IList<T>> ReadRowsAsync<T>(string path, CancellationToken ct) where T : class, new()
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            return await ParquetTables.ReadAsync<T>(stream, ct).ConfigureAwait(false);
        }
    }

    private static async Task<LossTable> ReadJsonlAsync(string path, CancellationToken ct)
    {
        var records = new List<LossRecord>();
        var models = new Dictionary<string, string>(StringComparer.Ordinal);
        Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            stream = new GZipStream(stream, CompressionMode.Decompress);
        }
        using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true));
        long line = 0;
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            var (docId, model, loss) = ParseJsonLine(text, path, line);
            records.Add(new LossRecord(docId, Intern(models, model), loss, line));
        }
        return new LossTable(path, "line", records);
    }

    private static (string DocId, string Model, double Loss) ParseJsonLine(string text, string path, long line)
    {
        // Python's json.dumps writes NaN/Infinity as bare literals, which are not JSON; quote them so they reach validation.
        string json = text.Contains("NaN", StringComparison.Ordinal) || text.Contains("Infinity", StringComparison.Ordinal) ? QuoteNamedLiterals(text) : text;
        string? docId = null, model = null;
        double? loss = null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new PreSelectInputException($"{path} line {line}: expected a JSON object {{\"doc_id\", \"model\", \"loss\"}}");
            }
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "doc_id":
                        docId = p.Value.ValueKind switch
                        {
                            JsonValueKind.String => p.Value.GetString(),
                            JsonValueKind.Number => p.Value.GetRawText(),
                            _ => throw new PreSelectInputException($"{path} line {line}: doc_id must be a string or an integer"),
                        };
                        break;
                    case "model":
                        model = p.Value.ValueKind == JsonValueKind.String
                            ? p.Value.GetString()
                            : throw new PreSelectInputException($"{path} line {line}: model must be a string");
                        break;
                    case "loss":
                        loss = p.Value.ValueKind switch
                        {
                            JsonValueKind.Number => p.Value.GetDouble(),
                            JsonValueKind.String when double.TryParse(p.Value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) => v,
                            _ => throw new PreSelectInputException($"{path} line {line}: loss must be a number, not {p.Value.GetRawText()}"),
                        };
                        break;
                    default:
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            throw new PreSelectInputException($"{path} line {line}: not valid JSON: {ex.Message}", ex);
        }
        if (string.IsNullOrEmpty(docId)) throw new PreSelectInputException($"{path} line {line}: doc_id is missing");
        if (string.IsNullOrEmpty(model)) throw new PreSelectInputException($"{path} line {line}: model is missing");
        if (loss is not double l) throw new PreSelectInputException($"{path} line {line}: loss is missing");
        return (docId, model, l);
    }

    private static string QuoteNamedLiterals(string text)
    {
        // Only bare literals outside strings are quoted; a string that contains "NaN" is copied as is.
        var sb = new StringBuilder(text.Length + 8);
        bool inString = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (inString)
            {
                sb.Append(c);
                if (c == '\\' && i + 1 < text.Length) sb.Append(text[++i]);
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"')
            {
                inString = true;
                sb.Append(c);
                continue;
            }
            foreach (var literal in (ReadOnlySpan<string>)["-Infinity", "Infinity", "NaN"])
            {
                if (text.AsSpan(i).StartsWith(literal, StringComparison.Ordinal))
                {
                    sb.Append('"').Append(literal).Append('"');
                    i += literal.Length - 1;
                    goto next;
                }
            }
            sb.Append(c);
        next:;
        }
        return sb.ToString();
    }

    private static string Intern(Dictionary<string, string> pool, string value)
    {
        if (pool.TryGetValue(value, out var existing)) return existing;
        pool[value] = value;
        return value;
    }
}
