namespace Pipeline.Core.Documents;

/// <summary>
/// A document scorer of the Score stage (e.g. the PreSelect classifier). One instance serves every thread of a
/// process, so implementations are thread-safe; a higher score is better.
/// </summary>
public interface IDocumentScorer
{
    /// <summary>The score of a document's text; finite, and the same for the same text on every machine.</summary>
    double Score(string text);
}
