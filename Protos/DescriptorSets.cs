using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Robotics.Protos;

/// <summary>
/// A .proto file as a serialized FileDescriptorSet holding it and everything it imports, dependencies first: the schema
/// data MCAP's protobuf encoding (mcap.dev/spec/registry) and Foxglove's WebSocket protocol (base64) carry, from which
/// a reader with no generated code decodes the messages.
/// </summary>
public static class DescriptorSets
{
    public static byte[] Of(FileDescriptor file)
    {
        var set = new FileDescriptorSet();
        Add(file, set, new HashSet<string>(StringComparer.Ordinal));
        return set.ToByteArray();
    }

    private static void Add(FileDescriptor file, FileDescriptorSet set, HashSet<string> added)
    {
        if (!added.Add(file.Name))
        {
            return;
        }
        foreach (var dependency in file.Dependencies)
        {
            Add(dependency, set, added);
        }
        set.File.Add(FileDescriptorProto.Parser.ParseFrom(file.SerializedData));
    }
}
