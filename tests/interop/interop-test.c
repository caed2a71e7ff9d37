/* tests/interop/interop-test.c - the interop formats, in-process.
 *
 *   interop-test                  every self test below, one TAP case each
 *                                 (tests/tap.h); exit 0 when all pass
 *   interop-test same T A B       do filters A and B (blobs) decide alike on
 *                                 every event of target T (intel, amd)?
 *   interop-test json-bytes J B   does pmufc's --format json file J describe
 *                                 blob B exactly (header and every code)?
 *
 * Self tests:
 *   arm64 strings: emit and parse cases, located errors, and random record
 *     lists through both string formats and back, decisions compared on all
 *     65536 events with the kernel model of eval_arm64.c;
 *   x86 round trips: random filters (plain and masked, ALLOW and DENY,
 *     entries KVM drops, AMD's 12-bit selects) through qemu, qemu-rfc and
 *     policy and back through pf_import_qemu / pf_compile, decisions
 *     compared on every event and fixed counter of the target with the
 *     kernel model of eval.c; json back to the same bytes;
 *   malformed QEMU objects: the first diagnostic, "LINE:COL: error: ...",
 *     checked against the expected position and message. */
#include "base/arena.h"
#include "kernel/blob_x86.h"
#include "core/compile.h"
#include "base/diag.h"
#include "kernel/blob_arm64.h"
#include "kernel/eval_arm64.h"
#include "kernel/eval_x86.h"
#include "formats/arm_string.h"
#include "formats/format.h"
#include "formats/qemu_import.h"

#include "../tap.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long ncompared;

/* Why the case under way failed, "FAIL: ..." lines, empty while it holds:
 * fail() collects them and case_end() reports the case with check(), the
 * lines after it as notes (TAP's order, as tests/lib.sh's fail). */
static char why_failed[16384];
static size_t why_len;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (why_len < sizeof(why_failed))
        why_len += (size_t)snprintf(why_failed + why_len, sizeof(why_failed) - why_len, "%sFAIL: ",
                                    why_len ? "\n" : "");
    if (why_len < sizeof(why_failed))
        why_len += (size_t)vsnprintf(why_failed + why_len, sizeof(why_failed) - why_len, fmt, ap);
    va_end(ap);
    if (why_len >= sizeof(why_failed))
        why_len = sizeof(why_failed) - 1; /* truncated; the case has failed all the same */
}

/* Ends one case: "ok N - WHAT" unless fail() came since the last one,
 * then each line of why as a note.  WHAT is printf-style; newlines in it
 * (from a case's input text) are written as \n, to keep it one line. */
static void case_end(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void case_end(const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    char one[sizeof(what) * 2];
    size_t k = 0;
    for (const char *c = what; *c && k + 2 < sizeof(one); c++) {
        if (*c == '\n')
            one[k++] = '\\', one[k++] = 'n';
        else
            one[k++] = *c;
    }
    one[k] = '\0';
    check(why_len == 0, "%s", one);
    for (char *line = why_failed; why_len;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        note("%s", line);
        if (!nl)
            break;
        line = nl + 1;
    }
    why_len = 0;
    why_failed[0] = '\0';
}

/* xorshift64*: reproducible random numbers. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dull;
}

static unsigned below(unsigned n)
{
    return (unsigned)(rnd() % n);
}

/* The first diagnostic as "LINE:COL: SEV: MSG" (or "SEV: MSG"). */
static void first_diag(const struct pf_diags *d, char *buf, size_t n)
{
    const struct pf_diag *g = d->head;
    while (g && g->sev == PF_SEV_NOTE)
        g = g->next;
    if (!g) {
        snprintf(buf, n, "(no diagnostic)");
        return;
    }
    const char *sev = g->sev == PF_SEV_ERROR ? "error" : "warning";
    if (g->loc.src)
        snprintf(buf, n, "%u:%u: %s: %s", g->loc.line, g->loc.col, sev, g->msg);
    else
        snprintf(buf, n, "%s: %s", sev, g->msg);
}

/* ---- arm64 strings ------------------------------------------------------ */

/* Records a and b as the kernel model loads them (16-bit events).  NULL
 * when they decide alike on every event, else why not. */
static const char *arm_same(const struct pf_arm_record *a, size_t na, const struct pf_arm_record *b,
                            size_t nb)
{
    static char why[128];
    const struct pf_arm_filter fa = {na, (struct pf_arm_record *)a}, fb = {nb, (struct pf_arm_record *)b};
    uint8_t *ba = NULL, *bb = NULL;
    size_t la, lb;
    struct pf_eval_arm x, y;
    const char *w = "out of memory";
    if (pf_arm_encode(&fa, &ba, &la) || pf_arm_encode(&fb, &bb, &lb) ||
        pf_eval_arm_load(&x, ba, la, PF_ARM_EVENT_MAX + 1, &w)) {
        free(ba), free(bb);
        snprintf(why, sizeof(why), "the first records do not load: %s", w);
        return why;
    }
    if (pf_eval_arm_load(&y, bb, lb, PF_ARM_EVENT_MAX + 1, &w)) {
        pf_eval_arm_free(&x);
        free(ba), free(bb);
        snprintf(why, sizeof(why), "the second records do not load: %s", w);
        return why;
    }
    const char *res = NULL;
    for (unsigned ev = 0; ev <= PF_ARM_EVENT_MAX && !res; ev++) {
        /* KVM never filters SW_INCR and CHAIN; what the records say of
         * them is compared too, through the model's bitmap. */
        int dx = pf_eval_arm_counts(&x, ev), dy = pf_eval_arm_counts(&y, ev);
        if (pf_eval_arm_unfiltered(ev)) {
            dx = !x.bitmap || x.bitmap[ev];
            dy = !y.bitmap || y.bitmap[ev];
        }
        if (dx != dy) {
            snprintf(why, sizeof(why), "event 0x%x decided differently", ev);
            res = why;
        }
    }
    pf_eval_arm_free(&x);
    pf_eval_arm_free(&y);
    free(ba), free(bb);
    return res;
}

static char *arm_string(const struct pf_arm_record *r, size_t n, char sep, int *rc)
{
    struct pf_arm_filter f = {n, (struct pf_arm_record *)r};
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    struct pf_arena *a = pf_arena_new();
    struct pf_diags d;
    pf_diags_init(&d, a);
    *rc = pf_arm_string_write(m, &f, sep, &d);
    fclose(m);
    pf_arena_free(a);
    return buf;
}

/* Parses text; returns 0 with records, or -1 with the first diagnostic. */
static int arm_parse(const char *text, char sep, unsigned max, struct pf_arm_record **r, size_t *n,
                     char *diag, size_t dn)
{
    struct pf_arm_filter f = {0, NULL};
    struct pf_arena *a = pf_arena_new();
    struct pf_diags d;
    pf_diags_init(&d, a);
    struct pf_source src = {"arm", text, strlen(text)};
    int rc = pf_arm_string_parse(&src, sep, max, &d, &f) != PF_OK;
    *r = f.rec;
    *n = f.n;
    first_diag(&d, diag, dn);
    pf_arena_free(a);
    return rc;
}

static void arm_tests(void)
{
    static const struct {
        struct pf_arm_record r[4];
        size_t n;
        const char *kvmtool, *qemu;
    } out[] = {
        {{{0x11, 1, 0}}, 1, "A:0x11-0x11\n", "A:0x11-0x11\n"},
        {{{0x11, 1, 0}, {0x23, 0x18, 0}, {0x30, 1, 1}}, 3, "A:0x11-0x11,A:0x23-0x3a,D:0x30-0x30\n",
         "A:0x11-0x11;A:0x23-0x3a;D:0x30-0x30\n"},
        {{{0, 0, 1}, {0x11, 1, 1}}, 2, "D:0x11-0x11\n", "D:0x11-0x11\n"},
        {{{0x8, 0, 0}}, 1, NULL, NULL}, /* an empty first ALLOW: not expressible */
        {{{0xffff, 1, 1}, {0x5, 0, 0}}, 2, "D:0xffff-0xffff\n", "D:0xffff-0xffff\n"},
        {{{0}}, 0, "\n", "\n"},
    };
    for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
        for (int q = 0; q < 2; q++) {
            int rc;
            char *s = arm_string(out[i].r, out[i].n, q ? ';' : ',', &rc);
            const char *want = q ? out[i].qemu : out[i].kvmtool;
            if (!want ? rc == 0 : (rc || strcmp(s, want)))
                fail("arm emit case %zu (%s): got rc %d \"%s\", want \"%s\"", i, q ? "qemu" : "kvmtool", rc,
                     s ? s : "", want ? want : "(error)");
            free(s);
            case_end("arm emit case %zu (%s): %s", i, q ? "qemu" : "kvmtool", want ? want : "refused");
        }
    }

    static const struct {
        const char *text;
        char sep;
        unsigned max;
        const char *want; /* records "A11+1 D30+1", or the first diagnostic */
    } in[] = {
        {"A:0x11-0x11,A:0x23-0x3a,D:0x30-0x30", ',', 0xffff, "A11+1 A23+18 D30+1"},
        {"A:0x11-0x11;A:0x23-0x3a;D:0x30-0x30\n", ';', 0xffff, "A11+1 A23+18 D30+1"},
        {"D:11-11", ';', 0xffff, "D11+1"},
        {"  D:0X11-0x1F ,\n A:0-0 \n", ',', 0xffff, "D11+f A0+1"},
        {"", ',', 0xffff, ""},
        {" \n", ';', 0xffff, ""},
        {"A:0x0-0xffff", ',', 0xffff, "A0+ffff Affff+1"},
        {"A:0x0-0x3ff", ',', 0x3ff, "A0+400"},
        {"A:0x11-0x11;D:0x30-0x30", ',', 0xffff,
         "1:12: error: expected ',' between items, found ';' (';' separates QEMU's items)"},
        {"A:0x11-0x11,D:0x30-0x30", ';', 0xffff,
         "1:12: error: expected ';' between items, found ',' (',' separates kvmtool's items)"},
        {"X:0x11-0x11", ',', 0xffff, "1:1: error: expected 'A' (allow) or 'D' (deny), found 'X'"},
        {"a:0x11-0x11", ',', 0xffff, "1:1: error: expected 'A' (allow) or 'D' (deny), found 'a'"},
        {"A0x11-0x11", ',', 0xffff, "1:2: error: expected ':' after 'A', found '0'"},
        {"A:0x11", ',', 0xffff,
         "1:7: error: expected '-' and the last event of the range, found the end (one event is written as a range of one: A:0x11-0x11)"},
        {"A:0x11-", ',', 0xffff, "1:8: error: expected the last event number (hexadecimal), found the end"},
        {"A:zz-0x11", ',', 0xffff, "1:3: error: expected the first event number (hexadecimal), found 'z'"},
        {"A:0x30-0x11", ',', 0xffff, "1:3: error: empty range: 0x30 is above 0x11"},
        {"A:0x11-0x10000", ',', 0xffff,
         "1:8: error: event 0x10000 is beyond the PMU's event space (the last event is 0xffff)"},
        {"A:0x11-0x400", ';', 0x3ff,
         "1:8: error: event 0x400 is beyond the PMU's event space (the last event is 0x3ff)"},
        {"A:0x11-0x11,", ',', 0xffff, "1:13: error: expected an item after ','"},
        {"A:0x11-0x11,,D:1-2", ',', 0xffff, "1:13: error: expected 'A' (allow) or 'D' (deny), found ','"},
        {"A:0x11-0x11 junk", ',', 0xffff, "1:13: error: expected ',' or the end after an item, found 'j'"},
        {"A:0x11-0x11,\nD:0x30-0x3g", ',', 0xffff, "2:8: error: invalid hexadecimal number '0x3g'"},
        {"A:0x11-0x11 D:0x30-0x30", ',', 0xffff, "1:13: error: expected ',' or the end after an item, found 'D'"},
        {"A:1_0-2", ',', 0xffff, "1:3: error: invalid hexadecimal number '1_0'"},
    };
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        struct pf_arm_record *r = NULL;
        size_t n = 0;
        char diag[512], got[512] = "";
        if (arm_parse(in[i].text, in[i].sep, in[i].max, &r, &n, diag, sizeof(diag))) {
            snprintf(got, sizeof(got), "%s", diag);
        } else {
            size_t len = 0;
            for (size_t k = 0; k < n && len < sizeof(got); k++)
                len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%c%x+%x", k ? " " : "",
                                        r[k].action ? 'D' : 'A', r[k].base, r[k].nevents);
        }
        if (strcmp(got, in[i].want))
            fail("arm parse case %zu \"%s\": got \"%s\", want \"%s\"", i, in[i].text, got, in[i].want);
        free(r);
        case_end("arm parse case %zu (%c): \"%s\"", i, in[i].sep, in[i].text);
    }

    /* Random lists through both strings and back. */
    for (int it = 0; it < 200; it++) {
        struct pf_arm_record r[12];
        size_t n = below(12);
        for (size_t k = 0; k < n; k++) {
            unsigned base = below(4) ? below(0x40) : below(0x10000);
            unsigned max = 0x10000 - base;
            unsigned cnt = 1 + below(max < 0x30 ? max : 0x30);
            if (!below(20))
                cnt = max > 0xffff ? 0xffff : max;
            r[k] = (struct pf_arm_record){(uint16_t)base, (uint16_t)cnt, (uint8_t)below(2)};
        }
        for (int q = 0; q < 2; q++) {
            char sep = q ? ';' : ',';
            int rc;
            char *s = arm_string(r, n, sep, &rc);
            struct pf_arm_record *back = NULL;
            size_t nb = 0;
            char diag[512];
            if (rc || arm_parse(s, sep, 0xffff, &back, &nb, diag, sizeof(diag))) {
                fail("arm round trip %d (%c): %s", it, sep, rc ? "emit failed" : diag);
                free(s);
                case_end("arm round trip %d (%c): %zu records", it, sep, n);
                continue;
            }
            const char *why = arm_same(r, n, back, nb);
            if (why)
                fail("arm round trip %d (%c) \"%s\": %s", it, sep, s, why);
            ncompared += 0x10000;
            free(s);
            free(back);
            case_end("arm round trip %d (%c): %zu records", it, sep, n);
        }
    }

    /* The policy view says what the records say. */
    struct pf_arm_record r[] = {{0x11, 1, 0}, {0x23, 0x18, 0}, {0x30, 1, 1}};
    const struct pf_any_filter any = {PF_TARGET_ARM64, NULL, &(struct pf_arm_filter){3, r}, 0x3ff};
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    pf_format_render(m, PF_FORMAT_POLICY, &any, NULL, NULL, NULL);
    fclose(m);
    const char *want = "# pmufc policy deciding as these arm64 PMU event filter records\n"
                       "target arm64;\ndefault deny;\nallow arm 0x11;\nallow arm 0x23-0x3a;\ndeny arm 0x30;\n";
    if (strcmp(buf, want))
        fail("arm policy:\n%s\nwant:\n%s", buf, want);
    free(buf);
    case_end("arm records as a policy (--format policy)");

    /* A string as policy text, as the command line compiles it. */
    {
        struct pf_arena *a = pf_arena_new();
        struct pf_diags d;
        pf_diags_init(&d, a);
        struct pf_import im;
        const char *s = "A:0x11-0x11;A:0x23-0x3a;D:0x30-0x30\n";
        if (pf_import_arm_string("q.arm", s, strlen(s), PF_TARGET_NONE, 0xffff, &d, &im))
            fail("arm import: refused");
        else if (strcmp(im.policy, want) || strcmp(im.name, "q.arm (as policy)"))
            fail("arm import: %s:\n%s", im.name, im.policy);
        else
            pf_import_free(&im);
        pf_arena_free(a);
    }
    case_end("arm string imported as policy text");

    /* The JSON view counts what the records let count (0x11, 0x23-0x3a
     * but 0x30: 24 of 1024 events on ARMv8.0). */
    buf = NULL;
    m = open_memstream(&buf, &len);
    pf_format_render(m, PF_FORMAT_JSON, &any, NULL, NULL, NULL);
    fclose(m);
    json_t *j = json_loads(buf, 0, NULL);
    json_t *c = json_object_get(j, "counts");
    if (json_integer_value(json_object_get(c, "events_counting")) != 24 ||
        json_integer_value(json_object_get(c, "events")) != 1024 ||
        json_array_size(json_object_get(j, "records")) != 3 ||
        strcmp(json_string_value(json_object_get(j, "default")), "deny"))
        fail("arm json:\n%s", buf);
    json_decref(j);
    free(buf);
    case_end("arm records as JSON (--format json): 24 of 1024 events count");
}

/* ---- x86 round trips ---------------------------------------------------- */

/* Decisions of two blobs on every event of t; 0 when alike. */
static int same_decisions(enum pf_target t, const uint8_t *a, size_t alen, const uint8_t *b,
                          size_t blen, char *why, size_t wn)
{
    struct pf_eval_x86 x, y;
    const char *w;
    int amd = t == PF_TARGET_AMD;
    if (pf_eval_x86_load(&x, a, alen, amd, &w)) {
        snprintf(why, wn, "first filter refused: %s", w);
        return -1;
    }
    if (pf_eval_x86_load(&y, b, blen, amd, &w)) {
        pf_eval_x86_free(&x);
        snprintf(why, wn, "second filter refused: %s", w);
        return -1;
    }
    int rc = 0;
    unsigned nsel = amd ? 0x1000 : 0x100;
    for (unsigned s = 0; s < nsel && !rc; s++)
        for (unsigned u = 0; u < 256; u++)
            if (pf_eval_x86_gp(&x, s, u, NULL, NULL) != pf_eval_x86_gp(&y, s, u, NULL, NULL)) {
                snprintf(why, wn, "select=0x%x umask=0x%02x decided differently", s, u);
                rc = -1;
                break;
            }
    for (unsigned i = 0; i < 32 && !rc && !amd; i++)
        if (pf_eval_x86_fixed(&x, i) != pf_eval_x86_fixed(&y, i)) {
            snprintf(why, wn, "fixed counter %u decided differently", i);
            rc = -1;
        }
    ncompared += (unsigned long long)nsel * 256 + (amd ? 0 : 32);
    pf_eval_x86_free(&x);
    pf_eval_x86_free(&y);
    return rc;
}

static uint64_t random_entry(enum pf_target t, int masked)
{
    unsigned maxsel = t == PF_TARGET_AMD ? 0x1000 : 0x100;
    /* Few selects, so that entries meet: duplicates, includes and excludes
     * of one select. */
    unsigned sel = below(3) ? 0xc0 + below(6) : below(maxsel);
    if (t == PF_TARGET_AMD && below(4) == 0)
        sel |= 0x100u << below(4);
    sel &= maxsel - 1;
    if (masked) {
        unsigned mask = below(3) ? 0xff : (unsigned)rnd() & 0xff;
        unsigned match = (unsigned)rnd() & mask;
        if (!below(25))
            match |= ~mask & 0xff; /* never matches */
        return pf_x86_masked(sel, mask, match, below(3) == 0);
    }
    uint64_t e = pf_x86_plain(sel, below(2) ? below(4) : (unsigned)rnd() & 0xff);
    if (!below(20))
        e |= 1ull << (16 + below(16)); /* bits KVM drops */
    if (!below(40))
        e |= 1ull << (36 + below(28));
    return e;
}

static int render(enum pf_format fmt, const struct pf_x86_filter *f, enum pf_target t, char **buf,
                  size_t *len, char *why, size_t wn)
{
    FILE *m = open_memstream(buf, len);
    struct pf_arena *a = pf_arena_new();
    struct pf_diags d;
    pf_diags_init(&d, a);
    const struct pf_any_filter any = {t, f, NULL, 0};
    int rc = pf_format_render(m, fmt, &any, NULL, "f0", &d) != PF_OK;
    fclose(m);
    if (rc || pf_diags_failed(&d))
        first_diag(&d, why, wn), rc = -1;
    pf_arena_free(a);
    return rc;
}

/* Text of format fmt (qemu, qemu-rfc or policy) compiled for t. */
static int compile_back(enum pf_format fmt, const char *text, size_t len, enum pf_target t,
                        struct pf_compiled *c, unsigned *warnings, char *why, size_t wn)
{
    struct pf_import im = {0};
    if (fmt != PF_FORMAT_POLICY) {
        struct pf_arena *a = pf_arena_new();
        struct pf_diags d;
        pf_diags_init(&d, a);
        int rc = pf_import_qemu("rt.json", text, len, t, &d, &im);
        *warnings += d.nwarnings;
        if (rc)
            first_diag(&d, why, wn);
        pf_arena_free(a);
        if (rc)
            return -1;
        text = im.policy;
        len = im.len;
    }
    struct pf_compile_opts o = {0};
    o.target = t;
    o.cpu = "generic";
    enum pf_status s = pf_compile("rt.pf", text, len, &o, c);
    *warnings += c->diags.nwarnings;
    if (getenv("INTEROP_VERBOSE"))
        for (const struct pf_diag *g = c->diags.head; g; g = g->next)
            if (g->sev == PF_SEV_WARNING)
                fprintf(stderr, "warning: %s\n", g->msg);
    if (s != PF_OK) {
        first_diag(&c->diags, why, wn);
        if (getenv("INTEROP_VERBOSE"))
            fprintf(stderr, "%.*s\n", (int)len, text);
    }
    pf_import_free(&im);
    return s == PF_OK ? 0 : -1;
}

/* pmufc's JSON back to bytes: the header and the codes. */
static int json_to_blob(const char *text, size_t len, uint8_t **blob, size_t *blen, char *why, size_t wn)
{
    json_error_t e;
    json_t *j = json_loadb(text, len, 0, &e);
    if (!j) {
        snprintf(why, wn, "json: %d:%d: %s", e.line, e.column, e.text);
        return -1;
    }
    json_t *h = json_object_get(j, "header"), *es = json_object_get(j, "entries");
    struct pf_x86_filter f = {0};
    f.action = (uint32_t)json_integer_value(json_object_get(h, "action"));
    f.nevents = (uint32_t)json_integer_value(json_object_get(h, "nevents"));
    f.fixed_bitmap = (uint32_t)json_integer_value(json_object_get(h, "fixed_counter_bitmap"));
    f.flags = (uint32_t)json_integer_value(json_object_get(h, "flags"));
    int rc = 0;
    if (json_array_size(es) != f.nevents) {
        snprintf(why, wn, "json: %zu entries for nevents %" PRIu32, json_array_size(es), f.nevents);
        rc = -1;
    }
    f.events = calloc(f.nevents ? f.nevents : 1, 8);
    for (uint32_t i = 0; !rc && i < f.nevents; i++) {
        const char *code = json_string_value(json_object_get(json_array_get(es, i), "code"));
        f.events[i] = code ? strtoull(code, NULL, 16) : 0;
    }
    if (!rc)
        rc = pf_blob_encode(&f, blob, blen);
    free(f.events);
    json_decref(j);
    return rc;
}

static void x86_round_trips(void)
{
    static const enum pf_format fmts[] = {PF_FORMAT_QEMU, PF_FORMAT_QEMU_RFC, PF_FORMAT_POLICY,
                                          PF_FORMAT_JSON};
    unsigned warnings = 0;
    const char *env = getenv("INTEROP_ROUNDS");
    int rounds = env ? atoi(env) : 24;
    for (int it = 0; it < rounds; it++) {
        for (int ti = 0; ti < 2; ti++) {
            enum pf_target t = ti ? PF_TARGET_AMD : PF_TARGET_INTEL;
            int masked = below(2);
            struct pf_x86_filter f = {0};
            f.action = below(2) ? KVM_PMU_EVENT_DENY : KVM_PMU_EVENT_ALLOW;
            f.flags = masked ? KVM_PMU_EVENT_FLAG_MASKED_EVENTS : 0;
            f.fixed_bitmap = below(3) ? (uint32_t)rnd() & 0xf : (uint32_t)rnd();
            /* Some empty filters: allow all, deny all. */
            f.nevents = below(8) ? 1 + below(it % 3 ? 20 : 300) : 0;
            f.events = calloc(f.nevents ? f.nevents : 1, 8);
            for (uint32_t i = 0; i < f.nevents; i++)
                f.events[i] = random_entry(t, masked);
            uint8_t *blob;
            size_t blen;
            pf_blob_encode(&f, &blob, &blen);
            for (size_t k = 0; k < sizeof(fmts) / sizeof(fmts[0]); k++) {
                char *text = NULL, why[1024] = "";
                size_t len = 0;
                const char *fname = pf_format_name(fmts[k]);
                char what[128];
                snprintf(what, sizeof(what), "x86 round trip %d %s %s: %s %s, %" PRIu32 " entries", it,
                         pf_target_name(t), fname, masked ? "masked" : "plain",
                         f.action == KVM_PMU_EVENT_DENY ? "deny" : "allow", f.nevents);
                if (render(fmts[k], &f, t, &text, &len, why, sizeof(why))) {
                    fail("round trip %d %s %s: emit: %s", it, pf_target_name(t), fname, why);
                    free(text);
                    case_end("%s", what);
                    continue;
                }
                if (fmts[k] == PF_FORMAT_JSON) {
                    uint8_t *b2;
                    size_t l2;
                    if (json_to_blob(text, len, &b2, &l2, why, sizeof(why)))
                        fail("round trip %d %s json: %s", it, pf_target_name(t), why);
                    else if (l2 != blen || memcmp(b2, blob, blen))
                        fail("round trip %d %s json: not the same bytes", it, pf_target_name(t)), free(b2);
                    else
                        free(b2);
                    free(text);
                    case_end("%s", what);
                    continue;
                }
                struct pf_compiled c;
                if (compile_back(fmts[k], text, len, t, &c, &warnings, why, sizeof(why)))
                    fail("round trip %d %s %s: compile: %s", it, pf_target_name(t), fname, why);
                else if (same_decisions(t, blob, blen, c.blob, c.len, why, sizeof(why)))
                    fail("round trip %d %s %s: %s", it, pf_target_name(t), fname, why);
                pf_compiled_free(&c);
                free(text);
                case_end("%s", what);
            }
            free(blob);
            free(f.events);
        }
    }
    /* Warnings are expected: random filters hold redundant entries and
     * entries KVM drops. */
    note("x86 round trips: %d filters per target, %u warnings on the way back", rounds, warnings);
}

/* ---- located errors in QEMU objects ------------------------------------ */

static void qemu_errors(void)
{
    static const struct {
        const char *json, *want; /* want: the first diagnostic, as first_diag() prints it */
        enum pf_target t;
    } cases[] = {
        /* malformed JSON (jansson) */
        {"{\"qom-type\":\"kvm-pmu-filter\",\"action\":\"allow\",\n \"events\":[{\"format\":\"raw\",\"code\":1},,]}",
         "2:38: error: invalid JSON: unexpected token near ','"},
        {"{\"action\":\"allow\",\"action\":\"deny\"}", "1:19: error: invalid JSON: duplicate object key near '\"action\"'"},
        {"{\"action\":\"allow\"} x", "1:20: error: invalid JSON: end of file expected near 'x'"},
        {"{\"action\":\"allow\",\"events\":[{\"format\":\"raw\",\"code\":99999999999999999999}]}",
         "1:52: error: invalid JSON: too big integer near '99999999999999999999' (pmufc reads integers up to 2^63 - 1)"},
        {"{\"action\":\"allow\"", "1:18: error: invalid JSON: '}' expected near end of file"},
        {"[1,2]", "1:1: error: expected a QEMU kvm-pmu-filter object {\"qom-type\":\"kvm-pmu-filter\",...}, not an array"},
        /* 2025 shape: fields */
        {"{\"action\":\"allow\",\"events\":[{\"format\":\"x86-select-umask\",\"select\":4096,\"umask\":0}]}",
         "1:67: error: events[0]: 'select' is 4096, out of range (0 to 4095: QEMU refuses a select above 4095, \"Parameter 'select' out of range (4095).\")"},
        {"{\"action\":\"allow\",\"events\":[{\"format\":\"x86-select-umask\",\"select\":196,\"umask\":256}]}",
         "1:79: error: events[0]: 'umask' is 256, out of range (0 to 255)"},
        {"{\"action\":\"allow\",\"events\":[{\"format\":\"x86-select-umask\",\"select\":\"0xc4\",\"umask\":0}]}",
         "1:67: error: events[0]: 'select' is a string: the 2025 shape takes JSON integers (write 196, not \"0xc4\"; strings are the RFC v1 shape, which has no top-level \"action\")"},
        {"{\"action\":\"allow\",\"events\":[{\"format\":\"x86-select-umask\",\"select\":-1,\"umask\":0}]}",
         "1:67: error: events[0]: 'select' is -1, out of range (0 to 4095: QEMU refuses a select above 4095, \"Parameter 'select' out of range (4095).\")"},
        {"{\"action\":\"allow\",\"events\":[{\"format\":\"x86-select-umask\",\"select\":1.5,\"umask\":0}]}",
         "1:67: error: events[0]: 'select' must be an integer, not a real number"},
        {"{\"action\":\"allow\",\"events\":[{\"format\":\"x86-default\",\"select\":196,\"umask\":0}]}",
         "1:39: error: events[0]: format \"x86-default\" is the RFC v1 shape's name; the 2025 shape calls it \"x86-select-umask\""},
        {"{\"action\":\"allow\",\"events\":[{\"format\":\"x86-bogus\"}]}",
         "1:39: error: events[0]: unknown format \"x86-bogus\" (\"raw\", \"x86-select-umask\" or \"x86-masked-entry\")"},
        {"{\"action\":\"allow\",\"events\":[{\"code\":196}]}",
         "1:29: error: events[0] has no 'format' (\"raw\", \"x86-select-umask\" or \"x86-masked-entry\")"},
        {"{\"action\":\"allow\",\"events\":[{\"format\":\"raw\"}]}", "1:29: error: events[0] has no 'code'"},
        {"{\"action\":\"allow\",\"events\":[{\"format\":\"raw\",\"code\":196,\"umask\":1}]}",
         "1:56: error: events[0]: unexpected member 'umask' for format \"raw\" (events[0] has 'format', 'code')"},
        {"{\"action\":\"maybe\"}", "1:11: error: the kvm-pmu-filter object: 'action' is \"maybe\"; it is \"allow\" or \"deny\""},
        {"{\"action\":\"allow\",\"pmu\":1}",
         "1:19: error: the kvm-pmu-filter object: unexpected member 'pmu' (the kvm-pmu-filter object has 'qom-type', 'id', 'action', 'x86-fixed-counter', 'events')"},
        {"{\"qom-type\":\"memory-backend-ram\",\"action\":\"allow\"}",
         "1:13: error: 'qom-type' is \"memory-backend-ram\", not \"kvm-pmu-filter\""},
        {"{\"action\":\"allow\",\"x86-fixed-counter\":4294967296}",
         "1:39: error: the kvm-pmu-filter object: 'x86-fixed-counter' is 4294967296, out of range (0 to 4294967295)"},
        {"{\"action\":\"allow\",\"x86-fixed-counter\":{\"action\":\"allow\",\"bitmap\":\"0x1\"}}",
         "1:39: error: 'x86-fixed-counter' is the bitmap itself in the 2025 shape (an integer); {\"action\",\"bitmap\"} is the RFC v1 shape, which has no top-level \"action\""},
        {"{\"action\":\"allow\",\"events\":[{\"format\":\"raw\",\"code\":196},{\"format\":\"x86-masked-entry\",\"select\":196,\"mask\":255,\"match\":0,\"exclude\":false}]}",
         "1:67: error: events[1]: x86-masked-entry cannot be mixed with other formats (QEMU: \"Masked entry format cannot be mixed with other formats.\"); the first event decides, and it is not masked"},
        {"{\"action\":\"allow\",\"events\":[{\"format\":\"x86-masked-entry\",\"select\":196,\"mask\":255,\"match\":0,\"exclude\":1}]}",
         "1:102: error: events[0]: 'exclude' must be true or false, not an integer"},
        {"{\"action\":\"allow\",\"events\":[{\"action\":\"allow\",\"format\":\"raw\",\"code\":196}]}",
         "1:30: error: events[0]: unexpected member 'action': in the 2025 shape the action is the object's (\"action\":\"allow\") and applies to every event"},
        {"{\"action\":\"allow\",\"events\":{}}", "1:28: error: 'events' must be an array of events, not an object"},
        {"{\"action\":\"allow\",\"events\":[7]}",
         "1:29: error: events[0] must be an object such as {\"format\":\"raw\",\"code\":196}, not an integer"},
        {"{\"qom-type\":\"kvm-pmu-filter\",\"id\":\"f0\"}",
         "1:1: error: the kvm-pmu-filter object has no 'action' (\"allow\" or \"deny\")"},
        {"{\"action\":\"allow\",\"events\":[{\"format\":\"x86-masked-entry\",\"select\":452,\"mask\":255,\"match\":0,\"exclude\":false}]}",
         "1:67: error: events[0]: select 0x1c4: KVM on intel refuses a masked entry with select bits 35:32 (EINVAL)",
         PF_TARGET_INTEL},
        {"{\"id\":\"0f\",\"action\":\"allow\",\"events\":[{\"format\":\"raw\",\"code\":196}]}",
         "1:7: warning: QEMU refuses the id \"0f\": an id is a letter, then letters, digits, '-', '.' and '_'"},
        {"{\"action\":\"deny\",\"events\":[{\"format\":\"raw\",\"code\":16777412}]}",
         "1:51: warning: events[0]: code 0x10000c4 has bits 0x1000000 outside the event select and unit mask: KVM drops this entry without a word"},
        {"{\"action\":\"deny\",\"events\":[]}",
         "1:1: warning: QEMU refuses a kvm-pmu-filter with no events and no fixed counter (\"Empty KVM PMU filter.\"); as a KVM filter it allows everything"},
        /* RFC v1 shape */
        {"{\"events\":[{\"action\":\"allow\",\"format\":\"raw\",\"code\":196}]}",
         "1:52: error: events[0]: 'code' must be a string such as \"0xc4\": the RFC v1 shape takes numbers as strings (JSON integers are the 2025 shape, which has a top-level \"action\"), not an integer"},
        {"{\"events\":[{\"action\":\"allow\",\"format\":\"raw\",\"code\":\"0xg4\"}]}",
         "1:52: error: events[0]: 'code' is \"0xg4\", not a number (QEMU reads it with qemu_strtou64: 0x-prefixed hexadecimal, 0-prefixed octal or decimal)"},
        {"{\"events\":[{\"action\":\"allow\",\"format\":\"x86-default\",\"select\":\"0x1000\",\"umask\":\"0\"}]}",
         "1:62: error: events[0]: 'select' is \"0x1000\", out of range (0 to 0xfff: QEMU refuses a select above 4095, \"Parameter 'select' out of range (4095).\")"},
        {"{\"events\":[{\"action\":\"allow\",\"format\":\"x86-default\",\"select\":\"0xc4\",\"umask\":\"010\"}]}",
         "1:77: warning: events[0]: 'umask' is \"010\", which QEMU reads as octal (8 = 0x8)"},
        {"{\"events\":[{\"action\":\"allow\",\"format\":\"raw\",\"code\":\"0xc4\"},{\"action\":\"deny\",\"format\":\"raw\",\"code\":\"0xc5\"}]}",
         "1:70: error: events[1]: 'action' is \"deny\" but the filter's is \"allow\": QEMU takes one action for all events and fixed counters (\"Only support PMU fixed-counters/events with the same action\")"},
        {"{\"x86-fixed-counter\":{\"action\":\"deny\",\"bitmap\":\"0x1\"},\"events\":[{\"action\":\"allow\",\"format\":\"raw\",\"code\":\"0xc4\"}]}",
         "1:75: error: events[0]: 'action' is \"allow\" but the filter's is \"deny\": QEMU takes one action for all events and fixed counters (\"Only support PMU fixed-counters/events with the same action\")"},
        {"{\"x86-fixed-counter\":{\"action\":\"deny\",\"bitmap\":\"0x100000000\"}}",
         "1:48: error: x86-fixed-counter: 'bitmap' is \"0x100000000\", out of range (0 to 0xffffffff)"},
        {"{\"events\":[{\"action\":\"allow\",\"format\":\"x86-select-umask\",\"select\":\"0xc4\",\"umask\":\"0\"}]}",
         "1:39: error: events[0]: format \"x86-select-umask\" is the 2025 shape's name; the RFC v1 shape calls it \"x86-default\""},
        {"{\"events\":[{\"action\":\"allow\",\"format\":\"x86-masked-entry\",\"select\":\"0xc4\",\"mask\":\"0xff\",\"match\":\"0\"}]}",
         "1:12: error: events[0] has no 'exclude' (true or false)"},
        {"{\"events\":[{\"action\":\"allow\",\"format\":\"x86-masked-entry\",\"select\":\"0xc4\",\"mask\":\"0xff\",\"match\":\"0\",\"exclude\":true}]}",
         "1:11: warning: no event is an include: an exclude only takes umasks out of its select's includes, so this filter lists nothing and denies every event (and every fixed counter not in its bitmap)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct pf_arena *a = pf_arena_new();
        struct pf_diags d;
        pf_diags_init(&d, a);
        struct pf_import im;
        int rc = pf_import_qemu("t.json", cases[i].json, strlen(cases[i].json), cases[i].t, &d, &im);
        pf_diags_sort(&d);
        char got[1024];
        first_diag(&d, got, sizeof(got));
        int want_error = strstr(cases[i].want, ": error: ") != NULL;
        if (strcmp(got, cases[i].want))
            fail("qemu error case %zu: %s\n  got:  %s\n  want: %s", i, cases[i].json, got, cases[i].want);
        else if (want_error != (rc != 0))
            fail("qemu error case %zu: returned %d", i, rc);
        if (!rc)
            pf_import_free(&im);
        pf_arena_free(a);
        case_end("qemu error case %zu: %s", i, cases[i].want);
    }
}

/* ---- commands for the shell test ---------------------------------------- */

static int slurp(const char *path, char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 16;
    *buf = malloc(cap);
    *len = 0;
    size_t n;
    while ((n = fread(*buf + *len, 1, cap - *len, f)) > 0) {
        *len += n;
        if (*len == cap)
            *buf = realloc(*buf, cap *= 2);
    }
    fclose(f);
    return 0;
}

static int target_of(const char *s, enum pf_target *t)
{
    if (!strcmp(s, "intel"))
        *t = PF_TARGET_INTEL;
    else if (!strcmp(s, "amd"))
        *t = PF_TARGET_AMD;
    else
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "same")) {
        enum pf_target t;
        char *a, *b, why[256];
        size_t al, bl;
        if (target_of(argv[2], &t) || slurp(argv[3], &a, &al) || slurp(argv[4], &b, &bl)) {
            fprintf(stderr, "interop-test same: bad arguments\n");
            return 2;
        }
        int rc = same_decisions(t, (uint8_t *)a, al, (uint8_t *)b, bl, why, sizeof(why));
        if (rc)
            printf("%s\n", why);
        free(a);
        free(b);
        return rc ? 1 : 0;
    }
    if (argc == 4 && !strcmp(argv[1], "json-bytes")) {
        char *j, *b, why[256];
        size_t jl, bl;
        uint8_t *out;
        size_t ol;
        if (slurp(argv[2], &j, &jl) || slurp(argv[3], &b, &bl)) {
            fprintf(stderr, "interop-test json-bytes: bad arguments\n");
            return 2;
        }
        int rc = json_to_blob(j, jl, &out, &ol, why, sizeof(why));
        if (rc)
            printf("%s\n", why);
        else if (ol != bl || memcmp(out, b, bl))
            printf("not the same bytes\n"), rc = 1;
        if (!rc)
            free(out);
        free(j);
        free(b);
        return rc ? 1 : 0;
    }
    arm_tests();
    x86_round_trips();
    qemu_errors();
    note("%llu decisions compared", ncompared);
    return tap_done("interop-test");
}
