using Google.Protobuf;
using Robotics.Protos.Train;
using Robotics.Trainer.Policies;

namespace Robotics.Trainer.Training;

/// <summary>Reads and writes <see cref="TrainingCheckpoint"/> files, atomically (write, then rename).</summary>
public static class Checkpoints
{
    public static void Save(string path, TrainingCheckpoint checkpoint)
    {
        string temporary = path + ".partial";
        File.WriteAllBytes(temporary, checkpoint.ToByteArray());
        File.Move(temporary, path, overwrite: true);
    }

    public static TrainingCheckpoint Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no checkpoint here (a run folder holds checkpoint.pb after its first epoch)", path);
        }
        try
        {
            return TrainingCheckpoint.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{path}: not a training checkpoint ({e.Message})", e);
        }
    }

    public static IEnumerable<Tensor> ToTensors(PolicyShape shape, float[][] values) =>
        shape.Parameters.Select((p, i) =>
        {
            var tensor = new Tensor { Name = p.Name };
            tensor.Dims.AddRange(p.Dims);
            tensor.Values.AddRange(values[i]);
            return tensor;
        });

    /// <summary>Tensors back into arrays, checked against the shape the run expects.</summary>
    public static float[][] FromTensors(PolicyShape shape, IReadOnlyList<Tensor> tensors, string path)
    {
        var specs = shape.Parameters;
        if (tensors.Count != specs.Count)
        {
            throw new InvalidDataException($"{path}: the checkpoint holds {tensors.Count} tensors, the network has {specs.Count} parameters");
        }
        var arrays = new float[specs.Count][];
        for (int i = 0; i < specs.Count; i++)
        {
            if (tensors[i].Name != specs[i].Name || !tensors[i].Dims.SequenceEqual(specs[i].Dims) || tensors[i].Values.Count != specs[i].Count)
            {
                throw new InvalidDataException($"{path}: checkpoint tensor {tensors[i].Name} [{string.Join(", ", tensors[i].Dims)}] does not fit parameter {specs[i].Name} [{string.Join(", ", specs[i].Dims)}]");
            }
            arrays[i] = [.. tensors[i].Values];
        }
        return arrays;
    }
}
