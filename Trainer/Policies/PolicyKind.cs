namespace Robotics.Trainer.Policies;

/// <summary>What a policy's head emits.</summary>
public enum PolicyKind
{
    /// <summary>Continuous actions: a mean and a log standard deviation per action dimension.</summary>
    Gaussian,
    /// <summary>Discrete actions: one logit per action.</summary>
    Categorical,
}

/// <summary>Hidden-layer nonlinearity.</summary>
public enum Activation
{
    /// <summary>x for x &gt; 0, else slope·x (the lecture's choice).</summary>
    LeakyRelu,
    Relu,
    Tanh,
}
