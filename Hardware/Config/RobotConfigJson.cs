using System.Text.Json.Serialization;

namespace Robotics.Hardware.Config;

/// <summary>
/// The robot config's JSON reader, generated at compile time: a trimmed controller keeps no reflection-based
/// serializer, so this is how the config is read everywhere. The options are the config's rules: trailing commas are
/// fine; an unknown field or a key given twice is an error ("rate_hz": 5000, "rate_hz": 100 would otherwise be whichever
/// came last, silently). Comments are blanked before parsing (<see cref="JsonComments"/>), wherever they stand.
/// </summary>
[JsonSourceGenerationOptions(
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(RobotConfig))]
internal sealed partial class RobotConfigJson : JsonSerializerContext;
