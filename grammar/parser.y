/* parser.y - the pmufc policy grammar (pure, reentrant, with locations).
 *
 * Grammar actions only build the AST (ast.h); every check that needs more
 * than one token's worth of context happens in resolve.c.  All nodes are
 * allocated in the compilation's arena, so error recovery leaks nothing
 * and needs no %destructor. */
%require "3.8"
%define api.pure full
%define api.prefix {pf_yy}
%define parse.error custom
%locations
%expect 0

%code requires {
#include "lang/ast.h"
#include "parse.h"
#include "lang/include.h"

typedef void *yyscan_t;

/* Locations carry their source so that includes can come later without
 * changing every diagnostic. */
typedef struct PF_YYLTYPE {
    int first_line, first_column, last_line, last_column;
    const struct pf_source *src;
} PF_YYLTYPE;
#define PF_YYLTYPE_IS_DECLARED 1
#define PF_YYLTYPE_IS_TRIVIAL 1

#define YYLLOC_DEFAULT(Cur, Rhs, N)                                  \
    do {                                                             \
        if (N) {                                                     \
            (Cur).first_line = YYRHSLOC(Rhs, 1).first_line;          \
            (Cur).first_column = YYRHSLOC(Rhs, 1).first_column;      \
            (Cur).last_line = YYRHSLOC(Rhs, N).last_line;            \
            (Cur).last_column = YYRHSLOC(Rhs, N).last_column;        \
            (Cur).src = YYRHSLOC(Rhs, 1).src;                        \
        } else {                                                     \
            (Cur).first_line = (Cur).last_line = YYRHSLOC(Rhs, 0).last_line;       \
            (Cur).first_column = (Cur).last_column = YYRHSLOC(Rhs, 0).last_column; \
            (Cur).src = YYRHSLOC(Rhs, 0).src;                        \
        }                                                            \
    } while (0)
}

%param {yyscan_t scanner}
%parse-param {struct pf_parse_ctx *ctx}

%code {
#include "base/arena.h"
#include "base/suggest.h"

#include <stdio.h>
#include <string.h>

int pf_yylex(PF_YYSTYPE *lval, PF_YYLTYPE *lloc, yyscan_t scanner);
static void pf_yyerror(PF_YYLTYPE *lloc, yyscan_t scanner, struct pf_parse_ctx *ctx,
                       const char *msg);

static struct pf_loc mkloc(const PF_YYLTYPE *l)
{
    struct pf_loc p = {l->src, (unsigned)l->first_line, (unsigned)l->first_column,
                       (unsigned)l->last_line, (unsigned)l->last_column};
    return p;
}

/* A rule (or expectation) of action a over matches m, which the grammar
 * prepended: they are put back in source order.  NULL when memory is
 * exhausted (ctx->oom set). */
static struct pf_rule *new_rule(struct pf_parse_ctx *ctx, int a, struct pf_match *m,
                                const PF_YYLTYPE *l)
{
    struct pf_rule *r = pf_arena_alloc(ctx->arena, sizeof(*r));
    if (!r) {
        ctx->oom = 1;
        return NULL;
    }
    r->action = (enum pf_action)a;
    r->loc = mkloc(l);
    struct pf_match *rev = NULL;
    for (struct pf_match *next; m; m = next) {
        next = m->next;
        m->next = rev;
        rev = m;
    }
    r->matches = rev;
    return r;
}

/* Allocation failures are reported once and abort the parse. */
#define NEW(ctx, type, out)                                              \
    do {                                                                 \
        (out) = pf_arena_alloc((ctx)->arena, sizeof(type));              \
        if (!(out)) {                                                    \
            (ctx)->oom = 1;                                              \
            YYNOMEM;                                                     \
        }                                                                \
    } while (0)
}

%union {
    uint64_t num;
    const char *str;
    int ival;
    struct pf_range *range;
    struct pf_valset *valset;
    struct pf_field *field;
    struct pf_match *match;
}

%token ALLOW "allow" DENY "deny" DEFAULT "default" TARGET "target"
%token X86 "x86" INTEL "intel" AMD "amd" ARM "arm" ARM64 "arm64" FIXED "fixed" RAW "raw"
%token SELECT "select" UMASK "umask" MASK "mask" MATCH "match" EVENT "event" CPU "cpu"
%token INCLUDE "include" EXPECT "expect"
%token <str> STRING "string"
%token <num> NUMBER "number"
%token <str> IDENT "identifier"
%token <str> PATTERN "pattern"
%token LEXERR "invalid token"

%type <ival> action scope key target_name
%type <match> named
%type <range> value values
%type <valset> valset
%type <field> field fields
%type <match> match matches

%%

policy:
    %empty
  | policy stmt
  ;

stmt:
    DEFAULT action ';' {
        struct pf_policy *p = ctx->policy;
        struct pf_loc here = mkloc(&@1);
        if (p->has_default) {
            pf_diag(ctx->diags, PF_SEV_ERROR, &here, "duplicate 'default' statement");
            pf_diag(ctx->diags, PF_SEV_NOTE, &p->default_loc, "the first one is here");
        } else {
            p->has_default = 1;
            p->default_action = (enum pf_action)$2;
            p->default_loc = here;
        }
    }
  | TARGET target_name ';' {
        struct pf_policy *p = ctx->policy;
        struct pf_loc here = mkloc(&@2);
        if (p->target != PF_TARGET_NONE) {
            pf_diag(ctx->diags, PF_SEV_ERROR, &here, "duplicate 'target' statement");
            pf_diag(ctx->diags, PF_SEV_NOTE, &p->target_loc, "the first one is here");
        } else {
            p->target = (enum pf_target)$2;
            p->target_loc = here;
        }
    }
  | CPU IDENT ';' {
        struct pf_policy *p = ctx->policy;
        struct pf_loc here = mkloc(&@2);
        if (p->cpu) {
            pf_diag(ctx->diags, PF_SEV_ERROR, &here, "duplicate 'cpu' statement");
            pf_diag(ctx->diags, PF_SEV_NOTE, &p->cpu_loc, "the first one is here");
        } else {
            p->cpu = $2;
            p->cpu_loc = here;
        }
    }
  | action matches ';' {
        struct pf_rule *r = new_rule(ctx, $1, $2, &@$);
        if (!r)
            YYNOMEM;
        r->index = ctx->policy->nrules++;
        if (ctx->policy->rules_tail)
            ctx->policy->rules_tail->next = r;
        else
            ctx->policy->rules = r;
        ctx->policy->rules_tail = r;
    }
  | EXPECT action matches ';' {
        /* Not a rule: what the rules must decide (core/expect.c). */
        struct pf_rule *r = new_rule(ctx, $2, $3, &@$);
        if (!r)
            YYNOMEM;
        r->index = ctx->policy->nexpects++;
        if (ctx->policy->expects_tail)
            ctx->policy->expects_tail->next = r;
        else
            ctx->policy->expects = r;
        ctx->policy->expects_tail = r;
    }
  | INCLUDE STRING ';' {
        struct pf_loc here = mkloc(&@2);
        pf_include(ctx, $2, &here);
    }
  | error ';' { yyerrok; }
  ;

action:
    ALLOW { $$ = PF_ALLOW; }
  | DENY  { $$ = PF_DENY; }
  ;

target_name:
    INTEL { $$ = PF_TARGET_INTEL; }
  | AMD   { $$ = PF_TARGET_AMD; }
  | ARM64 { $$ = PF_TARGET_ARM64; }
  ;

matches:
    match             { $$ = $1; }
  | matches ',' match { $3->next = $1; $$ = $3; }
  ;

match:
    scope fields {
        NEW(ctx, struct pf_match, $$);
        $$->kind = PF_MATCH_EVENT; /* resolve tells EVENT from MASKED */
        $$->scope = (enum pf_scope)$1;
        $$->loc = mkloc(&@$);
        struct pf_field *rev = NULL;
        for (struct pf_field *f = $2, *next; f; f = next) {
            next = f->next;
            f->next = rev;
            rev = f;
        }
        $$->fields = rev;
    }
  | scope RAW NUMBER {
        NEW(ctx, struct pf_match, $$);
        $$->kind = PF_MATCH_RAW;
        $$->scope = (enum pf_scope)$1;
        $$->loc = mkloc(&@$);
        $$->number = $3;
        $$->number_loc = mkloc(&@3);
    }
  | scope named {
        $$ = $2;
        $$->scope = (enum pf_scope)$1;
        $$->loc = mkloc(&@$);
    }
  | named {
        $$ = $1;
        $$->scope = PF_SCOPE_ANY;
    }
  | ARM valset {
        NEW(ctx, struct pf_match, $$);
        $$->kind = PF_MATCH_ARM;
        $$->scope = PF_SCOPE_ARM;
        $$->loc = mkloc(&@$);
        $$->select = $2;
    }
  | ARM named {
        $$ = $2;
        $$->scope = PF_SCOPE_ARM;
        $$->loc = mkloc(&@$);
    }
  | FIXED NUMBER {
        NEW(ctx, struct pf_match, $$);
        $$->kind = PF_MATCH_FIXED;
        $$->scope = PF_SCOPE_FIXED;
        $$->loc = mkloc(&@$);
        $$->number = $2;
        $$->number_loc = mkloc(&@2);
    }
  ;

/* `event NAME`, or `event PATTERN` (shell-style * and ?, expanded by
 * resolve over the model's names). */
named:
    EVENT IDENT {
        NEW(ctx, struct pf_match, $$);
        $$->kind = PF_MATCH_NAMED;
        $$->loc = mkloc(&@$);
        $$->name = $2;
        $$->number_loc = mkloc(&@2);
    }
  | EVENT PATTERN {
        NEW(ctx, struct pf_match, $$);
        $$->kind = PF_MATCH_NAMED;
        $$->pattern = 1;
        $$->loc = mkloc(&@$);
        $$->name = $2;
        $$->number_loc = mkloc(&@2);
    }
  ;

scope:
    X86   { $$ = PF_SCOPE_X86; }
  | INTEL { $$ = PF_SCOPE_INTEL; }
  | AMD   { $$ = PF_SCOPE_AMD; }
  ;

fields:
    field        { $$ = $1; }
  | fields field { $2->next = $1; $$ = $2; }
  ;

field:
    key '=' valset {
        NEW(ctx, struct pf_field, $$);
        $$->key = (enum pf_field_key)$1;
        $$->val = $3;
        $$->loc = mkloc(&@1);
    }
  ;

key:
    SELECT { $$ = PF_KEY_SELECT; }
  | UMASK  { $$ = PF_KEY_UMASK; }
  | MASK   { $$ = PF_KEY_MASK; }
  | MATCH  { $$ = PF_KEY_MATCH; }
  ;

valset:
    '*' {
        NEW(ctx, struct pf_valset, $$);
        $$->star = 1;
        $$->loc = mkloc(&@$);
    }
  | value {
        NEW(ctx, struct pf_valset, $$);
        $$->ranges = $1;
        $$->loc = mkloc(&@$);
    }
  | '{' values '}' {
        NEW(ctx, struct pf_valset, $$);
        struct pf_range *rev = NULL;
        for (struct pf_range *r = $2, *next; r; r = next) {
            next = r->next;
            r->next = rev;
            rev = r;
        }
        $$->ranges = rev;
        $$->loc = mkloc(&@$);
    }
  ;

values:
    value            { $$ = $1; }
  | values ',' value { $3->next = $1; $$ = $3; }
  ;

value:
    NUMBER {
        NEW(ctx, struct pf_range, $$);
        $$->lo = $$->hi = $1;
        $$->loc = mkloc(&@$);
    }
  | NUMBER '-' NUMBER {
        NEW(ctx, struct pf_range, $$);
        $$->lo = $1;
        $$->hi = $3;
        $$->loc = mkloc(&@$);
    }
  ;

%%

/* Only bison's own failures come here (memory exhausted); syntax errors
 * go through yyreport_syntax_error. */
static void pf_yyerror(PF_YYLTYPE *lloc, yyscan_t scanner, struct pf_parse_ctx *ctx,
                       const char *msg)
{
    (void)scanner;
    if (ctx->oom) {
        pf_diag(ctx->diags, PF_SEV_ERROR, NULL, "out of memory");
        return;
    }
    struct pf_loc l = mkloc(lloc);
    pf_diag(ctx->diags, PF_SEV_ERROR, &l, "%s", msg);
}

/* A token's name for people: keywords and punctuation quoted as written,
 * classes of tokens (number, identifier) by name. */
static const char *token_name(yysymbol_kind_t k, char *buf, size_t n)
{
    const char *s = yysymbol_name(k);
    size_t len = strlen(s);
    if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0])
        s++, len -= 2;
    int word = k != YYSYMBOL_NUMBER && k != YYSYMBOL_IDENT && k != YYSYMBOL_PATTERN &&
               k != YYSYMBOL_LEXERR &&
               k != YYSYMBOL_STRING &&
               k != YYSYMBOL_YYEOF && k != YYSYMBOL_YYerror && k != YYSYMBOL_YYUNDEF;
    snprintf(buf, n, word ? "'%.*s'" : "%.*s", (int)len, s);
    return buf;
}

/* "unexpected identifier 'foo', expected 'allow', 'deny', 'default' or
 * 'target'": the offending text is quoted from the source. */
static int yyreport_syntax_error(const yypcontext_t *yyctx, yyscan_t scanner,
                                    struct pf_parse_ctx *ctx)
{
    (void)scanner;
    yysymbol_kind_t tok = yypcontext_token(yyctx);
    const PF_YYLTYPE *l = yypcontext_location(yyctx);
    /* The scanner already explained a bad token: a parser message about
     * the same token would only repeat it less clearly. */
    if (tok == YYSYMBOL_LEXERR)
        return 0;
    struct pf_loc loc = mkloc(l);
    char msg[512], name[64], word[48] = "";
    size_t len = 0;
    if (tok == YYSYMBOL_IDENT || tok == YYSYMBOL_PATTERN || tok == YYSYMBOL_NUMBER ||
        tok == YYSYMBOL_STRING) {
        const char *s = ctx->src->text;
        unsigned line = 1;
        size_t i = 0;
        while (i < ctx->src->len && line < loc.line)
            line += s[i++] == '\n';
        i += loc.col - 1;
        int w = (int)(loc.end_col - loc.col + 1);
        if (w > 40)
            w = 40;
        len = (size_t)snprintf(msg, sizeof(msg), "unexpected %s '%.*s'", token_name(tok, name, sizeof(name)),
                               w, s + i);
        if (tok == YYSYMBOL_IDENT)
            snprintf(word, sizeof(word), "%.*s", w, s + i);
    } else if (tok == YYSYMBOL_YYEOF) {
        len = (size_t)snprintf(msg, sizeof(msg), "unexpected end of file");
    } else {
        len = (size_t)snprintf(msg, sizeof(msg), "unexpected %s", token_name(tok, name, sizeof(name)));
    }
    yysymbol_kind_t all[8], exp[8];
    int n = 0, m = yypcontext_expected_tokens(yyctx, all, 8);
    /* "expected end of file" between statements is true but no help. */
    for (int i = 0; i < m; i++)
        if (all[i] != YYSYMBOL_YYEOF)
            exp[n++] = all[i];
    /* A misspelt keyword (alow, defualt, selct): the expected one it is
     * closest to. */
    char kwbuf[8][24];
    const char *kw[9];
    int nkw = 0;
    for (int i = 0; i < n && len < sizeof(msg); i++) {
        const char *t = token_name(exp[i], name, sizeof(name));
        len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s%s", i == 0 ? ", expected " : i == n - 1 ? " or " : ", ",
                                t);
        size_t tl = strlen(t);
        if (t[0] == '\'' && tl > 2 && tl - 2 < sizeof(kwbuf[0])) {
            snprintf(kwbuf[nkw], sizeof(kwbuf[0]), "%.*s", (int)(tl - 2), t + 1);
            kw[nkw] = kwbuf[nkw];
            nkw++;
        }
    }
    kw[nkw] = NULL;
    const char *near = word[0] ? pf_closest(word, kw) : NULL;
    if (near && len < sizeof(msg))
        snprintf(msg + len, sizeof(msg) - len, ": did you mean '%s'?", near);
    pf_diag(ctx->diags, PF_SEV_ERROR, &loc, "%s", msg);
    return 0;
}
