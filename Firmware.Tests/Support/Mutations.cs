using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Robotics.Tests.Support;

/// <summary>
/// Seeded damage to the files a robot runs from: a hostile or careless edit to a JSON text (hostile numbers, wrong
/// types, deleted, renamed and doubled keys, doubled entries), bit flips and truncations of bytes. Each returns what
/// it did, so that a failing case says how to make it again.
/// </summary>
public static class Mutations
{
    // Numbers that are fine as JSON and hostile as a robot's: non-finite as floats, beyond a float, wrapping, zero, negative.
    // NaN and Infinity are no JSON numbers at all, which a reader must refuse as such.
    private static readonly string[] HostileNumbers =
        ["NaN", "Infinity", "-Infinity", "1e39", "-1e39", "1e-50", "1e308", "1e400", "0", "-0", "-1", "3.4028236e38", "2147483648", "-9999999999", "0.5", "1e300", "5000", "1e-39"];

    private static readonly string[] WrongTypes = ["\"x\"", "true", "null", "[]", "{}", "[1, 2]", "\"\"", "{\"a\": 1}"];

    private static readonly string[] HostileStrings = ["\"\"", "\" \"", "\"a.b\"", "\"\\u0000\"", "\"board\"", "\"board.position\"", "\"/dev/null\"", "\"" + new string('x', 5000) + "\""];

    private const string Placeholder = "\"@@mutated@@\"";
    private const string Twin = "@@twin@@";

    /// <summary>One mutation of <paramref name="json"/>, chosen by <paramref name="random"/>.</summary>
    public static (string Text, string What) Json(string json, Random random)
    {
        int kind = random.Next(12);
        if (kind == 0)
        {
            int at = random.Next(json.Length);
            int bit = random.Next(7);
            char flipped = (char)(json[at] ^ (1 << bit));
            return (json[..at] + flipped + json[(at + 1)..], $"bit {bit} of character {at} flipped ('{json[at]}' to U+{(int)flipped:X4})");
        }
        if (kind == 1)
        {
            int at = random.Next(json.Length);
            return (json[..at], $"truncated to {at} characters");
        }
        var root = JsonNode.Parse(json)!;
        var nodes = new List<(JsonNode Node, string Path)>();
        Collect(root, "$", nodes);
        if (nodes.Count == 1)
        {
            string whole = WrongTypes[random.Next(WrongTypes.Length)];
            return (whole, $"$ = {whole}");
        }
        var (node, path) = nodes[random.Next(1, nodes.Count)];
        var parent = node.Parent!;
        switch (kind)
        {
            case 2 or 3 or 4 when nodes.Any(n => IsNumber(n.Node)):
                var (number, numberPath) = Pick(nodes.Where(n => IsNumber(n.Node)).ToList(), random);
                string hostile = HostileNumbers[random.Next(HostileNumbers.Length)];
                return (Replace(root, number, number.Parent!, hostile), $"{numberPath} = {hostile}");
            case 2 or 3 or 4 or 5:
                string wrong = WrongTypes[random.Next(WrongTypes.Length)];
                return (Replace(root, node, parent, wrong), $"{path} = {wrong}");
            case 6:
                Remove(node, parent);
                return (root.ToJsonString(), $"{path} deleted");
            case 7 when parent is JsonObject renamedIn:
                string name = node.GetPropertyName();
                string renamed = random.Next(2) == 0 ? name + "_x" : name.ToUpperInvariant();
                renamedIn.Remove(name);
                renamedIn[renamed] = node;
                return (root.ToJsonString(), $"{path} renamed {renamed}");
            case 8 when parent is JsonObject doubledIn:
                string key = node.GetPropertyName();
                string value = random.Next(2) == 0 ? node.ToJsonString() : HostileNumbers[random.Next(HostileNumbers.Length)];
                doubledIn[key + Twin] = JsonValue.Create("@@mutated@@");
                return (root.ToJsonString().Replace(key + Twin, key, StringComparison.Ordinal).Replace(Placeholder, value, StringComparison.Ordinal),
                    $"{path} given twice, the second time as {Shorten(value)}");
            case 9 when parent is JsonArray list:
                list.Insert(list.IndexOf(node), node.DeepClone());
                return (root.ToJsonString(), $"{path} doubled");
            case 10 when nodes.Any(n => IsString(n.Node)):
                var (text, textPath) = Pick(nodes.Where(n => IsString(n.Node)).ToList(), random);
                string replacement = HostileStrings[random.Next(HostileStrings.Length)];
                return (Replace(root, text, text.Parent!, replacement), $"{textPath} = {Shorten(replacement)}");
            default:
                // Two entries of a list swapped, or (no list there) a value moved to another key's place.
                var lists = nodes.Where(n => n.Node is JsonArray { Count: > 1 }).ToList();
                if (lists.Count == 0)
                {
                    return (json, "unchanged");
                }
                var (chosen, listPath) = Pick(lists, random);
                var entries = (JsonArray)chosen;
                var first = entries[0]!.DeepClone();
                entries[0] = entries[^1]!.DeepClone();
                entries[^1] = first;
                return (root.ToJsonString(), $"{listPath}: first and last entries swapped");
        }
    }

    /// <summary>One to eight flipped bits, or a truncation, of <paramref name="bytes"/>.</summary>
    public static (byte[] Bytes, string What) Bytes(byte[] bytes, Random random)
    {
        if (random.Next(4) == 0)
        {
            int length = random.Next(bytes.Length);
            return (bytes[..length], $"truncated to {length} bytes");
        }
        var damaged = (byte[])bytes.Clone();
        var flips = new List<string>();
        for (int i = random.Next(1, 9); i > 0; i--)
        {
            int at = random.Next(damaged.Length);
            int bit = random.Next(8);
            damaged[at] ^= (byte)(1 << bit);
            flips.Add(string.Create(CultureInfo.InvariantCulture, $"{at}.{bit}"));
        }
        return (damaged, $"bits flipped (byte.bit): {string.Join(' ', flips)}");
    }

    /// <summary>A float a hostile or damaged weight could hold.</summary>
    public static float HostileFloat(Random random) =>
        new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e30f, -1e30f, float.Epsilon, 0f, 3e38f }[random.Next(8)];

    private static bool IsNumber(JsonNode node) => node is JsonValue v && v.TryGetValue<double>(out _);

    private static bool IsString(JsonNode node) => node is JsonValue v && v.TryGetValue<string>(out _);

    private static (JsonNode Node, string Path) Pick(List<(JsonNode Node, string Path)> nodes, Random random) => nodes[random.Next(nodes.Count)];

    private static string Replace(JsonNode root, JsonNode node, JsonNode parent, string raw)
    {
        var placeholder = JsonValue.Create("@@mutated@@");
        if (parent is JsonObject o)
        {
            o[node.GetPropertyName()] = placeholder;
        }
        else
        {
            var list = (JsonArray)parent;
            list[list.IndexOf(node)] = placeholder;
        }
        return root.ToJsonString().Replace(Placeholder, raw, StringComparison.Ordinal);
    }

    private static void Remove(JsonNode node, JsonNode parent)
    {
        if (parent is JsonObject o)
        {
            o.Remove(node.GetPropertyName());
        }
        else
        {
            ((JsonArray)parent).Remove(node);
        }
    }

    private static void Collect(JsonNode? node, string path, List<(JsonNode, string)> nodes)
    {
        if (node is null)
        {
            return;
        }
        nodes.Add((node, path));
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    Collect(value, $"{path}.{key}", nodes);
                }
                break;
            case JsonArray a:
                for (int i = 0; i < a.Count; i++)
                {
                    Collect(a[i], $"{path}[{i}]", nodes);
                }
                break;
        }
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";
}
