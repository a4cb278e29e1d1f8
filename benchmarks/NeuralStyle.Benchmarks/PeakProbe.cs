using System;
using System.Diagnostics;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading;
using System.Threading.Tasks;

namespace NeuralStyle.Benchmarks;

/// <summary>
/// The CPU's fp32 peak as the cores actually run: twelve independent chains of fused multiply-adds in the widest vectors
/// the CPU has, one loop per core at once, timed. A nominal formula needs the clock, and /proc/cpuinfo reports the base
/// clock while the cores boost (on the project's VM the loop ran at 1.4 times the 2.1 GHz formula); the loop's rate is
/// what no kernel can beat, so shares of peak against it are not flattered.
/// </summary>
internal static class PeakProbe
{
    private const int Chains = 12;
    private const long IterationsPerRound = 50_000_000;

    /// <summary>Gets the vector width the probe uses, in fp32 lanes (16 with AVX-512, 8 with AVX2 and FMA, 0 without FMA).</summary>
    public static int Lanes => Avx512F.IsSupported ? 16 : Fma.IsSupported ? 8 : 0;

    /// <summary>
    /// Measures the fp32 multiply-add rate of <paramref name="cores"/> cores together: the best of five rounds (about a tenth of a second each), each
    /// running the loop on every core at once. Returns 0 where the CPU has no FMA instructions.
    /// </summary>
    /// <param name="cores">How many cores work at once (the libtorch thread count of the measurement it is compared with).</param>
    /// <returns>GFLOP/s, counting a multiply-add as two operations.</returns>
    public static double MeasureGflops(int cores)
    {
        if (Lanes == 0)
        {
            return 0;
        }

        Run(cores, 10_000); // JIT and thread start-up
        var best = 0.0;
        for (var round = 0; round < 5; round++)
        {
            var clock = Stopwatch.StartNew();
            Run(cores, IterationsPerRound);
            var operations = (double)cores * IterationsPerRound * Chains * Lanes * 2;
            best = Math.Max(best, operations / clock.Elapsed.TotalSeconds / 1e9);
        }

        return best;
    }

    private static void Run(int cores, long iterations)
    {
        using var start = new Barrier(cores);
        var threads = Enumerable.Range(0, cores).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            Sink(Avx512F.IsSupported ? Loop512(iterations) : Loop256(iterations));
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }
    }

    // Keeps the loops' results alive so that the JIT cannot drop them.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Sink(float value) => Volatile.Write(ref _sink, value);

    private static float _sink;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Loop512(long iterations)
    {
        var m = Vector512.Create(0.999999f);
        var c = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512<float>.One, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (var i = 0L; i < iterations; i++)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, m, c);
            a1 = Avx512F.FusedMultiplyAdd(a1, m, c);
            a2 = Avx512F.FusedMultiplyAdd(a2, m, c);
            a3 = Avx512F.FusedMultiplyAdd(a3, m, c);
            a4 = Avx512F.FusedMultiplyAdd(a4, m, c);
            a5 = Avx512F.FusedMultiplyAdd(a5, m, c);
            a6 = Avx512F.FusedMultiplyAdd(a6, m, c);
            a7 = Avx512F.FusedMultiplyAdd(a7, m, c);
            a8 = Avx512F.FusedMultiplyAdd(a8, m, c);
            a9 = Avx512F.FusedMultiplyAdd(a9, m, c);
            a10 = Avx512F.FusedMultiplyAdd(a10, m, c);
            a11 = Avx512F.FusedMultiplyAdd(a11, m, c);
        }

        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Loop256(long iterations)
    {
        var m = Vector256.Create(0.999999f);
        var c = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256<float>.One, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (var i = 0L; i < iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, m, c);
            a1 = Fma.MultiplyAdd(a1, m, c);
            a2 = Fma.MultiplyAdd(a2, m, c);
            a3 = Fma.MultiplyAdd(a3, m, c);
            a4 = Fma.MultiplyAdd(a4, m, c);
            a5 = Fma.MultiplyAdd(a5, m, c);
            a6 = Fma.MultiplyAdd(a6, m, c);
            a7 = Fma.MultiplyAdd(a7, m, c);
            a8 = Fma.MultiplyAdd(a8, m, c);
            a9 = Fma.MultiplyAdd(a9, m, c);
            a10 = Fma.MultiplyAdd(a10, m, c);
            a11 = Fma.MultiplyAdd(a11, m, c);
        }

        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
