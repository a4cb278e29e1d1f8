using System;
using System.Buffers.Binary;
using System.Linq;
using FluentAssertions;
using NeuralStyle.Weights;
using Xunit;

namespace NeuralStyle.Tests.Weights;

public sealed class SafeTensorsReaderTests
{
    [Fact]
    public void Every_supported_dtype_is_converted_to_float32()
    {
        var tensors = Seeds.Read(Seeds.SafeTensors());

        tensors.Keys.Should().Equal("conv.weight", "conv.bias", "fc.weight", "fc.scale");
        tensors["conv.weight"].Shape.Should().Equal(2L, 3L);
        tensors["conv.weight"].Values.ToArray().Should().Equal(1f, 2f, 3f, 4f, 5f, 6f);
        tensors["conv.bias"].Values.ToArray().Should().Equal(0.5f, -1f, 2f);
        tensors["fc.weight"].Shape.Should().Equal(2L, 1L);
        tensors["fc.weight"].Values.ToArray().Should().Equal(1.5f, -3f);
        tensors["fc.scale"].Shape.Should().BeEmpty();
        tensors["fc.scale"].Values.ToArray().Should().Equal(0.25f);
    }

    [Fact]
    public void Float16_special_values_convert_exactly()
    {
        var halves = new[] { Half.MaxValue, Half.MinValue, Half.Epsilon, (Half)6.103515625e-05f, (Half)1, (Half)(-2), (Half)(-0f), (Half)0.333f };
        var bytes = new byte[halves.Length * 2];
        for (var i = 0; i < halves.Length; i++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(i * 2), halves[i]);
        }

        var tensor = Seeds.Read(SafeTensorsFile.Build([("h", "F16", [halves.Length], bytes)]))["h"];

        tensor.Values.ToArray().Should().Equal(halves.Select(h => (float)h));
        float.IsNegative(tensor.Values[6]).Should().BeTrue("negative zero keeps its sign");
    }

    [Fact]
    public void BFloat16_is_the_upper_half_of_float32()
    {
        ushort[] bits = [0x3f80, 0xc000, 0x4049, 0x0080, 0xff7f, 0x0001, 0x8000, 0x7f7f];
        var bytes = new byte[bits.Length * 2];
        for (var i = 0; i < bits.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), bits[i]);
        }

        var tensor = Seeds.Read(SafeTensorsFile.Build([("b", "BF16", [2, 4], bytes)]))["b"];

        tensor.Values.ToArray().Should().Equal(bits.Select(b => BitConverter.Int32BitsToSingle(b << 16)));
        tensor.Values[0].Should().Be(1f);
        tensor.Values[1].Should().Be(-2f);
        tensor.Values[2].Should().Be(3.140625f);
    }

    [Fact]
    public void Float64_is_rounded_to_float32()
    {
        double[] values = [Math.PI, -1e-300, 3e38, 0.1];

        var tensor = Seeds.Read(SafeTensorsFile.Build([("d", "F64", [4], Bytes.Float64(values))]))["d"];

        tensor.Values.ToArray().Should().Equal(values.Select(v => (float)v));
    }

    [Theory]
    [InlineData("F32", 0x7fc00000u, "NaN")]
    [InlineData("F32", 0x7f800000u, "Infinity")]
    [InlineData("F16", 0xfc00u, "-Infinity")]
    [InlineData("BF16", 0x7fc0u, "NaN")]
    public void Non_finite_values_are_refused_naming_the_tensor_and_the_file(string dtype, uint bits, string shown)
    {
        var size = dtype == "F32" ? 4 : 2;
        var bytes = new byte[3 * size];
        if (size == 4)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), bits);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), (ushort)bits);
        }

        FluentActions.Invoking(() => Seeds.Read(SafeTensorsFile.Build([("features.0.weight", dtype, [3], bytes)]), "bad.safetensors"))
            .Should().Throw<WeightFormatException>()
            .WithMessage($"*'bad.safetensors'*'features.0.weight'*{shown}*element 1*finite*");
    }

    [Fact]
    public void Float64_beyond_float32_is_refused_as_infinite()
        => FluentActions.Invoking(() => Seeds.Read(SafeTensorsFile.Build([("d", "F64", [1], Bytes.Float64([1e300]))]), "big.safetensors"))
            .Should().Throw<WeightFormatException>().WithMessage("*'big.safetensors'*'d'*finite*");

    [Fact]
    public void Empty_header_and_zero_size_tensors_are_valid()
    {
        Seeds.Read(SafeTensorsFile.Raw("{}", [])).Should().BeEmpty();

        var tensors = Seeds.Read(SafeTensorsFile.Build([("a", "F32", [0, 3], []), ("b", "F32", [1], Bytes.Float32(7)), ("c", "F16", [2, 0], [])]));

        tensors["a"].Values.Length.Should().Be(0);
        tensors["a"].Shape.Should().Equal(0L, 3L);
        tensors["b"].Values.ToArray().Should().Equal(7f);
        tensors["c"].Values.Length.Should().Be(0);
    }

    [Fact]
    public void Tensors_may_be_listed_in_any_order_in_the_header()
    {
        var file = SafeTensorsFile.Raw(
            """{"second":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"first":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""",
            Bytes.Float32(1, 2));

        var tensors = Seeds.Read(file);

        tensors["first"].Values[0].Should().Be(1f);
        tensors["second"].Values[0].Should().Be(2f);
    }

    [Theory]
    [InlineData("I64")]
    [InlineData("U8")]
    [InlineData("BOOL")]
    [InlineData("F8_E4M3")]
    [InlineData("float32")]
    [InlineData("")]
    public void Unsupported_dtypes_are_refused_naming_dtype_and_key(string dtype)
    {
        var file = SafeTensorsFile.Build([("ok", "F32", [1], Bytes.Float32(1)), ("layer.odd", dtype, [8], new byte[8])]);

        FluentActions.Invoking(() => Seeds.Read(file, "odd.safetensors"))
            .Should().Throw<WeightFormatException>()
            .WithMessage($"*odd.safetensors*'layer.odd'*dtype '{dtype}'*not supported*");
    }

    [Theory]
    [InlineData("[0,8]", "[4,12]", "*overlaps*")]
    [InlineData("[0,8]", "[0,8]", "*overlaps*")]
    [InlineData("[0,8]", "[8,24]", "*outside*")]
    [InlineData("[0,8]", "[12,20]", "*outside*")]
    [InlineData("[8,16]", "[8,16]", "*gap of 8 bytes*")]
    [InlineData("[0,4]", "[8,16]", "*does not fill*")]
    [InlineData("[8,0]", "[8,16]", "*outside*")]
    [InlineData("[0,8]", "[10,18]", "*outside*")]
    [InlineData("[0,8]", "[-8,8]", "*not a non-negative integer*")]
    [InlineData("[0,8]", "[8,1e3]", "*not a non-negative integer*")]
    [InlineData("[0,8]", "[8]", "*data_offsets pair*")]
    [InlineData("[0,8]", "[8,18446744073709551615]", "*not a non-negative integer*")]
    public void Bad_offsets_are_refused(string first, string second, string message)
    {
        var file = SafeTensorsFile.Raw(
            $$$"""{"a":{"dtype":"F32","shape":[2],"data_offsets":{{{first}}}},"b":{"dtype":"F32","shape":[2],"data_offsets":{{{second}}}}}""",
            new byte[16]);

        FluentActions.Invoking(() => Seeds.Read(file)).Should().Throw<WeightFormatException>().WithMessage(message);
    }

    [Fact]
    public void Gaps_and_unused_trailing_bytes_are_refused()
    {
        var gap = SafeTensorsFile.Raw(
            """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""",
            new byte[12]);
        var trailing = SafeTensorsFile.Raw("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", new byte[8]);

        FluentActions.Invoking(() => Seeds.Read(gap)).Should().Throw<WeightFormatException>().WithMessage("*gap of 4 bytes before tensor 'b'*");
        FluentActions.Invoking(() => Seeds.Read(trailing)).Should().Throw<WeightFormatException>().WithMessage("*cover 4 of the 8 data bytes*");
    }

    [Theory]
    [InlineData("[3]", "*does not fill*")]
    [InlineData("[-2]", "*not a non-negative integer*")]
    [InlineData("[2.5]", "*not a non-negative integer*")]
    [InlineData("[\"2\"]", "*not a non-negative integer*")]
    [InlineData("[4294967296,4294967296,4294967296]", "*does not fill*")]
    [InlineData("[9223372036854775807,9223372036854775807]", "*does not fill*")]
    [InlineData("2", "*no shape array*")]
    public void Shapes_must_match_the_byte_length(string shape, string message)
    {
        var file = SafeTensorsFile.Raw($$$"""{"a":{"dtype":"F32","shape":{{{shape}}},"data_offsets":[0,8]}}""", new byte[8]);

        FluentActions.Invoking(() => Seeds.Read(file)).Should().Throw<WeightFormatException>().WithMessage(message);
    }

    [Theory]
    [InlineData("{\"a\":", "*not valid JSON*")]
    [InlineData("[1,2]", "*not a safetensors, PyTorch zip or legacy PyTorch file*")]
    [InlineData("{\"a\":1}", "*'a'*rather than an object*")]
    [InlineData("{\"a\":{\"shape\":[1],\"data_offsets\":[0,0]}}", "*'a' has no dtype*")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", "*names 'a' twice*")]
    [InlineData("{\"__metadata__\":{\"k\":1}}", "*__metadata__ value 'k' is not a string*")]
    [InlineData("{\"__metadata__\":[]}", "*__metadata__ is not an object*")]
    [InlineData("{\"\\ud800\":{}}", "*invalid string*")]
    [InlineData("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":1}}}}}}}}}", "*not valid JSON*")]
    public void Malformed_headers_are_refused(string header, string message)
    {
        FluentActions.Invoking(() => Seeds.Read(SafeTensorsFile.Raw(header, []), "bad.safetensors"))
            .Should().Throw<WeightFormatException>().WithMessage("*bad.safetensors*").WithMessage(message);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData(" {}")]
    [InlineData("")]
    public void The_header_must_start_with_a_brace(string header)
    {
        var context = new WeightReadContext("direct.safetensors", WeightReaderLimits.Default);

        FluentActions.Invoking(() => SafeTensorsReader.Read(SafeTensorsFile.Raw(header, []), context))
            .Should().Throw<WeightFormatException>().WithMessage("*direct.safetensors*does not start with '{'*");
    }

    [Fact]
    public void Header_lengths_beyond_the_file_or_the_limit_are_refused_without_allocating()
    {
        var file = Seeds.SafeTensors();
        var beyondFile = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(beyondFile, (ulong)file.Length);
        var beyondLimit = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(beyondLimit, ulong.MaxValue - 1);

        // Detection needs a plausible length, so hand the bytes to the safetensors reader through a forced '{'.
        FluentActions.Invoking(() => Seeds.Read(beyondFile)).Should().Throw<WeightFormatException>();
        FluentActions.Invoking(() => Seeds.Read(file, limits: new WeightReaderLimits { MaxHeaderBytes = 16 }))
            .Should().Throw<WeightFormatException>().WithMessage("*MaxHeaderBytes*");

        var before = GC.GetAllocatedBytesForCurrentThread();
        FluentActions.Invoking(() => Seeds.Read(beyondLimit)).Should().Throw<WeightFormatException>();
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(1 << 20);
    }

    [Fact]
    public void Tensor_count_and_element_limits_apply()
    {
        var file = SafeTensorsFile.Build(Enumerable.Range(0, 5).Select(i => ($"t{i}", "F32", new long[] { 4 }, new byte[16])));

        FluentActions.Invoking(() => Seeds.Read(file, limits: new WeightReaderLimits { MaxTensorCount = 4 }))
            .Should().Throw<WeightFormatException>().WithMessage("*MaxTensorCount*");
        FluentActions.Invoking(() => Seeds.Read(file, limits: new WeightReaderLimits { MaxTensorElements = 3 }))
            .Should().Throw<WeightFormatException>().WithMessage("*MaxTensorElements*");
        FluentActions.Invoking(() => Seeds.Read(file, limits: new WeightReaderLimits { MaxTotalElements = 19 }))
            .Should().Throw<WeightFormatException>().WithMessage("*MaxTotalElements*");
        Seeds.Read(file, limits: new WeightReaderLimits { MaxTensorCount = 5, MaxTensorElements = 4, MaxTotalElements = 20 }).Should().HaveCount(5);
    }
}
