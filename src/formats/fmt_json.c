/* fmt_json.c - pmufc's own machine-readable description of a filter
 * (--format json), for tools.  x86:
 *
 *   {"pmufc": VERSION, "kind": "x86-filter", "target": "intel"|"amd",
 *    "header": {"action": 0|1, "action_name": "allow"|"deny", "nevents": N,
 *               "fixed_counter_bitmap": B, "flags": F, "masked": bool},
 *    "fixed_counters": [indices whose bit is set],   (Intel; [] on AMD)
 *    "entries": [{"index": i, "code": "0x%016x", then
 *                 plain:  "kind": "plain", "select", "umask"
 *                         ("dropped": true, "stray_bits": "0x.." when KVM
 *                          drops it on this target),
 *                 masked: "kind": "include"|"exclude", "select", "mask",
 *                         "match" ("matches_nothing": true when match has
 *                          bits outside mask)
 *                 and "name" when the CPU model names the event}],
 *    "counts": {"entries", "plain", "include", "exclude", "dropped",
 *               "events": the target's (select, umask) space,
 *               "events_counting": how many of them count in the guest,
 *               "fixed": 32 on Intel, 0 on AMD, "fixed_counting"},
 *    "bytes": the size of the blob}
 *
 * Numbers are JSON integers except 64-bit codes (hex strings: JSON
 * readers often stop at 2^53).  arm64:
 *
 *   {"pmufc": VERSION, "kind": "arm64-filter", "target": "arm64",
 *    "event_space": N, "default": "allow"|"deny",
 *    "records": [{"index", "base", "nevents", "last" (when nevents),
 *                 "action": 0|1, "action_name": "allow"|"deny"}],
 *    "counts": {"records", "events", "events_counting"},
 *    "bytes": the size of the records}
 *
 * The counts come from the kernel models (eval_x86.c, eval_arm64.c) run
 * over every event of the target. */
#include "formats/format.h"

#include "formats/json.h"
#include "kernel/eval_arm64.h"
#include "kernel/eval_x86.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>

static json_t *hex64(uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "0x%016" PRIx64, v);
    return json_string(buf);
}

struct counts {
    size_t plain, include, exclude, dropped;
};

static json_t *entry(uint32_t i, uint64_t e, int masked, enum pf_target t,
                     const struct pf_evtab_model *model, struct counts *c, int *bad)
{
    json_t *o = json_object();
    if (!o) {
        *bad = 1;
        return NULL;
    }
    unsigned sel = pf_x86_entry_select(e), um = pf_x86_entry_umask(e);
    pf_json_put(o, "index", json_integer(i), bad);
    pf_json_put(o, "code", hex64(e), bad);
    const char *name = NULL;
    if (masked) {
        int exc = pf_x86_entry_exclude(e);
        unsigned mask = pf_x86_entry_mask(e);
        pf_json_put(o, "kind", json_string(exc ? "exclude" : "include"), bad);
        pf_json_put(o, "select", json_integer(sel), bad);
        pf_json_put(o, "mask", json_integer(mask), bad);
        pf_json_put(o, "match", json_integer(um), bad);
        if (um & ~mask)
            pf_json_put(o, "matches_nothing", json_true(), bad);
        if (mask == 0xff)
            name = pf_events_name(model, (int)sel, um);
        exc ? c->exclude++ : c->include++;
    } else {
        uint64_t kept = 0xffffull | (t == PF_TARGET_AMD ? 0xfull << 32 : 0);
        pf_json_put(o, "kind", json_string("plain"), bad);
        pf_json_put(o, "select", json_integer(sel), bad);
        pf_json_put(o, "umask", json_integer(um), bad);
        if (e & ~kept) {
            char buf[24];
            snprintf(buf, sizeof(buf), "0x%" PRIx64, e & ~kept);
            pf_json_put(o, "dropped", json_true(), bad);
            pf_json_put(o, "stray_bits", json_string(buf), bad);
            c->dropped++;
        } else {
            name = pf_events_name(model, (int)sel, um);
        }
        c->plain++;
    }
    if (name)
        pf_json_put(o, "name", json_string(name), bad);
    return o;
}

/* Events that count, by the kernel model; -1 when it refuses the bytes. */
static int count_events(const struct pf_x86_filter *f, enum pf_target t, size_t *events,
                        size_t *counting, unsigned *fixed, unsigned *fixed_counting)
{
    uint8_t *blob;
    size_t len;
    if (pf_blob_encode(f, &blob, &len))
        return -1;
    struct pf_eval_x86 ev;
    const char *why;
    int amd = t == PF_TARGET_AMD;
    int rc = pf_eval_x86_load(&ev, blob, len, amd, &why);
    free(blob);
    if (rc)
        return -1;
    unsigned nsel = amd ? 0x1000 : 0x100;
    *events = (size_t)nsel * 256;
    *counting = 0;
    for (unsigned s = 0; s < nsel; s++)
        for (unsigned u = 0; u < 256; u++)
            *counting += (size_t)pf_eval_x86_gp(&ev, s, u, NULL, NULL);
    *fixed = amd ? 0 : 32;
    *fixed_counting = 0;
    for (unsigned i = 0; i < *fixed; i++)
        *fixed_counting += (unsigned)pf_eval_x86_fixed(&ev, i);
    pf_eval_x86_free(&ev);
    return 0;
}

enum pf_status pf_fmt_json_x86(FILE *out, const struct pf_x86_filter *f, enum pf_target t,
                               const struct pf_emit_ctx *ctx)
{
    const struct pf_evtab_model *model = ctx->model;
    int bad = 0, masked = !!(f->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS);
    int allow = f->action == KVM_PMU_EVENT_ALLOW;
    json_t *o = json_object(), *h = json_object(), *es = json_array(), *fx = json_array(),
           *c = json_object();
    if (!o || !h || !es || !fx || !c) {
        json_decref(o), json_decref(h), json_decref(es), json_decref(fx), json_decref(c);
        return PF_ENOMEM;
    }
    pf_json_put(o, "pmufc", json_string(PF_FORMAT_VERSION), &bad);
    pf_json_put(o, "kind", json_string("x86-filter"), &bad);
    pf_json_put(o, "target", t == PF_TARGET_NONE ? json_null() : json_string(pf_target_name(t)), &bad);
    pf_json_put(h, "action", json_integer(f->action), &bad);
    pf_json_put(h, "action_name",
                json_string(allow ? "allow" : f->action == KVM_PMU_EVENT_DENY ? "deny" : "invalid"), &bad);
    pf_json_put(h, "nevents", json_integer(f->nevents), &bad);
    pf_json_put(h, "fixed_counter_bitmap", json_integer(f->fixed_bitmap), &bad);
    pf_json_put(h, "flags", json_integer(f->flags), &bad);
    pf_json_put(h, "masked", json_boolean(masked), &bad);
    pf_json_put(o, "header", h, &bad);
    for (unsigned i = 0; t != PF_TARGET_AMD && i < 32; i++)
        if (f->fixed_bitmap >> i & 1 && json_array_append_new(fx, json_integer(i)))
            bad = 1;
    pf_json_put(o, "fixed_counters", fx, &bad);
    struct counts n = {0};
    for (uint32_t i = 0; i < f->nevents && !bad; i++)
        if (json_array_append_new(es, entry(i, f->events[i], masked, t, model, &n, &bad)))
            bad = 1;
    pf_json_put(o, "entries", es, &bad);
    pf_json_put(c, "entries", json_integer(f->nevents), &bad);
    pf_json_put(c, "plain", json_integer((json_int_t)n.plain), &bad);
    pf_json_put(c, "include", json_integer((json_int_t)n.include), &bad);
    pf_json_put(c, "exclude", json_integer((json_int_t)n.exclude), &bad);
    pf_json_put(c, "dropped", json_integer((json_int_t)n.dropped), &bad);
    size_t events, counting;
    unsigned fixed, fixed_counting;
    if (t != PF_TARGET_NONE && !count_events(f, t, &events, &counting, &fixed, &fixed_counting)) {
        pf_json_put(c, "events", json_integer((json_int_t)events), &bad);
        pf_json_put(c, "events_counting", json_integer((json_int_t)counting), &bad);
        pf_json_put(c, "fixed", json_integer(fixed), &bad);
        pf_json_put(c, "fixed_counting", json_integer(fixed_counting), &bad);
    }
    pf_json_put(o, "counts", c, &bad);
    pf_json_put(o, "bytes", json_integer((json_int_t)(PF_BLOB_HEADER + 8 * (size_t)f->nevents)), &bad);
    return pf_json_write(out, o, JSON_INDENT(2), bad);
}

/* *n: the events the records let count, from the kernel model's bitmap:
 * the records' own decision.  pf_eval_arm_counts would add the two events
 * KVM never filters (SW_INCR, CHAIN), which this count has never
 * included.  PF_EPOLICY (a reason in d) when the model refuses the
 * records. */
static enum pf_status arm_counting(const struct pf_arm_filter *f, unsigned arm_max,
                                   struct pf_diags *d, size_t *n)
{
    uint8_t *blob;
    size_t len;
    if (pf_arm_encode(f, &blob, &len))
        return PF_ENOMEM;
    struct pf_eval_arm ev;
    const char *why = "";
    int rc = pf_eval_arm_load(&ev, blob, len, (size_t)arm_max + 1, &why);
    free(blob);
    if (rc) {
        if (d)
            pf_diag(d, PF_SEV_ERROR, NULL, "json: the kernel model refuses these arm64 records: %s", why);
        return PF_EPOLICY;
    }
    *n = 0;
    for (unsigned e = 0; e <= arm_max; e++)
        *n += !ev.bitmap || ev.bitmap[e];
    pf_eval_arm_free(&ev);
    return PF_OK;
}

enum pf_status pf_fmt_json_arm(FILE *out, const struct pf_arm_filter *f, unsigned arm_max,
                               const struct pf_emit_ctx *ctx)
{
    int bad = 0;
    if (arm_max > PF_ARM_EVENT_MAX)
        arm_max = PF_ARM_EVENT_MAX;
    size_t counting;
    enum pf_status st = arm_counting(f, arm_max, ctx->d, &counting);
    if (st != PF_OK)
        return st;
    json_t *o = json_object(), *rs = json_array(), *c = json_object();
    if (!o || !rs || !c) {
        json_decref(o), json_decref(rs), json_decref(c);
        return PF_ENOMEM;
    }
    const struct pf_arm_record *r = f->rec;
    int deny_first = f->n && r[0].action == KVM_PMU_EVENT_ALLOW;
    pf_json_put(o, "pmufc", json_string(PF_FORMAT_VERSION), &bad);
    pf_json_put(o, "kind", json_string("arm64-filter"), &bad);
    pf_json_put(o, "target", json_string("arm64"), &bad);
    pf_json_put(o, "event_space", json_integer((json_int_t)arm_max + 1), &bad);
    pf_json_put(o, "default", json_string(deny_first ? "deny" : "allow"), &bad);
    for (size_t i = 0; i < f->n && !bad; i++) {
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
        pf_json_put(e, "action_name", json_string(r[i].action == KVM_PMU_EVENT_ALLOW ? "allow" : "deny"),
                    &bad);
        if (json_array_append_new(rs, e))
            bad = 1;
    }
    pf_json_put(o, "records", rs, &bad);
    pf_json_put(c, "records", json_integer((json_int_t)f->n), &bad);
    pf_json_put(c, "events", json_integer((json_int_t)arm_max + 1), &bad);
    pf_json_put(c, "events_counting", json_integer((json_int_t)counting), &bad);
    pf_json_put(o, "counts", c, &bad);
    pf_json_put(o, "bytes", json_integer((json_int_t)(PF_ARM_RECORD * f->n)), &bad);
    return pf_json_write(out, o, JSON_INDENT(2), bad);
}
