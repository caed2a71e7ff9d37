/* blob.h - the x86 KVM filter: its in-memory form, its byte layout, and
 * the validator that every path runs before a filter reaches the kernel.
 *
 * Byte layout (struct kvm_pmu_event_filter, little-endian):
 *   u32 action @0, u32 nevents @4, u32 fixed_counter_bitmap @8,
 *   u32 flags @12, u32 pad[4] @16, u64 events[nevents] @32. */
#ifndef PMUFC_BLOB_H
#define PMUFC_BLOB_H

#include "base/diag.h"
#include "kernel/space.h"
#include "base/status.h"
#include "kernel/kvm_compat.h"

#include <stddef.h>
#include <stdint.h>

#define PF_BLOB_HEADER 32u
/* KVM_PMU_EVENT_FILTER_MAX_EVENTS: lives in arch/x86/kvm/pmu.c, not uapi. */
#define PF_X86_MAX_EVENTS 300u

struct pf_x86_filter {
    uint32_t action; /* KVM_PMU_EVENT_ALLOW or KVM_PMU_EVENT_DENY */
    uint32_t nevents;
    uint32_t fixed_bitmap;
    uint32_t flags;  /* 0 or KVM_PMU_EVENT_FLAG_MASKED_EVENTS */
    uint64_t *events; /* malloc'd; sorted ascending when made by pmufc */
};

void pf_x86_filter_free(struct pf_x86_filter *f);

/* Encodings of one entry. */
uint64_t pf_x86_plain(unsigned select, unsigned umask);
uint64_t pf_x86_masked(unsigned select, unsigned mask, unsigned match, int exclude);
unsigned pf_x86_entry_select(uint64_t e); /* select[7:0] | select[11:8] from bits 35:32 */
unsigned pf_x86_entry_umask(uint64_t e);  /* plain umask, or masked match (15:8) */
unsigned pf_x86_entry_mask(uint64_t e);   /* masked: bits 63:56 */
int pf_x86_entry_exclude(uint64_t e);     /* masked: bit 55 */

/* Bytes of a filter: malloc'd buffer of PF_BLOB_HEADER + 8 * nevents.
 * PF_OK or PF_ENOMEM. */
enum pf_status pf_blob_encode(const struct pf_x86_filter *f, uint8_t **buf, size_t *len);

/* Reads and validates a blob as KVM_SET_PMU_EVENT_FILTER would on target t
 * (INTEL or AMD: the width of the event select differs).  Errors (what the
 * kernel refuses, and a file shorter than its header and nevents entries)
 * and warnings (what it silently drops, bytes after the entries, which it
 * never reads) go to d, located at src when given.  Returns PF_OK when
 * the kernel would accept it, PF_EPOLICY when it would not, PF_ENOMEM. */
enum pf_status pf_blob_decode(const uint8_t *buf, size_t len, enum pf_target t,
                              const struct pf_source *src, struct pf_diags *d,
                              struct pf_x86_filter *out);

/* Is this input a filter's bytes (x86 or arm64) rather than policy text?
 * A filter: any NUL byte; or whole 8-byte records whose action bytes are
 * all DENY (arm64 records with no zero byte); or a control byte (other
 * than tab, newline, vertical tab, form feed, carriage return) outside a
 * comment or string, where policy text cannot have one.  Anything else,
 * UTF-8 in comments included, is text; an empty input is an empty policy.
 * A filter shorter than its header still counts, for the validator to
 * say so. */
int pf_blob_sniff(const uint8_t *buf, size_t len);

/* The bytes of a filter the kernel reads: the header and nevents entries
 * (what follows in a file is never seen), or len when it is shorter or
 * nevents is over the limit (the validator refuses those). */
size_t pf_blob_size(const uint8_t *buf, size_t len);

#endif
