using static TorchSharp.torch;

namespace NeuralStyle.Tests.TestSupport;

/// <summary>
/// The (masked) Gram matrix written out with torch primitives, apart from the library's <c>GramMatrix</c>, so that
/// tests can compute expected values without the code they test: <c>F Fᵀ / (C·H·W)</c>, or with a mask
/// <c>Σ_p m_p f_p f_pᵀ / (C · Σ_p m_p)</c>, the mask brought to the features' size by antialiased bilinear
/// interpolation (torch's own, as the library documents it). One matrix per batch item: <c>[N, C, C]</c>.
/// </summary>
internal static class PlainGram
{
    public static Tensor Of(Tensor features, Tensor? mask = null, bool normalize = true)
    {
        long n = features.shape[0], c = features.shape[1], h = features.shape[2], w = features.shape[3];
        var flat = features.reshape(n, c, h * w);
        if (mask is null)
        {
            var gram = flat.matmul(flat.transpose(1, 2));
            return normalize ? gram.div(c * h * w) : gram;
        }

        var m = mask.shape[2] == h && mask.shape[3] == w
            ? mask
            : nn.functional.interpolate(mask, [h, w], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true);
        var weights = m.reshape(m.shape[0], 1, h * w);
        var masked = flat.mul(weights).matmul(flat.transpose(1, 2));
        return normalize ? masked.div(weights.sum(-1, keepdim: true).mul(c)) : masked;
    }
}
