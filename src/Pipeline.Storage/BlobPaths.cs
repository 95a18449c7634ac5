namespace Pipeline.Storage;

/// <summary>Validation and helpers for store-relative keys.</summary>
public static class BlobPaths
{
    /// <summary>Throws <see cref="InvalidBlobPathException"/> unless <paramref name="path"/> is a valid key.</summary>
    public static void Validate(string path)
    {
        if (!IsValid(path)) throw new InvalidBlobPathException(path);
    }

    /// <summary>True when the key is relative, '/'-separated and has no empty, '.' or '..' segments.</summary>
    public static bool IsValid(string path)
    {
        if (string.IsNullOrEmpty(path) || path[0] == '/' || path.Contains('\\', StringComparison.Ordinal) || path.Contains('\0', StringComparison.Ordinal)) return false;
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == "..") return false;
        }
        return true;
    }

    /// <summary>Joins key segments with '/'.</summary>
    public static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix.TrimEnd('/') + "/" + name;
}
