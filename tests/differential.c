/* differential.c - pmufc's x86 blob validator against the kernel's rules,
 * on random and mutated filters.
 *
 *   differential [-n COUNT] [-s SEED] [-k [-K]] [-v] [BLOB...]
 *
 * Makes COUNT random filters and COUNT mutants (of the BLOBs given, and of
 * well-formed filters it makes itself), aimed at the edges the kernel
 * checks: action, flags, nevents around 300, sizes that do not match
 * nevents (short: refused; long: the bytes after the entries are never
 * read), plain entries with bits the kernel drops, masked entries with
 * bits it refuses, AMD's select bits 35:32 on Intel.  For each, on Intel
 * and on AMD, pf_blob_decode (the validator every pmufc path runs) must
 * accept exactly when pf_eval_x86_load (the kernel model verification
 * uses, written separately from the kernel source) does.
 *
 * With -k it also hands every filter, as the kernel would read it (header
 * plus nevents entries), to KVM_SET_PMU_EVENT_FILTER on a scratch VM of
 * /dev/kvm, and the kernel must accept exactly what pf_blob_decode accepts
 * (and refuse with the errno the model gives), both by the event-select
 * rules this KVM applies as pf_kvm_probe finds them: the loaded module's,
 * not the CPU's (kvm_pvm on an AMD CPU applies Intel's: a masked entry
 * with select bits 35:32 is EINVAL there).  On a kernel without masked
 * events (before 6.3) a filter with flags set is expected to be refused
 * with EINVAL, and counted apart.  Without /dev/kvm,
 * KVM_CAP_PMU_EVENT_FILTER or an x86 KVM, -k exits 77 (skip).  -K (with
 * -k) makes only the kernel comparison: the Intel and AMD model
 * comparisons are the same on any machine (differential.sh makes them),
 * and inside a guest under TCG (tests/x86/differential.sh) they were
 * most of the time.
 *
 * Prints counts per outcome; exits 1 on any disagreement (the first few
 * are shown in hex, with the seed to reproduce them), 0 otherwise. */
#include "config.h"

#include "kernel/apply.h"
#include "base/arena.h"
#include "kernel/blob_x86.h"
#include "kernel/eval_x86.h"
#include "kernel/host_x86.h"
#include "kernel/kvm_compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#define MAX_BLOB (PF_BLOB_HEADER + 8 * 310)

/* xorshift64*: reproducible from the seed on every platform. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static uint32_t below(uint32_t n)
{
    return n ? (uint32_t)(rnd() % n) : 0;
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

/* One entry: mostly what pmufc or a VMM would write, sometimes not. */
static uint64_t random_entry(int masked)
{
    unsigned sel = below(4) ? below(0x100) : below(0x1000);
    uint64_t e;
    if (masked)
        e = pf_x86_masked(sel, below(0x100), below(0x100), below(4) == 0);
    else
        e = pf_x86_plain(sel, below(0x100));
    switch (below(10)) {
    case 0: /* a bit anywhere */
        e ^= 1ull << below(64);
        break;
    case 1: /* bits the kernel cares about: select 35:32, exclude, 16..31, 36..54 */
        e |= 1ull << (32 + below(4));
        break;
    case 2:
        e |= 1ull << (16 + below(16));
        break;
    case 3:
        e |= 1ull << (36 + below(20));
        break;
    case 4:
        e = rnd();
        break;
    default:
        break;
    }
    return e;
}

/* A random filter in buf; returns its length. */
static size_t random_blob(uint8_t *buf)
{
    static const uint32_t odd_actions[] = {2, 3, 0xffffffffu, 0x80000000u, 0x100};
    static const uint32_t odd_flags[] = {2, 3, 0x80000000u, 0xffffffffu, 0x100};
    static const uint32_t odd_counts[] = {299, 300, 301, 302, 0xffffffffu, 0x80000000u, 0x20000000u,
                                          0x20000001u, 1000};
    memset(buf, 0, MAX_BLOB);
    uint32_t action = below(8) ? below(2) : odd_actions[below(5)];
    uint32_t flags = below(10) ? below(2) : odd_flags[below(5)];
    uint32_t n = below(6) ? below(24) : below(3) ? 290 + below(21) : odd_counts[below(9)];
    put32(buf, action);
    put32(buf + 4, n);
    put32(buf + 8, below(3) ? (uint32_t)rnd() : below(2) ? 0 : 0xffffffffu);
    put32(buf + 12, flags);
    if (!below(10))
        buf[16 + below(16)] = (uint8_t)rnd();
    /* Up to 310 entries, so that 301..310 come with a matching size too. */
    uint32_t fill = n <= (MAX_BLOB - PF_BLOB_HEADER) / 8 ? n : below(4);
    for (uint32_t i = 0; i < fill; i++)
        put64(buf + PF_BLOB_HEADER + 8 * (size_t)i, random_entry(flags & 1));
    size_t len = PF_BLOB_HEADER + 8 * (size_t)fill;
    switch (below(12)) {
    case 0: /* cut anywhere */
        len = below((uint32_t)len + 1);
        break;
    case 1: /* a byte more or less, or a whole entry */
        len += below(2) ? 1 : 8;
        break;
    case 2:
        if (len > 0)
            len -= below(2) && len >= 8 ? 8 : 1;
        break;
    default:
        break;
    }
    return len;
}

/* Mutates buf (len bytes, MAX_BLOB room) in place; returns the new length. */
static size_t mutate(uint8_t *buf, size_t len)
{
    static const uint8_t interesting[] = {0x00, 0x01, 0x02, 0x0f, 0x10, 0x7f, 0x80, 0xfe, 0xff};
    unsigned k = 1 + below(4);
    while (k--) {
        switch (below(9)) {
        case 0: /* flip a bit */
            if (len)
                buf[below((uint32_t)len)] ^= (uint8_t)(1u << below(8));
            break;
        case 1: /* an interesting byte */
            if (len)
                buf[below((uint32_t)len)] = interesting[below(sizeof(interesting))];
            break;
        case 2: /* a header field */
            if (len >= 16)
                put32(buf + 4 * below(4), below(2) ? below(4) : (uint32_t)(299 + below(4)));
            break;
        case 3: /* make nevents match the length, or not */
            if (len >= PF_BLOB_HEADER)
                put32(buf + 4, (uint32_t)((len - PF_BLOB_HEADER) / 8) + (below(3) ? 0 : 1));
            break;
        case 4: /* cut */
            len = below((uint32_t)len + 1);
            break;
        case 5: /* grow by an entry */
            if (len + 8 <= MAX_BLOB) {
                put64(buf + len, random_entry(below(2)));
                len += 8;
            }
            break;
        case 6: /* a bit of the high half of an entry */
            if (len > PF_BLOB_HEADER + 8) {
                size_t e = PF_BLOB_HEADER + 8 * below((uint32_t)((len - PF_BLOB_HEADER) / 8));
                if (e + 8 <= len)
                    buf[e + 4 + below(4)] ^= (uint8_t)(1u << below(8));
            }
            break;
        case 7: /* toggle masked mode */
            if (len >= 16)
                buf[12] ^= 1;
            break;
        default: /* swap action */
            if (len >= 4)
                buf[0] ^= 1;
            break;
        }
    }
    return len;
}

/* Counts of outcomes, by target, keyed by the model's reason. */
struct tally {
    const char *what[16];
    unsigned long n[16];
    size_t nkeys;
};

static void count(struct tally *t, const char *what)
{
    for (size_t i = 0; i < t->nkeys; i++)
        if (!strcmp(t->what[i], what)) {
            t->n[i]++;
            return;
        }
    if (t->nkeys < 16) {
        t->what[t->nkeys] = what;
        t->n[t->nkeys++] = 1;
    }
}

static void print_tally(const char *title, const struct tally *t)
{
    printf("%s:\n", title);
    for (size_t i = 0; i < t->nkeys; i++)
        printf("  %-48s %lu\n", t->what[i], t->n[i]);
}

static unsigned long disagreements;

static void dump(const char *why, const uint8_t *buf, size_t len, uint64_t seed, unsigned long idx)
{
    if (++disagreements > 5)
        return;
    printf("DISAGREEMENT (seed %llu, filter #%lu, %zu bytes): %s\n  ", (unsigned long long)seed, idx,
           len, why);
    for (size_t i = 0; i < len && i < 96; i++)
        printf("%02x%s", buf[i], i % 32 == 31 ? "\n  " : i % 8 == 7 ? " " : "");
    printf("%s\n", len > 96 ? "..." : "");
}

/* pf_blob_decode against pf_eval_x86_load for one target. */
static void compare_models(const uint8_t *buf, size_t len, int amd, struct tally *t, uint64_t seed,
                           unsigned long idx)
{
    struct pf_arena *a = pf_arena_new();
    if (!a) {
        fputs("differential: out of memory\n", stderr);
        exit(99);
    }
    struct pf_diags d;
    pf_diags_init(&d, a);
    struct pf_x86_filter f;
    int rd = pf_blob_decode(buf, len, amd ? PF_TARGET_AMD : PF_TARGET_INTEL, NULL, &d, &f);
    struct pf_eval_x86 ev;
    const char *why = "accepted";
    int re = pf_eval_x86_load(&ev, buf, len, amd, &why);
    if ((rd == 0) != (re == 0)) {
        char msg[160];
        snprintf(msg, sizeof(msg), "%s: pf_blob_decode %s, pf_eval_x86_load %s (%s)",
                 amd ? "amd" : "intel", rd ? "refuses" : "accepts", re ? "refuses" : "accepts", why);
        dump(msg, buf, len, seed, idx);
    }
    if (!re && len > PF_BLOB_HEADER + 8 * (size_t)get32(buf + 4))
        why = "accepted, bytes after the entries ignored";
    else if (!re && d.nwarnings)
        why = "accepted, with warnings (dropped entries, pad)";
    count(t, why);
    if (!re)
        pf_eval_x86_free(&ev);
    if (!rd)
        pf_x86_filter_free(&f);
    pf_arena_free(a);
}

#if defined(PF_HAVE_X86_KVM) && defined(KVM_SET_PMU_EVENT_FILTER)
#define HAVE_KVM_TEST 1
struct kvm {
    int sys, vm, masked;
    enum pf_target t;
    char release[65];
    unsigned long handed;
};

/* 0 with a scratch VM, 77 when this host cannot run the test. */
static int kvm_open(struct kvm *k)
{
    /* The rules KVM applies, probed: the compile target and the
     * validator's rules must be these, not the CPU vendor's. */
    struct pf_kvm_caps caps;
    pf_kvm_probe(&caps);
    k->t = caps.rules;
    if (k->t != PF_TARGET_INTEL && k->t != PF_TARGET_AMD) {
        printf("SKIP: this host has no x86 KVM (neither Intel's nor AMD's rules)\n");
        return 77;
    }
    struct utsname u;
    snprintf(k->release, sizeof(k->release), "%s", uname(&u) ? "?" : u.release);
    k->sys = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (k->sys < 0) {
        printf("SKIP: cannot open /dev/kvm: %s\n", strerror(errno));
        return 77;
    }
    if (ioctl(k->sys, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
        printf("SKIP: unexpected KVM API version\n");
        return 77;
    }
    if (ioctl(k->sys, KVM_CHECK_EXTENSION, KVM_CAP_PMU_EVENT_FILTER) <= 0) {
        printf("SKIP: KVM has no KVM_CAP_PMU_EVENT_FILTER\n");
        return 77;
    }
    k->masked = ioctl(k->sys, KVM_CHECK_EXTENSION, KVM_CAP_PMU_EVENT_MASKED_EVENTS) > 0;
    k->vm = ioctl(k->sys, KVM_CREATE_VM, 0);
    if (k->vm < 0) {
        printf("SKIP: KVM_CREATE_VM: %s\n", strerror(errno));
        return 77;
    }
    printf("kvm: kernel %s, module %s, %s's event-select rules (CPU %s), masked events %s\n",
           k->release, caps.module[0] ? caps.module : "unknown", pf_target_name(k->t),
           caps.cpu_vendor[0] ? caps.cpu_vendor : "?",
           k->masked ? "supported" : "NOT supported (kernel before 6.3)");
    return 0;
}

/* The filter as the kernel reads it: the header, then nevents entries
 * (when nevents is within the limit; the kernel reads none otherwise). */
static void compare_kvm(struct kvm *k, const uint8_t *buf, size_t len, struct tally *t, uint64_t seed,
                        unsigned long idx)
{
    uint64_t view[(PF_BLOB_HEADER + 8 * PF_X86_MAX_EVENTS) / 8];
    uint8_t *v = (uint8_t *)view;
    memset(view, 0, sizeof(view));
    memcpy(v, buf, len < sizeof(view) ? len : sizeof(view));
    uint32_t n = get32(v + 4);
    size_t vlen = PF_BLOB_HEADER + (n <= PF_X86_MAX_EVENTS ? 8 * (size_t)n : 0);
    int amd = k->t == PF_TARGET_AMD;

    struct pf_arena *a = pf_arena_new();
    struct pf_diags d;
    pf_diags_init(&d, a);
    /* Only the verdict counts here: warnings (dropped entries) would be
     * formatted for nothing, and under TCG that formatting was most of
     * the time. */
    d.no_warnings = 1;
    struct pf_x86_filter f;
    int rd = pf_blob_decode(v, vlen, k->t, NULL, &d, &f);
    if (!rd)
        pf_x86_filter_free(&f);
    pf_arena_free(a);
    struct pf_eval_x86 ev;
    const char *why = "accepted";
    int want = pf_eval_x86_load(&ev, v, vlen, amd, &why);
    if (!want)
        pf_eval_x86_free(&ev);
    int old_kernel = 0;
    if (!k->masked && get32(v) <= 1 && get32(v + 12) != 0 && want != -EINVAL) {
        /* Before 6.3: any flags are EINVAL, checked before nevents. */
        old_kernel = 1;
        want = -EINVAL;
    }
    int got = ioctl(k->vm, KVM_SET_PMU_EVENT_FILTER, view) ? -errno : 0;
    k->handed++;
    char msg[200];
    if ((rd == 0) != (got == 0) && !old_kernel) {
        snprintf(msg, sizeof(msg), "kvm: pf_blob_decode %s, KVM_SET_PMU_EVENT_FILTER %s (%s)",
                 rd ? "refuses" : "accepts", got ? "refuses" : "accepts", strerror(-got));
        dump(msg, v, vlen, seed, idx);
    } else if (got != want) {
        snprintf(msg, sizeof(msg), "kvm: KVM_SET_PMU_EVENT_FILTER gives %s, the model %s (%s)",
                 got ? strerror(-got) : "success", want ? strerror(-want) : "success", why);
        dump(msg, v, vlen, seed, idx);
    }
    count(t, old_kernel ? "refused: flags on a kernel before 6.3 (expected)"
                        : got == 0 ? "accepted" : got == -EINVAL ? "refused: EINVAL"
                                   : got == -E2BIG ? "refused: E2BIG" : "refused: other errno");
}
#endif

static size_t read_blob(const char *path, uint8_t *buf)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "differential: cannot open %s: %s\n", path, strerror(errno));
        exit(99);
    }
    size_t n = fread(buf, 1, MAX_BLOB, f);
    fclose(f);
    return n;
}

int main(int argc, char **argv)
{
    unsigned long count_each = 10000;
    uint64_t seed = 1;
    int use_kvm = 0, kernel_only = 0, opt;
    while ((opt = getopt(argc, argv, "n:s:kKv")) != -1) {
        switch (opt) {
        case 'n':
            count_each = strtoul(optarg, NULL, 0);
            break;
        case 's':
            seed = strtoull(optarg, NULL, 0);
            break;
        case 'k':
            use_kvm = 1;
            break;
        case 'K':
            kernel_only = 1;
            break;
        case 'v':
            break;
        default:
            fputs("usage: differential [-n COUNT] [-s SEED] [-k [-K]] [BLOB...]\n", stderr);
            return 64;
        }
    }
    rng_state = seed ? seed : 0x9e3779b97f4a7c15ull;

#ifdef HAVE_KVM_TEST
    struct kvm k = {-1, -1, 0, PF_TARGET_NONE, "", 0};
    if (use_kvm) {
        int rc = kvm_open(&k);
        if (rc)
            return rc;
    }
#else
    if (use_kvm) {
        printf("SKIP: built without x86 <linux/kvm.h> and KVM_SET_PMU_EVENT_FILTER\n");
        return 77;
    }
#endif

    /* Mutation seeds: the files given, then well-formed random filters. */
    size_t nseeds = (size_t)(argc - optind);
    uint8_t(*seeds)[MAX_BLOB] = calloc(nseeds ? nseeds : 1, MAX_BLOB);
    size_t *seedlen = calloc(nseeds ? nseeds : 1, sizeof(*seedlen));
    if (!seeds || !seedlen)
        return 99;
    for (size_t i = 0; i < nseeds; i++)
        seedlen[i] = read_blob(argv[optind + (int)i], seeds[i]);

    struct tally models[2] = {{{0}, {0}, 0}, {{0}, {0}, 0}};
    struct tally kernel = {{0}, {0}, 0};
    uint8_t buf[MAX_BLOB];
    unsigned long total = 0;
    for (unsigned long i = 0; i < 2 * count_each; i++) {
        size_t len;
        if (i < count_each) {
            len = random_blob(buf);
        } else {
            if (nseeds && below(2)) {
                size_t s = below((uint32_t)nseeds);
                memcpy(buf, seeds[s], MAX_BLOB);
                len = seedlen[s];
            } else {
                /* A well-formed filter to start from. */
                len = random_blob(buf);
                uint32_t n = get32(buf + 4) % 301;
                put32(buf, get32(buf) & 1);
                put32(buf + 4, n);
                put32(buf + 12, get32(buf + 12) & 1);
                len = PF_BLOB_HEADER + 8 * (size_t)n;
            }
            len = mutate(buf, len);
        }
        total++;
        if (!(use_kvm && kernel_only)) {
            compare_models(buf, len, 0, &models[0], seed, i);
            compare_models(buf, len, 1, &models[1], seed, i);
        }
#ifdef HAVE_KVM_TEST
        if (use_kvm)
            compare_kvm(&k, buf, len, &kernel, seed, i);
#endif
    }
    printf("differential: seed %llu, %lu filters (%lu random, %lu mutated from %zu files and "
           "generated ones)\n",
           (unsigned long long)seed, total, count_each, count_each, nseeds);
    if (!(use_kvm && kernel_only)) {
        print_tally("intel: pf_blob_decode and pf_eval_x86_load", &models[0]);
        print_tally("amd: pf_blob_decode and pf_eval_x86_load", &models[1]);
    }
    if (use_kvm)
        print_tally("KVM_SET_PMU_EVENT_FILTER (the filter as the kernel reads it)", &kernel);
#ifdef HAVE_KVM_TEST
    if (use_kvm)
        printf("differential: kernel %s (%s's rules): %lu filters handed to "
               "KVM_SET_PMU_EVENT_FILTER\n",
               k.release, pf_target_name(k.t), k.handed);
#endif
    printf("differential: %lu disagreements\n", disagreements);
    free(seeds);
    free(seedlen);
    return disagreements ? 1 : 0;
}
