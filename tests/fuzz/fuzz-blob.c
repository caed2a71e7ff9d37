/* fuzz-blob.c - libFuzzer target: the blob readers and the kernel models.
 *
 * Each input is read as an x86 filter for Intel and for AMD, and as arm64
 * records for both event spaces (10 and 16 bits).  Three readings of the
 * kernel's rules must agree:
 *   - pf_blob_decode / pf_arm_decode (the validator every path runs),
 *   - pf_eval_x86_load / pf_eval_arm_load (the models verification uses),
 *   - a deliberately naive reading written here (linear scans, no sorting),
 * on acceptance, on the error (EINVAL / E2BIG), and, for accepted filters,
 * on the decision for every Intel event, a spread of AMD events (every
 * umask of the selects the filter names and of a few others, every 37th
 * umask of the other selects), every fixed counter, and every arm64 event.
 * The listing, every other format of format.h and the --check
 * explanations run on every accepted filter; for one in four (AMD: one in
 * sixteen) the filter is written as policy text or QEMU JSON, read back,
 * compiled, and must decide exactly as before.  Nothing may crash, leak
 * or trip UBSan; a disagreement aborts with what disagreed. */
#include "config.h"

#include "base/arena.h"
#include "kernel/blob_x86.h"
#include "kernel/blob_arm64.h"
#include "core/compile.h"
#include "kernel/eval_x86.h"
#include "kernel/eval_arm64.h"
#include "core/explain.h"
#include "formats/format.h"
#include "formats/qemu_import.h"
#include "kernel/space.h"

#include "fuzz.h"

#include <errno.h>
#include <string.h>

static FILE *devnull;

static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    while (n--)
        v = v << 8 | p[n];
    return v;
}

#define SIZE_MISMATCH 1000 /* not a kernel error: the file is shorter than header + 8 * nevents */

/* The kernel's verdict on a file, straight from kvm_vm_ioctl_set_pmu_event_filter()
 * and prepare_filter_lists(); SIZE_MISMATCH for what only a file can get wrong.
 * Bytes after the nevents entries are never read. */
static int naive_x86_verdict(const uint8_t *b, size_t len, int amd)
{
    if (len < 32)
        return SIZE_MISMATCH;
    uint32_t action = (uint32_t)le(b, 4), n = (uint32_t)le(b + 4, 4), flags = (uint32_t)le(b + 12, 4);
    if (action > 1 || flags > 1)
        return -EINVAL;
    if (n > 300)
        return -E2BIG;
    if (len < 32 + 8 * (size_t)n)
        return SIZE_MISMATCH;
    if (flags) {
        uint64_t ok = 0xffull | (amd ? 0xf00000000ull : 0) | 0xff00ull | (1ull << 55) | (0xffull << 56);
        for (uint32_t i = 0; i < n; i++)
            if (le(b + 32 + 8 * (size_t)i, 8) & ~ok)
                return -EINVAL;
    }
    return 0;
}

static uint64_t select_bits(int amd)
{
    return amd ? 0xf000000ffull : 0xffull;
}

static uint64_t select_key(unsigned select, int amd)
{
    return (((uint64_t)select & 0xff) | ((uint64_t)(select >> 8 & 0xf) << 32)) & select_bits(amd);
}

/* Entry i as the kernel keeps it: 0 when dropped, else 1 with its fields. */
static int naive_entry(const uint8_t *b, uint32_t i, int masked, int amd, uint64_t *key,
                       unsigned *mask, unsigned *match, int *exclude)
{
    uint64_t e = le(b + 32 + 8 * (size_t)i, 8);
    if (!masked && (e & ~(select_bits(amd) | 0xff00ull)))
        return 0;
    *key = e & select_bits(amd);
    *match = (unsigned)(e >> 8 & 0xff);
    *mask = masked ? (unsigned)(e >> 56) : 0xff;
    *exclude = masked && (e >> 55 & 1);
    return 1;
}

/* The kept entries of the filter being checked, read once per input. */
struct naive_entries {
    size_t n;
    uint64_t key[300];
    unsigned mask[300], match[300];
    int exclude[300];
    uint8_t named[0x1000]; /* by select: some kept entry has it */
};

static unsigned select_index(unsigned select, int amd)
{
    return select & (amd ? 0xfffu : 0xffu);
}

static void naive_read(const uint8_t *b, int amd, struct naive_entries *ne)
{
    uint32_t n = (uint32_t)le(b + 4, 4);
    int masked = (int)(le(b + 12, 4) & 1);
    ne->n = 0;
    memset(ne->named, 0, sizeof(ne->named));
    for (uint32_t i = 0; i < n; i++)
        if (naive_entry(b, i, masked, amd, &ne->key[ne->n], &ne->mask[ne->n], &ne->match[ne->n],
                        &ne->exclude[ne->n])) {
            uint64_t k = ne->key[ne->n];
            ne->named[(k & 0xff) | (k >> 24 & 0xf00)] = 1;
            ne->n++;
        }
}

/* For one select, every umask: does it count, did an include / exclude match? */
static void naive_select(const uint8_t *b, const struct naive_entries *ne, int amd, unsigned select,
                         uint8_t counts[256], uint8_t inc[256], uint8_t exc[256])
{
    uint64_t want = select_key(select, amd);
    memset(inc, 0, 256);
    memset(exc, 0, 256);
    for (size_t i = 0; i < ne->n; i++) {
        if (ne->key[i] != want)
            continue;
        for (unsigned u = 0; u < 256; u++)
            if ((u & ne->mask[i]) == ne->match[i])
                (ne->exclude[i] ? exc : inc)[u] = 1;
    }
    uint32_t action = (uint32_t)le(b, 4);
    for (unsigned u = 0; u < 256; u++) {
        int in = inc[u] && !exc[u];
        counts[u] = (uint8_t)(action == 0 ? in : !in);
    }
}

/* The model against the naive reading for select and the umasks u with
 * (u % step) == first. */
static void check_select(const uint8_t *b, const struct naive_entries *ne,
                         const struct pf_eval_x86 *ev, int amd, unsigned select, unsigned first,
                         unsigned step)
{
    uint8_t counts[256], inc[256], exc[256];
    if (ne->named[select_index(select, amd)]) {
        naive_select(b, ne, amd, select, counts, inc, exc);
    } else {
        /* No entry of this select: outside the set. */
        memset(counts, le(b, 4) != 0, 256);
        memset(inc, 0, 256);
        memset(exc, 0, 256);
    }
    uint32_t n = (uint32_t)le(b + 4, 4);
    int masked = (int)(le(b + 12, 4) & 1);
    for (unsigned umask = first; umask < 256; umask += step) {
        long entry, excluded;
        int got = pf_eval_x86_gp(ev, select, umask, &entry, &excluded);
        if (got != counts[umask] || (entry >= 0) != inc[umask] ||
            (inc[umask] && (excluded >= 0) != exc[umask])) {
            fprintf(stderr, "%s select=0x%x umask=0x%02x: model %d (entry %ld, exclude %ld), naive %d "
                    "(include %d, exclude %d)\n", amd ? "amd" : "intel", select, umask, got, entry,
                    excluded, counts[umask], inc[umask], exc[umask]);
            pf_fuzz_fail("pf_eval_x86_gp disagrees with the naive reading");
        }
        /* The entries it names must be ones that match. */
        for (int k = 0; k < 2; k++) {
            long idx = k ? excluded : entry;
            if (idx < 0)
                continue;
            pf_fuzz_assert((uint64_t)idx < n, "pf_eval_x86_gp names an entry past nevents");
            uint64_t key;
            unsigned mask, match;
            int exclude;
            pf_fuzz_assert(naive_entry(b, (uint32_t)idx, masked, amd, &key, &mask, &match, &exclude) &&
                               key == select_key(select, amd) && (umask & mask) == match &&
                               exclude == k,
                           "pf_eval_x86_gp names an entry that does not match the event");
        }
    }
}

/* Every writer of format.h on an accepted filter (they may refuse a
 * filter a format cannot hold, with a reason, but not crash). */
static void render_all_x86(const struct pf_x86_filter *f, enum pf_target t)
{
    const struct pf_any_filter any = {t, f, NULL, 0};
    static const enum pf_format fmts[] = {PF_FORMAT_TEXT, PF_FORMAT_QEMU, PF_FORMAT_QEMU_RFC,
                                          PF_FORMAT_C,    PF_FORMAT_JSON, PF_FORMAT_POLICY};
    for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
        struct pf_arena *a = pf_arena_new();
        pf_fuzz_assert(a != NULL, "out of memory");
        struct pf_diags d;
        pf_diags_init(&d, a);
        if (pf_format_render(devnull, fmts[i], &any, NULL, NULL, &d))
            pf_fuzz_assert(pf_diags_failed(&d), "a writer refused a filter without a reason");
        pf_diags_print(devnull, &d);
        pf_arena_free(a);
    }
}

/* Do two loaded filters decide alike on target t?  Intel: every event and
 * fixed counter; AMD: every umask of the selects either names, every 37th
 * of the others. */
static void same_decisions(const struct pf_eval_x86 *x, const struct pf_eval_x86 *y, int amd,
                           const struct pf_x86_filter *fx, const uint8_t *yblob, size_t ylen,
                           const char *how)
{
    uint8_t named[0x1000] = {0};
    for (uint32_t i = 0; i < fx->nevents; i++)
        named[pf_x86_entry_select(fx->events[i]) & 0xfff] = 1;
    for (size_t off = 32; off + 8 <= ylen; off += 8)
        named[pf_x86_entry_select(le(yblob + off, 8)) & 0xfff] = 1;
    unsigned nsel = amd ? 0x1000 : 0x100;
    for (unsigned s = 0; s < nsel; s++)
        for (unsigned u = named[s] || !amd ? 0 : s % 37; u < 256; u += named[s] || !amd ? 1 : 37)
            if (pf_eval_x86_gp(x, s, u, NULL, NULL) != pf_eval_x86_gp(y, s, u, NULL, NULL)) {
                fprintf(stderr, "%s, %s: select=0x%x umask=0x%02x: the filter %d, after the round trip %d\n",
                        amd ? "amd" : "intel", how, s, u, pf_eval_x86_gp(x, s, u, NULL, NULL),
                        pf_eval_x86_gp(y, s, u, NULL, NULL));
                pf_fuzz_fail("a filter written out and read back decides differently");
            }
    if (!amd)
        for (unsigned i = 0; i < 32; i++)
            if (pf_eval_x86_fixed(x, i) != pf_eval_x86_fixed(y, i)) {
                fprintf(stderr, "intel, %s: fixed counter %u differs\n", how, i);
                pf_fuzz_fail("a filter written out and read back decides differently");
            }
}

/* Writes f as policy text (how 0) or as QEMU JSON (how 1: 2025 shape,
 * 2: RFC v1), reads it back as pmufc does (pf_import_qemu for JSON), and
 * compiles it for t: the result must decide exactly as f (as loaded in ev). */
static void round_trip(const struct pf_x86_filter *f, enum pf_target t, const struct pf_eval_x86 *ev,
                       int how)
{
    static const enum pf_format fmts[] = {PF_FORMAT_POLICY, PF_FORMAT_QEMU, PF_FORMAT_QEMU_RFC};
    static const char *const names[] = {"policy text", "QEMU JSON", "QEMU RFC v1 JSON"};
    struct pf_arena *a = pf_arena_new();
    pf_fuzz_assert(a != NULL, "out of memory");
    struct pf_diags d;
    pf_diags_init(&d, a);
    char *text = NULL;
    size_t tlen = 0;
    FILE *m = open_memstream(&text, &tlen);
    pf_fuzz_assert(m != NULL, "out of memory");
    const struct pf_any_filter any = {t, f, NULL, 0};
    int rc = pf_format_render(m, fmts[how], &any, NULL, NULL, &d) != PF_OK;
    pf_fuzz_assert(!fclose(m), "out of memory");
    if (rc) {
        /* The format cannot hold this filter: said, not a round trip. */
        pf_fuzz_assert(how != 0, "pmufc cannot write a filter it accepts as policy text");
        free(text);
        pf_arena_free(a);
        return;
    }
    struct pf_import im = {0};
    const char *src = text, *name = "round-trip.pf";
    size_t slen = tlen;
    if (how) {
        if (pf_import_qemu("round-trip.json", text, tlen, t, &d, &im) || pf_diags_failed(&d)) {
            fprintf(stderr, "%s", text);
            pf_diags_print(stderr, &d);
            pf_fuzz_fail("pmufc cannot read back the QEMU JSON it wrote");
        }
        src = im.policy;
        slen = im.len;
        name = im.name;
    }
    struct pf_compile_opts o = {0};
    o.target = t;
    o.cpu = "generic";
    o.no_warnings = 1;
    struct pf_compiled c;
    enum pf_status s = pf_compile(name, src, slen, &o, &c);
    if (s != PF_OK) {
        fprintf(stderr, "--- %s:\n%.*s--- compiled:\n", names[how], (int)slen, src);
        pf_diags_print(stderr, &c.diags);
        pf_fuzz_fail("the filter written out does not compile back");
    }
    struct pf_eval_x86 back;
    const char *why = "";
    pf_fuzz_assert(!pf_eval_x86_load(&back, c.blob, c.len, t == PF_TARGET_AMD, &why),
                   "the round trip's blob does not load");
    same_decisions(ev, &back, t == PF_TARGET_AMD, f, c.blob, c.len, names[how]);
    pf_eval_x86_free(&back);
    pf_compiled_free(&c);
    pf_import_free(&im);
    free(text);
    pf_arena_free(a);
}

static uint32_t hash(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static void fuzz_x86(const uint8_t *data, size_t size, int amd)
{
    enum pf_target t = amd ? PF_TARGET_AMD : PF_TARGET_INTEL;
    struct pf_arena *a = pf_arena_new();
    pf_fuzz_assert(a != NULL, "out of memory");
    struct pf_diags d;
    pf_diags_init(&d, a);
    struct pf_source src = {"fuzz.bin", (const char *)data, size};
    struct pf_x86_filter f;
    int rd = pf_blob_decode(data, size, t, &src, &d, &f);
    pf_diags_print(devnull, &d);
    struct pf_eval_x86 ev;
    const char *why = "";
    int re = pf_eval_x86_load(&ev, data, size, amd, &why);
    int rn = naive_x86_verdict(data, size, amd);
    if ((rd == 0) != (re == 0) || (rd == 0) != (rn == 0) || (rd != 0) != (d.nerrors != 0)) {
        fprintf(stderr, "%s: pf_blob_decode %d (%u errors), pf_eval_x86_load %d (%s), naive %d\n",
                pf_target_name(t), rd, d.nerrors, re, re ? why : "ok", rn);
        pf_fuzz_fail("the x86 validator, the kernel model and the naive reading disagree");
    }
    if (re && rn != SIZE_MISMATCH && re != rn) {
        fprintf(stderr, "%s: pf_eval_x86_load %d (%s), naive %d\n", pf_target_name(t), re, why, rn);
        pf_fuzz_fail("the kernel model refuses with the wrong error");
    }
    if (rd) {
        pf_arena_free(a);
        return;
    }
    /* Accepted: the three readings of the header and entries agree. */
    pf_fuzz_assert(f.action == ev.action && f.fixed_bitmap == ev.fixed_bitmap && f.flags == ev.flags,
                   "pf_blob_decode and pf_eval_x86_load read the header differently");
    pf_fuzz_assert(f.nevents == (uint32_t)le(data + 4, 4), "pf_blob_decode miscounts entries");
    for (uint32_t i = 0; i < f.nevents; i++)
        pf_fuzz_assert(f.events[i] == le(data + 32 + 8 * (size_t)i, 8), "pf_blob_decode misreads an entry");
    uint8_t *again;
    size_t alen;
    pf_fuzz_assert(!pf_blob_encode(&f, &again, &alen), "out of memory");
    pf_fuzz_assert(alen == pf_blob_size(data, size) && alen <= size && !memcmp(again, data, 16) &&
                       !memcmp(again + 32, data + 32, alen - 32),
                   "pf_blob_encode does not give back the bytes pf_blob_decode read");
    pf_fuzz_assert(alen == size || d.nwarnings > 0,
                   "pf_blob_decode ignores bytes after the entries without a warning");
    free(again);

    /* Every Intel event; on AMD every umask of the selects the filter
     * names and of a few others, and a spread of umasks of every select. */
    static struct naive_entries ne;
    naive_read(data, amd, &ne);
    unsigned sels[16], nsel = 0;
    const unsigned fixed_sels[] = {0x00, 0xff, 0x100, 0xfff};
    for (unsigned i = 0; i < 4; i++)
        sels[nsel++] = fixed_sels[i] & (amd ? 0xfff : 0xff);
    for (uint32_t i = 0; i < f.nevents && nsel < 16; i++) {
        unsigned s = pf_x86_entry_select(f.events[i]) & (amd ? 0xfff : 0xff);
        int seen = 0;
        for (unsigned k = 0; k < nsel; k++)
            seen |= sels[k] == s;
        if (!seen)
            sels[nsel++] = s;
    }
    if (!amd) {
        for (unsigned s = 0; s < 0x100; s++)
            check_select(data, &ne, &ev, amd, s, 0, 1);
    } else {
        for (unsigned k = 0; k < nsel; k++)
            check_select(data, &ne, &ev, amd, sels[k], 0, 1);
        for (unsigned s = 0; s < 0x1000; s++)
            check_select(data, &ne, &ev, amd, s, s % 37, 37);
    }
    for (unsigned i = 0; i < 40; i++) {
        int bit = i < 32 && (f.fixed_bitmap >> i & 1);
        pf_fuzz_assert(pf_eval_x86_fixed(&ev, i) == (f.action == 0 ? bit : !bit),
                       "pf_eval_x86_fixed disagrees with the bitmap");
    }

    /* The listing, the other formats, and --check on a few events. */
    render_all_x86(&f, t); /* the listing (text) first */
    /* Out and back in (a compile each: one input in four, on AMD one in
     * sixteen). */
    uint32_t h = hash(data, size);
    if ((h & 3) == 0 && (!amd || (h >> 2 & 3) == 0))
        round_trip(&f, t, &ev, (int)(h >> 4) % 3);
    for (unsigned k = 0; k < nsel; k++) {
        struct pf_event e = {0, 0, sels[k], (unsigned)(size * 31 + k) & 0xff};
        pf_explain_blob(devnull, &f, data, size, t, NULL, &e);
    }
    if (!amd) {
        struct pf_event e = {1, (unsigned)size & 31, 0, 0};
        pf_explain_blob(devnull, &f, data, size, t, NULL, &e);
    }
    pf_eval_x86_free(&ev);
    pf_x86_filter_free(&f);
    pf_arena_free(a);
}

static int naive_arm_verdict(const uint8_t *b, size_t len, size_t nr)
{
    if (len % 8)
        return SIZE_MISMATCH;
    for (size_t i = 0; i < len; i += 8)
        if (le(b + i, 2) + le(b + i + 2, 2) > nr || b[i + 4] > 1)
            return -EINVAL;
    return 0;
}

static void fuzz_arm(const uint8_t *data, size_t size, unsigned max)
{
    size_t nr = (size_t)max + 1;
    struct pf_arena *a = pf_arena_new();
    pf_fuzz_assert(a != NULL, "out of memory");
    struct pf_diags d;
    pf_diags_init(&d, a);
    struct pf_source src = {"fuzz.bin", (const char *)data, size};
    struct pf_arm_filter f;
    int rd = pf_arm_decode(data, size, max, &src, &d, &f);
    pf_diags_print(devnull, &d);
    struct pf_eval_arm ev;
    const char *why = "";
    int re = pf_eval_arm_load(&ev, data, size, nr, &why);
    int rn = naive_arm_verdict(data, size, nr);
    if ((rd == 0) != (re == 0) || (rd == 0) != (rn == 0) || (rd != 0) != (d.nerrors != 0)) {
        fprintf(stderr, "arm64 (last event 0x%x): pf_arm_decode %d, pf_eval_arm_load %d (%s), naive %d\n",
                max, rd, re, re ? why : "ok", rn);
        pf_fuzz_fail("the arm64 validator, the kernel model and the naive reading disagree");
    }
    if (rd) {
        pf_arena_free(a);
        return;
    }
    pf_fuzz_assert(f.n == size / 8, "pf_arm_decode miscounts records");
    uint8_t *again;
    size_t alen;
    pf_fuzz_assert(!pf_arm_encode(&f, &again, &alen), "out of memory");
    for (size_t i = 0; i < f.n; i++)
        pf_fuzz_assert(!memcmp(again + 8 * i, data + 8 * i, 5),
                       "pf_arm_encode does not give back the records pf_arm_decode read");
    free(again);
    /* The naive bitmap: the first record sets the default, each record its range. */
    uint8_t *bm = malloc(nr);
    pf_fuzz_assert(bm != NULL, "out of memory");
    memset(bm, f.n && data[4] == 1, nr);
    for (size_t i = 0; i < f.n; i++)
        for (size_t e = f.rec[i].base; e < (size_t)f.rec[i].base + f.rec[i].nevents; e++)
            bm[e] = f.rec[i].action == 0;
    for (size_t e = 0; e < nr; e++) {
        int want = !f.n || e == PF_ARM_SW_INCR || e == PF_ARM_CHAIN || bm[e];
        if (pf_eval_arm_counts(&ev, (unsigned)e) != want) {
            fprintf(stderr, "arm64 event 0x%zx: model %d, naive %d\n", e,
                    pf_eval_arm_counts(&ev, (unsigned)e), want);
            pf_fuzz_fail("pf_eval_arm_counts disagrees with the naive reading");
        }
    }
    free(bm);
    const struct pf_any_filter any = {PF_TARGET_ARM64, NULL, &f, max};
    static const enum pf_format arm_fmts[] = {PF_FORMAT_TEXT, PF_FORMAT_KVMTOOL, PF_FORMAT_QEMU_ARM,
                                              PF_FORMAT_C,    PF_FORMAT_JSON,    PF_FORMAT_POLICY};
    for (size_t i = 0; i < sizeof(arm_fmts) / sizeof(arm_fmts[0]); i++) {
        struct pf_arena *ra = pf_arena_new();
        pf_fuzz_assert(ra != NULL, "out of memory");
        struct pf_diags rd2;
        pf_diags_init(&rd2, ra);
        if (pf_format_render(devnull, arm_fmts[i], &any, NULL, NULL, &rd2))
            pf_fuzz_assert(pf_diags_failed(&rd2), "an arm64 writer refused records without a reason");
        pf_arena_free(ra);
    }
    unsigned probes[] = {PF_ARM_CPU_CYCLES, PF_ARM_SW_INCR, (unsigned)size & max,
                         f.n ? f.rec[0].base : 0};
    for (size_t k = 0; k < sizeof(probes) / sizeof(probes[0]); k++) {
        struct pf_event e = {0, 0, probes[k], 0};
        pf_explain_blob_arm(devnull, data, size, max, NULL, &e);
    }
    pf_eval_arm_free(&ev);
    pf_arm_filter_free(&f);
    pf_arena_free(a);
}

int pf_fuzz_blob(const uint8_t *data, size_t size)
{
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    pf_fuzz_assert(devnull != NULL, "cannot open /dev/null");
    (void)pf_blob_sniff(data, size);
    fuzz_x86(data, size, 0);
    fuzz_x86(data, size, 1);
    fuzz_arm(data, size, PF_ARM_EVENT_MAX);
    fuzz_arm(data, size, PF_ARM_V3P0_EVENT_MAX);
    return 0;
}

#ifndef PF_FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return pf_fuzz_blob(data, size);
}
#endif
