using System;
using System.Runtime.InteropServices;
using System.Threading;
using TorchSharp;

namespace NeuralStyle.Internal;

/// <summary>
/// Turns off libtorch's NNPACK convolutions, once per process, before the library's first convolution.
/// </summary>
/// <remarks>
/// <para>Before a CPU convolution libtorch asks whether NNPACK is usable. On a CPU that NNPACK does not support (the
/// AVX-512 test machine, for one), that question prints <c>Could not initialize NNPACK! Reason: Unsupported
/// hardware.</c> to standard error, and with one libtorch thread it does so at every convolution: about 3,000 lines in
/// a 200-iteration run of the command-line tool. Where NNPACK is unsupported nothing else changes: libtorch runs the
/// same convolutions it would have run. Where it is supported, libtorch chooses it only for batches of 16 or more
/// images, which a style-transfer run does not form.</para>
/// <para>TorchSharp has no setting for it, so this calls libtorch's own <c>at::Context::setUserEnabledNNPACK(false)</c>
/// (the switch behind PyTorch's <c>torch.backends.nnpack.set_flags</c>) through its exported symbol. Where the symbol is
/// not found (another libtorch build or platform) nothing is changed and the warning may appear; it is harmless.</para>
/// </remarks>
internal static class Nnpack
{
    // at::globalContext() and at::Context::{set,}userEnabledNNPACK, as the Itanium C++ ABI (Linux, macOS) and MSVC
    // (Windows) name them.
    private static readonly string[] GlobalContextSymbols = ["_ZN2at13globalContextEv", "?globalContext@at@@YAAEAVContext@1@XZ"];
    private static readonly string[] SetEnabledSymbols = ["_ZN2at7Context20setUserEnabledNNPACKEb", "?setUserEnabledNNPACK@Context@at@@QEAAX_N@Z"];
    private static readonly string[] GetEnabledSymbols = ["_ZNK2at7Context17userEnabledNNPACKEv", "?userEnabledNNPACK@Context@at@@QEBA_NXZ"];

    private static readonly Lazy<bool> TurnedOff = new(TurnOff, LazyThreadSafetyMode.ExecutionAndPublication);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GlobalContext();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetEnabled(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    private delegate bool GetEnabled(IntPtr context);

    /// <summary>Turns NNPACK off the first time it is called; later calls do nothing.</summary>
    /// <returns>Whether NNPACK is off (false where libtorch's switch could not be found).</returns>
    public static bool EnsureOff() => TurnedOff.Value;

    /// <summary>Reads libtorch's switch back: null where it cannot be found (for tests).</summary>
    internal static bool? IsEnabled()
        => Find(out var library) && TryExport(library, GlobalContextSymbols, out var context) && TryExport(library, GetEnabledSymbols, out var get)
            ? Marshal.GetDelegateForFunctionPointer<GetEnabled>(get)(Marshal.GetDelegateForFunctionPointer<GlobalContext>(context)())
            : null;

    private static bool TurnOff()
    {
        if (!Find(out var library) || !TryExport(library, GlobalContextSymbols, out var context) || !TryExport(library, SetEnabledSymbols, out var set))
        {
            return false;
        }

        Marshal.GetDelegateForFunctionPointer<SetEnabled>(set)(Marshal.GetDelegateForFunctionPointer<GlobalContext>(context)(), false);
        return true;
    }

    // libtorch's CPU library, as TorchSharp loaded it: a torch call first makes sure it is loaded, so that the load by
    // its bare name finds the library already in the process rather than another copy.
    private static bool Find(out IntPtr library)
    {
        _ = torch.get_num_threads();
        var file = OperatingSystem.IsWindows() ? "torch_cpu.dll" : OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : "libtorch_cpu.so";
        return NativeLibrary.TryLoad(file, out library);
    }

    private static bool TryExport(IntPtr library, string[] names, out IntPtr address)
    {
        foreach (var name in names)
        {
            if (NativeLibrary.TryGetExport(library, name, out address))
            {
                return true;
            }
        }

        address = IntPtr.Zero;
        return false;
    }
}
