namespace NeuralStyle.Optimization;

/// <summary>The gradient method that updates the pixels.</summary>
public enum OptimizerKind
{
    /// <summary>Adam with a learning-rate schedule (the seed's choice).</summary>
    Adam,

    /// <summary>L-BFGS: a quasi-Newton method; one iteration is one function evaluation.</summary>
    Lbfgs,
}
