/* qemu_read.c - the reader of QEMU's kvm-pmu-filter object: the value
 * jansson parsed, read strictly into the filter QEMU would hand KVM.
 *
 * Both shapes of Zhao Liu's proposal are read (fmt_qemu.c, the writer,
 * quotes them):
 *
 *   2025 ("i386/kvm: Support KVM PMU filter", QAPI Since 10.1):
 *     {"qom-type":"kvm-pmu-filter","id":"f0","action":"allow"|"deny",
 *      "x86-fixed-counter":UINT32,
 *      "events":[{"format":"raw","code":UINT64},
 *                {"format":"x86-select-umask","select":UINT16<=4095,"umask":UINT8},
 *                {"format":"x86-masked-entry","select":UINT16<=4095,
 *                 "mask":UINT8,"match":UINT8,"exclude":BOOL}]}
 *     Example (qemu-options.hx):
 *       {"qom-type":"kvm-pmu-filter","id":"f0","action":"allow",
 *        "events":[{"format":"raw","code":196}]}
 *
 *   RFC v1 (July 2024, the seed; QAPI Since 9.1): no top-level "action";
 *     every event has one, "x86-fixed-counter" is {"action","bitmap"}, all
 *     numbers are strings for qemu_strtou64(s, NULL, 0) and "x86-default"
 *     is the select/umask format:
 *       {"qom-type":"kvm-pmu-filter","id":"f0","events":[{"action":"allow",
 *        "format":"raw","code":"0xc4"}]}
 *
 * The shape is told by the top-level "action" (2025) or its absence (RFC
 * v1); each is then read strictly, as QEMU's QAPI visitor would: unknown
 * members, missing members, wrong JSON types and out-of-range numbers are
 * errors, and so is what QEMU itself refuses (masked entries mixed with
 * other formats, different actions in RFC v1, an RFC object with nothing
 * in it).  What KVM would silently ignore is a warning.  Errors and
 * warnings are located in the JSON text through json.h's positions. */
#include "formats/qemu_read.h"

#include "formats/format.h"
#include "kernel/space.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define NONE ((size_t)-1)

static void diag_at(struct pf_qemu_object *m, enum pf_severity sev, size_t off, size_t end, const char *fmt,
                    va_list ap)
{
    struct pf_loc l, *at = NULL;
    if (off != NONE) {
        l = pf_jdoc_loc(&m->j, off, end);
        at = &l;
    }
    if (sev == PF_SEV_WARNING)
        pf_vwarn(m->d, PF_W_QEMU, at, fmt, ap);
    else
        pf_vdiag(m->d, sev, at, fmt, ap);
}

static void error_at(struct pf_qemu_object *m, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void warn_at(struct pf_qemu_object *m, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note_at(struct pf_qemu_object *m, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Diagnostics underline the scalar value (or key) at off; objects and
 * arrays get a caret only. */
static size_t token_end(const struct pf_qemu_object *m, size_t off)
{
    if (off == NONE || off >= m->j.n || m->j.s[off] == '{' || m->j.s[off] == '[')
        return off;
    return pf_jdoc_skip(&m->j, off);
}

static void error_at(struct pf_qemu_object *m, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_at(m, PF_SEV_ERROR, off, token_end(m, off), fmt, ap);
    va_end(ap);
}

static void warn_at(struct pf_qemu_object *m, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_at(m, PF_SEV_WARNING, off, token_end(m, off), fmt, ap);
    va_end(ap);
}

static void note_at(struct pf_qemu_object *m, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_at(m, PF_SEV_NOTE, off, token_end(m, off), fmt, ap);
    va_end(ap);
}

/* Offset of member key's value (or key) in the object at obj; the object
 * itself when it cannot be found. */
static size_t value_off(const struct pf_qemu_object *m, size_t obj, const char *key)
{
    size_t k, v;
    return pf_jdoc_member(&m->j, obj, key, &k, &v) ? obj : v;
}

static size_t key_off(const struct pf_qemu_object *m, size_t obj, const char *key)
{
    size_t k, v;
    return pf_jdoc_member(&m->j, obj, key, &k, &v) ? obj : k;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        break;
    }
    return "null";
}

static const char *shape_name(const struct pf_qemu_object *m)
{
    return m->rfc ? "the RFC v1 shape" : "the 2025 shape";
}

/* A string from the input, for a message: at most 40 bytes, control
 * bytes as '?'. */
struct shown {
    char s[48];
};

static struct shown show(const char *in)
{
    struct shown o;
    size_t n = 0;
    for (; in && *in && n < 40; in++)
        o.s[n++] = (unsigned char)*in < 0x20 || *in == 0x7f ? '?' : *in;
    if (in && *in)
        o.s[n++] = '.', o.s[n++] = '.', o.s[n++] = '.';
    o.s[n] = 0;
    return o;
}

/* qemu_strtou64(s, NULL, 0, &v): strtoull's base 0 (0x hex, leading-0
 * octal, decimal), the whole string.  Stricter than strtoull in refusing
 * signs and blanks, which no filter needs. */
static int strtou64_base0(const char *s, uint64_t *v, int *octal)
{
    unsigned base = 10;
    *octal = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2, base = 16;
    else if (s[0] == '0' && s[1])
        s += 1, base = 8, *octal = 1;
    if (!*s)
        return -1;
    uint64_t x = 0;
    for (; *s; s++) {
        unsigned c = (unsigned char)*s, dgt;
        if (c >= '0' && c <= '9')
            dgt = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            dgt = (c | 0x20) - 'a' + 10;
        else
            return -1;
        if (dgt >= base)
            return -1;
        if (x > (UINT64_MAX - dgt) / base)
            return -2;
        x = x * base + dgt;
    }
    *v = x;
    return 0;
}

/* A number member of the object at obj (where: "events[2]" or the like):
 * a JSON integer in the 2025 shape, a string in RFC v1.  why explains the
 * limit.  Returns 0, or -1 after an error. */
static int get_number(struct pf_qemu_object *m, const json_t *obj, size_t obj_off, const char *where,
                      const char *key, uint64_t max, const char *why, uint64_t *out)
{
    const json_t *v = json_object_get(obj, key);
    size_t off = value_off(m, obj_off, key);
    if (!v) {
        error_at(m, obj_off, "%s has no '%s'", where, key);
        return -1;
    }
    uint64_t x = 0;
    if (!m->rfc) {
        if (json_is_string(v)) {
            uint64_t n;
            int octal;
            char hint[64] = "a JSON integer";
            if (!strtou64_base0(json_string_value(v), &n, &octal))
                snprintf(hint, sizeof(hint), "%" PRIu64, n);
            error_at(m, off, "%s: '%s' is a string: %s takes JSON integers (write %s, not \"%s\"; "
                     "strings are the RFC v1 shape, which has no top-level \"action\")",
                     where, key, shape_name(m), hint, show(json_string_value(v)).s);
            return -1;
        }
        if (!json_is_integer(v)) {
            error_at(m, off, "%s: '%s' must be an integer, not %s", where, key, type_name(v));
            return -1;
        }
        json_int_t i = json_integer_value(v);
        if (i < 0 || (uint64_t)i > max) {
            error_at(m, off, "%s: '%s' is %" PRId64 ", out of range (0 to %" PRIu64 "%s)", where, key,
                     (int64_t)i, max, why);
            return -1;
        }
        x = (uint64_t)i;
    } else {
        if (!json_is_string(v)) {
            error_at(m, off, "%s: '%s' must be a string such as \"0x%" PRIx64 "\": %s takes numbers as "
                     "strings (JSON integers are the 2025 shape, which has a top-level \"action\"), "
                     "not %s", where, key, json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0,
                     shape_name(m), type_name(v));
            return -1;
        }
        const char *s = json_string_value(v);
        int octal, rc = strtou64_base0(s, &x, &octal);
        if (rc == -1) {
            error_at(m, off, "%s: '%s' is \"%s\", not a number (QEMU reads it with qemu_strtou64: "
                     "0x-prefixed hexadecimal, 0-prefixed octal or decimal)", where, key, show(s).s);
            return -1;
        }
        if (rc == -2 || x > max) {
            error_at(m, off, "%s: '%s' is \"%s\", out of range (0 to 0x%" PRIx64 "%s)", where, key,
                     show(s).s, max, why);
            return -1;
        }
        if (octal && x)
            warn_at(m, off, "%s: '%s' is \"%s\", which QEMU reads as octal (%" PRIu64 " = 0x%" PRIx64 ")",
                    where, key, show(s).s, x, x);
    }
    *out = x;
    return 0;
}

/* "allow" or "deny" at member key of obj. */
static int get_action(struct pf_qemu_object *m, const json_t *obj, size_t obj_off, const char *where,
                      int *out, size_t *off)
{
    const json_t *v = json_object_get(obj, "action");
    *off = value_off(m, obj_off, "action");
    if (!v) {
        error_at(m, obj_off, "%s has no 'action' (\"allow\" or \"deny\")", where);
        return -1;
    }
    const char *s = json_string_value(v);
    if (!s || (strcmp(s, "allow") && strcmp(s, "deny"))) {
        if (s)
            error_at(m, *off, "%s: 'action' is \"%s\"; it is \"allow\" or \"deny\"", where, show(s).s);
        else
            error_at(m, *off, "%s: 'action' must be the string \"allow\" or \"deny\", not %s", where,
                     type_name(v));
        return -1;
    }
    *out = strcmp(s, "allow") ? KVM_PMU_EVENT_DENY : KVM_PMU_EVENT_ALLOW;
    return 0;
}

/* RFC v1: every action must be the filter's. */
static void same_action(struct pf_qemu_object *m, int action, size_t off, const char *where)
{
    if (m->action < 0) {
        m->action = action;
        m->action_off = off;
        return;
    }
    if (action != m->action) {
        error_at(m, off, "%s: 'action' is \"%s\" but the filter's is \"%s\": QEMU takes one action "
                 "for all events and fixed counters (\"Only support PMU fixed-counters/events with the "
                 "same action\")", where, action == KVM_PMU_EVENT_ALLOW ? "allow" : "deny",
                 m->action == KVM_PMU_EVENT_ALLOW ? "allow" : "deny");
        note_at(m, m->action_off, "the filter's action comes from here");
    }
}

/* Members of obj that are not in allowed (a NULL-terminated list). */
static int unexpected_members(struct pf_qemu_object *m, const json_t *obj, size_t obj_off,
                              const char *where, const char *const *allowed, const char *hint)
{
    const char *key;
    const json_t *v;
    int bad = 0;
    json_object_foreach((json_t *)obj, key, v) {
        int ok = 0;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = !strcmp(key, *a);
        if (ok)
            continue;
        char list[200] = "";
        size_t len = 0;
        for (const char *const *a = allowed; *a && len < sizeof(list); a++)
            len += (size_t)snprintf(list + len, sizeof(list) - len, "%s'%s'", a == allowed ? "" : ", ", *a);
        error_at(m, key_off(m, obj_off, key), "%s: unexpected member '%s'%s (%s has %s)", where, key,
                 hint ? hint : "", where, list);
        bad = 1;
    }
    return bad;
}

enum fmt { FMT_RAW, FMT_SELECT_UMASK, FMT_MASKED, FMT_BAD };

static enum fmt get_format(struct pf_qemu_object *m, const json_t *e, size_t eoff, const char *where)
{
    const json_t *v = json_object_get(e, "format");
    size_t off = value_off(m, eoff, "format");
    const char *su = m->rfc ? "x86-default" : "x86-select-umask";
    if (!v) {
        error_at(m, eoff, "%s has no 'format' (\"raw\", \"%s\" or \"x86-masked-entry\")", where, su);
        return FMT_BAD;
    }
    const char *s = json_string_value(v);
    if (!s) {
        error_at(m, off, "%s: 'format' must be a string, not %s", where, type_name(v));
        return FMT_BAD;
    }
    if (!strcmp(s, "raw"))
        return FMT_RAW;
    if (!strcmp(s, "x86-masked-entry"))
        return FMT_MASKED;
    if (!strcmp(s, su))
        return FMT_SELECT_UMASK;
    if (!strcmp(s, m->rfc ? "x86-select-umask" : "x86-default"))
        error_at(m, off, "%s: format \"%s\" is %s's name; %s calls it \"%s\"", where, s,
                 m->rfc ? "the 2025 shape" : "the RFC v1 shape", shape_name(m), su);
    else
        error_at(m, off, "%s: unknown format \"%s\" (\"raw\", \"%s\" or \"x86-masked-entry\")", where,
                 show(s).s, su);
    return FMT_BAD;
}

static const char *select_why = ": QEMU refuses a select above 4095, \"Parameter 'select' out of range (4095).\"";

/* One element of "events"; fills code and returns 0, or -1 after errors. */
static int event(struct pf_qemu_object *m, const json_t *e, size_t eoff, size_t idx, uint64_t *code)
{
    char where[40];
    snprintf(where, sizeof(where), "events[%zu]", idx);
    if (!json_is_object(e)) {
        error_at(m, eoff, "%s must be an object such as {\"format\":\"raw\",\"code\":%s}, not %s", where,
                 m->rfc ? "\"0xc4\"" : "196", type_name(e));
        return -1;
    }
    int bad = 0;
    if (m->rfc) {
        int a;
        size_t aoff;
        if (get_action(m, e, eoff, where, &a, &aoff))
            bad = 1;
        else
            same_action(m, a, aoff, where);
    } else if (json_object_get(e, "action")) {
        error_at(m, key_off(m, eoff, "action"), "%s: unexpected member 'action': in %s the action is "
                 "the object's (\"action\":\"%s\") and applies to every event", where, shape_name(m),
                 m->action == KVM_PMU_EVENT_DENY ? "deny" : "allow");
        bad = 1;
    }
    enum fmt f = get_format(m, e, eoff, where);
    if (f == FMT_BAD)
        return -1;
    static const char *const raw_rfc[] = {"action", "format", "code", NULL};
    static const char *const raw_new[] = {"format", "code", NULL};
    static const char *const su_rfc[] = {"action", "format", "select", "umask", NULL};
    static const char *const su_new[] = {"format", "select", "umask", NULL};
    static const char *const me_rfc[] = {"action", "format", "select", "mask", "match", "exclude", NULL};
    static const char *const me_new[] = {"format", "select", "mask", "match", "exclude", NULL};
    uint64_t sel, um, mask, match;
    const char *fname = json_string_value(json_object_get(e, "format"));
    char hint[64];
    snprintf(hint, sizeof(hint), " for format \"%s\"", fname);
    switch (f) {
    case FMT_RAW:
        bad |= unexpected_members(m, e, eoff, where, m->rfc ? raw_rfc : raw_new, hint);
        if (get_number(m, e, eoff, where, "code", UINT64_MAX, "", code))
            return -1;
        break;
    case FMT_SELECT_UMASK:
        bad |= unexpected_members(m, e, eoff, where, m->rfc ? su_rfc : su_new, hint);
        bad |= get_number(m, e, eoff, where, "select", PF_AMD_SELECT_MAX, select_why, &sel) != 0;
        bad |= get_number(m, e, eoff, where, "umask", PF_UMASK_MAX, "", &um) != 0;
        if (bad)
            return -1;
        *code = pf_x86_plain((unsigned)sel, (unsigned)um); /* QEMU's X86_PMU_RAW_EVENT() */
        break;
    case FMT_MASKED: {
        bad |= unexpected_members(m, e, eoff, where, m->rfc ? me_rfc : me_new, hint);
        bad |= get_number(m, e, eoff, where, "select", PF_AMD_SELECT_MAX, select_why, &sel) != 0;
        bad |= get_number(m, e, eoff, where, "mask", PF_UMASK_MAX, "", &mask) != 0;
        bad |= get_number(m, e, eoff, where, "match", PF_UMASK_MAX, "", &match) != 0;
        const json_t *x = json_object_get(e, "exclude");
        if (!x) {
            error_at(m, eoff, "%s has no 'exclude' (true or false)", where);
            bad = 1;
        } else if (!json_is_boolean(x)) {
            error_at(m, value_off(m, eoff, "exclude"), "%s: 'exclude' must be true or false, not %s", where,
                     type_name(x));
            bad = 1;
        }
        if (bad)
            return -1;
        *code = pf_x86_masked((unsigned)sel, (unsigned)mask, (unsigned)match, json_is_true(x));
        break;
    }
    case FMT_BAD:
        return -1;
    }
    if (bad)
        return -1;
    int masked = f == FMT_MASKED;
    if (m->masked < 0) {
        m->masked = masked;
    } else if (masked != m->masked) {
        error_at(m, value_off(m, eoff, "format"), "%s: x86-masked-entry cannot be mixed with other "
                 "formats (QEMU: \"Masked entry format cannot be mixed with other formats.\"); the "
                 "first event decides, and it %s masked", where, m->masked ? "is" : "is not");
        note_at(m, value_off(m, m->off[0], "format"), "the first event");
        return -1;
    }
    return 0;
}

/* What QEMU would accept but KVM ignores, drops or refuses on the target. */
static void check_entries(struct pf_qemu_object *m)
{
    const char *on = m->t == PF_TARGET_INTEL ? "on intel" : "on Intel";
    size_t includes = 0;
    uint8_t has_include[0x1000] = {0};
    for (size_t i = 0; i < m->n; i++) {
        uint64_t e = m->code[i];
        if (m->masked && !pf_x86_entry_exclude(e)) {
            has_include[pf_x86_entry_select(e)] = 1;
            includes++;
        }
    }
    /* pmufc's own stand-in for an empty filter (fmt_qemu.c): one exclude
     * of select 0, mask 0, match 0; it decides nothing, as meant. */
    int placeholder = m->masked && m->n == 1 && m->code[0] == pf_x86_masked(0, 0, 0, 1);
    if (m->masked && !includes && m->n && !placeholder)
        warn_at(m, m->events_off, "no event is an include: an exclude only takes umasks "
                "out of its select's includes, so this filter lists nothing and %s every event%s",
                m->action == KVM_PMU_EVENT_ALLOW ? "denies" : "allows",
                m->t == PF_TARGET_AMD ? "" : " (and every fixed counter not in its bitmap)");
    for (size_t i = 0; i < m->n; i++) {
        uint64_t e = m->code[i];
        unsigned sel = pf_x86_entry_select(e);
        size_t eoff = m->off[i];
        if (!m->masked) {
            if (e & ~PF_PLAIN_KEPT)
                warn_at(m, value_off(m, eoff, "code"), "events[%zu]: code 0x%" PRIx64 " has bits 0x%" PRIx64
                        " outside the event select and unit mask: KVM drops this entry without a word",
                        i, e, e & ~PF_PLAIN_KEPT);
            else if (sel > PF_INTEL_SELECT_MAX && m->t == PF_TARGET_INTEL)
                warn_at(m, eoff, "events[%zu]: select 0x%03x needs bits 35:32, which only AMD has: KVM "
                        "on intel drops this entry without a word", i, sel);
            continue;
        }
        if (sel > PF_INTEL_SELECT_MAX && m->t != PF_TARGET_AMD) {
            if (m->t == PF_TARGET_INTEL)
                error_at(m, value_off(m, eoff, "select"), "events[%zu]: select 0x%03x: KVM on intel "
                         "refuses a masked entry with select bits 35:32 (EINVAL)", i, sel);
            else
                warn_at(m, value_off(m, eoff, "select"), "events[%zu]: select 0x%03x exists only on "
                        "AMD: KVM %s refuses this filter (EINVAL); pmufc compiles the entry for amd only",
                        i, sel, on);
        }
        unsigned mask = pf_x86_entry_mask(e), match = pf_x86_entry_umask(e);
        if (match & ~mask)
            warn_at(m, value_off(m, eoff, "match"), "events[%zu]: match 0x%02x has bits outside mask "
                    "0x%02x: (umask & mask) never equals it, so this entry matches nothing", i, match, mask);
        else if (pf_x86_entry_exclude(e) && includes && !has_include[sel])
            warn_at(m, eoff, "events[%zu]: this exclude has no effect: no include entry has select 0x%02x, "
                    "and an exclude only takes umasks out of its select's includes", i, sel);
    }
}

/* The object itself. */
static enum pf_status object(struct pf_qemu_object *m, const json_t *root, size_t root_off)
{
    static const char *const top_new[] = {"qom-type", "id", "action", "x86-fixed-counter", "events", NULL};
    static const char *const top_rfc[] = {"qom-type", "id", "x86-fixed-counter", "events", NULL};
    static const char *const fixed_rfc[] = {"action", "bitmap", NULL};
    /* RFC v1 has actions in the events or the fixed counters and none at
     * the top; anything else is read as the 2025 shape (whose errors then
     * say what is missing). */
    const json_t *evs = json_object_get(root, "events"), *fc = json_object_get(root, "x86-fixed-counter");
    int rfc_signs = json_is_object(fc);
    for (size_t i = 0; json_is_array(evs) && i < json_array_size(evs); i++)
        rfc_signs |= json_object_get(json_array_get(evs, i), "action") != NULL;
    m->rfc = !json_object_get(root, "action") && rfc_signs;
    m->root_off = root_off;
    m->masked = -1;
    m->action = -1;
    int bad = unexpected_members(m, root, root_off, "the kvm-pmu-filter object",
                                 m->rfc ? top_rfc : top_new, NULL);
    const json_t *v = json_object_get(root, "qom-type");
    if (v && (!json_is_string(v) || strcmp(json_string_value(v), "kvm-pmu-filter"))) {
        error_at(m, value_off(m, root_off, "qom-type"), "'qom-type' is %s%s%s, not \"kvm-pmu-filter\"",
                 json_is_string(v) ? "\"" : type_name(v), json_is_string(v) ? show(json_string_value(v)).s : "",
                 json_is_string(v) ? "\"" : "");
        bad = 1;
    }
    v = json_object_get(root, "id");
    if (v && !json_is_string(v)) {
        error_at(m, value_off(m, root_off, "id"), "'id' must be a string, not %s", type_name(v));
        bad = 1;
    } else if (v && !pf_qemu_id_valid(json_string_value(v))) {
        warn_at(m, value_off(m, root_off, "id"), "QEMU refuses the id \"%s\": an id is a letter, then "
                "letters, digits, '-', '.' and '_'", show(json_string_value(v)).s);
    }
    if (!m->rfc) {
        int a;
        if (get_action(m, root, root_off, "the kvm-pmu-filter object", &a, &m->action_off))
            bad = 1;
        else
            m->action = a;
    }
    v = json_object_get(root, "x86-fixed-counter");
    if (v) {
        m->has_fixed = 1;
        m->fixed_off = value_off(m, root_off, "x86-fixed-counter");
        uint64_t b;
        if (m->rfc) {
            if (!json_is_object(v)) {
                error_at(m, m->fixed_off, "'x86-fixed-counter' must be an object {\"action\":...,\"bitmap\":\"0x...\"} "
                         "in the RFC v1 shape%s, not %s",
                         json_is_integer(v) ? " (a bare bitmap is the 2025 shape, which has a top-level \"action\")" : "",
                         type_name(v));
                bad = 1;
            } else {
                int a;
                size_t aoff;
                bad |= unexpected_members(m, v, m->fixed_off, "x86-fixed-counter", fixed_rfc, NULL);
                if (get_action(m, v, m->fixed_off, "x86-fixed-counter", &a, &aoff))
                    bad = 1;
                else
                    same_action(m, a, aoff, "x86-fixed-counter");
                if (get_number(m, v, m->fixed_off, "x86-fixed-counter", "bitmap", UINT32_MAX, "", &b))
                    bad = 1;
                else
                    m->bitmap = (uint32_t)b;
            }
        } else if (json_is_object(v)) {
            error_at(m, m->fixed_off, "'x86-fixed-counter' is the bitmap itself in the 2025 shape (an "
                     "integer); {\"action\",\"bitmap\"} is the RFC v1 shape, which has no top-level \"action\"");
            bad = 1;
        } else if (!get_number(m, root, root_off, "the kvm-pmu-filter object", "x86-fixed-counter",
                               UINT32_MAX, "", &b)) {
            m->bitmap = (uint32_t)b;
        } else {
            bad = 1;
        }
    }
    v = json_object_get(root, "events");
    size_t events_off = m->events_off = value_off(m, root_off, "events");
    if (v && !json_is_array(v)) {
        error_at(m, events_off, "'events' must be an array of events, not %s", type_name(v));
        return PF_EPOLICY;
    }
    size_t n = v ? json_array_size(v) : 0;
    m->code = malloc((n ? n : 1) * sizeof(*m->code));
    m->off = malloc((n ? n : 1) * sizeof(*m->off));
    if (!m->code || !m->off) {
        pf_diag(m->d, PF_SEV_ERROR, NULL, "out of memory");
        return PF_ENOMEM;
    }
    size_t found = pf_jdoc_elements(&m->j, events_off, m->off, n);
    for (size_t i = found; i < n; i++)
        m->off[i] = events_off;
    for (size_t i = 0; i < n; i++) {
        if (event(m, json_array_get(v, i), m->off[i], i, &m->code[m->n]))
            bad = 1;
        else
            m->off[m->n++] = m->off[i];
    }
    if (bad)
        return PF_EPOLICY;
    if (m->action < 0) {
        error_at(m, root_off, "this kvm-pmu-filter has no events and no x86-fixed-counter, hence no "
                 "action; QEMU refuses it (\"Empty KVM PMU filter.\")");
        return PF_EPOLICY;
    }
    if (!m->rfc && !n && !m->bitmap)
        warn_at(m, root_off, "QEMU refuses a kvm-pmu-filter with no events and no fixed counter "
                "(\"Empty KVM PMU filter.\"); as a KVM filter it %s everything",
                m->action == KVM_PMU_EVENT_ALLOW ? "denies" : "allows");
    if (n > PF_X86_MAX_EVENTS)
        warn_at(m, events_off, "%zu events: KVM refuses more than %u (E2BIG), so QEMU cannot install this "
                "filter; pmufc's compilation of it may fit", n, PF_X86_MAX_EVENTS);
    if (m->t == PF_TARGET_AMD && m->bitmap)
        warn_at(m, m->fixed_off, "x86-fixed-counter 0x%" PRIx32 " has no effect on amd: KVM has no fixed "
                "counters there", m->bitmap);
    check_entries(m);
    return pf_diags_failed(m->d) ? PF_EPOLICY : PF_OK;
}

enum pf_status pf_qemu_read(struct pf_qemu_object *m, const json_t *root)
{
    size_t root_off = pf_jdoc_ws(&m->j, 0);
    if (!json_is_object(root)) {
        error_at(m, root_off, "expected a QEMU kvm-pmu-filter object {\"qom-type\":\"kvm-pmu-filter\",...}, "
                 "not %s", type_name(root));
        return PF_EPOLICY;
    }
    if (m->t != PF_TARGET_NONE && m->t != PF_TARGET_INTEL && m->t != PF_TARGET_AMD) {
        error_at(m, root_off, "QEMU's kvm-pmu-filter object is for x86; arm64 filters are written as "
                 "range strings (--format kvmtool or qemu-arm)");
        return PF_EPOLICY;
    }
    return object(m, root, root_off);
}

void pf_qemu_read_free(struct pf_qemu_object *m)
{
    free(m->code);
    free(m->off);
    m->code = NULL;
    m->off = NULL;
}
