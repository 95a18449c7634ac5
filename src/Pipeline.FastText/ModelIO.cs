using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Pipeline.FastText;

/// <summary>
/// Little-endian reader for model files. It knows how many bytes are left, so a corrupt size field fails with a
/// clear error before any large allocation.
/// </summary>
internal sealed class ModelReader
{
    private readonly Stream _stream;
    private readonly long _end;
    private readonly byte[] _scratch = new byte[8];

    public ModelReader(Stream stream)
    {
        if (!stream.CanSeek)
        {
            throw new ArgumentException("fastText models are read from seekable streams (a file or a memory stream)", nameof(stream));
        }
        _stream = stream;
        _end = stream.Length;
    }

    public long Remaining => _end - _stream.Position;

    public int ReadInt32(string what) => BinaryPrimitives.ReadInt32LittleEndian(Fill(4, what));

    public long ReadInt64(string what) => BinaryPrimitives.ReadInt64LittleEndian(Fill(8, what));

    public double ReadDouble(string what) => BinaryPrimitives.ReadDoubleLittleEndian(Fill(8, what));

    public byte ReadByte(string what) => Fill(1, what)[0];

    public bool ReadBool(string what) => ReadByte(what) != 0;

    /// <summary>Reads bytes up to a 0 terminator (not included) into <paramref name="into"/>.</summary>
    public void ReadCString(List<byte> into, string what)
    {
        while (true)
        {
            int b = _stream.ReadByte();
            if (b < 0)
            {
                throw Truncated(what);
            }
            if (b == 0)
            {
                return;
            }
            into.Add((byte)b);
        }
    }

    /// <summary>Checks that <paramref name="count"/> items of <paramref name="itemBytes"/> bytes can still be read.</summary>
    public void EnsureAvailable(long count, long itemBytes, string what)
    {
        if (count < 0)
        {
            throw new FastTextFormatException($"invalid fastText model: negative {what} ({count})");
        }
        if (itemBytes > 0 && count > Remaining / itemBytes)
        {
            throw new FastTextFormatException(
                $"invalid fastText model: {what} needs {count} × {itemBytes} bytes but only {Remaining} bytes are left (truncated or corrupt file)");
        }
    }

    public void ReadFloats(float[] into, string what) => ReadExactly(MemoryMarshal.AsBytes(into.AsSpan()), what);

    public void ReadExactly(Span<byte> into, string what)
    {
        int done = 0;
        while (done < into.Length)
        {
            int n = _stream.Read(into[done..]);
            if (n <= 0)
            {
                throw Truncated(what);
            }
            done += n;
        }
    }

    private ReadOnlySpan<byte> Fill(int n, string what)
    {
        Span<byte> span = _scratch.AsSpan(0, n);
        ReadExactly(span, what);
        return span;
    }

    private static FastTextFormatException Truncated(string what) =>
        new($"invalid fastText model: the file ends inside the {what} (truncated file)");
}

/// <summary>Little-endian writer for model files.</summary>
internal sealed class ModelWriter(Stream stream)
{
    private readonly byte[] _scratch = new byte[8];

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_scratch, value);
        stream.Write(_scratch, 0, 4);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_scratch, value);
        stream.Write(_scratch, 0, 8);
    }

    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_scratch, value);
        stream.Write(_scratch, 0, 8);
    }

    public void WriteByte(byte value) => stream.WriteByte(value);

    public void WriteBool(bool value) => stream.WriteByte(value ? (byte)1 : (byte)0);

    public void WriteBytes(ReadOnlySpan<byte> bytes) => stream.Write(bytes);

    public void WriteFloats(ReadOnlySpan<float> values) => stream.Write(MemoryMarshal.AsBytes(values));
}
