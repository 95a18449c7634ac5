using System.Globalization;

namespace Pipeline.Jobs;

/// <summary>One problem found in a job file, with the field it concerns and where it is in the file.</summary>
/// <param name="Path">Field path in override syntax, e.g. <c>sources[1].uri</c> or <c>pack.seq_len</c>; empty for the whole file.</param>
/// <param name="Line">1-based line in the job file; 0 when the problem comes from a <c>--set</c> override, not from the file.</param>
/// <param name="Column">1-based column in the job file; 0 when <paramref name="Line"/> is 0.</param>
/// <param name="Message">What is wrong, phrased for the person who wrote the job file.</param>
public sealed record JobError(string Path, int Line, int Column, string Message)
{
    /// <summary>Formats the error as <c>FILE:LINE:COL: PATH: MESSAGE</c> (<c>FILE: PATH: MESSAGE</c> when it has no position).</summary>
    /// <param name="fileName">File name to print in front of the position.</param>
    /// <returns>One line, compiler style.</returns>
    public string ToDisplayString(string fileName)
    {
        var where = Line > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{fileName}:{Line}:{Column}: ")
            : fileName + ": ";
        return Path.Length > 0 ? string.Concat(where, Path, ": ", Message) : where + Message;
    }
}
