using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Pipeline.Jobs.Internal;

/// <summary>The embedded job schema and the translation of JsonSchema.Net results into <see cref="JobError"/>s with YAML positions.</summary>
internal static class JobSchema
{
    private const string ResourceName = "Pipeline.Jobs.job.schema.json";
    private const string NamePattern = "^[A-Za-z0-9_.-]+$";

    private static readonly Lazy<string> LazyText = new(ReadResource);
    private static readonly Lazy<JsonNode> LazyDocument = new(() => JsonNode.Parse(LazyText.Value)
        ?? throw new InvalidOperationException("the embedded job schema is empty"));

    // JsonSchema.FromText registers the schema's $id globally, so the schema is built once per process.
    private static readonly Lazy<JsonSchema> LazySchema = new(() => JsonSchema.FromText(LazyText.Value));

    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List };

    /// <summary>The schema text (schemas/job.schema.json as built into the assembly).</summary>
    public static string Text => LazyText.Value;

    /// <summary>The schema as a JSON tree (for reading descriptions, defaults and allowed names).</summary>
    public static JsonNode Document => LazyDocument.Value;

    /// <summary>Validates <paramref name="root"/> and adds one error per problem, positioned through <paramref name="map"/>.</summary>
    public static void Validate(JsonNode? root, SourceMap map, List<JobError> errors)
    {
        EvaluationResults results;
        using (var instance = JsonDocument.Parse(root is null ? "null" : root.ToJsonString()))
        {
            results = LazySchema.Value.Evaluate(instance.RootElement, Options);
        }

        if (results.IsValid)
        {
            return;
        }

        var oneOfBranches = new Dictionary<(string Instance, string Schema), int>();
        var nodes = results.Details is { Count: > 0 } details ? details : (IReadOnlyList<EvaluationResults>)[results];
        foreach (var node in nodes)
        {
            var evaluationPath = Segments(node.EvaluationPath.ToString());
            var instancePointer = node.InstanceLocation.ToString();
            var schemaPointer = Uri.UnescapeDataString(node.SchemaLocation.Fragment.TrimStart('#'));
            var combinator = CombinatorIndex(evaluationPath);
            if (combinator >= 0)
            {
                // Branch results of oneOf/anyOf/not are not errors by themselves; a failed oneOf is reported once below.
                if (evaluationPath[combinator] == "oneOf" && combinator == evaluationPath.Count - 2)
                {
                    var key = (instancePointer, ParentPointer(schemaPointer, 2));
                    oneOfBranches[key] = oneOfBranches.GetValueOrDefault(key) + (node.IsValid ? 1 : 0);
                }

                continue;
            }

            if (evaluationPath.Count > 0 && evaluationPath[^1] == "additionalProperties")
            {
                var cut = schemaPointer.LastIndexOf("/additionalProperties", StringComparison.Ordinal);
                UnknownField(root, instancePointer, cut >= 0 ? schemaPointer[..cut] : schemaPointer, map, errors);
                continue;
            }

            if (node.Errors is null)
            {
                continue;
            }

            foreach (var (keyword, libraryMessage) in node.Errors)
            {
                KeywordError(root, instancePointer, schemaPointer, keyword, libraryMessage, map, errors);
            }
        }

        foreach (var ((instancePointer, schemaPointer), validBranches) in oneOfBranches)
        {
            OneOfError(root, instancePointer, schemaPointer, validBranches, map, errors);
        }
    }

    /// <summary>Resolves a JSON pointer inside a JSON tree; null when it leads nowhere.</summary>
    public static JsonNode? Resolve(JsonNode? node, string pointer)
    {
        foreach (var segment in Segments(pointer))
        {
            node = node switch
            {
                JsonObject o => o.TryGetPropertyValue(segment, out var child) ? child : null,
                JsonArray a when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => null,
            };
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>Converts an instance pointer (<c>/sources/0/uri</c>) to a field path (<c>sources[0].uri</c>).</summary>
    public static string ToFieldPath(JsonNode? root, string pointer)
    {
        var path = string.Empty;
        var node = root;
        foreach (var segment in Segments(pointer))
        {
            if (node is JsonArray a && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i))
            {
                path = FieldPath.Item(path, i);
                node = i < a.Count ? a[i] : null;
            }
            else
            {
                path = FieldPath.Child(path, segment);
                node = node is JsonObject o && o.TryGetPropertyValue(segment, out var child) ? child : null;
            }
        }

        return path;
    }

    private static void KeywordError(
        JsonNode? root, string instancePointer, string schemaPointer, string keyword, string libraryMessage, SourceMap map, List<JobError> errors)
    {
        var instance = Resolve(root, instancePointer);
        var schema = Resolve(Document, schemaPointer);
        var path = ToFieldPath(root, instancePointer);
        if (keyword == "required")
        {
            var required = schema?["required"] as JsonArray ?? [];
            var present = instance as JsonObject;
            foreach (var item in required)
            {
                var field = item?.GetValue<string>();
                if (field is not null && present?.ContainsKey(field) != true)
                {
                    Add(errors, map, FieldPath.Child(path, field), atKey: true, $"missing required field '{field}'");
                }
            }

            return;
        }

        var limit = schema?[keyword];
        var message = keyword switch
        {
            "type" => TypeMessage(limit, instance),
            "enum" => EnumMessage(limit, instance),
            "minimum" => $"must be ≥ {limit?.ToJsonString()}, got {Describe.Raw(instance)}",
            "maximum" => $"must be ≤ {limit?.ToJsonString()}, got {Describe.Raw(instance)}",
            "exclusiveMinimum" => $"must be > {limit?.ToJsonString()}, got {Describe.Raw(instance)}",
            "exclusiveMaximum" => $"must be < {limit?.ToJsonString()}, got {Describe.Raw(instance)}",
            "minLength" => limit?.ToJsonString() == "1"
                ? "must not be empty"
                : $"must be at least {limit?.ToJsonString()} characters long, got {Length(instance)}",
            "maxLength" => $"must be at most {limit?.ToJsonString()} characters long, got {Length(instance)}",
            "minItems" => limit?.ToJsonString() == "1"
                ? "must list at least one item"
                : $"must list at least {limit?.ToJsonString()} items, got {(instance as JsonArray)?.Count}",
            "maxItems" => $"must list at most {limit?.ToJsonString()} items, got {(instance as JsonArray)?.Count}",
            "pattern" => limit?.GetValue<string>() == NamePattern
                ? $"must use only letters, digits, '_', '.' and '-', got {Describe.Raw(instance)}"
                : $"must match the pattern {limit?.ToJsonString()}, got {Describe.Raw(instance)}",
            _ => libraryMessage,
        };
        Add(errors, map, path, atKey: false, message);
    }

    private static string TypeMessage(JsonNode? type, JsonNode? instance)
    {
        var expected = type switch
        {
            JsonArray many => Describe.OneOfList([.. many.Select(t => Describe.TypeName(t?.GetValue<string>() ?? "?"))], "or"),
            _ => Describe.TypeName(type?.GetValue<string>() ?? "?"),
        };
        var message = $"must be {expected}, got {Describe.Value(instance)}";
        var expectsText = type is JsonValue v && v.GetValue<string>() == "string";
        var kind = instance is JsonValue value ? value.GetValueKind() : JsonValueKind.Undefined;
        if (expectsText && kind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
        {
            return message + " (put it in quotes to use it as text)";
        }

        var expectsNumber = type is JsonValue t && t.GetValue<string>() is "integer" or "number";
        if (expectsNumber && kind == JsonValueKind.String
            && double.TryParse(instance!.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            return message + " (remove the quotes to use it as a number)";
        }

        return message;
    }

    private static string EnumMessage(JsonNode? allowed, JsonNode? instance)
    {
        var names = new List<string>();
        foreach (var item in allowed as JsonArray ?? [])
        {
            names.Add(item is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : item?.ToJsonString() ?? "null");
        }

        var message = $"must be one of {Describe.OneOfList(names, "or")}, got {Describe.Raw(instance)}";
        if (instance is JsonValue s && s.GetValueKind() == JsonValueKind.String && Describe.Suggest(s.GetValue<string>(), names) is { } suggestion)
        {
            message += $" (did you mean '{suggestion}'?)";
        }

        return message;
    }

    private static void UnknownField(JsonNode? root, string instancePointer, string objectSchemaPointer, SourceMap map, List<JobError> errors)
    {
        var segments = Segments(instancePointer);
        var field = segments.Count > 0 ? segments[^1] : string.Empty;
        var allowed = new List<string>();
        if (Resolve(Document, objectSchemaPointer)?["properties"] is JsonObject properties)
        {
            foreach (var property in properties)
            {
                allowed.Add(property.Key);
            }
        }

        var message = Describe.Suggest(field, allowed) is { } suggestion
            ? $"unknown field '{field}' (did you mean '{suggestion}'?)"
            : $"unknown field '{field}'; allowed fields: {string.Join(", ", allowed)}";
        Add(errors, map, ToFieldPath(root, instancePointer), atKey: true, message);
    }

    private static void OneOfError(JsonNode? root, string instancePointer, string objectSchemaPointer, int validBranches, SourceMap map, List<JobError> errors)
    {
        if (Resolve(root, instancePointer) is not JsonObject instance)
        {
            return; // Not a mapping: the type error already says so.
        }

        var path = ToFieldPath(root, instancePointer);
        var choices = SingleRequiredChoices(Resolve(Document, objectSchemaPointer)?["oneOf"]);
        if (choices is null)
        {
            if (validBranches != 1)
            {
                Add(errors, map, path, atKey: true, $"must match exactly one of the allowed forms, matches {validBranches}");
            }

            return;
        }

        var present = choices.Where(instance.ContainsKey).ToList();
        if (present.Count == 1)
        {
            return;
        }

        var message = present.Count == 0
            ? $"must set exactly one of {Describe.OneOfList(choices, "or")}; none is set"
            : $"must set exactly one of {Describe.OneOfList(choices, "or")}; found {Describe.OneOfList(present, "and")}";
        Add(errors, map, path, atKey: true, message);
    }

    // oneOf: [{required: [a]}, {required: [b]}, ...] means "exactly one of a, b, ..."; returns those names, or null for other shapes.
    private static List<string>? SingleRequiredChoices(JsonNode? oneOf)
    {
        if (oneOf is not JsonArray branches)
        {
            return null;
        }

        var names = new List<string>();
        foreach (var branch in branches)
        {
            if (branch is not JsonObject { Count: 1 } b || b["required"] is not JsonArray { Count: 1 } required
                || required[0] is not JsonValue name || name.GetValueKind() != JsonValueKind.String)
            {
                return null;
            }

            names.Add(name.GetValue<string>());
        }

        return names;
    }

    private static void Add(List<JobError> errors, SourceMap map, string path, bool atKey, string message)
    {
        var location = map.Locate(path, atKey);
        if (location.Override is not null)
        {
            message += $" (from --set {location.Override})";
        }

        errors.Add(new JobError(path, location.Line, location.Column, message));
    }

    private static string Length(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String
        ? v.GetValue<string>().Length.ToString(CultureInfo.InvariantCulture)
        : Describe.Value(node);

    private static int CombinatorIndex(List<string> evaluationPath)
    {
        for (var i = 0; i < evaluationPath.Count; i++)
        {
            var previous = i > 0 ? evaluationPath[i - 1] : string.Empty;
            if (evaluationPath[i] is "oneOf" or "anyOf" or "not" or "if" or "then" or "else" && previous is not "properties" and not "$defs")
            {
                return i;
            }
        }

        return -1;
    }

    private static string ParentPointer(string pointer, int levels)
    {
        for (var i = 0; i < levels; i++)
        {
            var slash = pointer.LastIndexOf('/');
            pointer = slash <= 0 ? string.Empty : pointer[..slash];
        }

        return pointer;
    }

    private static List<string> Segments(string pointer)
    {
        var segments = new List<string>();
        if (pointer.Length == 0)
        {
            return segments;
        }

        foreach (var raw in pointer.TrimStart('/').Split('/'))
        {
            segments.Add(raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }

        return segments;
    }

    private static string ReadResource()
    {
        using var stream = typeof(JobSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"resource {ResourceName} is missing from {typeof(JobSchema).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
