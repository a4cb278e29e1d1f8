namespace NeuralStyle.Optimization;

/// <summary>The gradient method that updates the pixels.</summary>
public enum OptimizerKind
{
    /// <summary>Adam with a learning-rate schedule (the seed's choice).</summary>
    Adam,

    /// <summary>
    /// L-BFGS: a quasi-Newton method with a backtracking line search, so that no accepted step raises the loss; one iteration is
    /// one function evaluation. Runs unclamped; reaches the seed's 200-iteration Adam loss in a quarter to a half of the iterations.
    /// </summary>
    Lbfgs,
}
