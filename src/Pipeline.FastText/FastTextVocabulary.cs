using System.Runtime.InteropServices;
using System.Text;

namespace Pipeline.FastText;

/// <summary>The kind of a dictionary entry, as stored in model files.</summary>
public enum EntryType : byte
{
    /// <summary>A word (ids 0 .. nwords-1).</summary>
    Word = 0,
    /// <summary>A label (ids nwords .. size-1).</summary>
    Label = 1,
}

/// <summary>One dictionary entry as it is stored in a model file.</summary>
/// <param name="Word">The raw bytes of the word (fastText does not decode or normalise them).</param>
/// <param name="Count">Occurrences in the training data.</param>
/// <param name="Type">Word or label.</param>
public readonly record struct DictionaryEntry(byte[] Word, long Count, EntryType Type);

/// <summary>
/// fastText's vocabulary: words then labels, the n-gram hashing rules and the line tokenizer, all exactly as in
/// fastText 0.9.2's <c>Dictionary</c>. Immutable once built, so one instance serves all threads.
/// Words are kept in one byte pool and the word → id table uses fastText's own open addressing, so lookups
/// take a byte span and allocate nothing.
/// </summary>
public sealed class FastTextVocabulary
{
    /// <summary>The end-of-sentence token produced for every newline.</summary>
    public static ReadOnlySpan<byte> EndOfSentence => "</s>"u8;

    private const byte BeginOfWord = (byte)'<';
    private const byte EndOfWord = (byte)'>';

    private readonly byte[] _pool;
    private readonly int[] _offsets;
    private readonly long[] _counts;
    private readonly EntryType[] _types;
    private readonly int[] _word2int;
    private readonly (int Bucket, int Index)[] _pruneIdxPairs;
    private readonly Dictionary<int, int>? _pruneIdx;
    private readonly int[] _subwordStarts;
    private readonly int[] _subwordIds;
    private readonly byte[] _labelPrefix;

    /// <summary>Builds a dictionary from its entries (words first, then labels) and the model's hashing settings.</summary>
    /// <param name="entries">Words, then labels.</param>
    /// <param name="ntokens">Total tokens seen in training (stored, informative).</param>
    /// <param name="pruneIdx">For pruned (quantized) dictionaries, the kept n-gram buckets and their new indices in
    /// file order; null when the dictionary is not pruned.</param>
    /// <param name="args">The model's args (minn, maxn, bucket, wordNgrams).</param>
    /// <param name="labelPrefix">The label prefix (fastText does not store it; loaded models use <c>__label__</c>).</param>
    public FastTextVocabulary(
        IReadOnlyList<DictionaryEntry> entries,
        long ntokens,
        IReadOnlyList<(int Bucket, int Index)>? pruneIdx,
        FastTextArgs args,
        string labelPrefix = FastTextArgs.DefaultLabelPrefix)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(args);
        Args = args;
        _labelPrefix = Encoding.UTF8.GetBytes(labelPrefix);
        int size = entries.Count;
        _offsets = new int[size + 1];
        _counts = new long[size];
        _types = new EntryType[size];
        long poolBytes = 0;
        for (int i = 0; i < size; i++)
        {
            poolBytes += entries[i].Word.Length;
        }
        if (poolBytes > Array.MaxLength)
        {
            throw new FastTextFormatException($"dictionary words take {poolBytes} bytes, more than one array can hold");
        }
        _pool = new byte[poolBytes];
        int at = 0;
        int nlabels = 0;
        for (int i = 0; i < size; i++)
        {
            DictionaryEntry e = entries[i];
            e.Word.CopyTo(_pool, at);
            _offsets[i] = at;
            at += e.Word.Length;
            _counts[i] = e.Count;
            _types[i] = e.Type;
            if (e.Type == EntryType.Label)
            {
                nlabels++;
            }
            else if (nlabels > 0)
            {
                throw new FastTextFormatException($"invalid fastText dictionary: word {i} comes after a label (words must come first)");
            }
        }
        _offsets[size] = at;
        NWords = size - nlabels;
        NLabels = nlabels;
        NTokens = ntokens;
        if (pruneIdx is null)
        {
            PruneIdxSize = -1;
            _pruneIdxPairs = [];
        }
        else
        {
            PruneIdxSize = pruneIdx.Count;
            _pruneIdxPairs = [.. pruneIdx];
            _pruneIdx = new Dictionary<int, int>(pruneIdx.Count);
            foreach ((int bucket, int index) in pruneIdx)
            {
                _pruneIdx[bucket] = index;
            }
        }

        _word2int = new int[Math.Max(1, (int)Math.Ceiling(size / 0.7))];
        Array.Fill(_word2int, -1);
        for (int i = 0; i < size; i++)
        {
            ReadOnlySpan<byte> w = GetWordBytes(i);
            _word2int[FindSlot(w, FastTextHash.Hash(w))] = i;
        }

        (_subwordStarts, _subwordIds) = BuildSubwords();
    }

    /// <summary>The hashing settings this dictionary was built with.</summary>
    public FastTextArgs Args { get; }

    /// <summary>Number of entries (words + labels).</summary>
    public int Size => _counts.Length;

    /// <summary>Number of words.</summary>
    public int NWords { get; }

    /// <summary>Number of labels.</summary>
    public int NLabels { get; }

    /// <summary>Total number of tokens seen in training.</summary>
    public long NTokens { get; }

    /// <summary>Number of kept n-gram buckets of a pruned dictionary; -1 when not pruned.</summary>
    public long PruneIdxSize { get; }

    /// <summary>Whether the dictionary was pruned by <c>quantize -cutoff</c>.</summary>
    public bool IsPruned => PruneIdxSize >= 0;

    /// <summary>The pruned n-gram buckets and their new indices, in file order.</summary>
    public IReadOnlyList<(int Bucket, int Index)> PruneIdx => _pruneIdxPairs;

    /// <summary>The raw bytes of entry <paramref name="id"/>.</summary>
    public ReadOnlySpan<byte> GetWordBytes(int id) => _pool.AsSpan(_offsets[id], _offsets[id + 1] - _offsets[id]);

    /// <summary>Entry <paramref name="id"/> decoded as UTF-8 (invalid bytes become U+FFFD).</summary>
    public string GetWord(int id) => Encoding.UTF8.GetString(GetWordBytes(id));

    /// <summary>The text of label <paramref name="labelIndex"/> (0-based among labels).</summary>
    public string GetLabel(int labelIndex)
    {
        if ((uint)labelIndex >= (uint)NLabels)
        {
            throw new ArgumentOutOfRangeException(nameof(labelIndex), labelIndex, $"the model has {NLabels} labels");
        }
        return GetWord(NWords + labelIndex);
    }

    /// <summary>The raw bytes of label <paramref name="labelIndex"/>.</summary>
    public ReadOnlySpan<byte> GetLabelBytes(int labelIndex) => GetWordBytes(NWords + labelIndex);

    /// <summary>Occurrence count of entry <paramref name="id"/>.</summary>
    public long GetCount(int id) => _counts[id];

    /// <summary>Type of entry <paramref name="id"/>.</summary>
    public EntryType GetEntryType(int id) => _types[id];

    /// <summary>The entry at <paramref name="id"/>, as stored.</summary>
    public DictionaryEntry GetEntry(int id) => new(GetWordBytes(id).ToArray(), _counts[id], _types[id]);

    /// <summary>Counts of all words or all labels, in id order.</summary>
    public long[] GetCounts(EntryType type) =>
        type == EntryType.Word ? _counts.AsSpan(0, NWords).ToArray() : _counts.AsSpan(NWords, NLabels).ToArray();

    /// <summary>The id of <paramref name="word"/>, or -1.</summary>
    public int GetId(ReadOnlySpan<byte> word) => GetId(word, FastTextHash.Hash(word));

    /// <summary>The id of <paramref name="word"/> whose hash is <paramref name="hash"/>, or -1.</summary>
    public int GetId(ReadOnlySpan<byte> word, uint hash) => _word2int[FindSlot(word, hash)];

    /// <summary>The id of a word given as a string (UTF-8 encoded), or -1.</summary>
    public int GetId(string word) => GetId(Encoding.UTF8.GetBytes(word));

    /// <summary>Whether an out-of-vocabulary token is a label (starts with the label prefix).</summary>
    public bool IsLabelToken(ReadOnlySpan<byte> token) => token.StartsWith(_labelPrefix);

    /// <summary>The input rows of in-vocabulary word <paramref name="wordId"/>: itself, then its character n-grams.</summary>
    public ReadOnlySpan<int> GetSubwords(int wordId) =>
        _subwordIds.AsSpan(_subwordStarts[wordId], _subwordStarts[wordId + 1] - _subwordStarts[wordId]);

    /// <summary>
    /// The input rows of any word: its subwords when in vocabulary, else the character n-grams of <c>&lt;word&gt;</c>
    /// (nothing for the end-of-sentence token), as fastText's <c>getSubwords(string)</c>.
    /// </summary>
    public void GetSubwords(ReadOnlySpan<byte> word, List<int> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        int id = GetId(word);
        if (id >= 0)
        {
            foreach (int s in GetSubwords(id))
            {
                into.Add(s);
            }
            return;
        }
        if (!word.SequenceEqual(EndOfSentence))
        {
            ComputeSubwordsOfToken(word, into);
        }
    }

    /// <summary>
    /// Tokenizes one line exactly like fastText's supervised <c>getLine</c>: words get their input rows (word id
    /// and character n-grams, or only n-grams when out of vocabulary), known labels go to <paramref name="labels"/>,
    /// unknown labels are dropped, and word n-gram hashes are appended at the end.
    /// </summary>
    /// <param name="line">The line's bytes, without the newline.</param>
    /// <param name="endOfLine">True when the line ended with a newline: the end-of-sentence token is added.</param>
    /// <param name="words">Receives input row ids.</param>
    /// <param name="labels">Receives label indices (0-based among labels).</param>
    /// <param name="scratch">Reusable scratch space.</param>
    /// <returns>The number of tokens read, end-of-sentence included.</returns>
    public int GetLine(ReadOnlySpan<byte> line, bool endOfLine, List<int> words, List<int> labels, LineScratch scratch) =>
        GetLine(line, endOfLine, words, labels, scratch, out _);

    /// <summary>
    /// <see cref="GetLine(ReadOnlySpan{byte}, bool, List{int}, List{int}, LineScratch)"/>, reporting where a literal
    /// <c>&lt;/s&gt;</c> token ended the line early: fastText stops a line at any end-of-sentence token, so the rest of
    /// the physical line (from <paramref name="restStart"/>, its newline included) is read as the next line.
    /// </summary>
    /// <param name="line">The line's bytes, without the newline.</param>
    /// <param name="endOfLine">True when the line ended with a newline.</param>
    /// <param name="words">Receives input row ids.</param>
    /// <param name="labels">Receives label indices.</param>
    /// <param name="scratch">Reusable scratch space.</param>
    /// <param name="restStart">Where the unread rest starts, or -1 when the whole line was read.</param>
    public int GetLine(ReadOnlySpan<byte> line, bool endOfLine, List<int> words, List<int> labels, LineScratch scratch, out int restStart)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(scratch);
        words.Clear();
        labels.Clear();
        List<int> hashes = scratch.WordHashes;
        hashes.Clear();
        int ntokens = 0;
        int pos = 0;
        restStart = -1;
        while (NextToken(line, ref pos, out ReadOnlySpan<byte> token))
        {
            ntokens++;
            AddToken(token, words, labels, hashes, scratch);
            if (token.SequenceEqual(EndOfSentence))
            {
                restStart = pos;
                break;
            }
        }
        if (endOfLine && restStart < 0)
        {
            ntokens++;
            AddToken(EndOfSentence, words, labels, hashes, scratch);
        }
        AddWordNgrams(words, CollectionsMarshal.AsSpan(hashes), Args.WordNgrams);
        return ntokens;
    }

    private void AddToken(ReadOnlySpan<byte> token, List<int> words, List<int> labels, List<int> hashes, LineScratch scratch)
    {
        uint h = FastTextHash.Hash(token);
        int wid = GetId(token, h);
        EntryType type = wid < 0 ? (IsLabelToken(token) ? EntryType.Label : EntryType.Word) : _types[wid];
        if (type == EntryType.Word)
        {
            AddSubwords(words, token, wid, scratch);
            hashes.Add((int)h);
        }
        else if (wid >= 0)
        {
            labels.Add(wid - NWords);
        }
    }

    /// <summary>Finds the next token of <paramref name="line"/> from <paramref name="pos"/>, splitting on fastText's separators.</summary>
    public static bool NextToken(ReadOnlySpan<byte> line, ref int pos, out ReadOnlySpan<byte> token)
    {
        int i = pos;
        while (i < line.Length && IsSeparator(line[i]))
        {
            i++;
        }
        int start = i;
        while (i < line.Length && !IsSeparator(line[i]))
        {
            i++;
        }
        pos = i;
        token = line[start..i];
        return i > start;
    }

    /// <summary>fastText's token separators: space, \n, \r, \t, \v, \f and \0.</summary>
    public static bool IsSeparator(byte c) => c is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or 0x0B or 0x0C or 0;

    private void AddSubwords(List<int> line, ReadOnlySpan<byte> token, int wid, LineScratch scratch)
    {
        if (wid < 0)
        {
            if (!token.SequenceEqual(EndOfSentence))
            {
                ComputeSubwordsOfToken(token, line, scratch);
            }
        }
        else if (Args.Maxn <= 0)
        {
            line.Add(wid);
        }
        else
        {
            foreach (int s in GetSubwords(wid))
            {
                line.Add(s);
            }
        }
    }

    /// <summary>Appends the word n-gram rows of a line's word hashes, as fastText's <c>addWordNgrams</c>.</summary>
    public void AddWordNgrams(List<int> line, ReadOnlySpan<int> hashes, int n)
    {
        ArgumentNullException.ThrowIfNull(line);
        for (int i = 0; i < hashes.Length; i++)
        {
            ulong h = (ulong)(long)hashes[i];
            for (int j = i + 1; j < hashes.Length && j < i + n; j++)
            {
                h = (h * 116049371UL) + (ulong)(long)hashes[j];
                PushHash(line, (int)(h % (ulong)Args.Bucket));
            }
        }
    }

    private void ComputeSubwordsOfToken(ReadOnlySpan<byte> token, List<int> into, LineScratch? scratch = null)
    {
        int len = token.Length + 2;
        byte[] buffer = scratch?.Rent(len) ?? new byte[len];
        buffer[0] = BeginOfWord;
        token.CopyTo(buffer.AsSpan(1));
        buffer[len - 1] = EndOfWord;
        ComputeSubwords(buffer.AsSpan(0, len), into);
    }

    /// <summary>
    /// Appends the character n-gram rows of <paramref name="word"/> (already wrapped in <c>&lt;</c> and <c>&gt;</c>):
    /// n = minn..maxn UTF-8 characters, never the lone boundary characters, each hashed modulo the bucket count.
    /// </summary>
    public void ComputeSubwords(ReadOnlySpan<byte> word, List<int> ngrams) => ComputeSubwords(word, ngrams, null);

    /// <summary>
    /// <see cref="ComputeSubwords(ReadOnlySpan{byte}, List{int})"/>, also recording each n-gram's byte range in
    /// <paramref name="substrings"/> (as fastText's <c>print-ngrams</c>; a pruned n-gram keeps its range but has no row).
    /// </summary>
    public void ComputeSubwords(ReadOnlySpan<byte> word, List<int> ngrams, List<Range>? substrings)
    {
        ArgumentNullException.ThrowIfNull(ngrams);
        int maxn = Args.Maxn;
        int minn = Args.Minn;
        uint bucket = (uint)Args.Bucket;
        for (int i = 0; i < word.Length; i++)
        {
            if ((word[i] & 0xC0) == 0x80)
            {
                continue;
            }
            uint h = FastTextHash.Seed;
            int j = i;
            for (int n = 1; j < word.Length && n <= maxn; n++)
            {
                h = FastTextHash.Continue(h, word[j++]);
                while (j < word.Length && (word[j] & 0xC0) == 0x80)
                {
                    h = FastTextHash.Continue(h, word[j++]);
                }
                if (n >= minn && !(n == 1 && (i == 0 || j == word.Length)))
                {
                    PushHash(ngrams, (int)(h % bucket));
                    substrings?.Add(i..j);
                }
            }
        }
    }

    /// <summary>Appends the input row of n-gram bucket <paramref name="id"/>, remapped (or dropped) when pruned.</summary>
    public void PushHash(List<int> hashes, int id)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        if (PruneIdxSize == 0 || id < 0)
        {
            return;
        }
        if (PruneIdxSize > 0)
        {
            if (!_pruneIdx!.TryGetValue(id, out id))
            {
                return;
            }
        }
        hashes.Add(NWords + id);
    }

    private int FindSlot(ReadOnlySpan<byte> w, uint h)
    {
        int size = _word2int.Length;
        int id = (int)(h % (uint)size);
        while (true)
        {
            int entry = _word2int[id];
            if (entry == -1 || GetWordBytes(entry).SequenceEqual(w))
            {
                return id;
            }
            id = (id + 1) % size;
        }
    }

    private (int[] Starts, int[] Ids) BuildSubwords()
    {
        int nwords = NWords;
        var starts = new int[nwords + 1];
        var ids = new List<int>(Args.Maxn > 0 ? nwords * 8 : nwords);
        var wrapped = new List<byte>(64);
        for (int i = 0; i < nwords; i++)
        {
            starts[i] = ids.Count;
            ids.Add(i);
            ReadOnlySpan<byte> w = GetWordBytes(i);
            if (Args.Maxn > 0 && !w.SequenceEqual(EndOfSentence))
            {
                wrapped.Clear();
                wrapped.Add(BeginOfWord);
                foreach (byte b in w)
                {
                    wrapped.Add(b);
                }
                wrapped.Add(EndOfWord);
                ComputeSubwords(CollectionsMarshal.AsSpan(wrapped), ids);
            }
        }
        starts[nwords] = ids.Count;
        return (starts, [.. ids]);
    }

    /// <summary>Reads a dictionary block of a model file.</summary>
    internal static FastTextVocabulary Load(ModelReader reader, FastTextArgs args)
    {
        int size = reader.ReadInt32("dictionary size");
        int nwords = reader.ReadInt32("dictionary word count");
        int nlabels = reader.ReadInt32("dictionary label count");
        long ntokens = reader.ReadInt64("dictionary token count");
        long pruneIdxSize = reader.ReadInt64("dictionary prune index size");
        if (size < 0 || nwords < 0 || nlabels < 0 || (long)nwords + nlabels != size)
        {
            throw new FastTextFormatException(
                $"invalid fastText model: dictionary sizes do not add up (size {size}, words {nwords}, labels {nlabels})");
        }
        // Each entry takes at least 10 bytes (terminator, count, type).
        reader.EnsureAvailable(size, 10, "dictionary entries");
        var entries = new DictionaryEntry[size];
        var word = new List<byte>(32);
        for (int i = 0; i < size; i++)
        {
            word.Clear();
            reader.ReadCString(word, "dictionary entries");
            long count = reader.ReadInt64("dictionary entries");
            byte type = reader.ReadByte("dictionary entries");
            if (type > 1)
            {
                throw new FastTextFormatException($"invalid fastText model: dictionary entry {i} has type {type} (0 = word, 1 = label)");
            }
            entries[i] = new DictionaryEntry([.. word], count, (EntryType)type);
        }
        for (int i = 0; i < size; i++)
        {
            if ((entries[i].Type == EntryType.Label) != (i >= nwords))
            {
                throw new FastTextFormatException($"invalid fastText model: dictionary entry {i} has the wrong type for its position");
            }
        }
        List<(int, int)>? prune = null;
        if (pruneIdxSize >= 0)
        {
            reader.EnsureAvailable(pruneIdxSize, 8, "dictionary prune index");
            prune = new List<(int, int)>((int)pruneIdxSize);
            for (long i = 0; i < pruneIdxSize; i++)
            {
                int bucket = reader.ReadInt32("dictionary prune index");
                int index = reader.ReadInt32("dictionary prune index");
                prune.Add((bucket, index));
            }
        }
        else if (pruneIdxSize != -1)
        {
            throw new FastTextFormatException($"invalid fastText model: prune index size {pruneIdxSize}");
        }
        return new FastTextVocabulary(entries, ntokens, prune, args);
    }

    /// <summary>Writes the dictionary block of a model file.</summary>
    internal void Save(ModelWriter writer)
    {
        writer.WriteInt32(Size);
        writer.WriteInt32(NWords);
        writer.WriteInt32(NLabels);
        writer.WriteInt64(NTokens);
        writer.WriteInt64(PruneIdxSize);
        for (int i = 0; i < Size; i++)
        {
            writer.WriteBytes(GetWordBytes(i));
            writer.WriteByte(0);
            writer.WriteInt64(_counts[i]);
            writer.WriteByte((byte)_types[i]);
        }
        foreach ((int bucket, int index) in _pruneIdxPairs)
        {
            writer.WriteInt32(bucket);
            writer.WriteInt32(index);
        }
    }
}

/// <summary>Reusable per-thread buffers for <see cref="FastTextVocabulary.GetLine(ReadOnlySpan{byte}, bool, List{int}, List{int}, LineScratch)"/>.</summary>
public sealed class LineScratch
{
    private byte[] _bytes = new byte[256];

    /// <summary>The word hashes of the current line.</summary>
    internal List<int> WordHashes { get; } = new(256);

    internal byte[] Rent(int length)
    {
        if (_bytes.Length < length)
        {
            _bytes = new byte[Math.Max(length, _bytes.Length * 2)];
        }
        return _bytes;
    }
}
