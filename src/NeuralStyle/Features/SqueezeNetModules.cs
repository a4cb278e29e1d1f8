using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NeuralStyle.Features;

/// <summary>
/// torchvision's <c>squeezenet1_1().features</c> as a TorchSharp module. Field names give the state-dict keys
/// <c>features.N.…</c>, so torchvision weight files load without renaming.
/// </summary>
internal sealed class SqueezeNet11Features : Module<Tensor, Tensor>
{
#pragma warning disable IDE1006, SA1307 // field names are the state-dict keys
    private readonly Sequential features;
#pragma warning restore IDE1006, SA1307

    public SqueezeNet11Features()
        : base("squeezenet1_1")
    {
        features = Sequential(
            ("0", Conv2d(3, 64, kernel_size: 3, stride: 2)),
            ("1", ReLU(inplace: true)),
            ("2", MaxPool2d(kernel_size: 3, stride: 2, ceil_mode: true)),
            ("3", new FireModule(64, 16, 64, 64)),
            ("4", new FireModule(128, 16, 64, 64)),
            ("5", MaxPool2d(kernel_size: 3, stride: 2, ceil_mode: true)),
            ("6", new FireModule(128, 32, 128, 128)),
            ("7", new FireModule(256, 32, 128, 128)),
            ("8", MaxPool2d(kernel_size: 3, stride: 2, ceil_mode: true)),
            ("9", new FireModule(256, 48, 192, 192)),
            ("10", new FireModule(384, 48, 192, 192)),
            ("11", new FireModule(384, 64, 256, 256)),
            ("12", new FireModule(512, 64, 256, 256)));
        RegisterComponents();
    }

    /// <summary>Gets the layers in order, for callers that keep every intermediate output.</summary>
    public Sequential Layers => features;

    public override Tensor forward(Tensor input) => features.forward(input);
}

/// <summary>A SqueezeNet Fire module: 1×1 squeeze, then concatenated 1×1 and 3×3 expands, each followed by ReLU.</summary>
internal sealed class FireModule : Module<Tensor, Tensor>
{
#pragma warning disable IDE1006, SA1307 // field names are the state-dict keys
    private readonly Conv2d squeeze;
    private readonly Conv2d expand1x1;
    private readonly Conv2d expand3x3;
#pragma warning restore IDE1006, SA1307

    public FireModule(long inputChannels, long squeezeChannels, long expand1x1Channels, long expand3x3Channels)
        : base("Fire")
    {
        squeeze = Conv2d(inputChannels, squeezeChannels, kernel_size: 1);
        expand1x1 = Conv2d(squeezeChannels, expand1x1Channels, kernel_size: 1);
        expand3x3 = Conv2d(squeezeChannels, expand3x3Channels, kernel_size: 3, padding: 1);
        RegisterComponents();
    }

    /// <summary>Gets the squeeze's weight, <c>[S,Cin,1,1]</c>.</summary>
    public Tensor SqueezeWeight => squeeze.weight!;

    /// <summary>Gets the 1×1 expand's weight, <c>[E1,S,1,1]</c>.</summary>
    public Tensor Expand1x1Weight => expand1x1.weight!;

    /// <summary>Gets the 3×3 expand's weight, <c>[E3,S,3,3]</c>.</summary>
    public Tensor Expand3x3Weight => expand3x3.weight!;

    /// <summary>Gets the squeeze's bias, <c>[S]</c>.</summary>
    public Tensor? SqueezeBias => squeeze.bias;

    /// <summary>Gets the 1×1 expand's bias, <c>[E1]</c>.</summary>
    public Tensor? Expand1x1Bias => expand1x1.bias;

    /// <summary>Gets the 3×3 expand's bias, <c>[E3]</c>.</summary>
    public Tensor? Expand3x3Bias => expand3x3.bias;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        // In-place ReLUs are safe here: convolution backward does not need its own output.
        var squeezed = squeeze.forward(input).relu_();
        var left = expand1x1.forward(squeezed).relu_();
        var right = expand3x3.forward(squeezed).relu_();
        return torch.cat([left, right], 1).MoveToOuterDisposeScope();
    }
}
