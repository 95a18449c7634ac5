using System.Buffers;
using System.Numerics;
using System.Text;

namespace Pipeline.FastText.Training;

/// <summary>
/// Counts the words and labels of training text exactly as fastText 0.9.2's <c>Dictionary::readFromFile</c>:
/// every token (and <c>&lt;/s&gt;</c> for every newline) is added with its count, the vocabulary is pruned with a
/// growing threshold whenever it exceeds 75% of <see cref="MaxVocabSize"/>, then thresholded with minCount and
/// minCountLabel and sorted (words before labels, by count descending) with libstdc++'s <c>std::sort</c>, so ties come
/// out in the reference's order as well.
/// </summary>
public sealed class FastTextVocabularyBuilder
{
    /// <summary>fastText's <c>MAX_VOCAB_SIZE</c>.</summary>
    public const int MaxVocabSize = 30_000_000;

    private static readonly SearchValues<byte> Separators = SearchValues.Create(" \n\r\t\v\f\0"u8);

    private readonly FastTextArgs _args;
    private readonly byte[] _labelPrefix;
    private byte[] _pool = new byte[1 << 16];
    private int _poolLength;
    private Entry[] _entries = new Entry[1024];
    private int _size;
    private int[] _slots = new int[2048];

    /// <summary>Creates an empty builder for a model with <paramref name="args"/> (label prefix, minCount, verbosity).</summary>
    public FastTextVocabularyBuilder(FastTextArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        _args = args;
        _labelPrefix = Encoding.UTF8.GetBytes(args.LabelPrefix);
        Array.Fill(_slots, -1);
    }

    /// <summary>Number of tokens added so far (each <see cref="Add"/> counts one).</summary>
    public long NTokens { get; private set; }

    /// <summary>Number of distinct entries.</summary>
    public int Size => _size;

    /// <summary>Number of words among the entries.</summary>
    public int NWords { get; private set; }

    /// <summary>Number of labels among the entries.</summary>
    public int NLabels { get; private set; }

    /// <summary>Adds one occurrence of <paramref name="word"/> (fastText's <c>Dictionary::add</c>).</summary>
    public void Add(ReadOnlySpan<byte> word)
    {
        uint h = FastTextHash.Hash(word);
        int slot = FindSlot(word, h);
        NTokens++;
        int id = _slots[slot];
        if (id >= 0)
        {
            _entries[id].Count++;
            return;
        }
        if (_size == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }
        EnsurePool(word.Length);
        word.CopyTo(_pool.AsSpan(_poolLength));
        EntryType type = word.StartsWith(_labelPrefix) ? EntryType.Label : EntryType.Word;
        _entries[_size] = new Entry(_poolLength, word.Length, 1, type, h);
        _poolLength += word.Length;
        _slots[slot] = _size++;
        if (type == EntryType.Word)
        {
            NWords++;
        }
        else
        {
            NLabels++;
        }
        if (_size * 2 > _slots.Length)
        {
            Rehash(_slots.Length * 2);
        }
    }

    /// <summary>
    /// fastText's <c>Dictionary::threshold</c>: sorts (words first, then by count descending, with libstdc++'s
    /// introsort) and drops words seen fewer than <paramref name="minCount"/> times and labels seen fewer than
    /// <paramref name="minCountLabel"/> times.
    /// </summary>
    public void Threshold(long minCount, long minCountLabel)
    {
        LibStdSort.Sort(_entries.AsSpan(0, _size), default(EntryOrder));
        int kept = 0;
        NWords = 0;
        NLabels = 0;
        for (int i = 0; i < _size; i++)
        {
            Entry e = _entries[i];
            bool drop = (e.Type == EntryType.Word && e.Count < minCount) || (e.Type == EntryType.Label && e.Count < minCountLabel);
            if (!drop)
            {
                _entries[kept++] = e;
                if (e.Type == EntryType.Word)
                {
                    NWords++;
                }
                else
                {
                    NLabels++;
                }
            }
        }
        _size = kept;
        CompactPool();
        Rehash(Math.Max(2048, (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, _size * 2))));
    }

    /// <summary>
    /// Reads a whole training file as fastText's <c>readFromFile</c> (without the final <see cref="Threshold"/>, which
    /// <see cref="ReadFromFile(FastTextArgs, string, TextWriter?, CancellationToken)"/> applies).
    /// Writes "Read NM words" progress to <paramref name="log"/> when verbose &gt; 1.
    /// </summary>
    public void AddFile(string path, TextWriter? log = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = new byte[1 << 20];
        var carry = new byte[256];
        int carryLength = 0;
        long minThreshold = 1;
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ReadOnlySpan<byte> span = buffer.AsSpan(0, n);
            int i = 0;
            if (carryLength > 0)
            {
                int end = span.IndexOfAny(Separators);
                int take = end < 0 ? n : end;
                if (carryLength + take > carry.Length)
                {
                    Array.Resize(ref carry, Math.Max(carry.Length * 2, carryLength + take));
                }
                span[..take].CopyTo(carry.AsSpan(carryLength));
                carryLength += take;
                if (end < 0)
                {
                    continue;
                }
                AddToken(carry.AsSpan(0, carryLength), ref minThreshold, log);
                carryLength = 0;
                i = end;
            }
            while (i < n)
            {
                byte c = span[i];
                if (FastTextVocabulary.IsSeparator(c))
                {
                    if (c == (byte)'\n')
                    {
                        AddToken(FastTextVocabulary.EndOfSentence, ref minThreshold, log);
                    }
                    i++;
                    continue;
                }
                int rel = span[i..].IndexOfAny(Separators);
                if (rel < 0)
                {
                    int rest = n - i;
                    if (rest > carry.Length)
                    {
                        carry = new byte[Math.Max(rest, carry.Length * 2)];
                    }
                    span[i..].CopyTo(carry);
                    carryLength = rest;
                    break;
                }
                AddToken(span.Slice(i, rel), ref minThreshold, log);
                i += rel;
            }
        }
        if (carryLength > 0)
        {
            AddToken(carry.AsSpan(0, carryLength), ref minThreshold, log);
        }
    }

    private void AddToken(ReadOnlySpan<byte> token, ref long minThreshold, TextWriter? log)
    {
        Add(token);
        if (NTokens % 1_000_000 == 0 && _args.Verbose > 1 && log is not null)
        {
            log.Write($"\rRead {NTokens / 1_000_000}M words");
            log.Flush();
        }
        if (_size > 0.75 * MaxVocabSize)
        {
            minThreshold++;
            Threshold(minThreshold, minThreshold);
        }
    }

    /// <summary>The vocabulary as it stands (entries in their current order).</summary>
    public FastTextVocabulary Build()
    {
        var entries = new DictionaryEntry[_size];
        for (int i = 0; i < _size; i++)
        {
            Entry e = _entries[i];
            entries[i] = new DictionaryEntry(_pool.AsSpan(e.Offset, e.Length).ToArray(), e.Count, e.Type);
        }
        return new FastTextVocabulary(entries, NTokens, null, _args, _args.LabelPrefix);
    }

    /// <summary>
    /// fastText 0.9.2's <c>readFromFile</c>: reads every token of <paramref name="path"/>, applies minCount and
    /// minCountLabel, and logs "Read NM words", "Number of words:" and "Number of labels:" to <paramref name="log"/>
    /// (verbose &gt; 0) like the reference.
    /// </summary>
    /// <exception cref="FastTextTrainingException">Nothing is left after thresholding.</exception>
    public static FastTextVocabularyBuilder ReadFromFile(FastTextArgs args, string path, TextWriter? log = null, CancellationToken cancellationToken = default)
    {
        var builder = new FastTextVocabularyBuilder(args);
        builder.AddFile(path, log, cancellationToken);
        builder.Threshold(args.MinCount, args.MinCountLabel);
        if (args.Verbose > 0 && log is not null)
        {
            log.Write($"\rRead {builder.NTokens / 1_000_000}M words\n");
            log.Write($"Number of words:  {builder.NWords}\n");
            log.Write($"Number of labels: {builder.NLabels}\n");
            log.Flush();
        }
        if (builder.Size == 0)
        {
            throw new FastTextTrainingException("Empty vocabulary. Try a smaller -minCount value.");
        }
        return builder;
    }

    /// <summary>
    /// fastText's <c>initTableDiscard</c>: the keep probability of each entry for subsampling,
    /// <c>sqrt(t / f) + t / f</c> with <c>f = count / ntokens</c>.
    /// </summary>
    public static float[] DiscardTable(FastTextVocabulary vocabulary, double samplingThreshold)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var table = new float[vocabulary.Size];
        for (int i = 0; i < table.Length; i++)
        {
            float f = vocabulary.GetCount(i) / (float)vocabulary.NTokens;
            table[i] = (float)(Math.Sqrt(samplingThreshold / f) + (samplingThreshold / f));
        }
        return table;
    }

    private int FindSlot(ReadOnlySpan<byte> word, uint h)
    {
        int mask = _slots.Length - 1;
        int slot = (int)(h & (uint)mask);
        while (true)
        {
            int id = _slots[slot];
            if (id < 0)
            {
                return slot;
            }
            ref Entry e = ref _entries[id];
            if (e.Hash == h && _pool.AsSpan(e.Offset, e.Length).SequenceEqual(word))
            {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
    }

    private void Rehash(int capacity)
    {
        _slots = new int[capacity];
        Array.Fill(_slots, -1);
        int mask = capacity - 1;
        for (int i = 0; i < _size; i++)
        {
            int slot = (int)(_entries[i].Hash & (uint)mask);
            while (_slots[slot] >= 0)
            {
                slot = (slot + 1) & mask;
            }
            _slots[slot] = i;
        }
    }

    private void EnsurePool(int extra)
    {
        if (_poolLength + extra > _pool.Length)
        {
            long want = Math.Max((long)_pool.Length * 2, (long)_poolLength + extra);
            Array.Resize(ref _pool, (int)Math.Min(want, Array.MaxLength));
        }
    }

    private void CompactPool()
    {
        var pool = new byte[Math.Max(1 << 16, _poolLength)];
        int at = 0;
        for (int i = 0; i < _size; i++)
        {
            ref Entry e = ref _entries[i];
            _pool.AsSpan(e.Offset, e.Length).CopyTo(pool.AsSpan(at));
            e.Offset = at;
            at += e.Length;
        }
        _pool = pool;
        _poolLength = at;
    }

    private struct Entry(int offset, int length, long count, EntryType type, uint hash)
    {
        public int Offset = offset;
        public int Length = length;
        public long Count = count;
        public EntryType Type = type;
        public uint Hash = hash;
    }

    private readonly struct EntryOrder : ILess<Entry>
    {
        public bool Less(in Entry a, in Entry b) => a.Type != b.Type ? a.Type < b.Type : a.Count > b.Count;
    }
}
