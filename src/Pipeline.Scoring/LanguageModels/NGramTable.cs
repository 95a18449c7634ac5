using System.Numerics;
using System.Runtime.CompilerServices;

namespace Pipeline.Scoring.LanguageModels;

/// <summary>
/// An open-addressing hash table from packed n-gram keys (64 or 128 bits) to a value struct (linear probing, load ≤ 1/2). Faster than
/// <see cref="Dictionary{TKey, TValue}"/> for the n-gram counts' many small lookups. The key
/// with all bits set marks an empty slot and cannot be stored. Concurrent reads are safe once filled.
/// </summary>
internal sealed class NGramTable<TKey, TValue> where TKey : unmanaged, IBinaryInteger<TKey> where TValue : struct
{
    private static readonly TKey Empty = TKey.AllBitsSet;
    private TKey[] _keys;
    private TValue[] _values;
    private int _shift;

    public NGramTable(int capacityPowerOfTwo = 10)
    {
        _keys = new TKey[1 << capacityPowerOfTwo];
        _values = new TValue[1 << capacityPowerOfTwo];
        Array.Fill(_keys, Empty);
        _shift = 64 - capacityPowerOfTwo;
    }

    /// <summary>Stored keys.</summary>
    public int Count { get; private set; }

    /// <summary>Slots, used or not; iterate with <see cref="IsUsed"/>.</summary>
    public int Capacity => _keys.Length;

    public bool IsUsed(int slot) => _keys[slot] != Empty;

    public TKey KeyAt(int slot) => _keys[slot];

    public ref TValue ValueAt(int slot) => ref _values[slot];

    /// <summary>The value of a key, added as default when missing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ref TValue GetOrAdd(TKey key)
    {
        if (Count * 2 >= _keys.Length) Grow();
        int mask = _keys.Length - 1;
        int slot = Slot(key);
        while (true)
        {
            TKey k = _keys[slot];
            if (k == key) return ref _values[slot];
            if (k == Empty)
            {
                _keys[slot] = key;
                Count++;
                return ref _values[slot];
            }
            slot = (slot + 1) & mask;
        }
    }

    /// <summary>The value of a key, or default when missing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public bool TryGetValue(TKey key, out TValue value)
    {
        var keys = _keys;
        int mask = keys.Length - 1;
        int slot = Slot(key);
        while (true)
        {
            TKey k = keys[slot];
            // Empty first: a lookup key may have all bits set (unknown characters), and must not match an empty slot.
            if (k == Empty)
            {
                value = default;
                return false;
            }
            if (k == key)
            {
                value = _values[slot];
                return true;
            }
            slot = (slot + 1) & mask;
        }
    }

    /// <summary>The value of a key that must be present.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ref TValue Get(TKey key)
    {
        int mask = _keys.Length - 1;
        int slot = Slot(key);
        while (_keys[slot] != key)
        {
            if (_keys[slot] == Empty) throw new KeyNotFoundException("n-gram not in the table");
            slot = (slot + 1) & mask;
        }
        return ref _values[slot];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(TKey key)
    {
        ulong h = ulong.CreateTruncating(key) * 0x9E3779B97F4A7C15UL;
        if (typeof(TKey) == typeof(UInt128))
        {
            h ^= (ulong)(Unsafe.As<TKey, UInt128>(ref key) >> 64) * 0xC2B2AE3D27D4EB4FUL;
        }
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9UL;
        return (int)(h >> _shift);
    }

    private void Grow()
    {
        var oldKeys = _keys;
        var oldValues = _values;
        _keys = new TKey[oldKeys.Length * 2];
        _values = new TValue[oldKeys.Length * 2];
        Array.Fill(_keys, Empty);
        _shift--;
        int mask = _keys.Length - 1;
        for (int i = 0; i < oldKeys.Length; i++)
        {
            if (oldKeys[i] == Empty) continue;
            int slot = Slot(oldKeys[i]);
            while (_keys[slot] != Empty) slot = (slot + 1) & mask;
            _keys[slot] = oldKeys[i];
            _values[slot] = oldValues[i];
        }
    }
}
