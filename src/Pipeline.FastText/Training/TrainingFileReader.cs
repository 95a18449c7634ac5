namespace Pipeline.FastText.Training;

/// <summary>
/// One training thread's view of the input file, reproducing the reference's <c>ifstream</c> behaviour: it starts
/// at a byte offset (possibly mid-line), reads lines or words, and wraps to the start of the file once it has hit
/// the end (the <c>reset</c> at the start of each <c>getLine</c>).
/// </summary>
internal sealed class TrainingFileReader : IDisposable
{
    private readonly FileStream _stream;
    private byte[] _buffer;
    private int _pos;
    private int _len;
    private bool _streamEnd;
    private bool _eof;

    public TrainingFileReader(string path, long offset, int bufferSize = 1 << 18)
    {
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        _buffer = new byte[bufferSize];
        _stream.Seek(offset, SeekOrigin.Begin);
    }

    public long Length => _stream.Length;

    /// <summary>The reference's <c>Dictionary::reset</c>: once the end was hit, start over from byte 0.</summary>
    public void ResetIfEof()
    {
        if (_eof)
        {
            _eof = false;
            _stream.Seek(0, SeekOrigin.Begin);
            _pos = 0;
            _len = 0;
            _streamEnd = false;
        }
    }

    /// <summary>
    /// Reads up to the next newline (excluded). <paramref name="endOfLine"/> is false when the file ended first;
    /// the span is valid until the next call.
    /// </summary>
    public ReadOnlySpan<byte> ReadLine(out bool endOfLine)
    {
        int start = _pos;
        int scanned = 0;
        while (true)
        {
            int rel = _buffer.AsSpan(start + scanned, _len - start - scanned).IndexOf((byte)'\n');
            if (rel >= 0)
            {
                int nl = start + scanned + rel;
                _pos = nl + 1;
                endOfLine = true;
                return _buffer.AsSpan(start, nl - start);
            }
            scanned = _len - start;
            if (!Refill(ref start))
            {
                _pos = _len;
                _eof = true;
                endOfLine = false;
                return _buffer.AsSpan(start, _len - start);
            }
        }
    }

    /// <summary>
    /// fastText's <c>readWord</c>: the next token, <c>&lt;/s&gt;</c> for a newline met before any byte of a word,
    /// false at the end of the file. The span is valid until the next call.
    /// </summary>
    public bool ReadWord(out ReadOnlySpan<byte> word)
    {
        while (true)
        {
            if (_pos == _len)
            {
                int dummy = _pos;
                if (!Refill(ref dummy))
                {
                    _eof = true;
                    word = default;
                    return false;
                }
            }
            byte c = _buffer[_pos];
            if (!FastTextVocabulary.IsSeparator(c))
            {
                break;
            }
            _pos++;
            if (c == (byte)'\n')
            {
                word = FastTextVocabulary.EndOfSentence;
                return true;
            }
        }
        int start = _pos;
        int i = _pos;
        while (true)
        {
            while (i < _len && !FastTextVocabulary.IsSeparator(_buffer[i]))
            {
                i++;
            }
            if (i < _len)
            {
                word = _buffer.AsSpan(start, i - start);
                // A newline stays for the next call (sungetc); any other separator is consumed.
                _pos = _buffer[i] == (byte)'\n' ? i : i + 1;
                return true;
            }
            int scannedFromStart = i - start;
            if (!Refill(ref start))
            {
                _pos = _len;
                _eof = true;
                word = _buffer.AsSpan(start, _len - start);
                return true;
            }
            i = start + scannedFromStart;
        }
    }

    /// <summary>Moves the bytes from <paramref name="keepFrom"/> to the front (growing the buffer if they fill it) and reads more.</summary>
    private bool Refill(ref int keepFrom)
    {
        if (_streamEnd)
        {
            return false;
        }
        int keep = _len - keepFrom;
        if (keep == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        else if (keepFrom > 0)
        {
            _buffer.AsSpan(keepFrom, keep).CopyTo(_buffer);
        }
        _pos -= keepFrom;
        if (_pos < 0)
        {
            _pos = 0;
        }
        keepFrom = 0;
        _len = keep;
        int n = _stream.Read(_buffer, _len, _buffer.Length - _len);
        if (n <= 0)
        {
            _streamEnd = true;
            return false;
        }
        _len += n;
        return true;
    }

    public void Dispose() => _stream.Dispose();
}
