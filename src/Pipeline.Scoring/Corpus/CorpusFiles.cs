using System.Runtime.CompilerServices;
using Pipeline.Formats.Input;

namespace Pipeline.Scoring.Corpus;

/// <summary>One readable document of a local corpus, with where it came from.</summary>
/// <param name="Id">The id field's value.</param>
/// <param name="Text">The text.</param>
/// <param name="Location">The file and line (JSONL) or row (Parquet), for messages.</param>
public sealed record CorpusDocument(string Id, string Text, string Location);

/// <summary>
/// Local corpora for the offline tools: files or folders of JSONL (.gz/.zst) or Parquet documents, read with
/// <see cref="DocumentReaders"/>. These tools work on curated samples, so a document the reader rejects, or one
/// without an id, is an error naming its line rather than a skipped value.
/// </summary>
public static class CorpusFiles
{
    /// <summary>Reader limits used by the tools: 64 MiB per document.</summary>
    public const int MaxDocumentBytes = 64 << 20;

    /// <summary>
    /// The files of a corpus: each path is a file (any extension the readers support) or a folder, whose supported
    /// files (not recursive) are taken in ordinal name order. Duplicates are an error.
    /// </summary>
    /// <exception cref="FileNotFoundException">A path does not exist.</exception>
    /// <exception cref="Scoring.PreSelect.PreSelectInputException">A folder holds no supported file, or a file is named twice.</exception>
    public static IReadOnlyList<string> Resolve(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var found = Directory.GetFiles(path).Where(IsSupported).Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0)
                {
                    throw new Scoring.PreSelect.PreSelectInputException($"{path}: no .jsonl/.json/.ndjson(.gz/.zst) or .parquet file in this folder");
                }
                foreach (var f in found) Add(Path.GetFullPath(f));
            }
            else if (File.Exists(path))
            {
                Add(Path.GetFullPath(path));
            }
            else
            {
                throw new FileNotFoundException($"corpus path not found: {path}", path);
            }
        }
        return files;

        void Add(string file)
        {
            if (!seen.Add(file))
            {
                throw new Scoring.PreSelect.PreSelectInputException($"{file}: named twice in the corpus");
            }
            files.Add(file);
        }
    }

    /// <summary>Streams the documents of the files in order.</summary>
    /// <param name="files">Files, as returned by <see cref="Resolve"/>.</param>
    /// <param name="idField">Name of the id field.</param>
    /// <param name="textField">Name of the text field.</param>
    /// <param name="ct">Cancellation token.</param>
    /// <exception cref="Scoring.PreSelect.PreSelectInputException">A document is rejected by the reader or has no id.</exception>
    public static async IAsyncEnumerable<CorpusDocument> ReadAsync(
        IReadOnlyList<string> files, string idField, string textField, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(files);
        var options = new ReaderOptions(TextField: textField, IdField: idField, MaxDocumentBytes: MaxDocumentBytes);
        foreach (var file in files)
        {
            string unit = DocumentReaders.Detect(file) == Core.Jobs.InputFormat.Parquet ? "row" : "line";
            await foreach (var doc in DocumentReaders.ReadAsync(file, Open(file), 0, null, options, ct).ConfigureAwait(false))
            {
                string location = $"{file} {unit} {doc.Line}";
                if (doc.Text is null)
                {
                    throw new Scoring.PreSelect.PreSelectInputException($"{location}: {doc.Reject}: {doc.RejectDetail}");
                }
                if (string.IsNullOrEmpty(doc.OriginalId))
                {
                    throw new Scoring.PreSelect.PreSelectInputException($"{location}: the document has no '{idField}' field");
                }
                yield return new CorpusDocument(doc.OriginalId, doc.Text, location);
            }
        }
    }

    /// <summary>Reads every document into memory (for the sample-sized tools).</summary>
    public static async Task<List<CorpusDocument>> ReadAllAsync(IReadOnlyList<string> files, string idField, string textField, CancellationToken ct)
    {
        var list = new List<CorpusDocument>();
        await foreach (var doc in ReadAsync(files, idField, textField, ct).ConfigureAwait(false))
        {
            list.Add(doc);
        }
        return list;
    }

    private static bool IsSupported(string file)
    {
        try
        {
            DocumentReaders.Detect(file);
            return true;
        }
        catch (UnsupportedInputFormatException)
        {
            return false;
        }
    }

    private static OpenAt Open(string file) => (offset, _) =>
    {
        var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        stream.Seek(offset, SeekOrigin.Begin);
        return Task.FromResult<Stream>(stream);
    };
}
