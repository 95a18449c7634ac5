using System.Text;
using Pipeline.Core.Jobs;
using Pipeline.Scoring.PreSelect;

namespace Pipeline.Scoring.Tests.PreSelect;

public sealed class FastTextLinesTests
{
    [Fact]
    public void Normalize_Space_ReplacesEachNewlineWithASpace()
    {
        Assert.Equal("Title  First line. Second", FastTextLines.Normalize("Title\n\nFirst line.\nSecond", NewlineMode.Space));
    }

    [Fact]
    public void Normalize_Delete_RemovesNewlinesAndGluesWords()
    {
        Assert.Equal("TitleFirst line.Second", FastTextLines.Normalize("Title\n\nFirst line.\nSecond", NewlineMode.Delete));
    }

    [Fact]
    public void Normalize_CarriageReturnAndTabs_AreKept()
    {
        Assert.Equal("a\r b\tc", FastTextLines.Normalize("a\r\nb\tc", NewlineMode.Space));
        Assert.Equal("a\rb\tc", FastTextLines.Normalize("a\r\nb\tc", NewlineMode.Delete));
    }

    [Fact]
    public void AppendTrainingLine_WritesLabelTextAndOneNewline()
    {
        var sb = new StringBuilder();
        FastTextLines.AppendTrainingLine(sb, 1, "x\ny", NewlineMode.Space);
        FastTextLines.AppendTrainingLine(sb, 0, "x\ny", NewlineMode.Delete);
        Assert.Equal("__label__1 x y\n__label__0 xy\n", sb.ToString());
    }

    [Theory]
    [InlineData("space", NewlineMode.Space)]
    [InlineData("DELETE", NewlineMode.Delete)]
    public void ParseNewlineMode_KnownNames_Parse(string name, NewlineMode expected) =>
        Assert.Equal(expected, FastTextLines.ParseNewlineMode(name));

    [Fact]
    public void ParseNewlineMode_Unknown_Throws() =>
        Assert.Throws<ArgumentException>(() => FastTextLines.ParseNewlineMode("keep"));
}
