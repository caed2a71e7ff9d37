/* interop_arm.c - arm64 PMU filter records in other tools' formats.
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
 * Both read hexadecimal with or without 0x; so does pf_arm_parse_string,
 * which is stricter than sscanf in refusing what follows an item other
 * than the separator (sscanf ignores it) and numbers beyond the PMU's
 * event space (KVM would refuse them with EINVAL). */
#include "formats/interop.h"

#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "?"
#endif

#define ARM_ALLOW 0u
#define ARM_DENY 1u
#define ARM_SPACE 0x10000u

int pf_arm_decide(const struct pf_arm_range *r, size_t n, unsigned event)
{
    if (!n)
        return 1; /* no filter */
    int allow = r[0].action != ARM_ALLOW;
    for (size_t i = 0; i < n; i++)
        if (event >= r[i].base && event - r[i].base < r[i].nevents)
            allow = r[i].action == ARM_ALLOW;
    return allow;
}

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
static size_t first_real(const struct pf_arm_range *r, size_t n)
{
    size_t k = 0;
    while (k < n && !r[k].nevents)
        k++;
    return k;
}

int pf_arm_emit_string(FILE *out, const struct pf_arm_range *r, size_t n, char sep,
                       struct pf_diags *d)
{
    size_t k = first_real(r, n);
    /* A leading empty record still sets the default; the strings can only
     * say that through a first range of the same action. */
    if (k > 0 && (k == n ? r[0].action == ARM_ALLOW : r[k].action != r[0].action)) {
        report(d, "arm64 record 0 has no events but, being first, makes every event %s by default; "
               "a %s string cannot say that", r[0].action == ARM_ALLOW ? "denied" : "allowed",
               sep == PF_ARM_SEP_KVMTOOL ? "kvmtool" : "QEMU");
        return -1;
    }
    const char *s = "";
    for (size_t i = k; i < n; i++) {
        if (!r[i].nevents)
            continue;
        unsigned last = (unsigned)r[i].base + r[i].nevents - 1;
        if (last >= ARM_SPACE) {
            report(d, "arm64 record %zu (0x%x + %u events) goes beyond the 16-bit event space", i,
                   r[i].base, r[i].nevents);
            return -1;
        }
        fprintf(out, "%s%c:0x%x-0x%x", s, r[i].action == ARM_ALLOW ? 'A' : 'D', r[i].base, last);
        s = sep == PF_ARM_SEP_KVMTOOL ? "," : ";";
    }
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
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

static int push(struct pf_arm_range **v, size_t *n, size_t *cap, unsigned base, unsigned count,
                unsigned action)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        struct pf_arm_range *nv = realloc(*v, nc * sizeof(**v));
        if (!nv)
            return -1;
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = (struct pf_arm_range){(uint16_t)base, (uint16_t)count, (uint8_t)action};
    return 0;
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
    *action = c == 'A' ? ARM_ALLOW : ARM_DENY;
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

int pf_arm_parse_string(const struct pf_source *src, char sep, unsigned arm_max, struct pf_diags *d,
                        struct pf_arm_range **out, size_t *n)
{
    struct scan s = {src, 0, 1, 1, d};
    struct pf_arm_range *v = NULL;
    size_t nv = 0, cap = 0;
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
            int rc = count == ARM_SPACE ? push(&v, &nv, &cap, lo, count - 1, action) ||
                                              push(&v, &nv, &cap, hi, 1, action)
                                        : push(&v, &nv, &cap, lo, count, action);
            if (rc) {
                pf_diag(d, PF_SEV_ERROR, NULL, "out of memory");
                free(v);
                return -1;
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
        free(v);
        return -1;
    }
    *out = v;
    *n = nv;
    return 0;
}

int pf_arm_string_sniff(const char *buf, size_t len)
{
    size_t i = 0;
    while (i < len && strchr(" \t\r\n", buf[i]))
        i++;
    return i + 1 < len && (buf[i] == 'A' || buf[i] == 'D') && buf[i + 1] == ':';
}

int pf_import_arm_string(const char *name, const char *text, size_t len, enum pf_target t,
                         unsigned arm_max, struct pf_diags *d, struct pf_import *out)
{
    memset(out, 0, sizeof(*out));
    const struct pf_source *src = pf_import_source(d, name, text, len);
    if (!src)
        return -1;
    if (t != PF_TARGET_NONE && t != PF_TARGET_ARM64) {
        struct scan at = {src, 0, 1, 1, d};
        blanks(&at);
        error_here(&at, 2, "this is an arm64 filter (a kvmtool or QEMU range string), not one for %s",
                   pf_target_name(t));
        return -1;
    }
    /* kvmtool separates with ',', QEMU with ';'; one item has neither. */
    char sep = memchr(text, PF_ARM_SEP_QEMU, len) ? PF_ARM_SEP_QEMU : PF_ARM_SEP_KVMTOOL;
    struct pf_arm_range *r;
    size_t n;
    if (pf_arm_parse_string(src, sep, arm_max, d, &r, &n))
        return -1;
    FILE *m = open_memstream(&out->policy, &out->len);
    int rc = m ? pf_arm_emit_policy(m, r, n) : -1;
    if (m && fclose(m))
        rc = -1;
    free(r);
    out->name = rc ? NULL : pf_import_name(name);
    if (!out->name) {
        pf_diag(d, PF_SEV_ERROR, NULL, "out of memory");
        pf_import_free(out);
        return -1;
    }
    return 0;
}

/* ---- policy, C, JSON --------------------------------------------------- */

int pf_arm_emit_policy(FILE *out, const struct pf_arm_range *r, size_t n)
{
    fputs("# pmufc policy deciding as these arm64 PMU event filter records\n", out);
    fputs("target arm64;\n", out);
    if (!n) {
        fputs("# no records: no filter, every event counts\ndefault allow;\n", out);
        return ferror(out) ? -1 : 0;
    }
    /* The first record sets the default, even one without events. */
    fprintf(out, "default %s;\n", r[0].action == ARM_ALLOW ? "deny" : "allow");
    for (size_t i = 0; i < n; i++) {
        const char *act = r[i].action == ARM_ALLOW ? "allow" : "deny";
        unsigned last = (unsigned)r[i].base + r[i].nevents - 1;
        if (!r[i].nevents)
            fprintf(out, "# record %zu: %s of no events\n", i, act);
        else if (r[i].nevents == 1)
            fprintf(out, "%s arm 0x%x;\n", act, r[i].base);
        else
            fprintf(out, "%s arm 0x%x-0x%x;\n", act, r[i].base, last);
    }
    return ferror(out) ? -1 : 0;
}

int pf_arm_emit_c(FILE *out, const struct pf_arm_range *r, size_t n, const char *name)
{
    char id[128];
    if (!name || !*name)
        name = PF_C_DEFAULT_NAME;
    size_t k = 0;
    if (isdigit((unsigned char)name[0]))
        id[k++] = '_';
    for (const char *p = name; *p && k + 1 < sizeof(id); p++)
        id[k++] = isalnum((unsigned char)*p) ? *p : '_';
    id[k] = 0;
    fprintf(out,
            "/* %s: arm64 PMU event filter records, by pmufc %s.  Apply them in order,\n"
            " * one KVM_SET_DEVICE_ATTR each on a vCPU, before KVM_ARM_VCPU_PMU_V3_INIT:\n"
            " *     struct kvm_device_attr attr = {\n"
            " *         .group = KVM_ARM_VCPU_PMU_V3_CTRL, .attr = KVM_ARM_VCPU_PMU_V3_FILTER,\n"
            " *         .addr = (uint64_t)(uintptr_t)&%s[i] };\n"
            " * Layout of arm64's struct kvm_pmu_event_filter (<asm/kvm.h>).\n"
            " */\n#include <stdint.h>\n\n",
            id, PACKAGE_VERSION, id);
    fprintf(out, "enum { %s_count = %zu };\n", id, n);
    if (!n) {
        fputs("/* no records: no filter, every event counts */\n", out);
        return ferror(out) ? -1 : 0;
    }
    fprintf(out,
            "static const struct {\n"
            "    uint16_t base_event;\n"
            "    uint16_t nevents;\n"
            "    uint8_t action;\n"
            "    uint8_t pad[3];\n"
            "} %s[%zu] = {\n",
            id, n);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "    {0x%04x, %u, %u, {0}}, /* %s 0x%x-0x%x */\n", r[i].base, r[i].nevents,
                r[i].action, r[i].action == ARM_ALLOW ? "KVM_PMU_EVENT_ALLOW" : "KVM_PMU_EVENT_DENY",
                r[i].base, (unsigned)r[i].base + (r[i].nevents ? r[i].nevents - 1u : 0u));
    fprintf(out, "};\n"
            "#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L\n"
            "_Static_assert(sizeof(%s[0]) == 8, \"%s: not the layout of struct kvm_pmu_event_filter\");\n"
            "#endif\n",
            id, id);
    return ferror(out) ? -1 : 0;
}

int pf_arm_emit_json(FILE *out, const struct pf_arm_range *r, size_t n, unsigned arm_max)
{
    int bad = 0;
    if (arm_max >= ARM_SPACE)
        arm_max = ARM_SPACE - 1;
    json_t *o = json_object(), *rs = json_array(), *c = json_object();
    if (!o || !rs || !c) {
        json_decref(o), json_decref(rs), json_decref(c);
        return -1;
    }
    pf_json_put(o, "pmufc", json_string(PACKAGE_VERSION), &bad);
    pf_json_put(o, "kind", json_string("arm64-filter"), &bad);
    pf_json_put(o, "target", json_string("arm64"), &bad);
    pf_json_put(o, "event_space", json_integer((json_int_t)arm_max + 1), &bad);
    pf_json_put(o, "default",
                !n ? json_string("allow") : json_string(r[0].action == ARM_ALLOW ? "deny" : "allow"), &bad);
    for (size_t i = 0; i < n && !bad; i++) {
        json_t *e = json_object();
        if (!e) {
            bad = 1;
            break;
        }
        pf_json_put(e, "index", json_integer((json_int_t)i), &bad);
        pf_json_put(e, "base", json_integer(r[i].base), &bad);
        pf_json_put(e, "nevents", json_integer(r[i].nevents), &bad);
        if (r[i].nevents)
            pf_json_put(e, "last", json_integer((json_int_t)r[i].base + r[i].nevents - 1), &bad);
        pf_json_put(e, "action", json_integer(r[i].action), &bad);
        pf_json_put(e, "action_name", json_string(r[i].action == ARM_ALLOW ? "allow" : "deny"), &bad);
        if (json_array_append_new(rs, e))
            bad = 1;
    }
    pf_json_put(o, "records", rs, &bad);
    size_t counting = 0;
    for (unsigned ev = 0; ev <= arm_max; ev++)
        counting += (size_t)pf_arm_decide(r, n, ev);
    pf_json_put(c, "records", json_integer((json_int_t)n), &bad);
    pf_json_put(c, "events", json_integer((json_int_t)arm_max + 1), &bad);
    pf_json_put(c, "events_counting", json_integer((json_int_t)counting), &bad);
    pf_json_put(o, "counts", c, &bad);
    pf_json_put(o, "bytes", json_integer((json_int_t)(8 * n)), &bad);
    return pf_json_write(out, o, JSON_INDENT(2), bad);
}
