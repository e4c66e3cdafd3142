using System.Text.Json.Serialization;

namespace Robotics.Controller.Policy;

/// <summary>
/// The readers of a policy file's JSON metadata values (lists of names, lists of numbers), generated at compile time:
/// a trimmed controller keeps no reflection-based serializer.
/// </summary>
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(float[]))]
internal sealed partial class PolicyMetadataJson : JsonSerializerContext;
