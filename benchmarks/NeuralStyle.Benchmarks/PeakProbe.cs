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
            Sink(Avx512F.IsSupported ? Loop<Vector512<float>, Avx512Ops>(iterations) : Loop<Vector256<float>, Avx2Ops>(iterations));
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

    // Twelve chains hide the FMA latency (4–5 cycles) behind two FMA units; TOps is a struct, so the JIT compiles the loop
    // once per vector width with the operations inlined.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Loop<TVector, TOps>(long iterations)
        where TOps : struct, IVectorOps<TVector>
    {
        var m = TOps.Create(0.999999f);
        var c = TOps.Create(1e-7f);
        TVector a0 = TOps.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (var i = 0L; i < iterations; i++)
        {
            a0 = TOps.MultiplyAdd(a0, m, c);
            a1 = TOps.MultiplyAdd(a1, m, c);
            a2 = TOps.MultiplyAdd(a2, m, c);
            a3 = TOps.MultiplyAdd(a3, m, c);
            a4 = TOps.MultiplyAdd(a4, m, c);
            a5 = TOps.MultiplyAdd(a5, m, c);
            a6 = TOps.MultiplyAdd(a6, m, c);
            a7 = TOps.MultiplyAdd(a7, m, c);
            a8 = TOps.MultiplyAdd(a8, m, c);
            a9 = TOps.MultiplyAdd(a9, m, c);
            a10 = TOps.MultiplyAdd(a10, m, c);
            a11 = TOps.MultiplyAdd(a11, m, c);
        }

        return TOps.Sum(a0) + TOps.Sum(a1) + TOps.Sum(a2) + TOps.Sum(a3) + TOps.Sum(a4) + TOps.Sum(a5)
            + TOps.Sum(a6) + TOps.Sum(a7) + TOps.Sum(a8) + TOps.Sum(a9) + TOps.Sum(a10) + TOps.Sum(a11);
    }

    private interface IVectorOps<TVector>
    {
        static abstract TVector Create(float value);

        static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);

        static abstract float Sum(TVector vector);
    }

    private readonly struct Avx512Ops : IVectorOps<Vector512<float>>
    {
        public static Vector512<float> Create(float value) => Vector512.Create(value);

        public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Avx512F.FusedMultiplyAdd(a, b, c);

        public static float Sum(Vector512<float> vector) => Vector512.Sum(vector);
    }

    private readonly struct Avx2Ops : IVectorOps<Vector256<float>>
    {
        public static Vector256<float> Create(float value) => Vector256.Create(value);

        public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Fma.MultiplyAdd(a, b, c);

        public static float Sum(Vector256<float> vector) => Vector256.Sum(vector);
    }
}
