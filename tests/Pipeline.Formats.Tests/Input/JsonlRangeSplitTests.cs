using Pipeline.Core.Documents;
using static Pipeline.Formats.Tests.Input.ReaderTestSupport;

namespace Pipeline.Formats.Tests.Input;

public sealed class JsonlRangeSplitTests
{
    // CRLF lines, empty and whitespace-only lines, a malformed line, multi-byte UTF-8 and a last line without newline.
    private const string Body =
        "{\"id\":1,\"text\":\"a\"}\n" +
        "\n" +
        "{\"id\":2,\"text\":\"bé\"}\r\n" +
        "  \t \n" +
        "\r\n" +
        "{\"id\":3,\"text\":\"ccc\"}\n" +
        "not json\n" +
        "{\"id\":4,\"text\":\"dddd\"}\r\n" +
        "{\"id\":5,\"text\":\"e\"}";

    public static TheoryData<bool, int> Variants() => new()
    {
        { false, 0 },
        { true, 0 },
        { false, 3 },
        { true, 2 },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task ReadAsync_TwoRangesAtEveryOffset_YieldEachLineOfTheWholeReadExactlyOnce(bool bom, int maxRead)
    {
        var blob = Utf8((bom ? "\uFEFF" : string.Empty) + Body);
        var whole = Keys(await ReadAll("x.jsonl", blob, maxRead: maxRead));
        Assert.Equal(6, whole.Count);
        Assert.Single(whole, k => k.EndsWith(":malformed_json", StringComparison.Ordinal));
        Assert.Equal(5, whole.Count(k => k.Contains(":a", StringComparison.Ordinal) || k.Contains(":b", StringComparison.Ordinal)
            || k.Contains(":c", StringComparison.Ordinal) || k.Contains(":d", StringComparison.Ordinal) || k.Contains(":e", StringComparison.Ordinal)));

        for (long a = 0; a <= blob.Length; a++)
        {
            var first = await ReadAll("x.jsonl", blob, 0, a, maxRead: maxRead);
            var second = await ReadAll("x.jsonl", blob, a, null, maxRead: maxRead);
            Assert.All(second, d => Assert.Equal(a == 0, d.Line > 0));
            Assert.All(first, d => Assert.True(d.Line > 0));
            Assert.Equal(whole, Keys(first).Concat(Keys(second)).ToList());
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task ReadAsync_ThreeRangesAtEveryOffsetPair_YieldEachLineOfTheWholeReadExactlyOnce(bool bom, int maxRead)
    {
        var blob = Utf8((bom ? "\uFEFF" : string.Empty) + Body);
        var whole = Keys(await ReadAll("x.jsonl", blob, maxRead: maxRead));

        for (long a = 0; a <= blob.Length; a++)
        {
            var first = Keys(await ReadAll("x.jsonl", blob, 0, a, maxRead: maxRead));
            for (long b = a; b <= blob.Length; b++)
            {
                var second = Keys(await ReadAll("x.jsonl", blob, a, b, maxRead: maxRead));
                // The last range sometimes ends at the file's length, sometimes is open-ended.
                long? end = b % 2 == 0 ? null : blob.Length;
                var third = Keys(await ReadAll("x.jsonl", blob, b, end, maxRead: maxRead));
                var all = first.Concat(second).Concat(third).ToList();
                Assert.True(whole.SequenceEqual(all), $"ranges [0,{a}) [{a},{b}) [{b},{end?.ToString() ?? "end"}): {string.Join(" | ", all)}");
            }
        }
    }

    [Fact]
    public async Task ReadAsync_RangeOwnership_LineBelongsToTheRangeHoldingItsFirstByte()
    {
        var blob = Utf8("{\"text\":\"a\"}\n{\"text\":\"b\"}\n{\"text\":\"c\"}\n");

        // Line 2 starts at 13: a range starting at 13 owns it, one starting at 14 does not.
        Assert.Equal(["b", "c"], (await ReadAll("x.jsonl", blob, 13, null)).Select(d => d.Text));
        Assert.Equal(["c"], (await ReadAll("x.jsonl", blob, 14, null)).Select(d => d.Text));
        // A range ending at 14 owns line 2 and reads it to its end, past the range.
        Assert.Equal(["a", "b"], (await ReadAll("x.jsonl", blob, 0, 14)).Select(d => d.Text));
        Assert.Equal(["a"], (await ReadAll("x.jsonl", blob, 0, 13)).Select(d => d.Text));
        var third = await ReadAll("x.jsonl", blob, 26, 27);
        Assert.Equal(26, Assert.Single(third).ByteOffset);
        Assert.Empty(await ReadAll("x.jsonl", blob, 20, 20));
    }

    [Fact]
    public async Task ReadAsync_LargeFileSplitIntoUnits_EveryDocumentOnce()
    {
        var blob = MakeJsonl(30_000, seed: 11, newline: "\r\n");
        var whole = Keys(await ReadAll("x.jsonl", blob));
        var parts = new List<string>();
        const long unit = 250_000;
        for (long start = 0; start < blob.Length; start += unit)
        {
            long? end = start + unit >= blob.Length ? null : start + unit;
            parts.AddRange(Keys(await ReadAll("x.jsonl", blob, start, end)));
        }

        Assert.Equal(30_000, whole.Count);
        Assert.Equal(whole, parts);
    }

    private static List<string> Keys(List<SourceDocument> docs) =>
        docs.Select(d => FormattableString.Invariant($"{d.ByteOffset}:{d.ByteLength}:{d.OriginalId}:{d.Reject ?? d.Text}")).ToList();
}
