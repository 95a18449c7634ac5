using System.Buffers;
using Pipeline.Core.Documents;

namespace Pipeline.Formats.Input;

/// <summary>
/// Splits the uncompressed bytes of one JSONL work unit into lines and parses them, with a bounded buffer.
/// The caller feeds it with <see cref="GetReadBuffer"/> / <see cref="Advance"/> and drains it with
/// <see cref="Next"/>; all span work is synchronous so the async reader only awaits to refill.
/// </summary>
/// <remarks>
/// Memory: the buffer holds at most one line of up to <see cref="ReaderOptions.MaxDocumentBytes"/> plus one read.
/// A longer line is never held whole: once its unfinished part exceeds the limit, the scanner drops the
/// buffered bytes and only counts until the line's newline, then reports <c>too_long</c>.
/// </remarks>
internal sealed class JsonlLineScanner : IDisposable
{
    /// <summary>Bytes requested from the stream per read.</summary>
    internal const int ReadChunk = 128 * 1024;

    // Buffers up to this size come from the shared pool; a bigger one (a long line) is sized exactly to the cap.
    private const int PooledLimit = 1 << 20;

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private readonly ReaderOptions _options;
    private readonly long? _rangeEnd;
    private readonly bool _lineNumbersKnown;
    private readonly int _bufferCap;
    private byte[] _buffer;
    private bool _pooled;
    private int _start;
    private int _end;
    private int _scan;
    private long _bufferOffset;
    private long _lineNumber;
    private bool _firstLine;
    private Phase _phase;
    private long _longLineOffset;
    private long _longLineBytes;
    private bool _longLineEndsWithCr;

    /// <param name="options">Field names and limits.</param>
    /// <param name="streamOffset">Absolute offset in the uncompressed file of the stream's first byte.</param>
    /// <param name="unitStart">Start of the unit; when &gt; 0 the stream opens at <c>unitStart - 1</c> and the partial line is skipped.</param>
    /// <param name="rangeEnd">Exclusive end of the unit (lines starting at or after it belong to the next unit), or null.</param>
    public JsonlLineScanner(ReaderOptions options, long streamOffset, long unitStart, long? rangeEnd)
    {
        _options = options;
        _rangeEnd = rangeEnd;
        _lineNumbersKnown = unitStart == 0;
        _bufferOffset = streamOffset;
        _lineNumber = _lineNumbersKnown ? 1 : 0;
        _phase = unitStart > 0 ? Phase.SkipPartial : Phase.Bom;
        _firstLine = unitStart == 0;
        _bufferCap = (int)Math.Min(Array.MaxLength, (long)options.MaxDocumentBytes + 2 + ReadChunk);
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(2 * ReadChunk, _bufferCap));
        _pooled = true;
    }

    private enum Phase
    {
        SkipPartial,
        Bom,
        Lines,
        SkipLong,
        Done,
    }

    /// <summary>True when the unit needs no more input (its last line was reached).</summary>
    public bool IsDone => _phase == Phase.Done;

    /// <summary>Line number of the line being assembled (0 when line numbers are unknown).</summary>
    public long CurrentLineNumber => _lineNumber;

    /// <summary>Space to read into; compacts or grows the buffer as needed (bounded by the line limit).</summary>
    public Memory<byte> GetReadBuffer()
    {
        if (_phase is Phase.SkipPartial or Phase.SkipLong)
        {
            // Nothing buffered needs to survive in the skip phases.
            _bufferOffset += _end;
            _start = _end = _scan = 0;
        }
        else if (_buffer.Length - _end < ReadChunk / 2 && _start > 0)
        {
            int live = _end - _start;
            _buffer.AsSpan(_start, live).CopyTo(_buffer);
            _bufferOffset += _start;
            _scan -= _start;
            _start = 0;
            _end = live;
        }

        if (_end == _buffer.Length)
        {
            Grow();
        }

        return _buffer.AsMemory(_end, Math.Min(_buffer.Length - _end, ReadChunk));
    }

    /// <summary>Records that <paramref name="count"/> bytes were read into the last read buffer.</summary>
    public void Advance(int count) => _end += count;

    /// <summary>
    /// Produces the next document. Returns false when more input is needed (or, with <paramref name="eof"/>
    /// or <see cref="IsDone"/>, when the unit is finished). Blank lines are consumed silently.
    /// </summary>
    public bool Next(bool eof, out SourceDocument? document)
    {
        document = null;
        while (true)
        {
            switch (_phase)
            {
                case Phase.Done:
                    return false;

                case Phase.SkipPartial:
                {
                    // The unit opened at start-1: the first owned line begins right after the first newline.
                    int nl = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
                    if (nl < 0)
                    {
                        _start = _scan = _end;
                        if (eof)
                        {
                            _phase = Phase.Done;
                        }

                        return false;
                    }

                    _start = _scan = _start + nl + 1;
                    _phase = Phase.Lines;
                    continue;
                }

                case Phase.Bom:
                    if (_end - _start < 3 && !eof)
                    {
                        return false;
                    }

                    if (_buffer.AsSpan(_start, _end - _start).StartsWith(Utf8Bom))
                    {
                        // The BOM belongs to line 1 for range ownership (the unit at 0 always owns line 1).
                        _start += 3;
                        _scan = _start;
                    }

                    _phase = Phase.Lines;
                    continue;

                case Phase.SkipLong:
                {
                    int nl = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
                    if (nl < 0)
                    {
                        if (_end > _start)
                        {
                            _longLineBytes += _end - _start;
                            _longLineEndsWithCr = _buffer[_end - 1] == (byte)'\r';
                            _start = _scan = _end;
                        }

                        if (!eof)
                        {
                            return false;
                        }

                        document = FinishLongLine();
                        _phase = Phase.Done;
                        return true;
                    }

                    _longLineBytes += nl;
                    if (nl > 0)
                    {
                        _longLineEndsWithCr = _buffer[_start + nl - 1] == (byte)'\r';
                    }

                    _start = _scan = _start + nl + 1;
                    document = FinishLongLine();
                    _phase = Phase.Lines;
                    if (_lineNumbersKnown)
                    {
                        _lineNumber++;
                    }

                    return true;
                }

                default:
                {
                    long lineOffset = _bufferOffset + _start;
                    if (!_firstLine && _rangeEnd is long end && lineOffset >= end)
                    {
                        // The line starts at or past the unit's end: it belongs to the next unit.
                        _phase = Phase.Done;
                        return false;
                    }

                    int from = Math.Max(_scan, _start);
                    int nl = _buffer.AsSpan(from, _end - from).IndexOf((byte)'\n');
                    int lineEnd;
                    if (nl >= 0)
                    {
                        lineEnd = from + nl;
                    }
                    else if (eof)
                    {
                        if (_start == _end)
                        {
                            _phase = Phase.Done;
                            return false;
                        }

                        lineEnd = _end;
                    }
                    else
                    {
                        _scan = _end;
                        if (_end - _start > (long)_options.MaxDocumentBytes + 1)
                        {
                            // Longer than the limit even if it ends in "\r": stop buffering, count to the newline.
                            _longLineOffset = lineOffset;
                            _longLineBytes = _end - _start;
                            _longLineEndsWithCr = _buffer[_end - 1] == (byte)'\r';
                            _start = _scan = _end;
                            _phase = Phase.SkipLong;
                            _firstLine = false;
                        }

                        return false;
                    }

                    var line = _buffer.AsSpan(_start, lineEnd - _start);
                    if (!line.IsEmpty && line[^1] == (byte)'\r')
                    {
                        line = line[..^1];
                    }

                    long number = _lineNumber;
                    _start = _scan = Math.Min(lineEnd + 1, _end);
                    _firstLine = false;
                    if (_lineNumbersKnown)
                    {
                        _lineNumber++;
                    }

                    if (JsonLineParser.IsBlank(line))
                    {
                        continue;
                    }

                    document = JsonLineParser.Parse(line, number, lineOffset, _options);
                    return true;
                }
            }
        }
    }

    /// <summary>
    /// The reject for a decompression failure: it covers the partial line cut by the damage (if any) and
    /// ends the unit. Line is the number of the line that was being assembled.
    /// </summary>
    public SourceDocument Truncated(string detail)
    {
        long offset;
        long bytes;
        if (_phase == Phase.SkipLong)
        {
            offset = _longLineOffset;
            bytes = _longLineBytes + (_end - _start);
        }
        else
        {
            offset = _bufferOffset + _start;
            bytes = _end - _start;
        }

        _phase = Phase.Done;
        return SourceDocument.Rejected(_lineNumber, offset, null, RejectReasons.TruncatedArchive, detail,
            (int)Math.Min(bytes, int.MaxValue));
    }

    public void Dispose()
    {
        if (_pooled)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _pooled = false;
        _buffer = [];
    }

    private SourceDocument FinishLongLine()
    {
        long length = _longLineEndsWithCr ? _longLineBytes - 1 : _longLineBytes;
        long number = _lineNumbersKnown ? _lineNumber : 0;
        return JsonLineParser.TooLong(number, _longLineOffset, length, _options.MaxDocumentBytes);
    }

    private void Grow()
    {
        // Doubling while small; past the pooled limit jump straight to the cap so a long line costs one allocation.
        int size = _buffer.Length < PooledLimit ? Math.Min(_buffer.Length * 2, _bufferCap) : _bufferCap;
        if (size <= _buffer.Length)
        {
            throw new InvalidOperationException("line buffer is full although the line is within the limit");
        }

        byte[] next;
        bool pooled = size <= PooledLimit;
        next = pooled ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);
        _buffer.AsSpan(0, _end).CopyTo(next);
        if (_pooled)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = next;
        _pooled = pooled;
    }
}
