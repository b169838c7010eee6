using System.Globalization;
using System.Text;

namespace Baker.Compiler.IR;

/// <summary>A syntax or name error in IR text; the message is <c>file(line,col): error: ...</c>.</summary>
public sealed class IrParseException(string message) : Exception(message);

/// <summary>
/// Reads the text form of the IR (docs/ir.md) written by <see cref="IrPrinter"/>. Operands are read by
/// the kinds in the op's signature. Names may be used before they are declared (functions, blocks,
/// registers assigned further down), so operands are parsed into resolvers that run once the whole
/// text has been read. Type rules are left to <see cref="IrVerifier"/>.
/// </summary>
public static class IrParser
{
    public static IrModule Parse(string text, string fileName) => new Parser(text, fileName).ParseModule();

    private enum TokenKind { Ident, Global, Local, Register, Int, String, Punct, Newline, End }

    /// <summary>A token; <see cref="Text"/> is the name without its sigil, the digits of a register, or a string's decoded contents.</summary>
    private readonly record struct Token(TokenKind Kind, string Text, int Line, int Column);

    /// <summary>The names local to the function being read.</summary>
    private sealed class FunctionScope(IrFunction function)
    {
        public IrFunction Function { get; } = function;
        public Dictionary<int, Register> Registers { get; } = new();
        public Dictionary<string, Block> Labels { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, StorageObject> Slots { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Parser
    {
        private readonly string file;
        private readonly List<Token> tokens;
        private int pos;
        private IrModule module = null!;
        private readonly Dictionary<string, IrMetaField> fields = new(StringComparer.Ordinal);
        private readonly Dictionary<string, StorageObject> objects = new(StringComparer.Ordinal);
        private readonly Dictionary<string, IrFunction> functions = new(StringComparer.Ordinal);
        /// <summary>Work that needs every declaration, run in text order at the end so the first error in the text is reported.</summary>
        private readonly List<Action> fixups = new();

        public Parser(string text, string file)
        {
            this.file = file;
            tokens = Lex(text);
        }

        private IrParseException Error(Token t, string message) => Error(t.Line, t.Column, message);
        private IrParseException Error(int line, int column, string message) => new($"{file}({line},{column}): error: {message}");

        // ---- Lexer ----

        private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '(' or ')';
        private static bool IsIdentChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.';

        private List<Token> Lex(string text)
        {
            var list = new List<Token>();
            int i = 0, line = 1, lineStart = 0;
            while (i < text.Length)
            {
                char c = text[i];
                int col = i - lineStart + 1, start = i;
                void Add(TokenKind kind, string s) => list.Add(new Token(kind, s, line, col));
                if (c == '\n')
                {
                    Add(TokenKind.Newline, "");
                    line++;
                    lineStart = ++i;
                }
                else if (c is ' ' or '\t' or '\r') i++;
                else if (c == ';') { while (i < text.Length && text[i] != '\n') i++; }
                else if (c is '@' or '$' or '%')
                {
                    i++;
                    while (i < text.Length && (c == '%' ? char.IsAsciiDigit(text[i]) : IsNameChar(text[i]))) i++;
                    if (i == start + 1) throw Error(line, col, c == '%' ? "expected a register number after '%'" : $"expected a name after '{c}'");
                    Add(c switch { '@' => TokenKind.Global, '$' => TokenKind.Local, _ => TokenKind.Register }, text[(start + 1)..i]);
                }
                else if (char.IsAsciiLetter(c) || c == '_')
                {
                    while (i < text.Length && IsIdentChar(text[i])) i++;
                    Add(TokenKind.Ident, text[start..i]);
                }
                else if (char.IsAsciiDigit(c) || (c == '-' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
                {
                    i++;
                    while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                    Add(TokenKind.Int, text[start..i]);
                }
                else if (c == '-' && i + 1 < text.Length && text[i + 1] == '>')
                {
                    Add(TokenKind.Punct, "->");
                    i += 2;
                }
                else if ("(){},:=!".Contains(c))
                {
                    Add(TokenKind.Punct, c.ToString());
                    i++;
                }
                else if (c == '"') Add(TokenKind.String, LexString(text, ref i, line, lineStart));
                else throw Error(line, col, $"unexpected character {ShowChar(c)}");
            }
            list.Add(new Token(TokenKind.Newline, "", line, i - lineStart + 1));
            list.Add(new Token(TokenKind.End, "", line, i - lineStart + 1));
            return list;
        }

        private static string ShowChar(char c) => char.IsControl(c) || char.IsWhiteSpace(c) ? $"U+{(int)c:X4}" : $"'{c}'";

        private string LexString(string text, ref int i, int line, int lineStart)
        {
            int open = i - lineStart + 1;
            var sb = new StringBuilder();
            i++;
            while (true)
            {
                if (i >= text.Length || text[i] == '\n') throw Error(line, open, "unterminated string");
                char c = text[i++];
                if (c == '"') return sb.ToString();
                if (c != '\\') { sb.Append(c); continue; }
                int at = i - lineStart;
                char e = i < text.Length ? text[i++] : '\0';
                switch (e)
                {
                    case '\\' or '"': sb.Append(e); break;
                    case 'n': sb.Append('\n'); break;
                    case 't': sb.Append('\t'); break;
                    case 'x' when i + 2 <= text.Length && char.IsAsciiHexDigit(text[i]) && char.IsAsciiHexDigit(text[i + 1]):
                        sb.Append((char)int.Parse(text.AsSpan(i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        i += 2;
                        break;
                    default: throw Error(line, at, e == 'x' ? "\\x needs two hex digits" : $"unknown escape \\{(e == '\0' || char.IsControl(e) ? ShowChar(e) : e)}");
                }
            }
        }

        // ---- Token helpers ----

        private Token Peek => tokens[pos];
        private Token PeekNext => tokens[Math.Min(pos + 1, tokens.Count - 1)];

        private Token Next()
        {
            var t = tokens[pos];
            if (t.Kind != TokenKind.End) pos++;
            return t;
        }

        private static string Describe(Token t) => t.Kind switch
        {
            TokenKind.Newline => "end of line",
            TokenKind.End => "end of file",
            TokenKind.String => "a string",
            TokenKind.Global => $"'@{t.Text}'",
            TokenKind.Local => $"'${t.Text}'",
            TokenKind.Register => $"'%{t.Text}'",
            _ => $"'{t.Text}'",
        };

        private bool IsPunct(string p) => Peek.Kind == TokenKind.Punct && Peek.Text == p;
        private bool IsWord(string w) => Peek.Kind == TokenKind.Ident && Peek.Text == w;

        private Token Expect(TokenKind kind, string what) =>
            Peek.Kind == kind ? Next() : throw Error(Peek, $"expected {what}, found {Describe(Peek)}");

        private void ExpectPunct(string p)
        {
            if (!IsPunct(p)) throw Error(Peek, $"expected '{p}', found {Describe(Peek)}");
            Next();
        }

        private void ExpectWord(string w)
        {
            if (!IsWord(w)) throw Error(Peek, $"expected '{w}', found {Describe(Peek)}");
            Next();
        }

        private string Ident(string what) => Expect(TokenKind.Ident, what).Text;

        private void EndOfLine()
        {
            if (Peek.Kind is not (TokenKind.Newline or TokenKind.End)) throw Error(Peek, $"expected end of line, found {Describe(Peek)}");
            SkipNewlines();
        }

        private void SkipNewlines()
        {
            while (Peek.Kind == TokenKind.Newline) Next();
        }

        private int Count(string what)
        {
            var t = Expect(TokenKind.Int, what);
            return int.TryParse(t.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) && v >= 0
                ? v : throw Error(t, $"{what} must be a non-negative 32-bit integer, not {t.Text}");
        }

        private IrType Type(string what, bool allowVoid = false)
        {
            var t = Expect(TokenKind.Ident, what);
            if (!IrTypes.TryParse(t.Text, out var type)) throw Error(t, $"unknown type '{t.Text}'");
            if (type == IrType.Void && !allowVoid) throw Error(t, $"{what} cannot be void");
            return type;
        }

        private IrType ScalarType(string what)
        {
            var t = Peek;
            var type = Type(what);
            return type.IsScalar() ? type : throw Error(t, $"{what} must be bool or an integer type, not {type.Name()}");
        }

        /// <summary>A decimal literal of a scalar type, which must hold it exactly.</summary>
        private ulong Literal(Token t, IrType type)
        {
            bool ok;
            ulong bits;
            if (type.IsSigned())
            {
                ok = long.TryParse(t.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var signed);
                bits = (ulong)signed;
            }
            else ok = ulong.TryParse(t.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out bits);
            return ok && type.Normalize(bits) == bits ? bits : throw Error(t, $"{t.Text} is not a {type.Name()} value");
        }

        private SourceLocation Position(string locationFile)
        {
            ExpectPunct(":");
            int line = Count("a line number");
            ExpectPunct(":");
            return new SourceLocation(locationFile, line, Count("a column number"));
        }

        private Func<IrFunction> FunctionRef(Token name) =>
            () => functions.GetValueOrDefault(name.Text) ?? throw Error(name, $"unknown function @{name.Text}");

        // ---- Declarations ----

        public IrModule ParseModule()
        {
            SkipNewlines();
            var app = Peek;
            ExpectWord("app");
            module = new IrModule(Ident("the app name")) { Location = new SourceLocation(file, app.Line, app.Column) };
            EndOfLine();
            while (Peek.Kind != TokenKind.End)
            {
                var keyword = Expect(TokenKind.Ident, "a declaration (meta, global, state, instance, channel or func)");
                switch (keyword.Text)
                {
                    case "meta": ParseMeta(); break;
                    case "global": ParseObject(StorageKind.Global); break;
                    case "state": ParseObject(StorageKind.State); break;
                    case "instance": ParseInstance(); break;
                    case "channel": ParseChannel(); break;
                    case "func": ParseFunction(); break;
                    default: throw Error(keyword, $"unknown declaration '{keyword.Text}'");
                }
            }
            foreach (var fixup in fixups) fixup();
            return module;
        }

        private void ParseMeta()
        {
            var name = Expect(TokenKind.Ident, "a metadata field name");
            var field = new IrMetaField(name.Text, ScalarType("a metadata field type"), module.Metadata.Count) { Location = new SourceLocation(file, name.Line, name.Column) };
            if (!fields.TryAdd(name.Text, field)) throw Error(name, $"metadata field {name.Text} is already defined");
            module.Metadata.Add(field);
            EndOfLine();
        }

        private StorageObject ParseStorage(Token name, StorageKind kind)
        {
            var typeText = Expect(TokenKind.String, "the object's source type in quotes").Text;
            ExpectWord("size");
            int size = Count("a size");
            ExpectWord("align");
            int align = Count("an alignment");
            if (kind == StorageKind.Slot) return new StorageObject(name.Text, kind, typeText, size, align);
            var initType = IrType.Void;
            ulong initValue = 0;
            if (IsWord("init"))
            {
                Next();
                initType = ScalarType("an initial value's type");
                initValue = Literal(Expect(TokenKind.Int, "an initial value"), initType);
            }
            string? owner = null;
            if (kind == StorageKind.State)
            {
                ExpectWord("owner");
                owner = Ident("the owning instance's path");
            }
            return new StorageObject(name.Text, kind, typeText, size, align) { InitType = initType, InitValue = initValue, Owner = owner };
        }

        private void ParseObject(StorageKind kind)
        {
            var name = Expect(TokenKind.Global, "an object name (@name)");
            var o = ParseStorage(name, kind);
            if (!objects.TryAdd(name.Text, o)) throw Error(name, $"object @{name.Text} is already defined");
            module.Objects.Add(o);
            EndOfLine();
        }

        private void ParseInstance()
        {
            var path = Expect(TokenKind.Ident, "an instance path");
            var inst = new IrInstance(path.Text, Expect(TokenKind.String, "the PPF name in quotes").Text);
            if (module.Instance(path.Text) is not null) throw Error(path, $"instance {path.Text} is already defined");
            module.Instances.Add(inst);
            ExpectPunct("{");
            EndOfLine();
            bool hasInit = false;
            while (!IsPunct("}"))
            {
                var keyword = Expect(TokenKind.Ident, "input, output, init, control or '}'");
                switch (keyword.Text)
                {
                    case "input" or "output":
                        var name = Expect(TokenKind.Ident, "an endpoint name");
                        var e = new IrEndpoint(name.Text, keyword.Text == "input", Ident("the endpoint's protocol"));
                        if (inst.Endpoint(name.Text) is not null) throw Error(name, $"endpoint {name.Text} is already defined");
                        inst.Endpoints.Add(e);
                        if (e.IsInput && IsPunct("->"))
                        {
                            Next();
                            var process = FunctionRef(Expect(TokenKind.Global, "a process function (@name)"));
                            fixups.Add(() => e.Process = process());
                        }
                        break;
                    case "init":
                        if (hasInit) throw Error(keyword, $"instance {inst.Path} already has an init function");
                        hasInit = true;
                        var init = FunctionRef(Expect(TokenKind.Global, "an init function (@name)"));
                        fixups.Add(() => inst.Init = init());
                        break;
                    case "control":
                        var control = FunctionRef(Expect(TokenKind.Global, "a control function (@name)"));
                        fixups.Add(() => inst.Controls.Add(control()));
                        break;
                    default: throw Error(keyword, $"expected input, output, init, control or '}}', found '{keyword.Text}'");
                }
                EndOfLine();
            }
            Next();
            EndOfLine();
        }

        private void ParseChannel()
        {
            var id = Peek;
            int number = Count("a channel number");
            var from = ChannelEnd(source: true);
            ExpectPunct("->");
            var to = ChannelEnd(source: false);
            if (module.Channels.Any(c => c.Id == number)) throw Error(id, $"channel {number} is already defined");
            module.Channels.Add(new IrChannel(number, from, to));
            EndOfLine();
        }

        private IrChannelEnd ChannelEnd(bool source)
        {
            string driver = source ? "rx" : "tx", what = $"{driver} or INSTANCE.ENDPOINT";
            var t = Expect(TokenKind.Ident, what);
            if (t.Text == driver) return new IrChannelEnd(null, null);
            int dot = t.Text.LastIndexOf('.');
            if (dot <= 0 || dot == t.Text.Length - 1) throw Error(t, $"expected {what}, found '{t.Text}'");
            return new IrChannelEnd(t.Text[..dot], t.Text[(dot + 1)..]);
        }

        // ---- Functions ----

        private void ParseFunction()
        {
            var nameTok = Expect(TokenKind.Global, "a function name (@name)");
            // Names may contain parentheses, so the name's token can take in the opening of the parameter list.
            var name = nameTok.Text;
            var parameters = new List<(Token Tok, IrType Type)>();
            if (name.EndsWith("()", StringComparison.Ordinal)) name = name[..^2];
            else
            {
                if (name.EndsWith('(')) name = name[..^1];
                else ExpectPunct("(");
                while (!IsPunct(")"))
                {
                    if (parameters.Count > 0) ExpectPunct(",");
                    var reg = Expect(TokenKind.Register, "a parameter (%N)");
                    ExpectPunct(":");
                    parameters.Add((reg, Type("a parameter type")));
                }
                Next();
            }
            if (name.Length == 0) throw Error(nameTok, "expected a function name before the parameter list");
            ExpectPunct("->");
            var returnType = Type("a return type", allowVoid: true);
            var kindTok = Expect(TokenKind.Ident, "helper, init, process or control");
            var kind = kindTok.Text switch
            {
                "helper" => FunctionKind.Helper,
                "init" => FunctionKind.Init,
                "process" => FunctionKind.Process,
                "control" => FunctionKind.Control,
                _ => throw Error(kindTok, $"expected helper, init, process or control, found '{kindTok.Text}'"),
            };
            string? instance = null, endpoint = null;
            SourceLocation? at = null;
            if (IsWord("instance")) { Next(); instance = Ident("an instance path"); }
            if (IsWord("endpoint")) { Next(); endpoint = Ident("an endpoint name"); }
            if (IsWord("at")) { Next(); at = Position(Expect(TokenKind.String, "a file name in quotes").Text); }
            ExpectPunct("{");
            EndOfLine();

            var f = new IrFunction(name, kind, returnType) { Instance = instance, Endpoint = endpoint, Location = at };
            if (!functions.TryAdd(name, f)) throw Error(nameTok, $"function @{name} is already defined");
            module.Functions.Add(f);
            var scope = new FunctionScope(f);
            foreach (var (tok, type) in parameters)
            {
                var r = new Register(type);
                if (!scope.Registers.TryAdd(RegisterNumber(tok), r)) throw Error(tok, $"parameter %{tok.Text} is listed twice");
                f.Params.Add(r);
            }

            Block? block = null;
            while (!IsPunct("}"))
            {
                if (IsWord("slot"))
                {
                    var slotTok = Next();
                    if (block is not null) throw Error(slotTok, "slots must come before the first block");
                    var slotName = Expect(TokenKind.Local, "a slot name ($name)");
                    var slot = ParseStorage(slotName, StorageKind.Slot);
                    if (!scope.Slots.TryAdd(slotName.Text, slot)) throw Error(slotName, $"slot ${slotName.Text} is already defined");
                    f.Slots.Add(slot);
                }
                else if (Peek.Kind == TokenKind.Ident && PeekNext is { Kind: TokenKind.Punct, Text: ":" })
                {
                    var label = Next();
                    Next();
                    block = new Block();
                    if (!scope.Labels.TryAdd(label.Text, block)) throw Error(label, $"block {label.Text} is already defined");
                    f.Blocks.Add(block);
                }
                else if (block is null) throw Error(Peek, $"expected a slot or a block label, found {Describe(Peek)}");
                else ParseInstruction(scope, block);
                EndOfLine();
            }
            Next();
            EndOfLine();
        }

        private int RegisterNumber(Token t) =>
            int.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw Error(t, $"register number %{t.Text} is too large");

        private void ParseInstruction(FunctionScope scope, Block block)
        {
            Register? dest = null;
            if (Peek.Kind == TokenKind.Register)
            {
                var destTok = Next();
                ExpectPunct(":");
                var type = Type("a register type");
                ExpectPunct("=");
                int n = RegisterNumber(destTok);
                if (scope.Registers.TryGetValue(n, out dest))
                {
                    if (dest.Type != type) throw Error(destTok, $"register %{n} is {dest.Type.Name()} elsewhere, not {type.Name()}");
                }
                else scope.Registers.Add(n, dest = new Register(type));
            }
            var opTok = Expect(TokenKind.Ident, "an op name");
            if (!OpTable.TryGet(opTok.Text, out var info)) throw Error(opTok, $"unknown op '{opTok.Text}'");
            var sig = OpSignature.Of(info.Op);
            var operands = new List<Func<Operand>>();
            Func<Operand> Operand(char kind)
            {
                if (operands.Count > 0) ExpectPunct(",");
                return ParseOperand(kind, scope, $"{OpSignature.Describe(kind)} as operand {operands.Count + 1} of '{info.Name}'");
            }
            foreach (char k in sig.Fixed) operands.Add(Operand(k));
            if (sig.Tail.Length > 0)
                do
                {
                    if (Peek.Kind is TokenKind.Newline or TokenKind.End || IsPunct("!")) break;
                    foreach (char k in sig.Tail) operands.Add(Operand(k));
                } while (sig.TailRepeats);
            SourceLocation? location = null;
            if (IsPunct("!"))
            {
                var bang = Next();
                if (Peek.Kind == TokenKind.String) location = Position(Next().Text);
                else
                {
                    var atFile = scope.Function.Location?.File ?? throw Error(bang, "a location without a file needs the function's 'at' file");
                    int line = Count("a line number");
                    ExpectPunct(":");
                    location = new SourceLocation(atFile, line, Count("a column number"));
                }
            }
            fixups.Add(() => block.Instructions.Add(new Instruction(info.Op, dest, operands.Select(o => o()).ToArray(), location)));
        }

        private Func<Operand> ParseOperand(char kind, FunctionScope scope, string what)
        {
            switch (kind)
            {
                case 'v':
                case 'l' when Peek.Kind is not (TokenKind.Global or TokenKind.Local):
                    return ParseValue(scope, what);
                case 'l' or 'o':
                    var o = Peek.Kind is TokenKind.Global or TokenKind.Local ? Next() : throw Error(Peek, $"expected {what}, found {Describe(Peek)}");
                    if (o.Kind == TokenKind.Local)
                        return () => new ObjectRef(scope.Slots.GetValueOrDefault(o.Text) ?? throw Error(o, $"unknown slot ${o.Text}"));
                    return () => new ObjectRef(objects.GetValueOrDefault(o.Text) ?? throw Error(o, $"unknown object @{o.Text}"));
                case 'b':
                    var label = Expect(TokenKind.Ident, what);
                    return () => new BlockRef(scope.Labels.GetValueOrDefault(label.Text) ?? throw Error(label, $"unknown block {label.Text}"));
                case 'i':
                    var imm = Expect(TokenKind.Int, what);
                    var value = long.TryParse(imm.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
                        ? new IntImm(v) : throw Error(imm, $"{imm.Text} does not fit in a 64-bit immediate");
                    return () => value;
                case 'f':
                    var field = Expect(TokenKind.Ident, what);
                    return () => new FieldRef(fields.GetValueOrDefault(field.Text) ?? throw Error(field, $"unknown metadata field {field.Text}"));
                case 'e':
                    var endpoint = new EndpointRef(Ident(what));
                    return () => endpoint;
                case 'F':
                    var callee = FunctionRef(Expect(TokenKind.Global, what));
                    return () => new FunctionRef(callee());
                default:
                    var text = new StringImm(Expect(TokenKind.String, what).Text);
                    return () => text;
            }
        }

        private Func<Operand> ParseValue(FunctionScope scope, string what)
        {
            var t = Next();
            if (t.Kind == TokenKind.Register)
            {
                int n = RegisterNumber(t);
                return () => scope.Registers.GetValueOrDefault(n) ?? throw Error(t, $"register %{n} is never assigned");
            }
            if (t.Kind != TokenKind.Int) throw Error(t, $"expected {what} (%N or VALUE:TYPE), found {Describe(t)}");
            ExpectPunct(":");
            var type = ScalarType("a constant's type");
            var c = new Constant(Literal(t, type), type);
            return () => c;
        }
    }
}
