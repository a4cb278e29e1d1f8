namespace NeuralStyle;

/// <summary>A feature layer and the weight of its loss term, as <see cref="StyleTransferOptions"/> resolves them.</summary>
/// <param name="Layer">The layer index of the feature extractor (see <see cref="Features.SqueezeNetFeatureExtractor.LayerIndex"/>).</param>
/// <param name="Weight">The effective weight of the layer's term.</param>
public readonly record struct LayerWeight(int Layer, double Weight);
