namespace Robotics.Trainer.Policies;

/// <summary>Hidden-layer nonlinearity.</summary>
public enum Activation
{
    /// <summary>x for x &gt; 0, else slope·x (the lecture's choice).</summary>
    LeakyRelu,
    Relu,
    Tanh,
}
