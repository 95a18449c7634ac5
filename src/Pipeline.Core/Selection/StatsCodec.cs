using System.Buffers;
using System.Buffers.Binary;

namespace Pipeline.Core.Selection;

/// <summary>Little-endian, LEB128-varint writer for the compact statistics formats.</summary>
internal sealed class StatsWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    public void Magic(uint magic) => Fixed32(magic);

    public void Fixed32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void Fixed64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void Double(double value) => Fixed64((ulong)BitConverter.DoubleToInt64Bits(value));

    public void Varint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        _buffer.Advance(n);
    }

    public void String(string value)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(value);
        Varint((ulong)bytes.Length);
        _buffer.Write(bytes);
    }

    public void Bins(ScoreBins bins)
    {
        Double(bins.Min);
        Double(bins.Max);
        Varint((ulong)bins.Count);
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}

/// <summary>Reader for <see cref="StatsWriter"/>; malformed input is an <see cref="InvalidDataException"/>.</summary>
internal ref struct StatsReader(ReadOnlySpan<byte> data, string what)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _pos;

    public readonly bool AtEnd => _pos == _data.Length;

    public void Magic(uint expected)
    {
        var got = Fixed32();
        if (got != expected) throw Bad($"bad magic 0x{got:X8}, expected 0x{expected:X8}");
    }

    public uint Fixed32()
    {
        Need(4);
        var v = BinaryPrimitives.ReadUInt32LittleEndian(_data[_pos..]);
        _pos += 4;
        return v;
    }

    public ulong Fixed64()
    {
        Need(8);
        var v = BinaryPrimitives.ReadUInt64LittleEndian(_data[_pos..]);
        _pos += 8;
        return v;
    }

    public double Double() => BitConverter.Int64BitsToDouble((long)Fixed64());

    public ulong Varint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            Need(1);
            var b = _data[_pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }

        throw Bad("varint longer than 10 bytes");
    }

    public long NonNegative(long max)
    {
        var v = Varint();
        if (v > (ulong)max) throw Bad($"value {v} above {max}");
        return (long)v;
    }

    public string String()
    {
        var n = (int)NonNegative(1 << 20);
        Need(n);
        var s = System.Text.Encoding.UTF8.GetString(_data.Slice(_pos, n));
        _pos += n;
        return s;
    }

    public ScoreBins Bins()
    {
        var min = Double();
        var max = Double();
        var count = (int)NonNegative(ScoreBins.MaxCount);
        try
        {
            return new ScoreBins(min, max, count);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Corrupt {what}: {e.Message}", e);
        }
    }

    public readonly void End()
    {
        if (!AtEnd) throw Bad($"{_data.Length - _pos} trailing bytes");
    }

    private readonly void Need(int n)
    {
        if (_data.Length - _pos < n) throw Bad("truncated");
    }

    public readonly InvalidDataException Bad(string why) => new($"Corrupt {what} at byte {_pos}: {why}.");
}

/// <summary>Reads one value from a stats stream.</summary>
internal delegate T StatsRead<T>(ref StatsReader reader);

/// <summary>The framing every stats blob shares: a magic number, the body, and nothing after it.</summary>
internal static class StatsFrame
{
    /// <summary>The body written by <paramref name="write"/>, behind <paramref name="magic"/>.</summary>
    public static byte[] Encode(uint magic, Action<StatsWriter> write)
    {
        var w = new StatsWriter();
        w.Magic(magic);
        write(w);
        return w.ToArray();
    }

    /// <summary>Checks <paramref name="magic"/>, reads the body with <paramref name="read"/> and checks nothing follows.</summary>
    public static T Decode<T>(ReadOnlySpan<byte> data, string what, uint magic, StatsRead<T> read)
    {
        var r = new StatsReader(data, what);
        r.Magic(magic);
        var value = read(ref r);
        r.End();
        return value;
    }
}
