using System.CommandLine;
using System.Globalization;
using Pipeline.Core.Jobs;
using Pipeline.Formats.Shards;
using Pipeline.Tokens;
using Spectre.Console;

namespace Pipeline.Cli;

/// <summary><c>pipeline inspect SHARD</c>: schema, counts and the first sequences decoded with segment boundaries.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var shard = new Argument<FileInfo>("shard") { Description = "A token-packed Parquet shard" };
        var rows = new Option<int>("--rows", "-n") { Description = "Sequences to decode", DefaultValueFactory = _ => 2 };
        var chars = new Option<int>("--chars") { Description = "Characters shown per segment", DefaultValueFactory = _ => 160 };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer name for decoding (default: the shard's footer)" };
        var command = new Command("inspect", "Show a shard's schema, counts and first sequences") { shard, rows, chars, tokenizer };
        command.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(shard)!;
            if (!file.Exists)
            {
                Console.Error.WriteLine($"error: shard not found: {file.FullName}");
                return ExitCodes.Usage;
            }
            ShardSchemaInfo info;
            await using (var stream = file.OpenRead())
            {
                info = await TokenShardReader.ReadSchemaAsync(stream, ct).ConfigureAwait(false);
            }
            var table = new Table().AddColumn("property").AddColumn("value");
            table.AddRow("file", Markup.Escape(file.FullName));
            table.AddRow("bytes", file.Length.ToString("N0", CultureInfo.InvariantCulture));
            table.AddRow("columns", Markup.Escape(string.Join(", ", info.Columns)));
            table.AddRow("row groups", info.RowGroups.ToString(CultureInfo.InvariantCulture));
            table.AddRow("rows (sequences)", info.Rows.ToString("N0", CultureInfo.InvariantCulture));
            table.AddRow("seq_len", info.SeqLen.ToString(CultureInfo.InvariantCulture));
            table.AddRow("pad_id", info.PadId.ToString(CultureInfo.InvariantCulture));
            foreach (var (key, value) in info.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) table.AddRow(Markup.Escape(key), Markup.Escape(value));
            AnsiConsole.Write(table);

            var name = parse.GetValue(tokenizer) ?? info.Metadata.GetValueOrDefault("tokenizer");
            ITextTokenizer? decoder = null;
            try
            {
                if (name is not null) decoder = TokenizerFactory.Create(new TokenizerSpec(name), Environment.CurrentDirectory);
            }
            catch (TokenizerException ex)
            {
                AnsiConsole.MarkupLine($"[yellow]cannot decode: {Markup.Escape(ex.Message)}; pass --tokenizer NAME[/]");
            }

            var shown = 0;
            long tokens = 0, pad = 0, segments = 0;
            var limit = parse.GetValue(rows);
            var width = parse.GetValue(chars);
            await using (var stream = file.OpenRead())
            {
                await foreach (var row in TokenShardReader.ReadAsync(stream, ct).ConfigureAwait(false))
                {
                    tokens += row.InputIds.Length - row.NumPad;
                    pad += row.NumPad;
                    segments += row.SeqLengths.Length;
                    if (shown++ >= limit) continue;
                    AnsiConsole.MarkupLine($"[bold]sequence {shown - 1}[/]: {row.SeqLengths.Length} segments, {row.NumPad} padding");
                    var offset = 0;
                    for (var s = 0; s < row.SeqLengths.Length; s++)
                    {
                        var length = row.SeqLengths[s];
                        var text = decoder?.Decode(row.InputIds.AsSpan(offset, length)) ?? string.Join(' ', row.InputIds.Skip(offset).Take(Math.Min(16, length)));
                        var preview = text.Length > width ? text[..width] + "…" : text;
                        AnsiConsole.MarkupLine($"  [grey]┃ doc {row.DocIds[s]} chunk {row.ChunkIndex[s]} · {length} tokens[/]");
                        AnsiConsole.WriteLine("  " + preview.ReplaceLineEndings("⏎"));
                        offset += length;
                    }
                }
            }
            AnsiConsole.MarkupLine($"totals: {tokens:N0} tokens, {pad:N0} padding, {segments:N0} segments");
            return ExitCodes.Ok;
        });
        return command;
    }
}
