using System;
using BenchmarkDotNet.Attributes;
using NeuralStyle.Features;
using NeuralStyle.Optimization;

namespace NeuralStyle.Benchmarks;

/// <summary>Time per optimiser iteration (forward, losses, backward, Adam step) on the CPU, at the seed's preset.</summary>
[MemoryDiagnoser]
[Config(typeof(SlowTorchConfig))]
public class OptimizerStepBenchmarks
{
    private const int Steps = 10;
    private SqueezeNetFeatureExtractor _extractor = null!;
    private BenchmarkProblem _problem = null!;
    private StyleTransferOptimizer _optimizer = null!;

    /// <summary>Gets or sets the shorter side (images are 4:3).</summary>
    [Params(192, 512, 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var weights = Environment.GetEnvironmentVariable("NEURALSTYLE_WEIGHTS")
            ?? throw new InvalidOperationException("Set NEURALSTYLE_WEIGHTS to the SqueezeNet 1.1 weight file.");
        _extractor = SqueezeNetFeatureExtractor.FromFile(weights);
        _problem = new BenchmarkProblem(_extractor, Size, (Size * 4) / 3);
        _optimizer = new StyleTransferOptimizer(_extractor, new OptimizerOptions { DecayStartFraction = 1, ProgressInterval = Steps });
    }

    [Benchmark(OperationsPerInvoke = Steps, Description = "one iteration")]
    public double Iteration()
    {
        using var result = _optimizer.Optimize(_problem.Image, _problem.Losses, Steps);
        return result.FinalLosses.Total;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _problem.Dispose();
        _extractor.Dispose();
    }
}
