using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using Pipeline.Engine.Actors;
using Pipeline.Formats.Manifests;

namespace Pipeline.Engine.Cluster;

/// <summary>
/// The explicit serializer of every <see cref="IWorkMessage"/> that crosses the network: System.Text.Json with the
/// pipeline's JSON conventions (snake_case, enums as strings) and a string manifest naming the message type, so a
/// node never falls back to Akka's default Newtonsoft binding and an unknown manifest is a clear error.
/// </summary>
public sealed class ClusterMessageSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer id in HOCON (<c>akka.actor.serialization-identifiers</c>).</summary>
    public const int Id = 4711;

    private static readonly JsonSerializerOptions Options = new(JsonFiles.Options) { WriteIndented = false };

    private static readonly Dictionary<string, Type> Types = ClusterMessages.All.ToDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>Creates the serializer (Akka calls this with its system).</summary>
    public ClusterMessageSerializer(ExtendedActorSystem system) : base(system)
    {
    }

    /// <inheritdoc />
    public override int Identifier => Id;

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!Types.TryGetValue(manifest, out var type))
        {
            throw new System.Runtime.Serialization.SerializationException($"unknown cluster message manifest '{manifest}'; the nodes run different Pipeline versions");
        }
        return JsonSerializer.Deserialize(bytes, type, Options)
            ?? throw new System.Runtime.Serialization.SerializationException($"empty {manifest} message");
    }

    /// <inheritdoc />
    public override string Manifest(object o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var type = o.GetType();
        return Types.ContainsKey(type.Name) ? type.Name : throw new ArgumentException($"{type.FullName} is not a cluster message", nameof(o));
    }
}
