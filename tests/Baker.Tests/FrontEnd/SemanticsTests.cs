using Baker.Compiler.Diagnostics;
using Baker.Compiler.Semantics;
using Baker.Compiler.Syntax;

namespace Baker.Tests.FrontEnd;

/// <summary>Facts the front end computes that file cases cannot show: layouts, literal values, C typing and folding.</summary>
public class SemanticsTests
{
    private const string Prelude = """
        protocol ether { dst : 48; src : 48; type : 16; }
        ppf pass { input ether in; output ether out; process in(ether* p) { p->meta.out_port = 0; channel_put(out, p); } }
        app a { ppf x : pass; wiring { rx -> x.in; x.out -> tx; } }
        """;

    private static BoundProgram Bind(string source)
    {
        var result = Baker.Compiler.Driver.FrontEnd.Check(["t.baker"], _ => Prelude + "\n" + source);
        Assert.True(!result.HasErrors, string.Join("\n", result.Diagnostics));
        return result.Program!;
    }

    private static ConstSymbol Const(string declaration, string name = "C") =>
        Bind(declaration).Consts.Single(c => c.Name == name);

    [Fact]
    public void ProtocolFieldsHaveNetworkOrderBitOffsetsAndFixedOrDemuxLength()
    {
        var p = Bind("""
            protocol ipv4 { version : 4; ihl : 4; tos : 8; length : 16; id : 16; flags : 3; frag_off : 13;
                            ttl : 8; proto : 8; checksum : 16; src : 32; dst : 32; demux { ihl << 2 }; }
            protocol vlan { pcp : 3; dei : 1; vid : 12; type : 16; }
            """);
        var ipv4 = p.Protocols.Single(x => x.Name == "ipv4");
        Assert.Equal([0, 4, 8, 16, 32, 48, 51, 64, 72, 80, 96, 128], ipv4.Fields.Select(f => f.BitOffset));
        Assert.Equal(160, ipv4.TotalBits);
        Assert.Null(ipv4.FixedLength);
        Assert.NotNull(ipv4.Demux);
        Assert.Equal(ScalarType.U8, ipv4.Field("version")!.Type);
        Assert.Equal(ScalarType.U16, ipv4.Field("frag_off")!.Type);
        var vlan = p.Protocols.Single(x => x.Name == "vlan");
        Assert.Equal(4, vlan.FixedLength);
        Assert.Equal(14, p.Protocols.Single(x => x.Name == "ether").FixedLength);
        Assert.Equal(ScalarType.U64, p.Protocols.Single(x => x.Name == "ether").Field("dst")!.Type);
    }

    [Fact]
    public void StructsUseNaturalAlignmentAndMetadataMergesAcrossBlocks()
    {
        var p = Bind("""
            struct s { u8 a; u32 b; u16 c; u64 d[2]; lock_t l; }
            metadata { u32 nexthop; u16 flow; }
            metadata { u32 nexthop; u8 color; }
            """);
        var s = p.Structs.Single();
        Assert.Equal([0, 4, 8, 16, 32], s.Fields.Select(f => f.Offset));
        Assert.Equal(40, s.Size);
        Assert.True(s.ContainsLock);
        Assert.Equal(["in_port", "out_port", "nexthop", "flow", "color"], p.Metadata.Select(f => f.Name));
    }

    [Theory]
    [InlineData("const u32 C = 10.0.0.1;", 0x0A000001UL)]
    [InlineData("const u64 C = 00:1b:21:3a:4f:5e;", 0x001B213A4F5EUL)]
    [InlineData("const u32 C = 0xFFFF_FFFF;", 0xFFFFFFFFUL)]
    [InlineData("const u32 C = 0b1010_1010;", 0xAAUL)]
    [InlineData("const u32 C = 0010;", 10UL)]                       // leading zeros are decimal
    [InlineData("const u8 C = 'a';", 97UL)]
    [InlineData("const u8 C = '\\n';", 10UL)]
    [InlineData("const u32 C = 1 + 2 * 3 << 1;", 14UL)]              // C precedence
    [InlineData("const i32 C = -7 / 2;", unchecked((ulong)-3L))]     // truncation toward zero
    [InlineData("const i32 C = -7 % 2;", unchecked((ulong)-1L))]
    [InlineData("const u32 C = 1 << 40;", 0UL)]                     // shift by >= width gives 0
    [InlineData("const i32 C = -8 >> 40;", unchecked((ulong)-1L))]   // ... or the sign fill
    [InlineData("const u32 C = 0xFFFFFFFF + 1;", 0UL)]              // u32 wraps
    [InlineData("const i32 C = 2147483647 + 1;", unchecked((ulong)(long)int.MinValue))]  // signed wraps too
    [InlineData("const u32 C = -1 < 1u32;", 0UL)]                   // C's trap: -1 converts to 0xFFFFFFFF
    [InlineData("const u32 C = sizeof(ether) + sizeof(u16);", 16UL)]
    [InlineData("const u32 C = true ? 3 : 4;", 3UL)]
    [InlineData("const u32 C = min(3, 9) + max(3, 9);", 12UL)]
    [InlineData("const u32 C = (u8)0x1FF;", 0xFFUL)]
    [InlineData("const u32 C = D * 2; const u32 D = 21;", 42UL)]     // order of declarations does not matter
    public void ConstantsFoldWithBakerSemantics(string declaration, ulong expected)
    {
        var source = declaration.Replace("1u32", "(u32)1");
        Assert.Equal(expected, Const(source).Value);
    }

    [Fact]
    public void UsualArithmeticConversionsFollowC99()
    {
        Assert.Equal(ScalarType.I32, ScalarArithmetic.Common(ScalarType.U8, ScalarType.U16));
        Assert.Equal(ScalarType.U32, ScalarArithmetic.Common(ScalarType.I32, ScalarType.U32));
        Assert.Equal(ScalarType.I64, ScalarArithmetic.Common(ScalarType.U32, ScalarType.I64));
        Assert.Equal(ScalarType.U64, ScalarArithmetic.Common(ScalarType.I64, ScalarType.U64));
        Assert.Equal(ScalarType.I32, ScalarArithmetic.Common(ScalarType.Bool, ScalarType.Bool));
        Assert.Equal(ScalarType.I32, ScalarArithmetic.LiteralType(5));
        Assert.Equal(ScalarType.U32, ScalarArithmetic.LiteralType(0x80000000));
        Assert.Equal(ScalarType.I64, ScalarArithmetic.LiteralType(0x100000000));
        Assert.Equal(ScalarType.U64, ScalarArithmetic.LiteralType(ulong.MaxValue));
    }

    [Fact]
    public void DivisionByZeroIsReportedAndSignedOverflowWrapsAtRunTimeSemantics()
    {
        Assert.Null(ScalarArithmetic.Binary(BinaryOp.Div, 5, 0, ScalarType.U32));
        Assert.Equal(unchecked((ulong)long.MinValue), ScalarArithmetic.Binary(BinaryOp.Div, unchecked((ulong)long.MinValue), unchecked((ulong)-1L), ScalarType.I64));
        Assert.Equal(0UL, ScalarArithmetic.Binary(BinaryOp.Rem, unchecked((ulong)long.MinValue), unchecked((ulong)-1L), ScalarType.I64));
    }

    [Fact]
    public void AppIsFlattenedThroughModulesIntoChannels()
    {
        var result = Baker.Compiler.Driver.FrontEnd.Check(["m.baker"], _ => """
            protocol ether { dst : 48; src : 48; type : 16; }
            ppf stamp { input ether in; output ether out;
                process in(ether* p) { p->meta.out_port = 1; channel_put(out, p); } }
            module inner { input ether in; output ether out; ppf s : stamp; wiring { in -> s.in; s.out -> out; } }
            module outer { input ether in; output ether out; module a : inner; module b : inner;
                wiring { in -> a.in; a.out -> b.in; out <- b.out; } }
            app top { module core : outer; wiring { rx -> core.in; core.out -> tx; } }
            """);
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        var graph = result.Program!.Graph!;
        Assert.Equal(["core.a.s", "core.b.s"], graph.Instances.Select(i => i.Path));
        Assert.Equal(["core.a.s.out -> core.b.s.in", "core.b.s.out -> tx", "rx -> core.a.s.in"],
            graph.Channels.Select(c => c.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void DiagnosticsPrintInTheToolFormat()
    {
        var result = Baker.Compiler.Driver.FrontEnd.Check(["dir/x.baker"], _ => "u32 a;\nu32 a;\n");
        var text = result.Diagnostics.Select(d => d.ToString()).ToList();
        Assert.Contains(text, t => t.StartsWith("dir/x.baker(2,5): error BK2002: 'a' is already declared at top level"));
        Assert.All(result.Diagnostics, d => Assert.Matches(@"^BK\d{4}$", d.Code));
    }
}
