using System.Collections.Generic;

namespace Gallery;

/// <summary>One picture of the gallery: the control it shows, its setting, and the command-line arguments that make it.</summary>
/// <param name="Name">The file name without extension (<c>docs/images/gallery/NAME.png</c>).</param>
/// <param name="Control">The control, linking to its page under <c>docs/controls</c>.</param>
/// <param name="Page">The control's page, for example <c>styles.md</c>.</param>
/// <param name="Setting">A short description of the setting.</param>
/// <param name="Styles">The style images, from <c>samples/images</c>.</param>
/// <param name="Arguments">The options beyond the shared ones (content, styles, size, output); paths are relative to the repository.</param>
internal sealed record Entry(string Name, string Control, string Page, string Setting, IReadOnlyList<string> Styles, IReadOnlyList<string> Arguments)
{
    /// <summary>Gets further pictures the run writes (intermediate results), shown before the final one.</summary>
    /// <value>File names without extension, in <c>docs/images/gallery</c>.</value>
    public IReadOnlyList<string> Frames { get; init; } = [];
}
