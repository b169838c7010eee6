namespace Baker.Compiler.IR;

/// <summary>An operand of an instruction; which kinds an op takes is given by its signature in the op table.</summary>
public abstract class Operand;

/// <summary>A value operand: a register or a constant.</summary>
public abstract class Value : Operand
{
    public abstract IrType Type { get; }
}

/// <summary>
/// A virtual register. The IR is not SSA: a register may be assigned by several instructions (a
/// source variable lowers to one register), but it has exactly one type. Registers have no fixed
/// number: the printer numbers them in order (parameters first, then by first definition in block
/// order), so the text form is deterministic.
/// </summary>
public sealed class Register(IrType type, string? hint = null) : Value
{
    public override IrType Type { get; } = type;
    /// <summary>The source variable this register holds, if any (for readers of dumps; not printed).</summary>
    public string? Hint { get; } = hint;
}

/// <summary>A constant, normalised to its type.</summary>
public sealed class Constant : Value
{
    public Constant(ulong bits, IrType type)
    {
        Type = type;
        Bits = type.Normalize(bits);
    }
    public override IrType Type { get; }
    public ulong Bits { get; }
}

public sealed class ObjectRef(StorageObject target) : Operand
{
    public StorageObject Target { get; } = target;
}

public sealed class BlockRef(Block target) : Operand
{
    public Block Target { get; set; } = target;
}

public sealed class IntImm(long value) : Operand
{
    public long Value { get; } = value;
}

public sealed class FieldRef(IrMetaField field) : Operand
{
    public IrMetaField Field { get; } = field;
}

/// <summary>An endpoint of the PPF instance that owns the function, by name.</summary>
public sealed class EndpointRef(string name) : Operand
{
    public string Name { get; } = name;
}

public sealed class FunctionRef(IrFunction target) : Operand
{
    public IrFunction Target { get; } = target;
}

public sealed class StringImm(string text) : Operand
{
    public string Text { get; } = text;
}
