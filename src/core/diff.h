/* diff.h - the events two filters decide differently, for one target.
 *
 * Both filters are decided on every event of the target's space by the
 * kernel model (kernel/eval_*), not by their policies' IRs: a filter read
 * back from bytes has no policy, and what counts is what KVM will do.
 * The answer is data, ranges of events where one side allows and the
 * other denies, compact enough to print as it is (`pmufc diff`). */
#ifndef PMUFC_DIFF_H
#define PMUFC_DIFF_H

#include "base/diag.h"
#include "base/status.h"
#include "kernel/space.h"

#include <stddef.h>
#include <stdint.h>

enum pf_diff_kind {
    PF_DIFF_GP,    /* x86 general-purpose counters: selects x umasks */
    PF_DIFF_FIXED, /* Intel fixed counters */
    PF_DIFF_ARM,   /* arm64 event numbers */
};

/* Which side allows the events of a range (the other denies them). */
enum pf_diff_side { PF_DIFF_ONLY_A, PF_DIFF_ONLY_B };

/* One run of events decided alike within and differently between A and
 * B.  GP: umasks lo..hi of every select select_lo..select_hi (a run of
 * several selects is always of whole selects, umasks 0x00-0xff); FIXED:
 * counters lo..hi; ARM: events lo..hi.  Ranges come in the order of the
 * space (selects, then fixed counters; events), never adjacent with the
 * same side where they could be one. */
struct pf_diff_range {
    enum pf_diff_kind kind;
    enum pf_diff_side side;
    unsigned select_lo, select_hi;
    unsigned lo, hi;
};

/* Events of a range. */
size_t pf_diff_range_events(const struct pf_diff_range *r);

struct pf_diff {
    enum pf_target target;
    size_t events;          /* the space compared: events and fixed counters */
    size_t count;           /* of them, decided differently */
    size_t only_a, only_b;  /* count = only_a + only_b */
    size_t nranges;
    struct pf_diff_range *ranges; /* malloc'd */
};

/* Compares filter a (alen bytes) and filter b for target t as KVM would
 * decide them; arm64: arm_max is the last event number of the host's
 * PMU (PF_ARM_EVENT_MAX or PF_ARM_V3P0_EVENT_MAX).  Returns PF_OK with
 * *out filled, PF_EPOLICY when the kernel model refuses a filter
 * (located in d: "A" or "B"), PF_ENOMEM. */
enum pf_status pf_diff_filters(enum pf_target t, const uint8_t *a, size_t alen, const uint8_t *b,
                               size_t blen, unsigned arm_max, struct pf_diff *out,
                               struct pf_diags *d);
void pf_diff_free(struct pf_diff *df);

#endif
