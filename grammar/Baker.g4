// The Baker language, version 1 (../shared/baker-language.md is normative).
// One combined grammar: the parser builds a concrete tree that compiler/Syntax/AstBuilder.cs
// turns into the immutable AST. Names of types other than the scalar keywords (protocols,
// structs, `packet`) are plain identifiers resolved by semantic analysis.
grammar Baker;

compilationUnit : topDecl* EOF ;

topDecl
    : importDecl
    | protocolDecl
    | metadataDecl
    | structDecl
    | constDecl
    | ppfDecl
    | moduleDecl
    | appDecl
    | functionDecl
    | varDecl
    ;

importDecl   : IMPORT STRING ';' ;

// ---- protocols, metadata, structs ------------------------------------------------------------
protocolDecl   : PROTOCOL ID '{' protocolMember* '}' ';'? ;
protocolMember
    : ID ':' expr ';'                         # protocolField
    | DEMUX '{' expr '}' ';'?                 # protocolDemux
    ;

metadataDecl : METADATA '{' fieldDecl* '}' ';'? ;
structDecl   : STRUCT ID '{' fieldDecl* '}' ';'? ;
fieldDecl    : type declarator (',' declarator)* ';' ;

// ---- declarations ----------------------------------------------------------------------------
constDecl    : CONST type ID '=' expr ';' ;
varDecl      : type initDeclarator (',' initDeclarator)* ';' ;
initDeclarator : declarator ('=' expr)? ;
declarator   : ID ('[' expr ']')* ;

type
    : baseType ('*')*
    ;
baseType
    : scalarType
    | LOCK_T
    | VOID
    | ID
    ;
scalarType   : U8 | U16 | U32 | U64 | I8 | I16 | I32 | I64 | BOOL ;

functionDecl : type ID '(' paramList? ')' block ;
paramList    : param (',' param)* ;
param        : type ID ;

// ---- PPFs, modules, the app ------------------------------------------------------------------
ppfDecl      : PPF ID '{' ppfMember* '}' ';'? ;
ppfMember
    : endpointDecl
    | constDecl
    | initBlock
    | processDecl
    | CONTROL functionDecl
    | functionDecl
    | varDecl
    ;
endpointDecl : (INPUT | OUTPUT) ID ID ';' ;
initBlock    : INIT block ;
processDecl  : PROCESS ID '(' param ')' block ;

moduleDecl   : MODULE ID '{' moduleMember* '}' ';'? ;
appDecl      : APP ID '{' moduleMember* '}' ';'? ;
moduleMember
    : endpointDecl
    | instanceDecl
    | wiringBlock
    ;
instanceDecl : (PPF | MODULE) ID ':' ID ';' ;
wiringBlock  : WIRING '{' wire* '}' ;
wire         : endpointRef (ARROW | back='<' '-') endpointRef ';' ;
endpointRef  : ID ('.' ID)? ;

// ---- statements ------------------------------------------------------------------------------
block        : '{' statement* '}' ;

statement
    : block                                                        # blockStmt
    | constDecl                                                    # localConstStmt
    | varDecl                                                      # localVarStmt
    | IF '(' expr ')' statement (ELSE statement)?                  # ifStmt
    | WHILE '(' expr ')' statement                                 # whileStmt
    | DO statement WHILE '(' expr ')' ';'                          # doStmt
    | FOR '(' forInit? ';' expr? ';' exprList? ')' statement       # forStmt
    | SWITCH '(' expr ')' '{' switchSection* '}'                   # switchStmt
    | BREAK ';'                                                    # breakStmt
    | CONTINUE ';'                                                 # continueStmt
    | RETURN expr? ';'                                             # returnStmt
    | expr ';'                                                     # exprStmt
    | ';'                                                          # emptyStmt
    ;
forInit
    : type initDeclarator (',' initDeclarator)*
    | exprList
    ;
exprList      : expr (',' expr)* ;
switchSection : switchLabel+ statement* ;
switchLabel
    : CASE expr ':'
    | DEFAULT ':'
    ;

// ---- expressions (C precedence, highest first) -----------------------------------------------
expr
    : primary                                                      # primaryExpr
    | expr '[' expr ']'                                            # indexExpr
    | expr '.' ID                                                  # memberExpr
    | expr ARROW ID                                                # arrowExpr
    | expr op=('++' | '--')                                        # postfixExpr
    | op=('++' | '--' | '+' | '-' | '!' | '~' | '*' | '&') expr    # prefixExpr
    | '(' castType ')' expr                                        # castExpr
    | expr op=('*' | '/' | '%') expr                               # binaryExpr
    | expr op=('+' | '-') expr                                     # binaryExpr
    | expr op=('<<' | '>>') expr                                   # binaryExpr
    | expr op=('<' | '>' | '<=' | '>=') expr                       # binaryExpr
    | expr op=('==' | '!=') expr                                   # binaryExpr
    | expr op='&' expr                                             # binaryExpr
    | expr op='^' expr                                             # binaryExpr
    | expr op='|' expr                                             # binaryExpr
    | expr op='&&' expr                                            # binaryExpr
    | expr op='||' expr                                            # binaryExpr
    | <assoc=right> expr '?' expr ':' expr                         # conditionalExpr
    | <assoc=right> expr op=('=' | '+=' | '-=' | '*=' | '/=' | '%='
                          | '&=' | '|=' | '^=' | '<<=' | '>>=') expr  # assignExpr
    ;

castType
    : scalarType
    | ID '*'+
    ;

primary
    : ID '(' exprList? ')'                                         # callPrimary
    | SIZEOF '(' type ')'                                          # sizeofPrimary
    | ID                                                           # namePrimary
    | INT                                                          # intPrimary
    | IPV4                                                         # ipv4Primary
    | MAC                                                          # macPrimary
    | CHAR                                                         # charPrimary
    | STRING                                                       # stringPrimary
    | (TRUE | FALSE)                                               # boolPrimary
    | '(' expr ')'                                                 # parenPrimary
    ;

// ---- lexer -----------------------------------------------------------------------------------
IMPORT   : 'import' ;
PROTOCOL : 'protocol' ;
METADATA : 'metadata' ;
PPF      : 'ppf' ;
MODULE   : 'module' ;
APP      : 'app' ;
INPUT    : 'input' ;
OUTPUT   : 'output' ;
WIRING   : 'wiring' ;
PROCESS  : 'process' ;
INIT     : 'init' ;
CONTROL  : 'control' ;
STRUCT   : 'struct' ;
CONST    : 'const' ;
IF       : 'if' ;
ELSE     : 'else' ;
WHILE    : 'while' ;
FOR      : 'for' ;
DO       : 'do' ;
BREAK    : 'break' ;
CONTINUE : 'continue' ;
RETURN   : 'return' ;
SWITCH   : 'switch' ;
CASE     : 'case' ;
DEFAULT  : 'default' ;
LOCK_T   : 'lock_t' ;
TRUE     : 'true' ;
FALSE    : 'false' ;
SIZEOF   : 'sizeof' ;
DEMUX    : 'demux' ;
VOID     : 'void' ;
BOOL     : 'bool' ;
U8       : 'u8' ;
U16      : 'u16' ;
U32      : 'u32' ;
U64      : 'u64' ;
I8       : 'i8' ;
I16      : 'i16' ;
I32      : 'i32' ;
I64      : 'i64' ;

// `<-` is two tokens so that `x<-1` still compares x with -1.
ARROW     : '->' ;

// A MAC literal is exactly six two-hex-digit groups; longest match makes it win over ID and INT.
MAC  : HEX2 ':' HEX2 ':' HEX2 ':' HEX2 ':' HEX2 ':' HEX2 ;
IPV4 : DEC3 '.' DEC3 '.' DEC3 '.' DEC3 ;
INT
    : '0' [xX] [0-9a-fA-F_]+
    | '0' [bB] [01_]+
    | [0-9] [0-9_]*
    ;
ID     : [A-Za-z_] [A-Za-z0-9_]* ;
CHAR   : '\'' ( '\\' [xX] [0-9a-fA-F]+ | '\\' . | ~['\\\r\n] ) '\'' ;
STRING : '"' ( '\\' . | ~["\\\r\n] )* '"' ;
UNTERMINATED_STRING : '"' ( '\\' . | ~["\\\r\n] )* ;

LINE_COMMENT  : '//' ~[\r\n]* -> channel(HIDDEN) ;
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN) ;
WS            : [ \t\r\n\f]+ -> channel(HIDDEN) ;

// Anything else becomes one token that the parser rejects with a located diagnostic.
UNTERMINATED_COMMENT : '/*' ( ~'*' | '*'+ ~[*/] )* '*'* EOF ;
BAD_CHAR : . ;

fragment HEX2 : [0-9a-fA-F] [0-9a-fA-F] ;
fragment DEC3 : [0-9] [0-9]? [0-9]? ;
