using NeuralStyle.Internal;

namespace NeuralStyle.Weights;

/// <summary>
/// Bounds that <see cref="WeightFileReader"/> enforces while reading an untrusted weight file, so that a malformed or
/// hostile file fails with a <see cref="WeightFormatException"/> instead of exhausting memory or time.
/// </summary>
public sealed class WeightReaderLimits
{
    private readonly long _maxFileBytes = 64L << 20;
    private readonly long _maxUncompressedBytes = 64L << 20;
    private readonly int _maxHeaderBytes = 1 << 20;
    private readonly int _maxTensorCount = 1024;
    private readonly long _maxTensorElements = 1L << 24;
    private readonly long _maxTotalElements = 1L << 24;
    private readonly int _maxPickleDepth = 32;
    private readonly int _maxPickleMemoEntries = 1 << 16;
    private readonly long _maxPickleOperations = 2_000_000;
    private readonly int _maxPickleObjectsPerKilobyte = 64;

    /// <summary>
    /// Gets the limits used when none are given, sized for the networks NeuralStyle knows with room to spare:
    /// torchvision's SqueezeNet 1.1 file is 4.8 MB (1.2 million parameters in 52 tensors; its features alone 2.9 MB).
    /// A larger network's file needs limits of its own.
    /// </summary>
    /// <value>A shared instance holding the default value of every property.</value>
    public static WeightReaderLimits Default { get; } = new();

    /// <summary>Gets the largest file or stream, in bytes, that is read at all.</summary>
    /// <value>Defaults to 64 MiB.</value>
    /// <exception cref="System.ArgumentOutOfRangeException">The value is not positive.</exception>
    public long MaxFileBytes { get => _maxFileBytes; init => _maxFileBytes = Guard.Positive(value); }

    /// <summary>Gets the most bytes the entries of a PyTorch zip file may expand to, in total (a guard against zip bombs).</summary>
    /// <value>Defaults to 64 MiB.</value>
    /// <exception cref="System.ArgumentOutOfRangeException">The value is not positive.</exception>
    public long MaxUncompressedBytes { get => _maxUncompressedBytes; init => _maxUncompressedBytes = Guard.Positive(value); }

    /// <summary>Gets the largest JSON header of a safetensors file, in bytes.</summary>
    /// <value>Defaults to 1 MiB (SqueezeNet's header is about 4 KB; the safetensors reference implementation allows up to 100,000,000).</value>
    /// <exception cref="System.ArgumentOutOfRangeException">The value is not positive.</exception>
    public int MaxHeaderBytes { get => _maxHeaderBytes; init => _maxHeaderBytes = Guard.Positive(value); }

    /// <summary>Gets the most tensors a file may hold.</summary>
    /// <value>Defaults to 1024.</value>
    /// <exception cref="System.ArgumentOutOfRangeException">The value is not positive.</exception>
    public int MaxTensorCount { get => _maxTensorCount; init => _maxTensorCount = Guard.Positive(value); }

    /// <summary>Gets the most elements one tensor may have.</summary>
    /// <value>Defaults to 2^24 (64 MiB of float32).</value>
    /// <exception cref="System.ArgumentOutOfRangeException">The value is not positive or is more than <see cref="int.MaxValue"/>.</exception>
    public long MaxTensorElements
    {
        get => _maxTensorElements;
        init => _maxTensorElements = Guard.Positive(value) <= int.MaxValue
            ? value
            : throw new System.ArgumentOutOfRangeException(nameof(value), value, "A tensor cannot have more than int.MaxValue elements.");
    }

    /// <summary>
    /// Gets the most elements all tensors of a file may have together. Tensors may share storage or broadcast one
    /// element (stride 0), so a small file can describe far more elements than it holds; this bounds what is allocated.
    /// </summary>
    /// <value>Defaults to 2^24 (64 MiB of float32; SqueezeNet 1.1 has 1.2 million parameters, VGG-19 would need 144 million and limits of its own).</value>
    /// <exception cref="System.ArgumentOutOfRangeException">The value is not positive.</exception>
    public long MaxTotalElements { get => _maxTotalElements; init => _maxTotalElements = Guard.Positive(value); }

    /// <summary>Gets the deepest nesting of containers and marks a pickle may build.</summary>
    /// <value>Defaults to 32; a state dict needs fewer than 10. The depth counted is that of what is built, memo references included.</value>
    /// <exception cref="System.ArgumentOutOfRangeException">The value is not positive.</exception>
    public int MaxPickleDepth { get => _maxPickleDepth; init => _maxPickleDepth = Guard.Positive(value); }

    /// <summary>Gets the most memo entries a pickle may store; a pickler numbers them from 0, so a memo number must be below this.</summary>
    /// <value>Defaults to 2^16 (SqueezeNet's state dict of 50 feature tensors needs fewer than 650).</value>
    /// <exception cref="System.ArgumentOutOfRangeException">The value is not positive.</exception>
    public int MaxPickleMemoEntries { get => _maxPickleMemoEntries; init => _maxPickleMemoEntries = Guard.Positive(value); }

    /// <summary>
    /// Gets the work budget of the pickles of one file: one unit per opcode, plus units in proportion to the items and
    /// key characters an opcode handles.
    /// </summary>
    /// <value>Defaults to 2,000,000; SqueezeNet's state dict of 50 feature tensors needs fewer than 20,000.</value>
    /// <exception cref="System.ArgumentOutOfRangeException">The value is not positive.</exception>
    public long MaxPickleOperations { get => _maxPickleOperations; init => _maxPickleOperations = Guard.Positive(value); }

    /// <summary>
    /// Gets the most objects the pickles of a PyTorch file may build per KiB (1,024 bytes) of the file, on top of
    /// 4,096 that any file may build. Every tuple, list, dict, string, bytes object, number other than a small integer,
    /// storage and tensor counts one, and so does every reference to one that a container, the memo or the stack gains
    /// room for. The bound grows with the file, so it follows <see cref="MaxFileBytes"/>: a pickle cannot build much
    /// more than a file of its length holds, whatever the opcodes it uses to do so.
    /// </summary>
    /// <value>
    /// Defaults to 64 (one per 16 bytes). A state dict is mostly tensor data: SqueezeNet 1.1's features, 2.9 MB, build
    /// about 2,000, and a model's file grows with its tensors far faster than its pickle.
    /// </value>
    /// <exception cref="System.ArgumentOutOfRangeException">The value is not positive.</exception>
    public int MaxPickleObjectsPerKilobyte { get => _maxPickleObjectsPerKilobyte; init => _maxPickleObjectsPerKilobyte = Guard.Positive(value); }
}
