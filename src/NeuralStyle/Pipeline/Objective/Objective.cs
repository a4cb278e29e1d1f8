using System;
using System.Collections.Generic;
using NeuralStyle.Losses;

namespace NeuralStyle.Pipeline.Objective;

/// <summary>The terms one optimisation minimises, in a fixed order: content, style, total variation, stage anchor, additional losses.</summary>
internal sealed class Objective : IDisposable
{
    private readonly LossBase[] _owned;

    /// <param name="owned">The terms the pipeline made; disposed with the objective.</param>
    /// <param name="additional">The caller's <see cref="StyleTransferOptions.AdditionalLosses"/>; not disposed.</param>
    public Objective(LossBase[] owned, IReadOnlyList<ILoss> additional)
    {
        _owned = owned;
        Terms = [.. owned, .. additional];
    }

    /// <summary>Gets every term, in order.</summary>
    public IReadOnlyList<ILoss> Terms { get; }

    /// <summary>Gets the terms the pipeline made, for a caller that takes over disposing them.</summary>
    public IReadOnlyList<LossBase> Owned => _owned;

    /// <summary>Disposes the terms the pipeline made.</summary>
    public void Dispose()
    {
        foreach (var loss in _owned)
        {
            loss.Dispose();
        }
    }
}
