using System.Globalization;
using System.Threading;
using NeuralStyle.Internal;

namespace NeuralStyle.Imaging;

/// <summary>
/// Bounds the memory that decoding all the images of one run may take together (content, styles, masks, initial
/// image). Give the same instance to every load of the run through <see cref="ImageLoadOptions.Budget"/>: each load
/// reserves its estimated peak (decoder buffers, the encoded bytes of a stream that cannot seek, and the bitmap it
/// returns) before allocating anything, gives back what it no longer holds when it returns, and keeps the returned
/// bitmap's bytes reserved for the budget's lifetime. Thread-safe.
/// </summary>
public sealed class ImageMemoryBudget
{
    /// <summary>The default size of a run's budget: 1 GiB.</summary>
    public const long DefaultBytes = 1L << 30;

    private long _reserved;

    /// <summary>Initializes a new instance of the <see cref="ImageMemoryBudget"/> class.</summary>
    /// <param name="bytes">The total; must be positive.</param>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="bytes"/> is zero or negative.</exception>
    public ImageMemoryBudget(long bytes = DefaultBytes)
    {
        Bytes = Guard.Positive(bytes);
    }

    /// <summary>Gets the total the loads sharing this budget may reserve.</summary>
    /// <value>A positive number of bytes.</value>
    public long Bytes { get; }

    /// <summary>Gets how much is reserved now: the bitmaps returned so far, plus the peak of any load in progress.</summary>
    /// <value>Between 0 and <see cref="Bytes"/>.</value>
    public long ReservedBytes => Interlocked.Read(ref _reserved);

    /// <summary>Reserves <paramref name="bytes"/> if they fit in what is left.</summary>
    internal bool TryReserve(long bytes)
    {
        while (true)
        {
            var current = Interlocked.Read(ref _reserved);
            if (current + bytes > Bytes)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _reserved, current + bytes, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Gives back <paramref name="bytes"/> reserved earlier.</summary>
    internal void Release(long bytes) => Interlocked.Add(ref _reserved, -bytes);

    /// <summary>The bytes left, in MiB, for messages.</summary>
    internal string LeftMiB() => Mib(Bytes - ReservedBytes);

    internal static string Mib(long bytes) => (bytes / (1024.0 * 1024)).ToString("N0", CultureInfo.InvariantCulture);
}
