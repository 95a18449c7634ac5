using System.Diagnostics;
using Pipeline.FastText.Cli;

namespace Pipeline.FastText.Tests;

/// <summary>The reference fastText CLI (Debian package <c>fasttext</c> 0.9.2) and ours, run on the same arguments.</summary>
internal static class ReferenceCli
{
    private static readonly Lazy<string?> PathOnDisk = new(() =>
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, "fasttext");
            if (System.IO.File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    });

    /// <summary>The reference binary, or null when it is not installed.</summary>
    public static string? Binary => PathOnDisk.Value;

    /// <summary>Whether CI is running (there the reference must be installed and its tests must not skip).</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Runs the reference CLI; stdout as raw bytes.</summary>
    public static (int Exit, byte[] Stdout, string Stderr) Run(IReadOnlyList<string> args, byte[]? stdin = null)
    {
        string binary = Binary ?? throw new InvalidOperationException(
            "the reference fastText CLI is not installed (apt-get install -y fasttext); CI installs it");
        var psi = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using Process p = Process.Start(psi)!;
        var stdout = new MemoryStream();
        Task copyOut = p.StandardOutput.BaseStream.CopyToAsync(stdout);
        Task<string> err = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.BaseStream.Write(stdin);
        }
        p.StandardInput.Close();
        copyOut.GetAwaiter().GetResult();
        string stderr = err.GetAwaiter().GetResult();
        p.WaitForExit();
        return (p.ExitCode, stdout.ToArray(), stderr);
    }

    /// <summary>Runs our CLI in process; stdout as raw bytes.</summary>
    public static (int Exit, byte[] Stdout, string Stderr) RunOurs(IReadOnlyList<string> args, byte[]? stdin = null)
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        int exit = FastTextCommandLine.Run(args, new MemoryStream(stdin ?? []), stdout, stderr);
        return (exit, stdout.ToArray(), stderr.ToString());
    }
}

/// <summary>
/// A fact that needs the reference CLI: skipped with a reason when it is missing locally, but run (and failing)
/// in CI, where <c>.ci/run</c> installs it.
/// </summary>
public sealed class ReferenceCliFactAttribute : FactAttribute
{
    public ReferenceCliFactAttribute()
    {
        if (ReferenceCli.Binary is null && !ReferenceCli.InCi)
        {
            Skip = "the reference fastText CLI is not installed (apt-get install -y fasttext); CI runs this test";
        }
    }
}

/// <summary>A theory that needs the reference CLI; see <see cref="ReferenceCliFactAttribute"/>.</summary>
public sealed class ReferenceCliTheoryAttribute : TheoryAttribute
{
    public ReferenceCliTheoryAttribute()
    {
        if (ReferenceCli.Binary is null && !ReferenceCli.InCi)
        {
            Skip = "the reference fastText CLI is not installed (apt-get install -y fasttext); CI runs this test";
        }
    }
}
