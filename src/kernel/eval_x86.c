/* eval.c - an independent model of KVM's x86 PMU event filter.
 *
 * Kernel (6.3+) behaviour modelled here, from arch/x86/kvm/pmu.c:
 *  - kvm_vm_ioctl_set_pmu_event_filter(): action must be ALLOW (0) or
 *    DENY (1), flags only bit 0 (masked events), nevents <= 300; else
 *    EINVAL / E2BIG.  pad is never read.  It then copies exactly nevents
 *    entries after the header: bytes past them in a file are never seen
 *    (a file shorter than that is refused here, as no filter at all).
 *  - prepare_filter_lists(): in plain mode, entries with bits outside
 *    EVENTSEL_EVENT | EVENTSEL_UMASK are dropped, the rest become masked
 *    entries (select, mask 0xff, match umask, include); in masked mode any
 *    bit outside select | match | exclude | mask is EINVAL.  EVENTSEL_EVENT
 *    is bits 7:0 on Intel and 7:0 plus 35:32 on AMD.  Then sort, and split
 *    at the exclude bit into includes and excludes.
 *  - is_gp_event_allowed(): in the set iff some include of the event's
 *    select has (umask & mask) == match and no exclude does; ALLOW counts
 *    iff in the set, DENY iff not.
 *  - is_fixed_event_allowed(): the fixed_counter_bitmap alone: ALLOW counts
 *    iff bit set, DENY iff bit clear. */
#include "kernel/eval_x86.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define K_ALLOW 0u
#define K_DENY 1u
#define K_FLAG_MASKED 1u
#define K_MAX_EVENTS 300u
#define K_HEADER 32u

#define K_SEL_INTEL 0xffull
#define K_SEL_AMD (0xffull | 0xf00000000ull)
#define K_UMASK 0xff00ull
#define K_MATCH 0xff00ull
#define K_EXCLUDE (1ull << 55)
#define K_MASK (0xffull << 56)

static uint64_t le(const unsigned char *p, unsigned n)
{
    uint64_t v = 0;
    while (n--)
        v = v << 8 | p[n];
    return v;
}

struct tagged {
    uint64_t e;
    uint32_t src;
};

/* The kernel's filter_sort_cmp(): by select and exclude bit only, so the
 * entries of one select are adjacent and includes come before excludes. */
static int cmp_tagged(const void *a, const void *b)
{
    const struct tagged *x = a, *y = b;
    uint64_t kx = x->e & (K_SEL_AMD | K_EXCLUDE), ky = y->e & (K_SEL_AMD | K_EXCLUDE);
    if (kx != ky)
        return kx < ky ? -1 : 1;
    return x->src < y->src ? -1 : x->src > y->src; /* deterministic explanations */
}

int pf_eval_x86_load(struct pf_eval_x86 *ev, const void *blob, size_t len, int amd,
                     const char **why)
{
    const unsigned char *b = blob;
    memset(ev, 0, sizeof(*ev));
    ev->amd = amd;
    if (len < K_HEADER) {
        *why = "shorter than the header";
        return -EINVAL;
    }
    ev->action = (uint32_t)le(b, 4);
    uint32_t n = (uint32_t)le(b + 4, 4);
    ev->fixed_bitmap = (uint32_t)le(b + 8, 4);
    ev->flags = (uint32_t)le(b + 12, 4);
    if (ev->action != K_ALLOW && ev->action != K_DENY) {
        *why = "bad action";
        return -EINVAL;
    }
    if (ev->flags & ~K_FLAG_MASKED) {
        *why = "bad flags";
        return -EINVAL;
    }
    if (n > K_MAX_EVENTS) {
        *why = "too many events";
        return -E2BIG;
    }
    if (len < K_HEADER + 8 * (size_t)n) {
        *why = "shorter than nevents entries";
        return -EINVAL;
    }
    uint64_t sel = amd ? K_SEL_AMD : K_SEL_INTEL;
    struct tagged *t = malloc((n ? n : 1) * sizeof(*t));
    if (!t) {
        *why = "out of memory";
        return -ENOMEM;
    }
    size_t kept = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t e = le(b + K_HEADER + 8 * (size_t)i, 8);
        if (ev->flags & K_FLAG_MASKED) {
            if (e & ~(sel | K_MATCH | K_EXCLUDE | K_MASK)) {
                free(t);
                *why = "masked entry with invalid bits";
                return -EINVAL;
            }
        } else {
            if (e & ~(sel | K_UMASK))
                continue; /* silently dropped by the kernel */
            e = (e & sel) | (e & K_UMASK) | K_MASK; /* match = umask, mask = 0xff */
        }
        t[kept].e = e;
        t[kept].src = i;
        kept++;
    }
    qsort(t, kept, sizeof(*t), cmp_tagged);
    ev->inc = malloc((kept ? kept : 1) * sizeof(uint64_t));
    ev->exc = malloc((kept ? kept : 1) * sizeof(uint64_t));
    ev->inc_src = malloc((kept ? kept : 1) * sizeof(uint32_t));
    ev->exc_src = malloc((kept ? kept : 1) * sizeof(uint32_t));
    if (!ev->inc || !ev->exc || !ev->inc_src || !ev->exc_src) {
        free(t);
        pf_eval_x86_free(ev);
        *why = "out of memory";
        return -ENOMEM;
    }
    for (size_t i = 0; i < kept; i++) {
        if (t[i].e & K_EXCLUDE) {
            ev->exc[ev->nexc] = t[i].e;
            ev->exc_src[ev->nexc++] = t[i].src;
        } else {
            ev->inc[ev->ninc] = t[i].e;
            ev->inc_src[ev->ninc++] = t[i].src;
        }
    }
    free(t);
    return 0;
}

void pf_eval_x86_free(struct pf_eval_x86 *ev)
{
    free(ev->inc);
    free(ev->exc);
    free(ev->inc_src);
    free(ev->exc_src);
    memset(ev, 0, sizeof(*ev));
}

/* The kernel's filter_contains_match(): find an entry of the event's
 * select by binary search, then test every entry of that select. */
static long find_match(const uint64_t *v, const uint32_t *src, size_t n, uint64_t select_bits,
                       unsigned umask)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((v[mid] & K_SEL_AMD) < select_bits)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < n && (v[i] & K_SEL_AMD) == select_bits; i++) {
        unsigned mask = (unsigned)(v[i] >> 56 & 0xff);
        unsigned match = (unsigned)(v[i] >> 8 & 0xff);
        if ((umask & mask) == match)
            return (long)src[i];
    }
    return -1;
}

int pf_eval_x86_gp(const struct pf_eval_x86 *ev, unsigned select, unsigned umask, long *entry,
                   long *excluded)
{
    uint64_t selmask = ev->amd ? K_SEL_AMD : K_SEL_INTEL;
    uint64_t bits = ((uint64_t)select & 0xff) | ((uint64_t)(select >> 8 & 0xf) << 32);
    bits &= selmask;
    long inc = find_match(ev->inc, ev->inc_src, ev->ninc, bits, umask & 0xff);
    long exc = inc >= 0 ? find_match(ev->exc, ev->exc_src, ev->nexc, bits, umask & 0xff) : -1;
    if (entry)
        *entry = inc;
    if (excluded)
        *excluded = exc;
    int in_set = inc >= 0 && exc < 0;
    return ev->action == K_ALLOW ? in_set : !in_set;
}

int pf_eval_x86_select_listed(const struct pf_eval_x86 *ev, unsigned select)
{
    uint64_t bits = ((uint64_t)select & 0xff) | ((uint64_t)(select >> 8 & 0xf) << 32);
    size_t lo = 0, hi = ev->ninc;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((ev->inc[mid] & K_SEL_AMD) < bits)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ev->ninc && (ev->inc[lo] & K_SEL_AMD) == bits;
}

int pf_eval_x86_fixed(const struct pf_eval_x86 *ev, unsigned idx)
{
    int bit = idx < 32 && (ev->fixed_bitmap >> idx & 1);
    return ev->action == K_ALLOW ? bit : !bit;
}
