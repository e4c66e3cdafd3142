using System.CommandLine;

namespace Robotics.Trainer.Cli;

/// <summary>
/// The names a flag accepts for a setting's values (e.g. <c>--select-by mse</c>), so that the flag's default is
/// the setting's default in <see cref="Training.TrainingConfig"/> rather than a second literal that can drift.
/// </summary>
internal sealed class NamedChoices<T>(params (string Name, T Value)[] choices) where T : struct, Enum
{
    /// <summary>A flag that accepts only these names; help shows <paramref name="defaultValue"/>'s name as the default.</summary>
    public Option<string> Option(string flag, string description, T defaultValue)
    {
        string defaultName = choices.Single(c => c.Value.Equals(defaultValue)).Name;
        var option = new Option<string>(flag) { Description = description, DefaultValueFactory = _ => defaultName };
        option.AcceptOnlyFromAmong([.. choices.Select(c => c.Name)]);
        return option;
    }

    /// <summary>The value a name the option accepted stands for.</summary>
    public T Of(string name) => choices.Single(c => c.Name == name).Value;
}
