using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using NeuralStyle.Imaging;

namespace NeuralStyle.Cli;

/// <summary>
/// Every message the tool prints on failure, in the tool's own words: parse errors with the flag, what it expects and the
/// nearest valid spelling; library exceptions with their option properties replaced by the flags that set them. One
/// line, no stack trace, and the exit code docs/cli.md documents (<see cref="ExitCodes"/>).
/// </summary>
internal static partial class CliErrors
{
    /// <summary>
    /// The library's option properties (and parameter names) and the flag that sets each; the one place they are mapped.
    /// Nested options are found by their path (<c>Weights.Path</c>), then by their last name (<c>Optimizer.LearningRate</c> by <c>LearningRate</c>).
    /// </summary>
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["ImageSize"] = "--size", ["StyleSize"] = "--style-size", ["StyleScale"] = "--style-scale", ["ContentLayer"] = "--content-layer",
        ["ContentWeight"] = "--content-weight", ["ContentLayers"] = "--content-layers", ["ContentLayerWeights"] = "--content-layer-weights",
        ["StyleLayers"] = "--style-layers", ["StyleWeights"] = "--style-weights", ["NormalizeStyleWeightsTo"] = "--normalize-style-weights",
        ["StyleStrength"] = "--style-strength", ["StyleBlendWeights"] = "--style-blend", ["StyleMasks"] = "--style-mask", ["Mask"] = "--mask",
        ["PreserveColors"] = "--preserve-colors", ["TotalVariationWeight"] = "--tv-weight", ["Iterations"] = "--iterations",
        ["Optimizer"] = "--optimizer", ["LearningRate"] = "--lr", ["LbfgsLearningRate"] = "--lr", ["DecayedLearningRate"] = "--decayed-lr",
        ["DecayStartFraction"] = "--decay-start", ["LbfgsHistorySize"] = "--lbfgs-history", ["LbfgsTolerance"] = "--lbfgs-tolerance",
        ["Initialization"] = "--init", ["InitialImage"] = "--init-image", ["InitNoiseRatio"] = "--init-noise-ratio", ["Seed"] = "--seed",
        ["Threads"] = "--threads", ["Device"] = "--device", ["Weights.Path"] = "--weights", ["WeightsOptions.Path"] = "--weights",
        ["ProgressInterval"] = "--progress-every", ["PreviewInterval"] = "--save-every", ["MaxImagePixels"] = "--max-image-pixels",
        ["MaxPixels"] = "--max-pixels", ["CoarseToFine"] = "--coarse-to-fine", ["CoarseSize"] = "--coarse-size",
        ["MaxMemoryBytes"] = "--max-memory", ["TileSize"] = "--tile-size", ["Weights.AllowDownload"] = "--no-download", ["SaveEvery"] = "--save-every",
        ["width"] = "--width", ["height"] = "--height",
    };

    /// <summary>What a user of the tool (not of the library) can do when asking for a GPU the tool cannot use.</summary>
    private const string CudaAdvice =
        "--device cuda: CUDA is not available to this tool. The neural-style tool package carries libtorch's CPU build only (CUDA's libtorch is "
        + "too large for a tool package), so use --device cpu or auto here; for a GPU, run the CLI from a clone with a CUDA libtorch on a "
        + "CUDA machine (docs/gpu.md: -p:NoLibTorch=true with PyTorch's libtorch, or TorchSharp-cuda-linux in eng/Native.props).";

    /// <summary>The first problem with the command line, in the tool's words, or null when it can be run.</summary>
    public static string? ParseProblem(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var usage = Usage(parse);
        foreach (var token in Unexpected(parse))
        {
            if (LooksLikeOption(token))
            {
                var hint = Suggestions.Nearest(token, OptionNames(command)) is { } near ? $" Did you mean {near}?" : string.Empty;
                return $"unknown option '{token}'.{hint} Run '{usage} --help' for the options.";
            }
        }

        if (parse.Errors.Count == 0)
        {
            return null;
        }

        if (command.Options.FirstOrDefault(o => o.Required && parse.GetResult(o) is null or { Implicit: true }) is { } required)
        {
            return $"{required.Name} is required: {required.Description} Usage: {usage} {string.Join(' ', command.Options.Where(o => o.Required).Select(o => $"{o.Name} N"))} [options].";
        }

        foreach (var error in parse.Errors)
        {
            switch (error.SymbolResult)
            {
                case ArgumentResult { Parent: CommandResult } argument when argument.Tokens.Count == 0:
                    return $"missing {argument.Argument.Name.ToUpperInvariant()}. Usage: {usage} {string.Join(' ', command.Arguments.Select(Placeholder))} [options]; run '{usage} --help' for the options.";
                case not null when error.Message.StartsWith("--", StringComparison.Ordinal):
                    return error.Message;   // the tool's own parsers and validators name the flag first
                case OptionResult { Tokens.Count: 0 } option:
                    return $"{option.Option.Name} expects a value: {option.Option.Description}";
                case ArgumentResult { Parent: OptionResult { Tokens.Count: 0 } option }:
                    return $"{option.Option.Name} expects a value: {option.Option.Description}";
                default:
                    break;
            }
        }

        if (Unexpected(parse).FirstOrDefault() is { } extra)
        {
            return $"unexpected argument '{extra}'. Usage: {usage} {string.Join(' ', command.Arguments.Select(Placeholder))} [options].";
        }

        return parse.Errors[0].Message.StartsWith("--", StringComparison.Ordinal) ? parse.Errors[0].Message : Translate(parse.Errors[0].Message);
    }

    /// <summary>The one line to print for a failure and the exit code it ends with.</summary>
    public static (string Message, int ExitCode) Describe(Exception exception) => exception switch
    {
        UsageException usage => (usage.Message, ExitCodes.Usage),
        ArgumentException argument => (Translate(WithoutParameter(argument)), ExitCodes.Usage),
        ImageLoadException image => (Translate(image.Message), ExitCodes.Usage),
        NeuralStyleException library => (Translate(library.Message), ExitCodes.Failure),
        InsufficientMemoryException memory => (Translate(memory.Message), ExitCodes.Failure),
        NotSupportedException cuda when cuda.Message.Contains("CUDA", StringComparison.Ordinal) => (CudaAdvice, ExitCodes.Usage),
        ExternalException native => ($"libtorch failed: {native.Message.Split('\n', 2)[0].Trim()}", ExitCodes.Failure),
        IOException or UnauthorizedAccessException or NotSupportedException => (Translate(exception.Message), ExitCodes.Failure),
        _ => ($"unexpected {exception.GetType().Name}: {Translate(exception.Message)}", ExitCodes.Failure),
    };

    /// <summary>A library message with its option properties replaced by the tool's flags.</summary>
    public static string Translate(string message)
    {
        var text = ParameterSuffix().Replace(message, string.Empty);
        text = OrNull().Replace(text, string.Empty);
        text = text.Replace("set WeightsOptions.Path to the file", "pass --weights FILE", StringComparison.Ordinal);
        text = text.Replace("(WeightsOptions.AllowDownload is false)", "(--no-download)", StringComparison.Ordinal);
        text = OptionProperty().Replace(text, m => FlagOf(m.Value) ?? FlagOf(m.Groups["path"].Value) ?? m.Value);
        text = PascalWord().Replace(text, m => Flags.TryGetValue(m.Value, out var flag) ? flag : m.Value);
        return string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static string WithoutParameter(ArgumentException exception)
    {
        var message = Translate(exception.Message);
        return exception.ParamName is { } name && FlagOf(name) is { } flag && !message.Contains(flag, StringComparison.Ordinal)
            ? $"{flag}: {message}"
            : message;
    }

    // An option's flag by its full path, else by its last name.
    private static string? FlagOf(string path)
        => Flags.TryGetValue(path, out var flag) || Flags.TryGetValue(path[(path.LastIndexOf('.') + 1)..], out flag) ? flag : null;

    private static IEnumerable<string> Unexpected(ParseResult parse)
        => parse.UnmatchedTokens.Concat(parse.CommandResult.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens).Select(t => t.Value));

    private static bool LooksLikeOption(string token)
        => token.Length > 1 && token[0] == '-' && !CliValues.TryParseDouble(token, out _);

    private static IEnumerable<string> OptionNames(Command command)
        => command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal)).Append("--help");

    private static string Usage(ParseResult parse)
    {
        var names = new List<string>();
        for (SymbolResult? r = parse.CommandResult; r is CommandResult c; r = c.Parent)
        {
            names.Insert(0, c.Command is RootCommand ? "neural-style" : c.Command.Name);
        }

        return string.Join(' ', names);
    }

    private static string Placeholder(Argument argument)
        => argument.Arity.MaximumNumberOfValues > 1 ? $"{argument.Name.ToUpperInvariant()} [{argument.Name.ToUpperInvariant()}…]" : argument.Name.ToUpperInvariant();

    [GeneratedRegex(@"\s*\(Parameter '[^']*'\)")]
    private static partial Regex ParameterSuffix();

    [GeneratedRegex(@"\s*\(or null[^)]*\)")]
    private static partial Regex OrNull();

    [GeneratedRegex(@"\b(?:StyleTransferOptions|ImageLoadOptions|WeightsOptions)\.(?<path>[A-Z][A-Za-z]+(?:\.[A-Z][A-Za-z]+)*)")]
    private static partial Regex OptionProperty();

    [GeneratedRegex(@"\b[A-Z][a-z]+(?:[A-Z][a-z]+)+\b")]
    private static partial Regex PascalWord();
}
