namespace Pipeline.FastText;

/// <summary>The Huffman tree of hierarchical softmax, built from counts exactly as fastText's <c>buildTree</c>.</summary>
internal sealed class HuffmanTree
{
    /// <summary>One tree node; leaves have Left = Right = -1.</summary>
    internal struct Node
    {
        /// <summary>Parent node, or -1 for the root.</summary>
        public int Parent;
        /// <summary>Left child, or -1.</summary>
        public int Left;
        /// <summary>Right child, or -1.</summary>
        public int Right;
        /// <summary>Subtree count.</summary>
        public long Count;
        /// <summary>Whether this node is its parent's right child.</summary>
        public bool Binary;
    }

    /// <summary>Builds the tree over <paramref name="counts"/> (leaves 0 .. n-1, internal nodes n .. 2n-2).</summary>
    public HuffmanTree(ReadOnlySpan<long> counts)
    {
        int osz = counts.Length;
        Leaves = osz;
        Nodes = new Node[Math.Max(0, (2 * osz) - 1)];
        for (int i = 0; i < Nodes.Length; i++)
        {
            Nodes[i] = new Node { Parent = -1, Left = -1, Right = -1, Count = (long)1e15, Binary = false };
        }
        for (int i = 0; i < osz; i++)
        {
            Nodes[i].Count = counts[i];
        }
        int leaf = osz - 1;
        int node = osz;
        Span<int> mini = stackalloc int[2];
        for (int i = osz; i < (2 * osz) - 1; i++)
        {
            for (int j = 0; j < 2; j++)
            {
                if (leaf >= 0 && Nodes[leaf].Count < Nodes[node].Count)
                {
                    mini[j] = leaf--;
                }
                else
                {
                    mini[j] = node++;
                }
            }
            Nodes[i].Left = mini[0];
            Nodes[i].Right = mini[1];
            Nodes[i].Count = Nodes[mini[0]].Count + Nodes[mini[1]].Count;
            Nodes[mini[0]].Parent = i;
            Nodes[mini[1]].Parent = i;
            Nodes[mini[1]].Binary = true;
        }
        Paths = new int[osz][];
        Codes = new bool[osz][];
        for (int i = 0; i < osz; i++)
        {
            var path = new List<int>();
            var code = new List<bool>();
            int j = i;
            while (Nodes[j].Parent != -1)
            {
                path.Add(Nodes[j].Parent - osz);
                code.Add(Nodes[j].Binary);
                j = Nodes[j].Parent;
            }
            Paths[i] = [.. path];
            Codes[i] = [.. code];
        }
    }

    /// <summary>Number of leaves.</summary>
    public int Leaves { get; }

    /// <summary>All nodes.</summary>
    public Node[] Nodes { get; }

    /// <summary>For each leaf, the output rows of the internal nodes on its path to the root.</summary>
    public int[][] Paths { get; }

    /// <summary>For each leaf, the branch taken at each node of its path (true = right).</summary>
    public bool[][] Codes { get; }
}
