/* arm_string.c - arm64 PMU filter records as the range strings of
 * kvmtool and QEMU (--format kvmtool, qemu-arm), out and in.
 *
 * The records are KVM_ARM_VCPU_PMU_V3_FILTER's (Linux
 * Documentation/virt/kvm/devices/vcpu.rst): "A filter range is defined as
 * the range [@base_event, @base_event + @nevents), together with an
 * @action (KVM_PMU_EVENT_ALLOW or KVM_PMU_EVENT_DENY).  The first
 * registered range defines the global policy (global ALLOW if the first
 * @action is DENY, global DENY if the first @action is ALLOW)."  Later
 * ranges overwrite earlier ones, so the last range holding an event
 * decides it, exactly like the last matching rule of a policy.
 *
 * kvmtool (Marc Zyngier's pmu-filter branch, "arm64: Add PMU event
 * filtering option"):
 *     --pmu-filter "{A,D}:start-end[,...]"
 *   "where A means "allow" and D means "deny", start is the first event of
 *   the range and end the last one", e.g. "A:0x11-0x11,A:0x23-0x3a,
 *   D:0x30-0x30" "allows event 0x11 (the cycle counter), events 0x23 to
 *   0x3a except for event 0x30, and all the other events are disallowed."
 *
 * QEMU's arm series (Shaoqin Huang, "target/arm: Add kvm-pmu-filter" as a
 * -cpu property, v9, docs/system/arm/cpu-features.rst):
 *     kvm-pmu-filter="{A,D}:start-end[;{A,D}:start-end...]"
 *   "The start and end only support hexadecimal format", e.g.
 *   kvm-pmu-filter="A:0x11-0x11;A:0x23-0x3a;D:0x30-0x30".  It splits at
 *   ';' and reads each item with sscanf("%c:%hx-%hx"), refusing start >
 *   end; its getter prints "%c:0x%hx-0x%hx".
 *
 * Both read hexadecimal with or without 0x; so does pf_arm_string_parse,
 * which is stricter than sscanf in refusing what follows an item other
 * than the separator (sscanf ignores it) and numbers beyond the PMU's
 * event space (KVM would refuse them with EINVAL).  An imported string
 * becomes policy text through fmt_policy.c's arm64 view. */
#include "formats/arm_string.h"

#include "formats/format.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* 16-bit event numbers: the most a record can name. */
#define ARM_SPACE (PF_ARM_EVENT_MAX + 1u)

static void report(struct pf_diags *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void report(struct pf_diags *d, const char *fmt, ...)
{
    if (!d)
        return;
    va_list ap;
    va_start(ap, fmt);
    pf_vdiag(d, PF_SEV_ERROR, NULL, fmt, ap);
    va_end(ap);
}

/* Index of the first record with events; n when none. */
static size_t first_real(const struct pf_arm_record *r, size_t n)
{
    size_t k = 0;
    while (k < n && !r[k].nevents)
        k++;
    return k;
}

enum pf_status pf_arm_string_write(FILE *out, const struct pf_arm_filter *f, char sep,
                                   struct pf_diags *d)
{
    const struct pf_arm_record *r = f->rec;
    size_t n = f->n, k = first_real(r, n);
    /* A leading empty record still sets the default; the strings can only
     * say that through a first range of the same action. */
    if (k > 0 && (k == n ? r[0].action == KVM_PMU_EVENT_ALLOW : r[k].action != r[0].action)) {
        report(d, "arm64 record 0 has no events but, being first, makes every event %s by default; "
               "a %s string cannot say that", r[0].action == KVM_PMU_EVENT_ALLOW ? "denied" : "allowed",
               sep == PF_ARM_SEP_KVMTOOL ? "kvmtool" : "QEMU");
        return PF_EPOLICY;
    }
    const char *s = "";
    for (size_t i = k; i < n; i++) {
        if (!r[i].nevents)
            continue;
        unsigned last = (unsigned)r[i].base + r[i].nevents - 1;
        if (last >= ARM_SPACE) {
            report(d, "arm64 record %zu (0x%x + %u events) goes beyond the 16-bit event space", i,
                   r[i].base, r[i].nevents);
            return PF_EPOLICY;
        }
        fprintf(out, "%s%c:0x%x-0x%x", s, r[i].action == KVM_PMU_EVENT_ALLOW ? 'A' : 'D', r[i].base, last);
        s = sep == PF_ARM_SEP_KVMTOOL ? "," : ";";
    }
    fputc('\n', out);
    return pf_emit_done(out);
}

enum pf_status pf_fmt_arm_string(FILE *out, const struct pf_arm_filter *f, unsigned arm_max,
                                 const struct pf_emit_ctx *c)
{
    (void)arm_max;
    return pf_arm_string_write(out, f, c->fmt == PF_FORMAT_KVMTOOL ? PF_ARM_SEP_KVMTOOL : PF_ARM_SEP_QEMU,
                               c->d);
}

/* ---- parsing ----------------------------------------------------------- */

struct scan {
    const struct pf_source *src;
    size_t i;
    unsigned line, col;
    struct pf_diags *d;
};

static int at_end(const struct scan *s)
{
    return s->i >= s->src->len;
}

static int peek(const struct scan *s)
{
    return at_end(s) ? -1 : (unsigned char)s->src->text[s->i];
}

static void step(struct scan *s)
{
    if (s->src->text[s->i] == '\n')
        s->line++, s->col = 1;
    else
        s->col++;
    s->i++;
}

static void blanks(struct scan *s)
{
    while (!at_end(s) && strchr(" \t\r\n", s->src->text[s->i]))
        step(s);
}

static void error_here(struct scan *s, unsigned width, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void error_here(struct scan *s, unsigned width, const char *fmt, ...)
{
    struct pf_loc l = {s->src, s->line, s->col, width > 1 ? s->line : 0, width > 1 ? s->col + width - 1 : 0};
    va_list ap;
    va_start(ap, fmt);
    pf_vdiag(s->d, PF_SEV_ERROR, &l, fmt, ap);
    va_end(ap);
}

/* What is at the cursor, for messages. */
static const char *found(const struct scan *s, char buf[16])
{
    int c = peek(s);
    if (c < 0)
        return "the end";
    if (c == '\n')
        return "the end of the line";
    if (c > 0x20 && c < 0x7f)
        snprintf(buf, 16, "'%c'", c);
    else
        snprintf(buf, 16, "byte 0x%02x", (unsigned)c);
    return buf;
}

/* What follows an item is neither a blank, the separator nor the end. */
static void bad_follower(struct scan *s, char sep)
{
    char b[16];
    char other = sep == PF_ARM_SEP_KVMTOOL ? PF_ARM_SEP_QEMU : PF_ARM_SEP_KVMTOOL;
    if (peek(s) == other)
        error_here(s, 1, "expected '%c' between items, found '%c' ('%c' separates %s's items)", sep,
                   other, other, other == PF_ARM_SEP_KVMTOOL ? "kvmtool" : "QEMU");
    else
        error_here(s, 1, "expected '%c' or the end after an item, found %s", sep, found(s, b));
}

/* A hexadecimal number, 0x optional.  Returns 0 and advances, or -1 after
 * an error. */
static int hexnum(struct scan *s, const char *what, unsigned arm_max, unsigned *v)
{
    struct scan start = *s;
    if (peek(s) == '0' && s->i + 1 < s->src->len && (s->src->text[s->i + 1] | 0x20) == 'x') {
        step(s);
        step(s);
    }
    uint64_t x = 0;
    size_t digits = 0;
    while (isxdigit(peek(s))) {
        int c = peek(s);
        x = x * 16 + (unsigned)(isdigit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
        if (x > 0xffffffffu)
            x = 0xffffffffu + 1ull; /* saturate: it is out of range anyway */
        digits++;
        step(s);
    }
    if (!digits) {
        char b[16];
        error_here(s, 1, "expected the %s event number (hexadecimal), found %s", what, found(s, b));
        return -1;
    }
    if (isalnum(peek(s)) || peek(s) == '_') {
        while (isalnum(peek(s)) || peek(s) == '_')
            step(s);
        unsigned width = (unsigned)(s->i - start.i);
        *s = start;
        error_here(s, width, "invalid hexadecimal number '%.*s'", (int)width, s->src->text + s->i);
        return -1;
    }
    if (x > arm_max) {
        unsigned width = (unsigned)(s->i - start.i);
        *s = start;
        error_here(s, width,
                   "event 0x%" PRIx64 " is beyond the PMU's event space (the last event is 0x%x)", x,
                   arm_max);
        return -1;
    }
    *v = (unsigned)x;
    return 0;
}

/* Appends a record. */
static enum pf_status push(struct pf_arm_filter *f, size_t *cap, unsigned base, unsigned count,
                           unsigned action)
{
    if (f->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        struct pf_arm_record *nv = realloc(f->rec, nc * sizeof(*nv));
        if (!nv)
            return PF_ENOMEM;
        f->rec = nv;
        *cap = nc;
    }
    f->rec[f->n++] = (struct pf_arm_record){(uint16_t)base, (uint16_t)count, (uint8_t)action};
    return PF_OK;
}

/* One item; 0 and *rec filled, or -1 after an error (the cursor is then
 * somewhere in the item). */
static int item(struct scan *s, char sep, unsigned arm_max, unsigned *action, unsigned *lo, unsigned *hi)
{
    char b[16];
    int c = peek(s);
    if (c != 'A' && c != 'D') {
        error_here(s, 1, "expected 'A' (allow) or 'D' (deny), found %s", found(s, b));
        return -1;
    }
    *action = c == 'A' ? KVM_PMU_EVENT_ALLOW : KVM_PMU_EVENT_DENY;
    step(s);
    if (peek(s) != ':') {
        error_here(s, 1, "expected ':' after '%c', found %s", c, found(s, b));
        return -1;
    }
    step(s);
    struct scan first = *s;
    if (hexnum(s, "first", arm_max, lo))
        return -1;
    if (peek(s) != '-') {
        error_here(s, 1, "expected '-' and the last event of the range, found %s (one event is "
                   "written as a range of one: %c:0x%x-0x%x)", found(s, b), c, *lo, *lo);
        return -1;
    }
    step(s);
    if (hexnum(s, "last", arm_max, hi))
        return -1;
    int next = peek(s);
    if (next >= 0 && next != sep && !strchr(" \t\r\n", next)) {
        bad_follower(s, sep);
        return -1;
    }
    if (*lo > *hi) {
        *s = first;
        error_here(s, 1, "empty range: 0x%x is above 0x%x", *lo, *hi);
        return -1;
    }
    return 0;
}

enum pf_status pf_arm_string_parse(const struct pf_source *src, char sep, unsigned arm_max,
                                   struct pf_diags *d, struct pf_arm_filter *out)
{
    struct scan s = {src, 0, 1, 1, d};
    struct pf_arm_filter v = {0, NULL};
    size_t cap = 0;
    int bad = 0;
    if (arm_max >= ARM_SPACE)
        arm_max = ARM_SPACE - 1;
    blanks(&s);
    while (!at_end(&s)) {
        unsigned action, lo, hi;
        if (item(&s, sep, arm_max, &action, &lo, &hi)) {
            bad = 1;
            /* resynchronize at the next separator */
            while (!at_end(&s) && peek(&s) != sep)
                step(&s);
        } else {
            unsigned count = hi - lo + 1;
            /* nevents is 16 bits: the whole space takes two records. */
            int rc = count == ARM_SPACE ? push(&v, &cap, lo, count - 1, action) ||
                                              push(&v, &cap, hi, 1, action)
                                        : push(&v, &cap, lo, count, action);
            if (rc) {
                pf_diag(d, PF_SEV_ERROR, NULL, "out of memory");
                pf_arm_filter_free(&v);
                return PF_ENOMEM;
            }
            blanks(&s);
        }
        if (at_end(&s))
            break;
        if (peek(&s) != sep) {
            bad_follower(&s, sep);
            bad = 1;
            while (!at_end(&s) && peek(&s) != sep)
                step(&s);
            if (at_end(&s))
                break;
        }
        step(&s); /* the separator */
        blanks(&s);
        if (at_end(&s)) {
            error_here(&s, 1, "expected an item after '%c'", sep);
            bad = 1;
        }
    }
    if (bad) {
        pf_arm_filter_free(&v);
        return PF_EPOLICY;
    }
    *out = v;
    return PF_OK;
}

int pf_arm_string_sniff(const char *buf, size_t len)
{
    size_t i = 0;
    while (i < len && strchr(" \t\r\n", buf[i]))
        i++;
    return i + 1 < len && (buf[i] == 'A' || buf[i] == 'D') && buf[i + 1] == ':';
}

enum pf_status pf_import_arm_string(const char *name, const char *text, size_t len,
                                    enum pf_target t, unsigned arm_max, struct pf_diags *d,
                                    struct pf_import *out)
{
    memset(out, 0, sizeof(*out));
    const struct pf_source *src = pf_import_source(d, name, text, len);
    if (!src)
        return PF_ENOMEM;
    if (t != PF_TARGET_NONE && t != PF_TARGET_ARM64) {
        struct scan at = {src, 0, 1, 1, d};
        blanks(&at);
        error_here(&at, 2, "this is an arm64 filter (a kvmtool or QEMU range string), not one for %s",
                   pf_target_name(t));
        return PF_EPOLICY;
    }
    /* kvmtool separates with ',', QEMU with ';'; one item has neither. */
    char sep = memchr(text, PF_ARM_SEP_QEMU, len) ? PF_ARM_SEP_QEMU : PF_ARM_SEP_KVMTOOL;
    struct pf_arm_filter f;
    enum pf_status rc = pf_arm_string_parse(src, sep, arm_max, d, &f);
    if (rc != PF_OK)
        return rc;
    const struct pf_emit_ctx c = {PF_FORMAT_POLICY, NULL, NULL, d};
    FILE *m = open_memstream(&out->policy, &out->len);
    rc = m ? pf_fmt_policy_arm(m, &f, arm_max, &c) : PF_ENOMEM;
    if (m && fclose(m))
        rc = PF_ENOMEM;
    pf_arm_filter_free(&f);
    out->name = rc ? NULL : pf_import_name(name);
    if (!out->name) {
        pf_diag(d, PF_SEV_ERROR, NULL, "out of memory");
        pf_import_free(out);
        return PF_ENOMEM;
    }
    return PF_OK;
}
