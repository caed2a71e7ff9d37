/* random-policies - random policies against an oracle of their own.
 *
 *   random-policies [SEED [COUNT [ONLY]]]
 *
 * (default: seed 1, 300 policies; 100 in unoptimized or AddressSanitizer
 * builds, which run the suite to find memory errors, not for coverage)
 *
 * Generates COUNT policies as structured rules (deterministic for a SEED;
 * policy i depends only on SEED and i, so ONLY = i replays one of them),
 * renders each as policy text in a random layout (number bases, blanks,
 * comments, field order, `default` and `target` anywhere), compiles it with
 * libpmufc for intel and amd with --abi auto and --abi masked, and checks
 * EVERY event of each emitted blob, decided by the kernel model of
 * src/eval.c, against this program's own reading of the generated rules:
 * the last matching rule decides; no match: the `default`, else the
 * opposite of the first rule, else allow.  That reading shares no code
 * with src/ir.c.
 *
 * Also checked: the blob is one the kernel takes; with --abi auto plain
 * entries are used exactly when min(#allowed, #denied) <= 300, and then
 * that many; masked filters never need more entries than plain ones; a
 * policy is refused as too big (PF_EPOLICY with more than 300 entries
 * needed) only when no plain filter fits, and under both ABIs alike; a
 * second rendering in another layout gives the same bytes.  Policies that
 * are too big are counted, not proven minimal.
 *
 * Prints `random: N policies, C compiled, B too big, D decisions checked`;
 * exit 0, or 1 after printing each failure with its policy text. */
#include "config.h"

#include "core/compile.h"
#include "kernel/eval_x86.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

#define MAX_EVENTS 300u

#if defined(__SANITIZE_ADDRESS__) || !defined(__OPTIMIZE__)
#define DEFAULT_COUNT 100
#else
#define DEFAULT_COUNT 300
#endif

#include "rng.h"

static int chance(unsigned percent)
{
    return below(100) < percent;
}

/* ---- policies as data ---- */

enum kind { K_EVENT, K_MASKED, K_RAW, K_FIXED };
enum scope { S_X86, S_INTEL, S_AMD };
enum { MAXRULES = 8, MAXMATCH = 3, MAXRANGE = 4 };

struct range {
    unsigned lo, hi;
};

struct vset {
    int star, braces;
    unsigned n;
    struct range r[MAXRANGE];
};

struct match {
    enum kind kind;
    enum scope scope;
    struct vset sel, um;
    int has_um;
    unsigned mask, match;
    uint64_t raw;
    uint32_t fixed;
};

struct rule {
    int allow;
    unsigned n;
    struct match m[MAXMATCH];
};

struct policy {
    int has_default, def_allow, def_pos;
    int has_target, target_amd, target_pos;
    unsigned n;
    struct rule r[MAXRULES];
};

/* Values rules share, so that rules overlap and override each other. */
static unsigned hot_sel[6], hot_um[8];

static unsigned max_select(enum scope s)
{
    return s == S_AMD ? 0xfff : 0xff;
}

static unsigned value(enum scope s, int is_select)
{
    if (is_select) {
        unsigned max = max_select(s);
        if (chance(60)) {
            unsigned v = hot_sel[below(s == S_AMD ? 6 : 4)];
            return v <= max ? v : v & max;
        }
        return below(max + 1);
    }
    return chance(60) ? hot_um[below(8)] : below(256);
}

static struct range range(enum scope s, int is_select)
{
    unsigned max = is_select ? max_select(s) : 0xff;
    struct range r;
    r.lo = value(s, is_select);
    unsigned w = chance(80) ? below(4) : below(is_select ? 64 : 128);
    r.hi = r.lo + w > max ? max : r.lo + w;
    return r;
}

static struct vset vset(enum scope s, int is_select)
{
    struct vset v;
    memset(&v, 0, sizeof(v));
    unsigned p = below(100);
    unsigned star = is_select ? 4 : 6;
    if (p < star) {
        v.star = 1;
    } else if (p < 60) {
        v.n = 1;
        v.r[0].lo = v.r[0].hi = value(s, is_select);
        v.braces = chance(20);
    } else if (p < 80) {
        v.n = 1;
        v.r[0] = range(s, is_select);
        v.braces = chance(20);
    } else {
        v.n = 2 + below(3);
        v.braces = 1;
        for (unsigned i = 0; i < v.n; i++) {
            if (chance(50))
                v.r[i].lo = v.r[i].hi = value(s, is_select);
            else
                v.r[i] = range(s, is_select);
        }
    }
    return v;
}

static struct match gen_match(void)
{
    struct match m;
    memset(&m, 0, sizeof(m));
    unsigned k = below(100);
    m.kind = k < 50 ? K_EVENT : k < 70 ? K_MASKED : k < 85 ? K_RAW : K_FIXED;
    unsigned sc = below(100);
    m.scope = sc < 40 ? S_X86 : sc < 70 ? S_INTEL : S_AMD;
    static const unsigned masks[] = {0xff, 0x7c, 0xf0, 0x0f, 0x00, 0x80, 0xfe};
    switch (m.kind) {
    case K_EVENT:
        m.sel = vset(m.scope, 1);
        m.has_um = chance(80);
        if (m.has_um)
            m.um = vset(m.scope, 0);
        break;
    case K_MASKED:
        m.sel = vset(m.scope, 1);
        m.mask = chance(70) ? masks[below(7)] : below(256);
        m.match = chance(90) ? below(256) & m.mask : below(256);
        break;
    case K_RAW: {
        unsigned sel = value(m.scope, 1), um = value(m.scope, 0);
        m.raw = (sel & 0xffull) | (uint64_t)um << 8 | (uint64_t)(sel >> 8) << 32;
        if (chance(25)) /* bits KVM ignores: 31:16 and 63:36 */
            m.raw |= next() & 0xfffffff0ffff0000ull;
        break;
    }
    case K_FIXED: {
        unsigned f = below(100);
        m.fixed = f < 30   ? 1u << below(4)
                  : f < 50 ? 1u << below(32)
                  : f < 70 ? (uint32_t)next()
                  : f < 80 ? 0xffffffffu
                  : f < 90 ? below(16)
                           : 0;
        break;
    }
    }
    return m;
}

static void gen_policy(struct policy *p)
{
    memset(p, 0, sizeof(*p));
    for (unsigned i = 0; i < 6; i++)
        hot_sel[i] = i < 4 ? below(0x100) : 0x100 + below(0xf00);
    static const unsigned ums[] = {0x00, 0x01, 0x02, 0x04, 0x41, 0x4f, 0x80, 0xff};
    memcpy(hot_um, ums, sizeof(ums));
    hot_um[below(8)] = below(256);
    p->n = chance(5) ? 0 : 1 + below(MAXRULES);
    for (unsigned i = 0; i < p->n; i++) {
        struct rule *r = &p->r[i];
        r->allow = chance(50);
        unsigned k = below(10);
        r->n = k < 6 ? 1 : k < 9 ? 2 : 3;
        for (unsigned j = 0; j < r->n; j++)
            r->m[j] = gen_match();
    }
    p->has_default = chance(60);
    p->def_allow = chance(50);
    p->def_pos = (int)below(p->n + 1);
    p->has_target = chance(15);
    p->target_amd = chance(50);
    p->target_pos = (int)below(p->n + 1);
}

/* ---- rendering ---- */

struct buf {
    char *s;
    size_t len, cap;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    if (!b->s) {
        b->cap = 4096;
        b->s = malloc(b->cap);
        if (!b->s)
            abort();
    }
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            abort();
        if (b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        b->cap = (b->cap + (size_t)n) * 2;
        b->s = realloc(b->s, b->cap);
        if (!b->s)
            abort();
    }
}

/* Blanks between tokens that need them; optional ones elsewhere. */
static void sep(struct buf *b)
{
    static const char *const s[] = {" ", " ", " ", " ", " ", " ", " ", "  ", "\t", "\n",
                                    "\n\t", " # note\n", "\r\n ", " ", " "};
    put(b, "%s", s[below(sizeof(s) / sizeof(s[0]))]);
}

static void opt_sep(struct buf *b)
{
    if (chance(40))
        sep(b);
}

static void number(struct buf *b, uint64_t v)
{
    unsigned k = below(100);
    if (k < 45) {
        put(b, chance(20) ? "0x%04" PRIx64 : "0x%" PRIx64, v);
    } else if (k < 55) {
        put(b, "0X%" PRIX64, v);
    } else if (k < 85) {
        put(b, "%" PRIu64, v);
    } else {
        char bits[65];
        int n = 0;
        do {
            bits[n++] = (char)('0' + (v & 1));
            v >>= 1;
        } while (v);
        put(b, "0%c", chance(80) ? 'b' : 'B');
        while (n--)
            put(b, "%c", bits[n]);
    }
}

static void render_vset(struct buf *b, const struct vset *v)
{
    if (v->star) {
        put(b, "*");
        return;
    }
    if (v->braces) {
        put(b, "{");
        opt_sep(b);
    }
    for (unsigned i = 0; i < v->n; i++) {
        if (i) {
            opt_sep(b);
            put(b, ",");
            opt_sep(b);
        }
        number(b, v->r[i].lo);
        if (v->r[i].hi != v->r[i].lo) {
            opt_sep(b);
            put(b, "-");
            opt_sep(b);
            number(b, v->r[i].hi);
        }
    }
    if (v->braces) {
        opt_sep(b);
        put(b, "}");
    }
}

static void field(struct buf *b, const char *key, const struct vset *v, unsigned one)
{
    put(b, "%s", key);
    opt_sep(b);
    put(b, "=");
    opt_sep(b);
    if (v)
        render_vset(b, v);
    else
        number(b, one);
}

static void render_match(struct buf *b, const struct match *m)
{
    static const char *const scope[] = {"x86", "intel", "amd"};
    if (m->kind == K_FIXED) {
        put(b, "fixed");
        sep(b);
        number(b, m->fixed);
        return;
    }
    put(b, "%s", scope[m->scope]);
    sep(b);
    if (m->kind == K_RAW) {
        put(b, "raw");
        sep(b);
        number(b, m->raw);
        return;
    }
    /* Fields in a random order. */
    unsigned nf = m->kind == K_MASKED ? 3 : m->has_um ? 2 : 1, order[3] = {0, 1, 2};
    for (unsigned i = nf - 1; i > 0; i--) {
        unsigned j = below(i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (unsigned i = 0; i < nf; i++) {
        if (i)
            sep(b);
        if (order[i] == 0)
            field(b, "select", &m->sel, 0);
        else if (m->kind == K_EVENT)
            field(b, "umask", &m->um, 0);
        else if (order[i] == 1)
            field(b, "mask", NULL, m->mask);
        else
            field(b, "match", NULL, m->match);
    }
}

static void render(struct buf *b, const struct policy *p)
{
    b->len = 0;
    put(b, "# random policy\n");
    for (unsigned i = 0; i <= p->n; i++) {
        if (p->has_default && p->def_pos == (int)i) {
            put(b, "default");
            sep(b);
            put(b, "%s", p->def_allow ? "allow" : "deny");
            opt_sep(b);
            put(b, ";\n");
        }
        if (p->has_target && p->target_pos == (int)i) {
            put(b, "target");
            sep(b);
            put(b, "%s", p->target_amd ? "amd" : "intel");
            opt_sep(b);
            put(b, ";\n");
        }
        if (i == p->n)
            break;
        const struct rule *r = &p->r[i];
        put(b, "%s", r->allow ? "allow" : "deny");
        sep(b);
        for (unsigned j = 0; j < r->n; j++) {
            if (j) {
                opt_sep(b);
                put(b, ",");
                sep(b);
            }
            render_match(b, &r->m[j]);
        }
        opt_sep(b);
        put(b, ";");
        sep(b);
    }
}

/* ---- the oracle: the rules read directly ---- */

typedef struct {
    uint64_t w[4];
} set256;

static void set_add(set256 *s, unsigned u)
{
    s->w[u >> 6] |= 1ull << (u & 63);
}

static int set_has(const set256 *s, unsigned u)
{
    return (int)(s->w[u >> 6] >> (u & 63) & 1);
}

static void set_vset(set256 *s, const struct vset *v)
{
    if (v->star) {
        memset(s, 0xff, sizeof(*s));
        return;
    }
    for (unsigned i = 0; i < v->n; i++)
        for (unsigned u = v->r[i].lo; u <= v->r[i].hi; u++)
            set_add(s, u);
}

static int vset_has(const struct vset *v, unsigned x)
{
    if (v->star)
        return 1;
    for (unsigned i = 0; i < v->n; i++)
        if (x >= v->r[i].lo && x <= v->r[i].hi)
            return 1;
    return 0;
}

static int applies(const struct match *m, int amd)
{
    if (m->kind == K_FIXED)
        return 0; /* general-purpose events only; fixed counters apart */
    return m->scope == S_X86 || (m->scope == S_AMD) == amd;
}

static unsigned raw_select(uint64_t raw)
{
    return (unsigned)(raw & 0xff) | (unsigned)(raw >> 32 & 0xf) << 8;
}

static int match_has_select(const struct match *m, unsigned s)
{
    return m->kind == K_RAW ? raw_select(m->raw) == s : vset_has(&m->sel, s);
}

static void match_umasks(const struct match *m, set256 *s)
{
    memset(s, 0, sizeof(*s));
    if (m->kind == K_RAW) {
        set_add(s, (unsigned)(m->raw >> 8 & 0xff));
    } else if (m->kind == K_MASKED) {
        for (unsigned u = 0; u < 256; u++)
            if ((u & m->mask) == m->match)
                set_add(s, u);
    } else if (!m->has_um) {
        memset(s, 0xff, sizeof(*s));
    } else {
        set_vset(s, &m->um);
    }
}

static int policy_default(const struct policy *p)
{
    if (p->has_default)
        return p->def_allow;
    return p->n ? !p->r[0].allow : 1;
}

struct oracle {
    uint8_t *allow; /* [nsel * 256] */
    int16_t *rule;  /* deciding rule, -1 default */
    uint32_t fixed; /* Intel: bit i = fixed counter i counts */
    size_t nallowed;
};

static void oracle(const struct policy *p, int amd, struct oracle *o)
{
    unsigned nsel = amd ? 0x1000 : 0x100;
    int def = policy_default(p);
    set256 um[MAXRULES][MAXMATCH];
    for (unsigned i = 0; i < p->n; i++)
        for (unsigned j = 0; j < p->r[i].n; j++)
            match_umasks(&p->r[i].m[j], &um[i][j]);
    o->nallowed = 0;
    for (unsigned s = 0; s < nsel; s++) {
        /* The matches that name this select, in rule order. */
        const set256 *cand[MAXRULES * MAXMATCH];
        int who[MAXRULES * MAXMATCH], n = 0;
        for (unsigned i = 0; i < p->n; i++)
            for (unsigned j = 0; j < p->r[i].n; j++)
                if (applies(&p->r[i].m[j], amd) && match_has_select(&p->r[i].m[j], s)) {
                    cand[n] = &um[i][j];
                    who[n++] = (int)i;
                }
        for (unsigned u = 0; u < 256; u++) {
            int k = n - 1;
            while (k >= 0 && !set_has(cand[k], u))
                k--;
            size_t e = (size_t)s << 8 | u;
            o->allow[e] = (uint8_t)(k >= 0 ? p->r[who[k]].allow : def);
            o->rule[e] = (int16_t)(k >= 0 ? who[k] : -1);
            o->nallowed += o->allow[e];
        }
    }
    o->fixed = 0;
    for (unsigned c = 0; c < 32; c++) {
        int d = def;
        for (int i = (int)p->n - 1; i >= 0; i--) {
            int hit = 0;
            for (unsigned j = 0; j < p->r[i].n; j++)
                if (p->r[i].m[j].kind == K_FIXED && (p->r[i].m[j].fixed >> c & 1))
                    hit = 1;
            if (hit) {
                d = p->r[i].allow;
                break;
            }
        }
        o->fixed |= (uint32_t)d << c;
    }
}

/* ---- running ---- */

static unsigned long long seed, ncompiled, ntoobig, ndecisions;
static unsigned nfailures;
static struct buf text;
static unsigned cur;

static void failure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void failure(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("# FAIL: seed %llu policy %u: ", seed, cur);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n--- policy (replay: random-policies %llu 1 %u) ---\n%.*s\n---\n", seed, cur, (int)text.len,
           text.s);
    if (++nfailures >= 10) {
        note("random: too many failures, stopping");
        exit(tap_done("random-policies"));
    }
}

static void dump_blob(const struct pf_compiled *c)
{
    printf("blob: action %" PRIu32 " nevents %" PRIu32 " fixed 0x%08" PRIx32 " flags 0x%" PRIx32 "\n",
           c->filter.action, c->filter.nevents, c->filter.fixed_bitmap, c->filter.flags);
    for (uint32_t i = 0; i < c->filter.nevents && i < 40; i++)
        printf("  0x%016" PRIx64 "\n", c->filter.events[i]);
}

/* Compiles text for one target and ABI; returns 1 when too big, 0 when
 * compiled and checked, -1 on a failure.  *blob/len get a copy when asked. */
static int check_compile(int amd, enum pf_abi abi, const struct oracle *o,
                 uint8_t **blob, size_t *len)
{
    const char *tname = amd ? "amd" : "intel", *aname = abi == PF_ABI_MASKED ? "masked" : "auto";
    unsigned nsel = amd ? 0x1000 : 0x100;
    size_t nev = (size_t)nsel << 8;
    size_t min_plain = o->nallowed < nev - o->nallowed ? o->nallowed : nev - o->nallowed;
    struct pf_compile_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.target = amd ? PF_TARGET_AMD : PF_TARGET_INTEL;
    opts.abi = abi;
    opts.no_warnings = 1;
    opts.cpu = "generic";
    struct pf_compiled c;
    enum pf_status st = pf_compile("random.pf", text.s, text.len, &opts, &c);
    int ret = 0;
    if (st == PF_EPOLICY && c.ir && c.report.needed > MAX_EVENTS) {
        if (min_plain <= MAX_EVENTS)
            failure("%s --abi %s: refused as needing %zu entries, but %zu plain entries would do", tname,
                    aname, c.report.needed, min_plain);
        ret = 1;
        goto out;
    }
    if (st != PF_OK) {
        failure("%s --abi %s: compile failed (status %d):", tname, aname, (int)st);
        pf_diags_print(stdout, &c.diags);
        ret = -1;
        goto out;
    }
    ncompiled++;
    struct pf_eval_x86 ev;
    const char *why = "";
    if (pf_eval_x86_load(&ev, c.blob, c.len, amd, &why)) {
        failure("%s --abi %s: the kernel would refuse the blob: %s", tname, aname, why);
        ret = -1;
        goto out;
    }
    int masked = (c.filter.flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS) != 0;
    if (abi == PF_ABI_AUTO && masked != (min_plain > MAX_EVENTS))
        failure("%s --abi auto: %s entries, but a plain filter needs %zu", tname, masked ? "masked" : "plain",
                min_plain);
    else if (abi == PF_ABI_AUTO && !masked && c.filter.nevents != min_plain)
        failure("%s --abi auto: %" PRIu32 " plain entries, %zu would do", tname, c.filter.nevents, min_plain);
    else if (abi == PF_ABI_MASKED && (!masked || c.filter.nevents > min_plain))
        failure("%s --abi masked: flags 0x%" PRIx32 ", %" PRIu32 " entries, more than the %zu plain ones",
                tname, c.filter.flags, c.filter.nevents, min_plain);
    unsigned bad = 0;
    for (unsigned s = 0; s < nsel; s++)
        for (unsigned u = 0; u < 256; u++) {
            size_t e = (size_t)s << 8 | u;
            int got = pf_eval_x86_gp(&ev, s, u, NULL, NULL);
            if (got != o->allow[e] && !bad++) {
                failure("%s --abi %s: select=0x%03x umask=0x%02x: the blob says %s, rule %d says %s", tname,
                        aname, s, u, got ? "allow" : "deny", o->rule[e], o->allow[e] ? "allow" : "deny");
                dump_blob(&c);
            }
        }
    ndecisions += nev;
    if (!amd) {
        for (unsigned i = 0; i < 32; i++) {
            int got = pf_eval_x86_fixed(&ev, i), want = (int)(o->fixed >> i & 1);
            if (got != want && !bad++) {
                failure("intel --abi %s: fixed counter %u: the blob says %s, the rules say %s", aname, i,
                        got ? "allow" : "deny", want ? "allow" : "deny");
                dump_blob(&c);
            }
        }
        ndecisions += 32;
    }
    pf_eval_x86_free(&ev);
    ret = bad ? -1 : 0;
    if (blob) {
        *blob = malloc(c.len);
        if (!*blob)
            abort();
        memcpy(*blob, c.blob, c.len);
        *len = c.len;
    }
out:
    pf_compiled_free(&c);
    return ret;
}

int main(int argc, char **argv)
{
    seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
    unsigned count = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : DEFAULT_COUNT;
    long only = argc > 3 ? strtol(argv[3], NULL, 0) : -1;
    struct oracle o;
    o.allow = malloc((size_t)0x1000 << 8);
    o.rule = malloc(((size_t)0x1000 << 8) * sizeof(*o.rule));
    if (!o.allow || !o.rule)
        return 2;
    unsigned first = only >= 0 ? (unsigned)only : 0, last = only >= 0 ? (unsigned)only + 1 : count;
    for (cur = first; cur < last; cur++) {
        struct policy p;
        rng_state = seed * 0x100000001b3ull + cur;
        gen_policy(&p);
        uint64_t layout = next();
        rng_state = layout;
        render(&text, &p);
        for (int amd = 0; amd < 2; amd++) {
            unsigned failures0 = nfailures;
            oracle(&p, amd, &o);
            uint8_t *b1 = NULL;
            size_t l1 = 0;
            int r1 = check_compile(amd, PF_ABI_AUTO, &o, amd ? NULL : &b1, &l1);
            int r2 = check_compile(amd, PF_ABI_MASKED, &o, NULL, NULL);
            if (r1 >= 0 && r2 >= 0 && r1 != r2)
                failure("%s: too big with --abi %s only", amd ? "amd" : "intel", r1 ? "auto" : "masked");
            ntoobig += (r1 == 1) + (r2 == 1);
            if (!amd && r1 >= 0) {
                /* The same policy in another layout: the same bytes. */
                struct buf keep = text;
                text.s = NULL;
                text.len = text.cap = 0;
                rng_state = layout ^ 0x5bd1e995u;
                render(&text, &p);
                uint8_t *b2 = NULL;
                size_t l2 = 0;
                int r3 = check_compile(0, PF_ABI_AUTO, &o, &b2, &l2);
                if (r3 >= 0 && (r3 != r1 || l1 != l2 || (l1 && memcmp(b1, b2, l1))))
                    failure("intel: another layout of the same policy gives other bytes");
                ntoobig += r3 == 1;
                free(b2);
                free(text.s);
                text = keep;
            }
            free(b1);
            /* One case per policy and target (tests/tap.h). */
            check(nfailures == failures0, "seed %llu policy %u on %s: every event of its blobs as its rules say",
                  seed, cur, amd ? "amd" : "intel");
        }
    }
    note("random: %u policies, %llu compiled, %llu too big, %llu decisions checked", last - first, ncompiled,
         ntoobig, ndecisions);
    free(o.allow);
    free(o.rule);
    free(text.s);
    return tap_done("random-policies");
}
