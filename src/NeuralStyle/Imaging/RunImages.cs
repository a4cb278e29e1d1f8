using System;
using System.Collections.Generic;
using System.Linq;
using NeuralStyle.Internal;
using NeuralStyle.Pipeline.Inputs;
using SkiaSharp;

namespace NeuralStyle.Imaging;

/// <summary>
/// A run's input images, each decoded at the size the run works at rather than at the size its file declares: the
/// content at <see cref="StyleTransferOptions.ImageSize"/>, the style images at the style size the options resolve to
/// for that content (<see cref="StyleTransferOptions.ResolveStyleSize"/>), and the initial image and masks, which are
/// stretched to the content, at the content's longer side.
/// </summary>
/// <remarks>
/// Every image is decoded with <see cref="ImageFile.LoadForSize(string, int?, ImageLoadOptions?)"/> under one
/// <see cref="ImageLoadOptions"/>, so one <see cref="ImageMemoryBudget"/> bounds all of them. The instance owns the
/// bitmaps: dispose it after the run.
/// </remarks>
/// <example>
/// <code>
/// using var images = RunImages.Load("photo.jpg", new RunImageFiles { Styles = ["painting.jpg"], Mask = "sky.png" }, options);
/// using var result = await StyleTransfer.RunAsync(images.Content!, images.Styles, images.ApplyTo(options));
/// </code>
/// </example>
public sealed class RunImages : IDisposable
{
    private readonly List<SKBitmap> _owned;

    private RunImages(List<SKBitmap> owned, SKBitmap? content, SKSizeI workingSize, SKBitmap[] styles, SKBitmap? initial, SKBitmap? mask, SKBitmap[]? styleMasks)
    {
        _owned = owned;
        Content = content;
        WorkingSize = workingSize;
        Styles = styles;
        InitialImage = initial;
        Mask = mask;
        StyleMasks = styleMasks;
    }

    /// <summary>Gets the content image.</summary>
    /// <value>The decoded content; <see langword="null"/> when loaded with <see cref="LoadForContentSize"/>.</value>
    public SKBitmap? Content { get; }

    /// <summary>Gets the size the run works at: the content's after <see cref="StyleTransferOptions.ImageSize"/>.</summary>
    /// <value>Width and height in pixels.</value>
    public SKSizeI WorkingSize { get; }

    /// <summary>Gets the style images.</summary>
    /// <value>One bitmap per file of <see cref="RunImageFiles.Styles"/>, in order.</value>
    public IReadOnlyList<SKBitmap> Styles { get; }

    /// <summary>Gets the image for <see cref="StyleTransferOptions.InitialImage"/>.</summary>
    /// <value>A bitmap, or <see langword="null"/> when no file was given.</value>
    public SKBitmap? InitialImage { get; }

    /// <summary>Gets the image for <see cref="StyleTransferOptions.Mask"/>.</summary>
    /// <value>A bitmap, or <see langword="null"/> when no file was given.</value>
    public SKBitmap? Mask { get; }

    /// <summary>Gets the images for <see cref="StyleTransferOptions.StyleMasks"/>.</summary>
    /// <value>One bitmap per style image, or <see langword="null"/> when no files were given.</value>
    public IReadOnlyList<SKBitmap>? StyleMasks { get; }

    /// <summary>Decodes a run's content and the images in <paramref name="files"/> at the sizes the run works at.</summary>
    /// <param name="content">The content image file.</param>
    /// <param name="files">The style images and the optional images.</param>
    /// <param name="options">The run's options (its sizes and <see cref="RuntimeOptions.MaxImagePixels"/>); validated first.</param>
    /// <param name="loadOptions">Decoding limits; <see langword="null"/> means the defaults with one <see cref="ImageMemoryBudget"/> of <see cref="ImageMemoryBudget.DefaultBytes"/> for all the images.</param>
    /// <returns>The decoded images, which the caller disposes.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is out of range, no style file is given, <see cref="RunImageFiles.StyleMasks"/> does not give one file per style, or the content would be larger than <see cref="RuntimeOptions.MaxImagePixels"/> after resizing (checked before any other image is decoded).</exception>
    /// <exception cref="ImageLoadException">A file is missing or not a usable image, or the images need more memory than the load options allow. Nothing stays allocated.</exception>
    public static RunImages Load(string content, RunImageFiles files, StyleTransferOptions options, ImageLoadOptions? loadOptions = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        CheckArguments(files, options);
        loadOptions ??= new ImageLoadOptions { Budget = new ImageMemoryBudget() };
        var owned = new List<SKBitmap>();
        try
        {
            var bitmap = Keep(owned, ImageFile.LoadForSize(content, options.ImageSize, loadOptions));
            var (width, height) = InputSizes.CheckTarget("content", bitmap.Width, bitmap.Height, options.ImageSize, nameof(StyleTransferOptions.ImageSize), 1, options.Runtime.MaxImagePixels);
            return LoadRest(owned, bitmap, new SKSizeI((int)width, (int)height), files, options, loadOptions);
        }
        catch
        {
            DisposeAll(owned);
            throw;
        }
    }

    /// <summary>
    /// Decodes the images in <paramref name="files"/> for a run whose content is already at <paramref name="workingSize"/>,
    /// such as a video's frames.
    /// </summary>
    /// <param name="workingSize">The size the content is stylised at.</param>
    /// <param name="files">The style images and the optional images.</param>
    /// <param name="options">The run's options; validated first.</param>
    /// <param name="loadOptions">Decoding limits, as for <see cref="Load"/>.</param>
    /// <returns>The decoded images without a <see cref="Content"/>, which the caller disposes.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workingSize"/> is not positive.</exception>
    /// <exception cref="ArgumentException">As for <see cref="Load"/>.</exception>
    /// <exception cref="ImageLoadException">As for <see cref="Load"/>.</exception>
    public static RunImages LoadForContentSize(SKSizeI workingSize, RunImageFiles files, StyleTransferOptions options, ImageLoadOptions? loadOptions = null)
    {
        Guard.Positive(workingSize.Width, nameof(workingSize));
        Guard.Positive(workingSize.Height, nameof(workingSize));
        CheckArguments(files, options);
        loadOptions ??= new ImageLoadOptions { Budget = new ImageMemoryBudget() };
        var owned = new List<SKBitmap>();
        try
        {
            return LoadRest(owned, null, workingSize, files, options, loadOptions);
        }
        catch
        {
            DisposeAll(owned);
            throw;
        }
    }

    /// <summary>The shorter side style images are resized to for a content of <paramref name="workingSize"/>.</summary>
    /// <param name="workingSize">The content's size after <see cref="StyleTransferOptions.ImageSize"/>.</param>
    /// <param name="options">The run's options.</param>
    /// <returns>As <see cref="StyleTransferOptions.ResolveStyleSize"/> returns for the content's shorter side: <see langword="null"/> keeps each style image's own size.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workingSize"/> is not positive.</exception>
    public static int? StyleSide(SKSizeI workingSize, StyleTransferOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ResolveStyleSize(Math.Min(workingSize.Width, workingSize.Height));
    }

    /// <summary>Gives <paramref name="options"/> this run's initial image and masks, where files for them were given.</summary>
    /// <param name="options">The run's options.</param>
    /// <returns>A copy of <paramref name="options"/>; an option whose file was not given keeps its value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    public StyleTransferOptions ApplyTo(StyleTransferOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options with
        {
            InitialImage = InitialImage ?? options.InitialImage,
            Mask = Mask ?? options.Mask,
            StyleMasks = StyleMasks ?? options.StyleMasks,
        };
    }

    /// <summary>Disposes the bitmaps.</summary>
    public void Dispose() => DisposeAll(_owned);

    private static void CheckArguments(RunImageFiles files, StyleTransferOptions options)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (files.Styles is null || files.Styles.Count == 0)
        {
            throw new ArgumentException("At least one style image file is needed.", nameof(files));
        }

        if (files.StyleMasks is { } masks && masks.Count != files.Styles.Count)
        {
            throw new ArgumentException(
                $"StyleTransferOptions.StyleMasks was given {masks.Count} file(s); give one per style image ({files.Styles.Count}).", nameof(files));
        }
    }

    private static RunImages LoadRest(List<SKBitmap> owned, SKBitmap? content, SKSizeI workingSize, RunImageFiles files, StyleTransferOptions options, ImageLoadOptions loadOptions)
    {
        var styleSide = StyleSide(workingSize, options);
        // The initial image and the masks are stretched to the content's size: decoded with the shorter side at least its longer side.
        var coverSide = Math.Max(workingSize.Width, workingSize.Height);
        var styles = files.Styles.Select(f => Keep(owned, ImageFile.LoadForSize(f, styleSide, loadOptions))).ToArray();
        var initial = files.InitialImage is { } i ? Keep(owned, ImageFile.LoadForSize(i, coverSide, loadOptions)) : null;
        var mask = files.Mask is { } m ? Keep(owned, ImageFile.LoadForSize(m, coverSide, loadOptions)) : null;
        var styleMasks = files.StyleMasks?.Select(f => Keep(owned, ImageFile.LoadForSize(f, coverSide, loadOptions))).ToArray();
        return new RunImages(owned, content, workingSize, styles, initial, mask, styleMasks);
    }

    private static SKBitmap Keep(List<SKBitmap> owned, SKBitmap bitmap)
    {
        owned.Add(bitmap);
        return bitmap;
    }

    private static void DisposeAll(List<SKBitmap> owned)
    {
        foreach (var bitmap in owned)
        {
            bitmap.Dispose();
        }

        owned.Clear();
    }
}
