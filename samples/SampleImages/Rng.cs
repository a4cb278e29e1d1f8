namespace SampleImages;

/// <summary>A small deterministic random generator (SplitMix64), so the images are the same on every run and runtime.</summary>
internal sealed class Rng(ulong seed)
{
    private ulong _state = seed;

    /// <summary>Returns the next 64 random bits.</summary>
    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Returns a float in [0, 1).</summary>
    public float NextFloat() => (Next() >> 40) / (float)(1UL << 24);

    /// <summary>Returns a float in [min, max).</summary>
    public float Range(float min, float max) => min + ((max - min) * NextFloat());

    /// <summary>Returns an integer in [0, count).</summary>
    public int Index(int count) => (int)(Next() % (ulong)count);
}
