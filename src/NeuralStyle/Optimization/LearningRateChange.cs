namespace NeuralStyle.Optimization;

/// <summary>A point of a learning-rate schedule: from <paramref name="Iteration"/> on, the rate is <paramref name="LearningRate"/>.</summary>
/// <param name="Iteration">The zero-based iteration at which the new rate takes effect.</param>
/// <param name="LearningRate">The new rate.</param>
/// <remarks>As in the seed, a change starts a fresh optimiser: Adam's moment estimates are reset.</remarks>
public readonly record struct LearningRateChange(int Iteration, double LearningRate);
