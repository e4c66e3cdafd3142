using System.Text.Json;
using System.Text.Json.Serialization;

namespace Robotics.Trainer.Policies.Heads;

/// <summary>A head in JSON is its name ("gaussian"), so config.json and checkpoints read like the command line.</summary>
public sealed class PolicyHeadJsonConverter : JsonConverter<PolicyHead>
{
    public override PolicyHead Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        (reader.TokenType == JsonTokenType.String ? PolicyHeads.Named(reader.GetString()) : null)
            ?? throw new JsonException($"Kind: expected a policy head name ({string.Join(", ", PolicyHeads.Names)})");

    public override void Write(Utf8JsonWriter writer, PolicyHead value, JsonSerializerOptions options) => writer.WriteStringValue(value.MetadataName);
}
