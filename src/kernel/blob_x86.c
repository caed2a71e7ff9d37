/* blob.c - layout and validation of x86 filters.
 *
 * The validator follows kvm_vm_ioctl_set_pmu_event_filter() and
 * prepare_filter_lists() in arch/x86/kvm/pmu.c (Linux 6.3+), in the
 * kernel's order: action, flags, nevents, then (masked mode) the bits of
 * every entry.  What the kernel silently drops in plain mode (entries with
 * bits outside select and umask) is a warning, not an error. */
#include "kernel/blob_x86.h"

#include "kernel/blob_arm64.h"
#include "kernel/space.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Plain entries: the bits the kernel keeps (EVENTSEL_EVENT | UMASK). */
#define INTEL_EVENT 0xffull
#define AMD_EVENT (0xffull | (0xfull << 32))
#define UMASK_BITS (0xffull << 8)

void pf_x86_filter_free(struct pf_x86_filter *f)
{
    free(f->events);
    f->events = NULL;
    f->nevents = 0;
}

uint64_t pf_x86_plain(unsigned select, unsigned umask)
{
    return (select & 0xffull) | (uint64_t)(umask & 0xff) << 8 | (uint64_t)(select >> 8 & 0xf) << 32;
}

uint64_t pf_x86_masked(unsigned select, unsigned mask, unsigned match, int exclude)
{
    return KVM_PMU_ENCODE_MASKED_ENTRY((uint64_t)select, (uint64_t)mask, (uint64_t)match, exclude);
}

unsigned pf_x86_entry_select(uint64_t e)
{
    return (unsigned)(e & 0xff) | (unsigned)(e >> 32 & 0xf) << 8;
}

unsigned pf_x86_entry_umask(uint64_t e)
{
    return (unsigned)(e >> 8 & 0xff);
}

unsigned pf_x86_entry_mask(uint64_t e)
{
    return (unsigned)(e >> KVM_PMU_MASKED_ENTRY_UMASK_MASK_SHIFT & 0xff);
}

int pf_x86_entry_exclude(uint64_t e)
{
    return !!(e & KVM_PMU_MASKED_ENTRY_EXCLUDE);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

enum pf_status pf_blob_encode(const struct pf_x86_filter *f, uint8_t **buf, size_t *len)
{
    size_t n = PF_BLOB_HEADER + 8 * (size_t)f->nevents;
    uint8_t *b = calloc(1, n);
    if (!b)
        return PF_ENOMEM;
    put32(b + 0, f->action);
    put32(b + 4, f->nevents);
    put32(b + 8, f->fixed_bitmap);
    put32(b + 12, f->flags);
    for (uint32_t i = 0; i < f->nevents; i++)
        put64(b + PF_BLOB_HEADER + 8 * (size_t)i, f->events[i]);
    *buf = b;
    *len = n;
    return PF_OK;
}

/* A byte the policy scanner (grammar/scanner.l) accepts nowhere but in a
 * comment or a string: neither a blank (tab, newline, vertical tab, form
 * feed, carriage return, space), nor printable ASCII, nor a byte of a
 * non-ASCII word (0x80-0xff: UTF-8 text, which it reports as a mistake in
 * a policy, not as binary). */
static int control_byte(uint8_t c)
{
    return c < 0x09 || (c > 0x0d && c < 0x20) || c == 0x7f;
}

int pf_blob_sniff(const uint8_t *buf, size_t len)
{
    /* An empty file reads as an empty policy, which allows everything, as
     * an empty filter (arm64: no records) would. */
    if (!len)
        return 0;
    /* Every valid x86 filter has NUL bytes (an action of 0 or 1 in a u32,
     * nevents <= 300), as has every arm64 record that allows or has a
     * zero in its fields or pad; no text editor writes them. */
    if (memchr(buf, 0, len))
        return 1;
    /* arm64 records without a zero byte: every action byte (offset 4 of
     * each 8) is DENY (1).  Text never has that shape, and this holds even
     * where the bytes would read as one long comment ('#' without a
     * newline after it). */
    if (len % PF_ARM_RECORD == 0) {
        size_t i = 4;
        while (i < len && buf[i] == 1)
            i += PF_ARM_RECORD;
        if (i >= len)
            return 1;
    }
    /* Otherwise: text unless a control byte stands where the scanner reads
     * tokens (comments and strings may hold any byte but a newline). */
    enum { CODE, COMMENT, STRING } in = CODE;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = buf[i];
        if (in == CODE && control_byte(c))
            return 1;
        if (in == CODE)
            in = c == '#' ? COMMENT : c == '"' ? STRING : CODE;
        else if (c == '\n' || (in == STRING && c == '"'))
            in = CODE;
    }
    return 0;
}

size_t pf_blob_size(const uint8_t *buf, size_t len)
{
    if (len < PF_BLOB_HEADER)
        return len;
    uint32_t n = get32(buf + 4);
    size_t want = PF_BLOB_HEADER + 8 * (size_t)n;
    return n <= PF_X86_MAX_EVENTS && want < len ? want : len;
}

enum pf_status pf_blob_decode(const uint8_t *buf, size_t len, enum pf_target t,
                              const struct pf_source *src, struct pf_diags *d,
                              struct pf_x86_filter *out)
{
    const char *name = src ? src->name : "blob";
    memset(out, 0, sizeof(*out));
    if (len < PF_BLOB_HEADER) {
        pf_diag(d, PF_SEV_ERROR, NULL, "%s: %zu bytes is too short for a filter (the header is %u bytes)",
                name, len, PF_BLOB_HEADER);
        return PF_EPOLICY;
    }
    out->action = get32(buf + 0);
    out->nevents = get32(buf + 4);
    out->fixed_bitmap = get32(buf + 8);
    out->flags = get32(buf + 12);
    int bad = 0;
    if (out->action != KVM_PMU_EVENT_ALLOW && out->action != KVM_PMU_EVENT_DENY) {
        pf_diag(d, PF_SEV_ERROR, NULL, "%s: action %" PRIu32 " is neither ALLOW (0) nor DENY (1): KVM refuses it (EINVAL)",
                name, out->action);
        bad++;
    }
    if (out->flags & ~(uint32_t)KVM_PMU_EVENT_FLAGS_VALID_MASK) {
        pf_diag(d, PF_SEV_ERROR, NULL, "%s: flags 0x%" PRIx32 " has unknown bits: KVM refuses it (EINVAL)",
                name, out->flags);
        bad++;
    }
    if (out->nevents > PF_X86_MAX_EVENTS) {
        pf_diag(d, PF_SEV_ERROR, NULL, "%s: %" PRIu32 " events is over KVM's limit of %u (E2BIG)",
                name, out->nevents, PF_X86_MAX_EVENTS);
        bad++;
    }
    if (bad)
        return PF_EPOLICY;
    size_t want = PF_BLOB_HEADER + 8 * (size_t)out->nevents;
    if (len < want) {
        /* The kernel would copy 8 * nevents bytes past the header: what a
         * short file lacks is not a filter it can be given. */
        pf_diag(d, PF_SEV_ERROR, NULL, "%s: %zu bytes, but a filter of %" PRIu32 " events is %zu bytes",
                name, len, out->nevents, want);
        return PF_EPOLICY;
    }
    if (len > want)
        /* kvm_vm_ioctl_set_pmu_event_filter() copies the header, then
         * exactly nevents entries: what follows is never read. */
        pf_warn(d, PF_W_IGNORED_BITS, NULL,
                "%s: %zu byte%s after the filter %s ignored: a filter of %" PRIu32
                " events is %zu bytes, and KVM reads no more",
                name, len - want, len - want == 1 ? "" : "s", len - want == 1 ? "is" : "are",
                out->nevents, want);
    for (unsigned i = 16; i < PF_BLOB_HEADER; i++)
        if (buf[i]) {
            /* The kernel never reads pad: harmless, but not what pmufc writes. */
            pf_warn(d, PF_W_IGNORED_BITS, NULL, "%s: the header's pad bytes are not zero (KVM ignores them)", name);
            break;
        }
    out->events = malloc(out->nevents ? 8 * (size_t)out->nevents : 1);
    if (!out->events) {
        pf_diag(d, PF_SEV_ERROR, NULL, "out of memory");
        return PF_ENOMEM;
    }
    uint64_t select_bits = t == PF_TARGET_AMD ? AMD_EVENT : INTEL_EVENT;
    int masked = !!(out->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS);
    uint64_t valid = masked ? select_bits | KVM_PMU_MASKED_ENTRY_UMASK_MASK |
                                  KVM_PMU_MASKED_ENTRY_UMASK_MATCH | KVM_PMU_MASKED_ENTRY_EXCLUDE
                            : select_bits | UMASK_BITS;
    for (uint32_t i = 0; i < out->nevents; i++) {
        uint64_t e = get64(buf + PF_BLOB_HEADER + 8 * (size_t)i);
        out->events[i] = e;
        if (!(e & ~valid))
            continue;
        if (masked) {
            pf_diag(d, PF_SEV_ERROR, NULL,
                    "%s: entry %" PRIu32 " (0x%016" PRIx64 ") has bits 0x%" PRIx64
                    " outside a masked entry on %s: KVM refuses the filter (EINVAL)",
                    name, i, e, e & ~valid, pf_target_name(t));
            bad++;
        } else {
            pf_warn(d, PF_W_IGNORED_BITS, NULL,
                    "%s: entry %" PRIu32 " (0x%016" PRIx64 ") has bits 0x%" PRIx64
                    " outside select and umask on %s: KVM drops it without a word",
                    name, i, e, e & ~valid, pf_target_name(t));
        }
    }
    if (bad) {
        pf_x86_filter_free(out);
        return PF_EPOLICY;
    }
    return PF_OK;
}
