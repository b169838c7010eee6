using System.Text;
using Baker.Runtime.Memory;

namespace Baker.Runtime.Isa;

/// <summary>A malformed image file; the message names the byte offset.</summary>
public sealed class ImageFormatException(string message) : Exception(message);

/// <summary>
/// Binary image format (little-endian):
/// magic "BKMEIMG1", u32 section count, then sections (u8 kind, u32 payload length, payload).
/// Kinds: 1 ME code (u32 me, u8 context mask, u32 n, n instruction records, u32 labels, labels),
/// 2 data (u8 space, u32 address, u32 n, n u32 words), 3 ring (u8 space, u32 id, u32 base, u32 size),
/// 4 counter (string name, u8 space, u32 address). Strings are u16 length + UTF-8.
/// An instruction record is 30 bytes: op, sub, 3 operands (kind u8, value i32), imm i32, imm2 i32,
/// target i32, sigmask u16, signal u8, defer u8, flags u8 (fixed width keeps reading a straight loop).
/// </summary>
public static class ImageFile
{
    private static readonly byte[] Magic = "BKMEIMG1"u8.ToArray();

    public static byte[] ToBytes(MicrocodeImage image)
    {
        using var ms = new MemoryStream();
        Write(image, ms);
        return ms.ToArray();
    }

    public static void Write(MicrocodeImage image, string path) => File.WriteAllBytes(path, ToBytes(image));

    public static void Write(MicrocodeImage image, Stream stream)
    {
        var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(image.Mes.Count + image.Data.Count + image.Rings.Count + image.Counters.Count);
        foreach (var me in image.Mes)
            Section(w, 1, b =>
            {
                b.Write(me.Me);
                b.Write(me.ContextMask);
                b.Write(me.Code.Length);
                foreach (var i in me.Code) WriteInstr(b, i);
                b.Write(me.Labels.Count);
                foreach (var l in me.Labels) { WriteString(b, l.Name); b.Write(l.Address); }
            });
        foreach (var d in image.Data)
            Section(w, 2, b =>
            {
                b.Write((byte)d.Space); b.Write(d.Address); b.Write(d.Words.Length);
                foreach (var x in d.Words) b.Write(x);
            });
        foreach (var r in image.Rings)
            Section(w, 3, b => { b.Write((byte)r.Space); b.Write(r.Id); b.Write(r.Base); b.Write(r.SizeWords); });
        foreach (var c in image.Counters)
            Section(w, c.Drop ? (byte)5 : c.Made ? (byte)6 : (byte)4, b => { WriteString(b, c.Name); b.Write((byte)c.Space); b.Write(c.Address); });
        w.Flush();
    }

    public static MicrocodeImage Read(string path) => Read(File.ReadAllBytes(path), path);

    public static MicrocodeImage Read(byte[] bytes, string name)
    {
        var r = new Reader(bytes, name);
        var magic = r.Bytes(Magic.Length);
        if (!magic.AsSpan().SequenceEqual(Magic))
            throw new ImageFormatException($"{name}: not a Baker microcode image (bad magic at byte offset 0)");
        var image = new MicrocodeImage();
        var count = r.I32();
        for (var s = 0; s < count; s++)
        {
            var start = r.Pos;
            var kind = r.U8();
            var len = r.I32();
            var end = r.Pos + len;
            if (len < 0 || end > bytes.Length)
                throw new ImageFormatException($"{name}: section at byte offset {start} claims {len} bytes but the file ends at {bytes.Length}");
            switch (kind)
            {
                case 1:
                    {
                        var me = r.I32();
                        var mask = r.U8();
                        var n = r.I32();
                        if (n < 0 || n > (end - r.Pos) / 30)
                            throw new ImageFormatException($"{name}: ME section at byte offset {start} has a bad instruction count {n}");
                        var code = new Instruction[n];
                        for (var i = 0; i < n; i++) code[i] = ReadInstr(r);
                        var nl = r.I32();
                        var labels = new List<Label>();
                        for (var i = 0; i < nl; i++) labels.Add(new Label(r.Str(), r.I32()));
                        image.Mes.Add(new MeCode { Me = me, ContextMask = mask, Code = code, Labels = labels });
                        break;
                    }
                case 2:
                    {
                        var space = Space(r, start);
                        var addr = r.U32();
                        var n = r.I32();
                        if (n < 0 || n > (end - r.Pos) / 4)
                            throw new ImageFormatException($"{name}: data section at byte offset {start} has a bad word count {n}");
                        var words = new uint[n];
                        for (var i = 0; i < n; i++) words[i] = r.U32();
                        image.Data.Add(new DataInit(space, addr, words));
                        break;
                    }
                case 3:
                    image.Rings.Add(new RingDecl(Space(r, start), r.I32(), r.U32(), r.I32()));
                    break;
                case 4:
                case 5:
                case 6:
                    {
                        var nm = r.Str();
                        image.Counters.Add(new CounterDecl(nm, Space(r, start), r.U32(), Drop: kind == 5, Made: kind == 6));
                        break;
                    }
                default:
                    throw new ImageFormatException($"{name}: unknown section kind {kind} at byte offset {start}");
            }
            if (r.Pos != end)
                throw new ImageFormatException($"{name}: section at byte offset {start} should end at {end} but its content ends at {r.Pos}");
        }
        if (r.Pos != bytes.Length)
            throw new ImageFormatException($"{name}: {bytes.Length - r.Pos} trailing bytes at byte offset {r.Pos}");
        return image;
    }

    private static MemorySpace Space(Reader r, int sectionStart)
    {
        var at = r.Pos;
        var s = r.U8();
        if (s > 2) throw new ImageFormatException($"{r.Name}: bad memory space {s} at byte offset {at} (section at {sectionStart})");
        return (MemorySpace)s;
    }

    private static void Section(BinaryWriter w, byte kind, Action<BinaryWriter> body)
    {
        using var ms = new MemoryStream();
        using (var b = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true)) body(b);
        w.Write(kind);
        w.Write((int)ms.Length);
        w.Write(ms.GetBuffer(), 0, (int)ms.Length);
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        w.Write((ushort)b.Length);
        w.Write(b);
    }

    private static void WriteOperand(BinaryWriter w, Operand o) { w.Write((byte)o.Kind); w.Write(o.Value); }

    private static void WriteInstr(BinaryWriter w, in Instruction i)
    {
        w.Write((byte)i.Op); w.Write(i.Sub);
        WriteOperand(w, i.Dst); WriteOperand(w, i.A); WriteOperand(w, i.B);
        w.Write(i.Imm); w.Write(i.Imm2); w.Write(i.Target);
        w.Write(i.SigMask); w.Write(i.Signal); w.Write(i.Defer); w.Write((byte)i.Flags);
    }

    private static Instruction ReadInstr(Reader r)
    {
        var at = r.Pos;
        var op = r.U8();
        if (op > (byte)Opcode.Halt) throw new ImageFormatException($"{r.Name}: unknown opcode {op} at byte offset {at}");
        return new Instruction
        {
            Op = (Opcode)op, Sub = r.U8(), Dst = Opnd(r), A = Opnd(r), B = Opnd(r),
            Imm = r.I32(), Imm2 = r.I32(), Target = r.I32(), SigMask = r.U16(), Signal = r.U8(), Defer = r.U8(),
            Flags = (InstrFlags)r.U8(),
        };
    }

    private static Operand Opnd(Reader r)
    {
        var at = r.Pos;
        var k = r.U8();
        if (k > (byte)OperandKind.Imm) throw new ImageFormatException($"{r.Name}: unknown operand kind {k} at byte offset {at}");
        return new Operand((OperandKind)k, r.I32());
    }

    private sealed class Reader(byte[] bytes, string name)
    {
        public int Pos;
        public string Name => name;

        private void Need(int n)
        {
            if (Pos + n > bytes.Length)
                throw new ImageFormatException($"{name}: truncated image: needed {n} bytes at byte offset {Pos}, file has {bytes.Length}");
        }

        public byte U8() { Need(1); return bytes[Pos++]; }
        public ushort U16() { Need(2); var v = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(Pos)); Pos += 2; return v; }
        public int I32() { Need(4); var v = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(Pos)); Pos += 4; return v; }
        public uint U32() => (uint)I32();
        public byte[] Bytes(int n) { Need(n); var v = bytes.AsSpan(Pos, n).ToArray(); Pos += n; return v; }
        public string Str() { var n = U16(); return Encoding.UTF8.GetString(Bytes(n)); }
    }
}
