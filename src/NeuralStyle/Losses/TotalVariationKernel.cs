using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using NeuralStyle.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Losses;

/// <summary>
/// The total variation <c>Σ d²</c> of a float32 CPU image and its gradient in one pass over the pixels, where libtorch
/// takes a dozen (the two differences, their squares and sums, a zero buffer and four slice updates).
/// </summary>
/// <remarks>
/// <para>With <c>d</c> the differences to the next pixel along a row and down a column, the gradient at a pixel is
/// <c>2·[(x − x_left) − (x_right − x) + (x − x_above) − (x_below − x)]</c>, each difference present where the neighbour is:
/// a five-point stencil that writes every value once. The first and last rows read their own row in place of the missing
/// neighbour row, so that those differences are 0 without a branch.</para>
/// <para>Both memory layouts of an <c>[N,C,H,W]</c> image are one loop: channels-last memory is N planes of H rows of
/// W·C values whose horizontal neighbour is C values on; contiguous memory is N·C planes of H rows of W values, neighbour
/// 1 on. Its rows run on libtorch's OpenMP team, as <see cref="Internal.FmaKernels"/> explains.</para>
/// </remarks>
internal static unsafe class TotalVariationKernel
{
    /// <summary>
    /// Gets a value indicating whether the kernel applies to <paramref name="image"/>: a float32 CPU tensor <c>[N,C,H,W]</c>
    /// laid out densely, contiguous or channels-last, with at most 2³¹ bytes.
    /// </summary>
    /// <param name="image">The image whose variation is measured.</param>
    public static bool Applies(Tensor image) =>
        image.device_type == DeviceType.CPU && image.dtype == ScalarType.Float32 && image.dim() == 4
        && Layout(image) is not null && image.numel() * sizeof(float) <= int.MaxValue;

    /// <summary>
    /// The variation <c>Σ d²</c> of <paramref name="image"/> (summed in double precision) and its gradient multiplied by
    /// <paramref name="scale"/>, laid out as the image is.
    /// </summary>
    /// <param name="image">An image for which <see cref="Applies"/> holds; read, not recorded by autograd.</param>
    /// <param name="scale">The factor of the gradient, <c>w_t</c> for the term <c>w_t · Σ d²</c>.</param>
    /// <returns>The sum, and the gradient owned by the current dispose scope.</returns>
    /// <exception cref="ArgumentException">The kernel does not apply to <paramref name="image"/>.</exception>
    public static (double Variation, Tensor Gradient) Compute(Tensor image, double scale)
    {
        if (!Applies(image))
        {
            throw new ArgumentException($"The total variation kernel takes a dense float32 CPU image [N,C,H,W], not [{string.Join(",", image.shape)}] {image.dtype} on {image.device_type}.");
        }

        var (channelsLast, planes, rowLength, neighbour) = Layout(image)!.Value;
        long batch = image.size(0), colours = image.size(1), width = image.size(3);
        var rows = (int)image.size(2);
        // The gradient's memory in the image's order: [N,H,W,C] for channels-last, [N,C,H,W] otherwise.
        using var target = channelsLast ? empty([batch, rows, width, colours], ScalarType.Float32, CPU) : empty([batch, colours, rows, width], ScalarType.Float32, CPU);
        using var detached = image.detach();
        using var source = ChannelsLast.MemoryOrder(detached);
        // Each row writes its own gradient; the rows' sums are kept and added in order afterwards, so the value does not
        // depend on how the rows were split over libtorch's OpenMP team.
        var sums = new double[planes * rows];
        fixed (byte* x = source.bytes)
        fixed (byte* g = target.bytes)
        fixed (double* rowSums = sums)
        {
            var job = new Job { Image = (float*)x, Gradient = (float*)g, RowSums = rowSums, Rows = rows, RowLength = rowLength, Neighbour = neighbour, Factor = (float)(2 * scale) };
            OpenMpTeam.RunRanges(planes * rows, OpenMpTeam.PartsFor(planes * rows * rowLength), 1, &RunRows, &job);
        }

        var variation = 0.0;
        foreach (var sum in sums)
        {
            variation += sum;
        }

        return (variation, channelsLast ? target.permute(0, 3, 1, 2) : target.alias());
    }

    // The rows [first, end) of all planes, each plane's rows one after the other.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunRows(long first, long end, void* state)
    {
        var job = (Job*)state;
        for (var index = first; index < end; index++)
        {
            var row = (int)(index % job->Rows);
            var at = job->Image + (index * job->RowLength);
            var above = row > 0 ? at - job->RowLength : at;
            var below = row < job->Rows - 1 ? at + job->RowLength : at;
            job->RowSums[index] = Row(at, above, below, job->Gradient + (index * job->RowLength), job->RowLength, job->Neighbour, job->Factor);
        }
    }

    // One row: writes the gradient and returns the squares of the differences to the right and below.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Row(float* at, float* above, float* below, float* gradient, int length, int neighbour, float factor)
    {
        var width = Vector<float>.Count;
        var sum = 0.0;
        // The positions with both horizontal neighbours, whole vectors at a time; the few at either end one by one.
        var first = neighbour;
        var end = first + ((Math.Max(0, length - (2 * neighbour)) / width) * width);
        for (var k = 0; k < Math.Min(first, length); k++)
        {
            sum += Point(at, above, below, gradient, length, neighbour, factor, k);
        }

        if (end > first)
        {
            var squares = Vector<float>.Zero;
            var two = new Vector<float>(factor);
            for (var k = first; k < end; k += width)
            {
                var centre = Load(at + k);
                var right = Load(at + k + neighbour) - centre;
                var down = Load(below + k) - centre;
                var change = (centre - Load(at + k - neighbour)) - right + (centre - Load(above + k)) - down;
                Unsafe.WriteUnaligned(gradient + k, two * change);
                squares += (right * right) + (down * down);
            }

            sum += Vector.Sum(squares);
        }

        for (var k = Math.Max(end, first); k < length; k++)
        {
            sum += Point(at, above, below, gradient, length, neighbour, factor, k);
        }

        return sum;
    }

    private static Vector<float> Load(float* source) => Unsafe.ReadUnaligned<Vector<float>>(source);

    private struct Job
    {
        public float* Image, Gradient;
        public double* RowSums;
        public int Rows, RowLength, Neighbour;
        public float Factor;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Point(float* at, float* above, float* below, float* gradient, int length, int neighbour, float factor, int k)
    {
        var centre = at[k];
        var right = k + neighbour < length ? at[k + neighbour] - centre : 0f;
        var left = k >= neighbour ? centre - at[k - neighbour] : 0f;
        var down = below[k] - centre;
        gradient[k] = factor * (left - right + (centre - above[k]) - down);
        return ((double)right * right) + ((double)down * down);
    }

    // Planes, the values of a row and the distance to the horizontal neighbour, for either dense layout; null for others.
    private static (bool ChannelsLast, long Planes, int RowLength, int Neighbour)? Layout(Tensor image)
    {
        long n = image.size(0), c = image.size(1), w = image.size(3);
        if (w * c > int.MaxValue || !ChannelsLast.IsDense(image))
        {
            return null;
        }

        return image.is_contiguous() ? (false, n * c, (int)w, 1) : (true, n, (int)(w * c), (int)c);
    }
}
