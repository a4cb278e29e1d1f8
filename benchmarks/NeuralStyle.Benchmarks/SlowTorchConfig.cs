using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace NeuralStyle.Benchmarks;

/// <summary>Few, long iterations: one operation of the large cases takes about a second on two cores.</summary>
public sealed class SlowTorchConfig : ManualConfig
{
    public SlowTorchConfig()
    {
        AddJob(Job.Default.WithWarmupCount(1).WithIterationCount(5).WithLaunchCount(1).WithInvocationCount(1).WithUnrollFactor(1));
    }
}
