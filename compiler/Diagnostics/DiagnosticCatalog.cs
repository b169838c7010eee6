namespace Baker.Compiler.Diagnostics;

/// <summary>
/// Every diagnostic the compiler can report, with a stable code. Codes are never reused: a
/// retired diagnostic keeps its number, commented out. Ranges: BK1xxx syntax, BK2xxx semantics,
/// BK3xxx dataflow checks (packets, metadata), BK4xxx optimisation remarks, BK5xxx back ends and
/// placement, BK6xxx run time, BK9xxx the compiler's own faults. Each message says what is wrong and what to do. The comment on
/// each entry says where the diagnostic points.
/// </summary>
public static class DiagnosticCatalog
{
    private static DiagnosticDescriptor E(string code, string template) => new(code, Severity.Error, template);
    private static DiagnosticDescriptor W(string code, string template) => new(code, Severity.Warning, template);

    // ---- BK9xxx: the compiler's own faults --------------------------------------------------------
    /// <summary>At the function (or the first file) being processed when a pass failed.</summary>
    public static readonly DiagnosticDescriptor InternalError = E("BK9001", "internal error in pass '{0}' on {1}: {2}; this is a compiler bug: please report it with this program");

    // ---- BK1xxx: syntax ------------------------------------------------------------------------
    /// <summary>At the character.</summary>
    public static readonly DiagnosticDescriptor UnexpectedCharacter = E("BK1001", "unexpected character '{0}'; remove it");
    /// <summary>At the opening '/*'.</summary>
    public static readonly DiagnosticDescriptor UnterminatedComment = E("BK1002", "comment is not closed; add '*/'");
    /// <summary>At the offending token.</summary>
    public static readonly DiagnosticDescriptor SyntaxError = E("BK1003", "syntax error at {0}: {1}");
    /// <summary>At the token before which something is missing.</summary>
    public static readonly DiagnosticDescriptor MissingToken = E("BK1004", "missing {0} before {1}");
    /// <summary>At the literal.</summary>
    public static readonly DiagnosticDescriptor InvalidInteger = E("BK1005", "invalid integer literal '{0}': {1}");
    /// <summary>At the literal.</summary>
    public static readonly DiagnosticDescriptor InvalidIpv4 = E("BK1006", "invalid IPv4 literal '{0}': each of the four parts must be 0..255");
    /// <summary>At the literal.</summary>
    public static readonly DiagnosticDescriptor InvalidCharLiteral = E("BK1007", "invalid character literal {0}: use one ASCII character or an escape (\\n \\t \\r \\0 \\\\ \\' \\\" \\xHH)");
    /// <summary>At the import's string.</summary>
    public static readonly DiagnosticDescriptor ImportNotFound = E("BK1008", "imported file '{0}' was not found (paths are relative to the importing file)");
    /// <summary>At the string of the import that closes the cycle.</summary>
    public static readonly DiagnosticDescriptor ImportCycle = E("BK1009", "import cycle: {0}; remove one of these imports");
    /// <summary>At the opening quote.</summary>
    public static readonly DiagnosticDescriptor UnterminatedString = E("BK1010", "string literal is not closed; add '\"' before the end of the line");
    /// <summary>At the file (1,1).</summary>
    public static readonly DiagnosticDescriptor CannotReadFile = E("BK1011", "cannot read source file: {0}");

    // ---- BK2xxx: names, types, declarations, wiring ---------------------------------------------
    /// <summary>At the name.</summary>
    public static readonly DiagnosticDescriptor UndeclaredName = E("BK2001", "'{0}' is not declared{1}");
    /// <summary>At the second declaration's name.</summary>
    public static readonly DiagnosticDescriptor DuplicateDeclaration = E("BK2002", "'{0}' is already declared {1} (at {2}); rename one of them");
    /// <summary>At the type name.</summary>
    public static readonly DiagnosticDescriptor UnknownType = E("BK2003", "unknown type '{0}': declare it as a struct or a protocol, or use a scalar type");
    /// <summary>At the expression being converted.</summary>
    public static readonly DiagnosticDescriptor TypeMismatch = E("BK2004", "cannot convert '{0}' to '{1}'{2}");
    /// <summary>At the operator's expression.</summary>
    public static readonly DiagnosticDescriptor BadOperands = E("BK2005", "operator '{0}' cannot be applied to {1}");
    /// <summary>At the assignment target.</summary>
    public static readonly DiagnosticDescriptor NotAssignable = E("BK2006", "{0} cannot be assigned to: only variables, array elements, fields, '*pointer', packet fields and metadata are assignable");
    /// <summary>At the expression.</summary>
    public static readonly DiagnosticDescriptor NotConstant = E("BK2007", "{0} must be a constant expression (literals, constants, sizeof and operators)");
    /// <summary>At the size expression.</summary>
    public static readonly DiagnosticDescriptor BadArraySize = E("BK2008", "array size must be a positive constant, not {0}");
    /// <summary>At the width expression.</summary>
    public static readonly DiagnosticDescriptor BadFieldWidth = E("BK2009", "protocol field '{0}' has width {1}; widths are 1..64 bits");
    /// <summary>At the protocol name.</summary>
    public static readonly DiagnosticDescriptor HeaderNotWholeBytes = E("BK2010", "protocol '{0}' has {1} bits of fields, not a whole number of bytes; pad it or give it a demux length");
    /// <summary>At the second field's name.</summary>
    public static readonly DiagnosticDescriptor DuplicateField = E("BK2011", "field '{0}' is declared twice in {1}");
    /// <summary>At the second demux's expression.</summary>
    public static readonly DiagnosticDescriptor DuplicateDemux = E("BK2012", "protocol '{0}' has more than one demux; keep one");
    /// <summary>At the second declaration's name.</summary>
    public static readonly DiagnosticDescriptor MetadataTypeConflict = E("BK2013", "metadata field '{0}' is declared as '{1}' here and as '{2}' at {3}; use one type");
    /// <summary>At the field name.</summary>
    public static readonly DiagnosticDescriptor UnknownField = E("BK2014", "{0} has no field '{1}'");
    /// <summary>At the call.</summary>
    public static readonly DiagnosticDescriptor ArgumentCount = E("BK2015", "'{0}' takes {1} argument(s) but is given {2}");
    /// <summary>At the expression.</summary>
    public static readonly DiagnosticDescriptor NotCallable = E("BK2016", "'{0}' is not a function; there are no function pointers in Baker");
    /// <summary>At the first call of the cycle.</summary>
    public static readonly DiagnosticDescriptor Recursion = E("BK2017", "recursion is not allowed: {0}; rewrite it as a loop");
    /// <summary>At the expression.</summary>
    public static readonly DiagnosticDescriptor PointerArithmetic = E("BK2018", "operator '{0}' cannot be applied to a pointer: pointers allow only '=', '==' and '!='");
    /// <summary>At the '&amp;' expression.</summary>
    public static readonly DiagnosticDescriptor BadAddressOf = E("BK2019", "cannot take the address of {0}: '&' applies to globals, PPF state, their elements and fields");
    /// <summary>At the declaration's name.</summary>
    public static readonly DiagnosticDescriptor HandleStorage = E("BK2020", "packet handle '{0}' cannot be {1}: handles may be locals, parameters and channel payloads only");
    /// <summary>At the parameter's name, or the function's name for the return value.</summary>
    public static readonly DiagnosticDescriptor ControlNotScalar = E("BK2021", "control function '{0}' {1} has type '{2}'; control functions take and return scalars only");
    /// <summary>At the declared name (local, parameter), the return type, or the copied expression.</summary>
    public static readonly DiagnosticDescriptor LockMisuse = E("BK2022", "{0}: a type that contains lock_t cannot be a local, a parameter or a return value and is never copied");
    /// <summary>At the statement.</summary>
    public static readonly DiagnosticDescriptor BreakOutside = E("BK2023", "'{0}' is not inside a {1}");
    /// <summary>At the case label whose body falls through.</summary>
    public static readonly DiagnosticDescriptor CaseFallsThrough = E("BK2024", "this case falls through to the next one; end it with 'break', 'return' or 'continue'");
    /// <summary>At the second label.</summary>
    public static readonly DiagnosticDescriptor DuplicateCase = E("BK2025", "case label {0} appears twice in this switch");
    /// <summary>At the return statement, or the function's closing brace.</summary>
    public static readonly DiagnosticDescriptor BadReturn = E("BK2026", "{0}");
    /// <summary>At the literal.</summary>
    public static readonly DiagnosticDescriptor StringNotAllowed = E("BK2027", "a string literal may appear only as the first argument of trace(...)");
    /// <summary>At the second app, or the first file (1,1) when there is none.</summary>
    public static readonly DiagnosticDescriptor AppCount = E("BK2028", "{0}");
    /// <summary>At the endpoint reference.</summary>
    public static readonly DiagnosticDescriptor UnknownEndpoint = E("BK2029", "{0}");
    /// <summary>At the wire's target.</summary>
    public static readonly DiagnosticDescriptor WireTypeMismatch = E("BK2030", "'{0}' carries '{1}' but '{2}' expects '{3}'; the protocols of a wire must match (or the input must be 'packet')");
    /// <summary>At the second wire's source.</summary>
    public static readonly DiagnosticDescriptor FanOut = E("BK2031", "'{0}' already starts a wire (at {1}); fan-out is not allowed: use two outputs");
    /// <summary>At the instance declaration (or the endpoint for the enclosing module's own endpoints).</summary>
    public static readonly DiagnosticDescriptor DanglingEndpoint = E("BK2032", "{0} is not wired; connect it in a wiring block");
    /// <summary>At the instance declaration.</summary>
    public static readonly DiagnosticDescriptor Unreachable = E("BK2033", "input '{0}' can never receive a packet: no path leads to it from rx");
    /// <summary>At the endpoint reference.</summary>
    public static readonly DiagnosticDescriptor WireDirection = E("BK2034", "{0}");
    /// <summary>At the endpoint, process or PPF name.</summary>
    public static readonly DiagnosticDescriptor ProcessMismatch = E("BK2035", "{0}");
    /// <summary>At the instance's type name.</summary>
    public static readonly DiagnosticDescriptor BadInstance = E("BK2036", "{0}");
    /// <summary>At the endpoint argument.</summary>
    public static readonly DiagnosticDescriptor NotAnOutput = E("BK2037", "'{0}' is not an output endpoint of this PPF; channel_put takes one of: {1}");
    /// <summary>At the protocol argument.</summary>
    public static readonly DiagnosticDescriptor EncapNeedsFixedLength = E("BK2038", "protocol '{0}' has a demux length; {1} needs a fixed-length protocol");
    /// <summary>At the sizeof.</summary>
    public static readonly DiagnosticDescriptor BadSizeof = E("BK2039", "sizeof({0}) has no size: {1}");
    /// <summary>At the converted expression.</summary>
    public static readonly DiagnosticDescriptor HandleProtocolMismatch = E("BK2040", "a '{0}' handle cannot become a '{1}' handle; go through 'packet*' or decap/encap");
    /// <summary>At the statement or expression.</summary>
    public static readonly DiagnosticDescriptor NotAllowedHere = E("BK2041", "{0}");
    /// <summary>At the declaration's name.</summary>
    public static readonly DiagnosticDescriptor VoidVariable = E("BK2042", "'{0}' cannot have type void");
    /// <summary>At the operator's expression.</summary>
    public static readonly DiagnosticDescriptor ConstantDivByZero = E("BK2043", "division by zero in a constant expression");
    /// <summary>At the assignment target.</summary>
    public static readonly DiagnosticDescriptor AssignToConstant = E("BK2044", "'{0}' is a constant and cannot be assigned");
    /// <summary>At the initialiser.</summary>
    public static readonly DiagnosticDescriptor BadInitializer = E("BK2045", "{0}");
    /// <summary>At the argument.</summary>
    public static readonly DiagnosticDescriptor LockArgument = E("BK2046", "{0} takes a 'lock_t*' (for example '&my_lock'), not '{1}'");
    /// <summary>At the second init.</summary>
    public static readonly DiagnosticDescriptor DuplicateInit = E("BK2047", "PPF '{0}' has more than one init block; merge them");
    /// <summary>At the cast.</summary>
    public static readonly DiagnosticDescriptor BadCast = E("BK2048", "cannot cast '{0}' to '{1}': casts convert between scalar types, or between a handle and 'packet*'");
    /// <summary>At the condition.</summary>
    public static readonly DiagnosticDescriptor BadCondition = E("BK2049", "a condition must be a scalar (integer or bool), not '{0}'");
    /// <summary>At the assignment.</summary>
    public static readonly DiagnosticDescriptor ArrayAssignment = E("BK2050", "arrays cannot be assigned or passed by value; copy the elements in a loop");
    /// <summary>At the protocol or metadata name.</summary>
    public static readonly DiagnosticDescriptor MetaNotProtocol = E("BK2051", "{0}");
    /// <summary>At the handle argument.</summary>
    public static readonly DiagnosticDescriptor PutProtocolMismatch = E("BK2052", "output '{0}' carries '{1}' handles but is given a '{2}' handle");
    /// <summary>At the endpoint's name.</summary>
    public static readonly DiagnosticDescriptor AppEndpoint = E("BK2053", "an app has no endpoints of its own; wire rx and tx instead");
    /// <summary>At the call.</summary>
    public static readonly DiagnosticDescriptor BadArgument = E("BK2054", "{0}");
    /// <summary>At the literal (a warning).</summary>
    public static readonly DiagnosticDescriptor ConstantTruncated = W("BK2055", "constant {0} does not fit in '{1}' and becomes {2}; add a cast if this is meant");
    /// <summary>At the expression statement (a warning).</summary>
    public static readonly DiagnosticDescriptor UselessExpression = W("BK2056", "this expression has no effect");
    public static readonly DiagnosticDescriptor DecapNeedsProtocol = E("BK2057", "packet_decap needs a handle whose protocol is known ('P*', not 'packet*'): the header length comes from P; assign the handle to a 'P*' variable first");

    // ---- BK3xxx: dataflow checks --------------------------------------------------------------
    /// <summary>At the return statement, the closing brace of the body, or the allocation that overwrites an owned packet.</summary>
    public static readonly DiagnosticDescriptor PacketLeak = E("BK3001", "{0} is not put or dropped on {1}; pass it to channel_put or packet_drop on every path");
    /// <summary>At the use of the handle.</summary>
    public static readonly DiagnosticDescriptor UseAfterRelease = E("BK3002", "{0} is used after it was {1}; a handle is dead once its packet is put or dropped");
    /// <summary>At the second put/drop.</summary>
    public static readonly DiagnosticDescriptor DoubleRelease = E("BK3003", "{0} may already have been put or dropped (at {1}); a packet goes to exactly one channel_put or packet_drop");
    /// <summary>At the put/drop.</summary>
    public static readonly DiagnosticDescriptor LentRelease = E("BK3004", "'{0}' is lent to this function by its caller, who still owns the packet; return and let the caller put or drop it");
    /// <summary>At the metadata read (or the wire into tx).</summary>
    public static readonly DiagnosticDescriptor MetadataUndefined = E("BK3005", "metadata field '{0}' may be undefined here: {1}");
    /// <summary>At the use.</summary>
    public static readonly DiagnosticDescriptor HandleUnassigned = E("BK3006", "handle '{0}' may be used before it is assigned");
    /// <summary>At the return statement.</summary>
    public static readonly DiagnosticDescriptor MixedReturnOrigin = E("BK3007", "function '{0}' returns {1} here but {2} elsewhere; a handle-returning function must return either packets it makes or handles on its parameter's packet");

    // ---- BK5xxx: back ends (BK51xx are the microcode assembler's, in runtime/Isa) ----------------
    /// <summary>At the IR instruction's source location (or the function's).</summary>
    public static readonly DiagnosticDescriptor MeUnsupported = E("BK5201", "in @{0}: {1}; run this app with --target interp");
    /// <summary>At the function whose slot frame lies deepest in the slot stack.</summary>
    public static readonly DiagnosticDescriptor MeSlotStackTooDeep = E("BK5202", "the call chain down to @{0} needs {1} bytes of slot stack (SRAM) per context, more than the {2} each context has; a slot frame holds its function's local arrays and structs, its arguments past the eighth word and the spills that do not fit 16 words of local memory, and @{0}'s takes {3}: make local arrays smaller or move them to globals");
    /// <summary>At the function whose frame lies deepest in the stack.</summary>
    public static readonly DiagnosticDescriptor MeStackTooDeep = E("BK5203", "the call chain down to @{0} needs {1} words of local-memory stack per context, more than the {2} each context has; make it shallower or its frames smaller");
    /// <summary>At the app: the aggregate (the instances placed on one ME) whose code is too large.</summary>
    public static readonly DiagnosticDescriptor MeControlStoreOverflow = E("BK5204", "ME {0} runs {1}: {2} instructions, more than its control store of {3}; spread these instances over more microengines (--mes, --placement FILE) or make their code smaller");
    /// <summary>At the first metadata field that does not fit (or the app).</summary>
    public static readonly DiagnosticDescriptor MeTooManyMetadataFields = E("BK5205", "the app has {0} metadata fields (in_port and out_port included) and a microengine packet record holds {1}: '{2}' and the fields after it do not fit; declare fewer metadata fields");
    /// <summary>At the app.</summary>
    public static readonly DiagnosticDescriptor MeBufferSize = E("BK5206", "the microengine back end needs {0}-byte packet buffers and machine '{1}' has {2}-byte ones; set buffers.sizeBytes to {0} in the machine description");
    /// <summary>At the app.</summary>
    public static readonly DiagnosticDescriptor MeReceiveChannels = E("BK5207", "the app has {0} channels from rx ({1}); the microengine back end delivers the receive ring to one input");
    /// <summary>At the app.</summary>
    public static readonly DiagnosticDescriptor MeTransmitRings = E("BK5208", "machine '{0}': port {1} transmits on {2} ring {3}; the microengine back end needs the ports' transmit rings to be consecutive scratch rings (port p on ring {4} + p): fix ports[].txRing in the machine description");
    /// <summary>At the app.</summary>
    public static readonly DiagnosticDescriptor MeChannelRings = E("BK5209", "the app needs {0} channel rings of {1} words and scratch has room for {2} beside the rings of machine '{3}'; feed fewer PPF inputs through channels");
    /// <summary>At the app.</summary>
    public static readonly DiagnosticDescriptor MeSramTooSmall = E("BK5210", "the app's data needs {0} bytes of SRAM and machine '{1}' has {2}: the runtime's tables up to 0x{3:x}, {4} bytes of objects (the largest: {5}), {6} bytes of slot stacks and {7} bytes of packet records (128 per buffer); make tables smaller or give the machine more SRAM");

    // ---- BK53xx: placement files (bakerc build|run --placement FILE) ----------------------------
    /// <summary>At the line.</summary>
    public static readonly DiagnosticDescriptor PlacementSyntax = E("BK5301", "expected 'INSTANCE -> me N', found '{0}'");
    /// <summary>At the instance path.</summary>
    public static readonly DiagnosticDescriptor PlacementUnknownInstance = E("BK5302", "the app has no instance '{0}'; its instances are: {1}");
    /// <summary>At the ME number.</summary>
    public static readonly DiagnosticDescriptor PlacementMeRange = E("BK5303", "there is no ME {0} to run '{1}': use MEs 0..{2}");
    /// <summary>At the instance path of the second line.</summary>
    public static readonly DiagnosticDescriptor PlacementDuplicate = E("BK5304", "'{0}' is already placed at line {1}; give each instance one line");
    /// <summary>At the placement file (1,1).</summary>
    public static readonly DiagnosticDescriptor PlacementMissing = E("BK5305", "the placement does not place {0}; give each instance a line 'INSTANCE -> me N'");
    /// <summary>At the placement file (1,1).</summary>
    public static readonly DiagnosticDescriptor CannotReadPlacement = E("BK5306", "cannot read placement file: {0}; check its path");

    // ---- BK6xxx: run time ---------------------------------------------------------------------
    /// <summary>At the control script's line and the column of the problem (bad time, call syntax or literal).</summary>
    public static readonly DiagnosticDescriptor ControlSyntax = E("BK6001", "control script syntax error: {0}");
    /// <summary>At the call's instance path.</summary>
    public static readonly DiagnosticDescriptor UnknownInstancePath = E("BK6002", "the app has no instance '{0}'; use one of: {1}");
    /// <summary>At the call's instance path.</summary>
    public static readonly DiagnosticDescriptor UnknownControlFunction = E("BK6003", "'{0}' is not a control function of '{1}'; its control functions are: {2}");
    /// <summary>At the call's instance path.</summary>
    public static readonly DiagnosticDescriptor ControlArgumentCount = E("BK6004", "control function '{0}' takes {1} argument(s) but is given {2}; give one value per parameter");
    /// <summary>At the argument.</summary>
    public static readonly DiagnosticDescriptor ControlArgumentRange = E("BK6005", "argument {0} does not fit parameter '{1}' of type '{2}'; give a value in the range of '{2}'");
    /// <summary>At the trace file (line 0): the message names the file and, for a corrupt capture, the byte offset.</summary>
    public static readonly DiagnosticDescriptor TraceFileProblem = E("BK6006", "bad trace input: {0}; give readable pcap or pcapng files, each as FILE or PORT=FILE with PORT 0..255");
    /// <summary>At the control script (1,1).</summary>
    public static readonly DiagnosticDescriptor CannotReadControlScript = E("BK6007", "cannot read control script: {0}; check its path");

    /// <summary>A control call or an init faulted at run time (division by zero, an index out of bounds, ...); the run goes on.</summary>
    public static readonly DiagnosticDescriptor ControlCallFailed = E("BK6008", "'{0}' failed at run time: {1}; its effects up to the fault remain");
}
