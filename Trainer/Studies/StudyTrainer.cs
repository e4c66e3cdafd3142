using System.Globalization;
using Robotics.Trainer.Demo;
using Robotics.Trainer.Training;

namespace Robotics.Trainer.Studies;

/// <summary>What every study does to make a policy: train on some logs with some settings, export into the study's folder, and say so.</summary>
public sealed class StudyTrainer(DemoFolder folder, Action<string> say)
{
    /// <summary>Trains on <paramref name="logs"/> and writes policies/<paramref name="name"/>.onnx (its run folder beside it); returns the file.</summary>
    public string Train(IReadOnlyList<string> logs, TrainingConfig config, string name)
    {
        var data = PolicyTraining.Prepare(logs, config);
        string policy = folder.Policy(name + ".onnx");
        var result = PolicyTraining.TrainAndExport(data, config, logs, new RunFolder(folder.Policy(name + ".run")), policy);
        say(string.Create(CultureInfo.InvariantCulture,
            $"      {name}: {data.Source.Kind.Title} BC on {data.TrainSteps + data.Validation.Count} steps, kept epoch {result.BestEpoch} of {result.Epochs} → {DemoFolder.FromWorkingDirectory(policy)}"));
        return policy;
    }
}
