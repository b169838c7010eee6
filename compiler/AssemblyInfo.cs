// The ANTLR-generated lexer and parser carry [CLSCompliant(false)]; declaring the assembly's
// compliance keeps that attribute meaningful (CS3021 otherwise).
[assembly: System.CLSCompliant(false)]
