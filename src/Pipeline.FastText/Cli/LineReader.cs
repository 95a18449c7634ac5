namespace Pipeline.FastText.Cli;

/// <summary>Handles one fastText line; returns where a literal <c>&lt;/s&gt;</c> ended it early, or -1.</summary>
public delegate int FastTextLineHandler(ReadOnlySpan<byte> line, bool endOfLine);

/// <summary>
/// Reads a byte stream line by line as fastText's CLI consumes it: each line without its '\n', and whether it had
/// one (the last line of a file may not). A final fragment without newline is a line; nothing after the last '\n' is not.
/// </summary>
public sealed class LineReader
{
    private readonly Stream _stream;
    private byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;
    private bool _eof;

    /// <summary>Reads from <paramref name="stream"/>.</summary>
    public LineReader(Stream stream) => _stream = stream;

    /// <summary>Reads the next line; false at the end of the stream.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line, out bool endOfLine)
    {
        int scanFrom = _start;
        while (true)
        {
            int nl = _buffer.AsSpan(scanFrom, _end - scanFrom).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                int at = scanFrom + nl;
                line = _buffer.AsSpan(_start, at - _start);
                endOfLine = true;
                _start = at + 1;
                return true;
            }
            if (_eof)
            {
                if (_end > _start)
                {
                    line = _buffer.AsSpan(_start, _end - _start);
                    endOfLine = false;
                    _start = _end;
                    return true;
                }
                line = default;
                endOfLine = false;
                return false;
            }
            scanFrom = _end - _start;
            Refill();
        }
    }

    /// <summary>
    /// Calls <paramref name="handler"/> for each line as fastText's <c>getLine</c> sees them: a physical line that a
    /// literal <c>&lt;/s&gt;</c> token ends early continues as the next line (an empty rest before the newline
    /// included, which reads as a lone end-of-sentence).
    /// </summary>
    public void ForEachFastTextLine(FastTextLineHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        while (TryReadLine(out ReadOnlySpan<byte> line, out bool endOfLine))
        {
            while (true)
            {
                int rest = handler(line, endOfLine);
                if (rest < 0)
                {
                    break;
                }
                line = line[rest..];
                if (line.IsEmpty && !endOfLine)
                {
                    break;
                }
            }
        }
    }

    private void Refill()
    {
        int pending = _end - _start;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
            _start = 0;
            _end = pending;
        }
        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        int n = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (n <= 0)
        {
            _eof = true;
        }
        else
        {
            _end += n;
        }
    }
}
