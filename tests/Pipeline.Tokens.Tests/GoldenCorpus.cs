using System.Text.Json;

namespace Pipeline.Tokens.Tests;

/// <summary>The committed golden corpus and npm tiktoken ids (see golden/PROVENANCE.md).</summary>
internal static class GoldenCorpus
{
    private static readonly Lazy<IReadOnlyList<Document>> Docs = new(() => ReadCorpus(Path.Combine(Directory, "corpus.jsonl")));

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "golden");

    public static IReadOnlyList<Document> Documents => Docs.Value;

    public static IReadOnlyList<(string Id, int[] Ids)> ReadGolden(string encoding)
    {
        var result = new List<(string, int[])>();
        foreach (string line in File.ReadLines(Path.Combine(Directory, encoding + ".jsonl")))
        {
            if (line.Length == 0)
            {
                continue;
            }

            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement ids = doc.RootElement.GetProperty("ids");
            var array = new int[ids.GetArrayLength()];
            int i = 0;
            foreach (JsonElement e in ids.EnumerateArray())
            {
                array[i++] = e.GetInt32();
            }

            result.Add((doc.RootElement.GetProperty("id").GetString()!, array));
        }

        return result;
    }

    private static List<Document> ReadCorpus(string path)
    {
        var result = new List<Document>();
        foreach (string line in File.ReadLines(path))
        {
            if (line.Length == 0)
            {
                continue;
            }

            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement root = doc.RootElement;
            // System.Text.Json refuses lone surrogates (\ud800), which one edge case has on purpose.
            string text = UnescapeJsonString(root.GetProperty("text").GetRawText());
            result.Add(new Document(root.GetProperty("id").GetString()!, root.GetProperty("source").GetString()!, text));
        }

        return result;
    }

    private static string UnescapeJsonString(string raw)
    {
        var sb = new System.Text.StringBuilder(raw.Length);
        for (int i = 1; i < raw.Length - 1; i++)
        {
            char c = raw[i];
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }

            char e = raw[++i];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'u':
                    sb.Append((char)Convert.ToInt32(raw.Substring(i + 1, 4), 16));
                    i += 4;
                    break;
                default: sb.Append(e); break;
            }
        }

        return sb.ToString();
    }

    internal sealed record Document(string Id, string Source, string Text);
}
