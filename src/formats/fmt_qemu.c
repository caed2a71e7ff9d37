/* fmt_qemu.c - QEMU's kvm-pmu-filter object (--format qemu, qemu-rfc),
 * for x86 filters, and QEMU's rule for object ids.
 *
 * The 2025 shape is Zhao Liu's series "i386/kvm: Support KVM PMU filter"
 * (qemu-devel, 9 April 2025, "[PATCH 1/5] qapi/qom: Introduce
 * kvm-pmu-filter object" to "[PATCH 5/5] i386/kvm: Support fixed counter
 * in KVM PMU filter", QAPI "Since 10.1").  Its qapi/kvm.json, as of patch
 * 5/5:
 *
 *   { 'enum': 'KvmPmuFilterAction', 'data': ['allow', 'deny'] }
 *   { 'enum': 'KvmPmuEventFormat',
 *     'data': ['raw', 'x86-select-umask', 'x86-masked-entry'] }
 *   { 'struct': 'KvmPmuRawEvent', 'data': { 'code': 'uint64' } }
 *   { 'struct': 'KvmPmuX86SelectUmaskEvent',
 *     'data': { 'select': 'uint16', 'umask': 'uint8' } }
 *   { 'struct': 'KvmPmuX86MaskedEntry',
 *     'data': { 'select': 'uint16', 'match': 'uint8', 'mask': 'uint8',
 *               'exclude': 'bool' } }
 *   { 'union': 'KvmPmuFilterEvent',
 *     'base': { 'format': 'KvmPmuEventFormat' },
 *     'discriminator': 'format',
 *     'data': { 'raw': 'KvmPmuRawEvent',
 *               'x86-select-umask': 'KvmPmuX86SelectUmaskEvent',
 *               'x86-masked-entry': 'KvmPmuX86MaskedEntry' } }
 *   { 'struct': 'KvmPmuFilterProperties',
 *     'data': { 'action': 'KvmPmuFilterAction',
 *               '*x86-fixed-counter': 'uint32',
 *               '*events': ['KvmPmuFilterEvent'] } }
 *
 * and qemu-options.hx: -object '{"qom-type":"kvm-pmu-filter","id":id,
 * "x86-fixed-counter":bitmap,"action":action,"events":[entry_list]}' with
 * -accel kvm,pmu-filter=id.  accel/kvm/kvm-pmu.c refuses a select above
 * 4095 ("Parameter 'select' out of range (4095)."); target/i386/kvm/kvm.c
 * encodes x86-select-umask as X86_PMU_RAW_EVENT(select, umask) and
 * x86-masked-entry as KVM_PMU_ENCODE_MASKED_ENTRY(select, mask, match,
 * exclude), takes the first event's format as the filter's (masked or
 * not: "Masked entry format cannot be mixed with other formats."), and
 * refuses a filter with neither events nor a fixed-counter bitmap ("Empty
 * KVM PMU filter.").
 *
 * The RFC v1 shape is the seed's ("[RFC 0/5] accel/kvm: Support KVM PMU
 * filter", 10 July 2024, QAPI "Since 9.1"): no top-level action, an
 * "action" in every event and in "x86-fixed-counter":{"action","bitmap"},
 * every number a string read by qemu_strtou64(s, NULL, 0, ...) ("0xc4",
 * "196"), formats "raw" (code), "x86-default" (select, umask) and
 * "x86-masked-entry" (select, mask, match, exclude: a JSON boolean), and
 * one action for all of them ("Only support PMU fixed-counters/events with
 * the same action").  Example from the cover letter:
 *   {"qom-type":"kvm-pmu-filter","id":"f0","x86-fixed-counter":{"action":
 *    "allow","bitmap":"0x0"},"events":[{"action":"allow","format":
 *    "x86-masked-entry","select":"0xc4","mask":"0xff","match":"0",
 *    "exclude":true}, ...]}
 *
 * Every entry is written as it is (pmufc's filters are already minimal):
 * plain entries KVM keeps as x86-select-umask / x86-default, plain entries
 * with other bits (which KVM drops) as raw codes, masked entries as
 * x86-masked-entry.  JSON is made with jansson.  The reader of these
 * objects is qemu_read.c. */
#include "formats/format.h"

#include "formats/json.h"

#include <inttypes.h>
#include <jansson.h>
#include <string.h>

static int alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int pf_qemu_id_valid(const char *id)
{
    if (!id || !alpha(id[0]))
        return 0;
    for (const char *p = id + 1; *p; p++)
        if (!alpha(*p) && !(*p >= '0' && *p <= '9') && !strchr("-._", *p))
            return 0;
    return 1;
}

static json_t *hex(uint64_t v, int width)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "0x%0*" PRIx64, width, v);
    return json_string(buf);
}

static json_t *entry(uint64_t e, int masked, int rfc, const char *act, int *bad)
{
    json_t *o = json_object();
    if (!o) {
        *bad = 1;
        return NULL;
    }
    if (rfc)
        pf_json_put(o, "action", json_string(act), bad);
    unsigned sel = pf_x86_entry_select(e);
    if (masked) {
        pf_json_put(o, "format", json_string("x86-masked-entry"), bad);
        if (rfc) {
            pf_json_put(o, "select", hex(sel, 2), bad);
            pf_json_put(o, "mask", hex(pf_x86_entry_mask(e), 2), bad);
            pf_json_put(o, "match", hex(pf_x86_entry_umask(e), 2), bad);
        } else {
            pf_json_put(o, "select", json_integer(sel), bad);
            pf_json_put(o, "mask", json_integer(pf_x86_entry_mask(e)), bad);
            pf_json_put(o, "match", json_integer(pf_x86_entry_umask(e)), bad);
        }
        pf_json_put(o, "exclude", json_boolean(pf_x86_entry_exclude(e)), bad);
    } else if (!(e & ~PF_PLAIN_KEPT)) {
        pf_json_put(o, "format", json_string(rfc ? "x86-default" : "x86-select-umask"), bad);
        pf_json_put(o, "select", rfc ? hex(sel, 2) : json_integer(sel), bad);
        pf_json_put(o, "umask", rfc ? hex(pf_x86_entry_umask(e), 2) : json_integer(pf_x86_entry_umask(e)),
                    bad);
    } else {
        pf_json_put(o, "format", json_string("raw"), bad);
        pf_json_put(o, "code", rfc ? hex(e, 1) : json_integer((json_int_t)e), bad);
    }
    return o;
}

enum pf_status pf_fmt_qemu_x86(FILE *out, const struct pf_x86_filter *f, enum pf_target t,
                               const struct pf_emit_ctx *c)
{
    int rfc = c->fmt == PF_FORMAT_QEMU_RFC;
    const char *id = c->id;
    struct pf_diags *d = c->d;
    int allow = f->action == KVM_PMU_EVENT_ALLOW;
    int masked = !!(f->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS);
    const char *act = allow ? "allow" : "deny";
    const char *shape = rfc ? "qemu-rfc" : "qemu";
    int bad = 0;
    if (!id)
        id = PF_QEMU_DEFAULT_ID;
    if (d && !pf_qemu_id_valid(id))
        pf_warn(d, PF_W_QEMU, NULL, "%s: QEMU refuses the id '%s': an id is a letter, then "
                "letters, digits, '-', '.' and '_'", shape, id);
    json_t *o = json_object(), *ev = json_array();
    if (!o || !ev) {
        json_decref(o);
        json_decref(ev);
        return PF_ENOMEM;
    }
    pf_json_put(o, "qom-type", json_string("kvm-pmu-filter"), &bad);
    pf_json_put(o, "id", json_string(id), &bad);
    if (rfc) {
        /* In RFC v1 the fixed counters carry the filter's action even when
         * the bitmap is 0; it also keeps an event-less filter non-empty. */
        json_t *fc = json_object();
        if (fc) {
            pf_json_put(fc, "action", json_string(act), &bad);
            pf_json_put(fc, "bitmap", hex(f->fixed_bitmap, 1), &bad);
        }
        pf_json_put(o, "x86-fixed-counter", fc, &bad);
    } else {
        pf_json_put(o, "action", json_string(act), &bad);
        if (t != PF_TARGET_AMD || f->fixed_bitmap)
            pf_json_put(o, "x86-fixed-counter", json_integer(f->fixed_bitmap), &bad);
    }
    size_t written = 0;
    for (uint32_t i = 0; i < f->nevents && !bad; i++) {
        uint64_t e = f->events[i];
        if (!rfc && !masked && (e & ~PF_PLAIN_KEPT) && e > (uint64_t)INT64_MAX) {
            /* QAPI's uint64 takes it, but not as a JSON integer jansson
             * can write; KVM drops such an entry anyway. */
            if (d)
                pf_warn(d, PF_W_QEMU, NULL, "%s: entry %" PRIu32 " (0x%016" PRIx64 ") is left out: "
                        "KVM drops it (bits outside select and umask) and its code does not fit a JSON "
                        "integer", shape, i, e);
            continue;
        }
        if (json_array_append_new(ev, entry(e, masked, rfc, act, &bad)))
            bad = 1;
        written++;
    }
    if (!rfc && !written && !f->fixed_bitmap && !bad) {
        /* QEMU refuses an object with no events and no fixed counter.  An
         * exclude entry without any include changes no decision: the filter
         * still lists nothing. */
        if (json_array_append_new(ev, entry(pf_x86_masked(0, 0, 0, 1), 1, 0, act, &bad)))
            bad = 1;
        if (d)
            pf_warn(d, PF_W_QEMU, NULL, "%s: this filter lists nothing (it %s every event); QEMU "
                    "refuses an empty kvm-pmu-filter, so it holds one exclude entry that changes no "
                    "decision but needs masked events (Linux 6.3)%s",
                    shape, allow ? "denies" : "allows", allow ? "" : "; attaching no filter does the same");
    }
    pf_json_put(o, "events", ev, &bad);
    return pf_json_write(out, o, JSON_COMPACT, bad);
}
