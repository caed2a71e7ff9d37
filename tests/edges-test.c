/* edges-test.c - edges found by reading the kernel, at the level of the
 * validators and kernel models (the command line's side is edges.sh):
 *   a. an x86 filter is the header and nevents entries: bytes after them
 *      are a warning, never read (validator, model, pf_blob_size, and the
 *      bytes pf_apply hands over); fewer bytes are refused;
 *   b. which inputs are filters: arm64 records need have no zero byte,
 *      policy text may have UTF-8 and control bytes in comments;
 *   d. arm64: records are checked against the host's event space, events
 *      looked up in the guest's (a PMUv3p0 guest's are 10 bits).
 * (c, raw= on Intel, is a --check matter: tests/decide/raw-high.tbl.) */
#include "kernel/apply.h"

#include "base/arena.h"
#include "kernel/blob_x86.h"
#include "kernel/blob_arm64.h"
#include "base/diag.h"
#include "kernel/eval_x86.h"
#include "kernel/eval_arm64.h"
#include "kernel/space.h"

#include "tap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int has(const struct pf_diags *d, enum pf_severity sev, const char *text)
{
    for (const struct pf_diag *g = d->head; g; g = g->next)
        if (g->sev == sev && strstr(g->msg, text))
            return 1;
    return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* --- a: trailing bytes ------------------------------------------------- */

struct rec {
    int calls;
    size_t size;
    uint8_t bytes[512];
};

static long record(void *ctx, int fd, unsigned long req, void *arg, size_t size)
{
    (void)fd;
    (void)req;
    struct rec *r = ctx;
    r->calls++;
    r->size = size;
    if (size <= sizeof(r->bytes))
        memcpy(r->bytes, arg, size);
    return 0;
}

static void trailing(enum pf_target t)
{
    const char *tn = pf_target_name(t);
    int amd = t == PF_TARGET_AMD;
    /* DENY select 0xc4 umask 0x00 and select 0xc5 umask 0x01, then 5 bytes. */
    uint8_t b[64] = {0};
    put32(b, 1);
    put32(b + 4, 2);
    b[32] = 0xc4;
    b[40] = 0xc5, b[41] = 0x01;
    memcpy(b + 48, "\x01\xff\x00\x42\x07", 5);
    size_t want = 48, len = 53;

    struct pf_arena *a = pf_arena_new();
    struct pf_diags d;
    pf_diags_init(&d, a);
    struct pf_x86_filter f;
    int rc = pf_blob_decode(b, len, t, NULL, &d, &f);
    check(rc == 0 && d.nerrors == 0 && d.nwarnings == 1 &&
              has(&d, PF_SEV_WARNING, "5 bytes after the filter are ignored") && f.nevents == 2,
          "%s: 5 bytes after 2 entries: accepted, one warning (\"5 bytes after the filter are "
          "ignored\")", tn);
    if (!rc)
        pf_x86_filter_free(&f);
    pf_arena_free(a);

    check(pf_blob_size(b, len) == want && pf_blob_size(b, want) == want &&
              pf_blob_size(b, want - 1) == want - 1 && pf_blob_size(b, 20) == 20,
          "%s: pf_blob_size: the 48 bytes the kernel reads (a file's own length when shorter)", tn);

    /* The model reads what the kernel reads and decides alike. */
    struct pf_eval_x86 full, exact;
    const char *why = "";
    int r1 = pf_eval_x86_load(&full, b, len, amd, &why);
    int r2 = pf_eval_x86_load(&exact, b, want, amd, &why);
    int same = r1 == 0 && r2 == 0;
    for (unsigned s = 0; same && s < (amd ? 0x1000u : 0x100u); s++)
        for (unsigned u = 0; u < 256; u++)
            same &= pf_eval_x86_gp(&full, s, u, NULL, NULL) == pf_eval_x86_gp(&exact, s, u, NULL, NULL);
    check(same && !pf_eval_x86_gp(&full, 0xc5, 1, NULL, NULL) && pf_eval_x86_gp(&full, 0xc5, 0, NULL, NULL),
          "%s: the kernel model loads it and decides every event as the 48 bytes alone", tn);
    if (!r1)
        pf_eval_x86_free(&full);
    if (!r2)
        pf_eval_x86_free(&exact);

    /* One byte short of the entries: no filter. */
    a = pf_arena_new();
    pf_diags_init(&d, a);
    rc = pf_blob_decode(b, want - 1, t, NULL, &d, &f);
    check(rc != 0 && has(&d, PF_SEV_ERROR, "47 bytes, but a filter of 2 events is 48 bytes") &&
              pf_eval_x86_load(&exact, b, want - 1, amd, &why) == -EINVAL,
          "%s: 47 bytes for 2 entries: refused by the validator and the model", tn);
    pf_arena_free(a);

    /* The loader hands the kernel the 48 bytes, not the file. */
    struct rec r = {0};
    struct pf_ioctl_via via = {record, &r, "in the test"};
    a = pf_arena_new();
    pf_diags_init(&d, a);
    rc = pf_apply(3, b, len, t, 0, NULL, &via, &d);
    check(rc == 0 && r.calls == 1 && r.size == want && !memcmp(r.bytes, b, want),
          "%s: pf_apply: one KVM_SET_PMU_EVENT_FILTER with the %zu bytes the kernel reads (got %d "
          "calls, %zu bytes)", tn, want, r.calls, r.size);
    pf_arena_free(a);
}

/* --- b: filter or policy text ------------------------------------------- */

static void sniff(void)
{
    /* T(what, bytes, is a filter): bytes as a string literal, NULs and all. */
#define T(what, bytes, blob) {what, bytes, sizeof(bytes) - 1, blob}
    static const struct {
        const char *what;
        const char *bytes;
        size_t len;
        int blob;
    } v[] = {
        T("an empty input (an empty policy)", "", 0),
        T("a policy", "allow x86 select=0xc0;\n", 0),
        T("UTF-8 in a comment", "# caf\xc3\xa9, na\xc3\xafve \xe2\x80\x94 \xc3\xbc\nallow x86 select=0xc0;\n", 0),
        T("UTF-8 in a string", "include \"pol\xc3\xadtica.pf\";\n", 0),
        T("escape sequences in a comment", "# \x1b[31mred\x1b[0m\r\nallow x86 select=0xc0;\n", 0),
        T("blanks: tab, CR, FF, VT", "\tallow\r\n\f\vx86 select=0xc0;", 0),
        T("8 bytes of text", "allow x;", 0),
        T("a control byte outside a comment", "allow x86\x01 select=0xc0;\n", 1),
        T("DEL outside a comment", "allow\x7f", 1),
        T("a NUL inside a comment", "# \x00\nallow x86 select=0xc0;\n", 1),
        T("an arm64 DENY record with no zero byte", "\x11\x01\x01\x01\x01" "ABC", 1),
        T("one that starts with '#' (a comment to the end, as text)", "#\x01\x01\x01\x01" "ABC", 1),
        T("two records with no zero byte", "\x11\x01\x01\x01\x01" "ABC" "#\x22\x02\x01\x01\xff\xfe\xfd", 1),
        T("an arm64 ALLOW record", "\x11\x00\x01\x00\x00\x00\x00\x00", 1),
        T("an x86 header", "\x01\x00\x00\x00\x00\x00\x00\x00", 1),
    };
#undef T
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        int s = pf_blob_sniff((const uint8_t *)v[i].bytes, v[i].len);
        int l = pf_input_is_blob(v[i].bytes, v[i].len);
        check(s == v[i].blob && l == v[i].blob, "%s: %s (pf_blob_sniff %d, pf_input_is_blob %d)",
              v[i].what, v[i].blob ? "a filter" : "text", s, l);
    }
}

/* --- d: the host's and the guest's event spaces -------------------------- */

static void record8(uint8_t *p, unsigned base, unsigned n, unsigned action)
{
    memset(p, 0, 8);
    p[0] = (uint8_t)base, p[1] = (uint8_t)(base >> 8);
    p[2] = (uint8_t)n, p[3] = (uint8_t)(n >> 8);
    p[4] = (uint8_t)action;
}

static void spaces(void)
{
    const char *why = "";
    struct pf_eval_arm k;
    uint8_t r[16];

    /* DENY 0x401 alone, on a PMUv3p1 host (16-bit events). */
    record8(r, 0x401, 1, 1);
    check(pf_eval_arm_load(&k, r, 8, 0x10000, &why) == 0 && !pf_eval_arm_counts(&k, 0x401) &&
              pf_eval_arm_counts(&k, 0x001),
          "deny 0x401, guest of the host's version (v3p1): 0x401 denied, 0x001 counts");
    check(pf_eval_arm_set_guest(&k, 0x400) == 0 && pf_eval_arm_event(&k, 0x401) == 0x001 &&
              pf_eval_arm_counts(&k, 0x401) && pf_eval_arm_counts(&k, 0x001) &&
              pf_eval_arm_event(&k, 0x001) == 0x001,
          "the same filter, a PMUv3p0 guest: 0x401 is looked up as 0x001 and counts (the record "
          "for 0x401 never matters to it); 0x001 is looked up as 0x001");
    check(pf_eval_arm_event(&k, 0x41e) == 0x1e && pf_eval_arm_counts(&k, 0x41e),
          "a PMUv3p0 guest's 0x41e is CHAIN (0x1e), which KVM never filters");
    check(pf_eval_arm_set_guest(&k, 0x20000) == -EINVAL && pf_eval_arm_set_guest(&k, 0x300) == -EINVAL,
          "a guest space larger than the host's, or not a power of two: -EINVAL");
    pf_eval_arm_free(&k);

    /* ALLOW 0x001 alone: a v3p0 guest's 0x401 counts as 0x001 does. */
    record8(r, 0x001, 1, 0);
    pf_eval_arm_load(&k, r, 8, 0x10000, &why);
    int v3p1 = pf_eval_arm_counts(&k, 0x401);
    pf_eval_arm_set_guest(&k, 0x400);
    check(!v3p1 && pf_eval_arm_counts(&k, 0x401) && !pf_eval_arm_counts(&k, 0x402),
          "allow 0x001 alone: a v3p1 guest's 0x401 is denied, a v3p0 guest's counts (as 0x001); "
          "0x402 (0x002) is denied");
    pf_eval_arm_free(&k);

    /* Ranges against the host's space, whatever the guest's. */
    record8(r, 0x3ff, 2, 1);
    check(pf_eval_arm_load(&k, r, 8, 0x400, &why) == -EINVAL,
          "a record reaching 0x400 on a PMUv3p0 host: the model refuses it (EINVAL)");
    struct pf_arena *a = pf_arena_new();
    struct pf_diags d;
    pf_diags_init(&d, a);
    struct pf_arm_filter f;
    check(pf_arm_decode(r, 8, PF_ARM_V3P0_EVENT_MAX, NULL, &d, &f) != 0 &&
              has(&d, PF_SEV_ERROR, "reach past the host PMU's last event 0x3ff"),
          "and the validator (\"reach past the host PMU's last event 0x3ff\")");
    pf_arena_free(a);
    a = pf_arena_new();
    pf_diags_init(&d, a);
    int ok = pf_arm_decode(r, 8, PF_ARM_EVENT_MAX, NULL, &d, &f) == 0;
    if (ok)
        pf_arm_filter_free(&f);
    pf_arena_free(a);
    check(ok && pf_eval_arm_load(&k, r, 8, 0x10000, &why) == 0 && pf_eval_arm_set_guest(&k, 0x400) == 0 &&
              !pf_eval_arm_counts(&k, 0x3ff) && pf_eval_arm_counts(&k, 0x400),
          "the same record on a PMUv3p1 host: accepted even for a PMUv3p0 guest, whose 0x400 is "
          "0x000 (SW_INCR, never filtered)");
    pf_eval_arm_free(&k);

    /* A PMUv3p0 host: the guest's space is the host's, 10 bits. */
    record8(r, 0x001, 1, 1);
    pf_eval_arm_load(&k, r, 8, 0x400, &why);
    check(pf_eval_arm_event(&k, 0x401) == 0x001 && !pf_eval_arm_counts(&k, 0x401),
          "a PMUv3p0 host: 0x401 is looked up as 0x001 (denied here), not beyond the space");
    pf_eval_arm_free(&k);
}

/* --- the host's rules before the ioctl ----------------------------------- */

/* pf_check_host and pf_apply judge by what pf_kvm_probe found of the
 * host's KVM: before 6.3, Intel's lookup kept bits 35:32 (IN_TX, IN_TXCP),
 * so a DENY list draws a warning and an ALLOW list none; the other
 * vendor's filter and the other architecture's are refused; a masked
 * filter on a kernel without masked entries is refused with that cause
 * and never handed over; an AMD filter's 12-bit select is refused under
 * Intel's rules. */
static void host_rules(void)
{
    struct pf_kvm_caps old61 = {.kvm = 1, .pmu_event_filter = 1, .host = PF_TARGET_INTEL,
                                .rules = PF_TARGET_INTEL, .rules_how = PF_RULES_MODULE};
    struct pf_kvm_caps new612 = old61;
    new612.masked_events = 1;
    uint8_t b[40] = {0};
    put32(b + 4, 1); /* one entry */
    b[32] = 0xc0;
    struct rec r = {0};
    struct pf_ioctl_via via = {record, &r, "in the test"};
    struct pf_arena *a = pf_arena_new();
    struct pf_diags d;

    put32(b, 1); /* DENY */
    pf_diags_init(&d, a);
    int rc = pf_check_host(PF_TARGET_INTEL, b, sizeof(b), &old61, 0, &d);
    check(rc == 0 && has(&d, PF_SEV_WARNING, "IN_TX or IN_TXCP"),
          "Intel DENY list on a kernel before 6.3: may go on, with the IN_TX warning");
    pf_diags_init(&d, a);
    d.werror = 1;
    rc = pf_check_host(PF_TARGET_INTEL, b, sizeof(b), &old61, 0, &d);
    check(rc != 0, "... an error under werror");
    pf_diags_init(&d, a);
    rc = pf_check_host(PF_TARGET_INTEL, b, sizeof(b), &new612, 0, &d);
    check(rc == 0 && d.nwarnings == 0, "Intel DENY list on 6.3+: no warning");
    put32(b, 0); /* ALLOW */
    pf_diags_init(&d, a);
    rc = pf_check_host(PF_TARGET_INTEL, b, sizeof(b), &old61, 0, &d);
    check(rc == 0 && d.nwarnings == 0, "Intel ALLOW list before 6.3: no warning (a miss is a deny)");
    pf_diags_init(&d, a);
    rc = pf_check_host(PF_TARGET_AMD, b, sizeof(b), &old61, 0, &d);
    check(rc != 0 && has(&d, PF_SEV_ERROR, "--force-vendor"), "an AMD filter on Intel's rules: refused");
    pf_diags_init(&d, a);
    rc = pf_check_host(PF_TARGET_ARM64, NULL, 0, &old61, 1, &d);
    check(rc != 0, "an arm64 filter on x86: refused even forced");

    put32(b + 12, KVM_PMU_EVENT_FLAG_MASKED_EVENTS);
    uint64_t e = pf_x86_masked(0xc0, 0xff, 0, 0);
    memcpy(b + 32, &e, 8);
    pf_diags_init(&d, a);
    r.calls = 0;
    rc = pf_apply(3, b, sizeof(b), PF_TARGET_INTEL, 0, &old61, &via, &d);
    check(rc == PF_EPOLICY && r.calls == 0 && has(&d, PF_SEV_ERROR, "this kernel has none"),
          "masked filter, kernel without masked entries: refused with that cause, not called");
    e = pf_x86_masked(0x1c2, 0xff, 0, 0);
    memcpy(b + 32, &e, 8);
    struct pf_kvm_caps forced = new612; /* an AMD filter forced onto Intel's rules */
    pf_diags_init(&d, a);
    rc = pf_apply(3, b, sizeof(b), PF_TARGET_AMD, 0, &forced, &via, &d);
    check(rc == PF_EPOLICY && r.calls == 0, "AMD select 0x1c2 under this KVM's Intel rules: refused, not called");
    pf_arena_free(a);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    trailing(PF_TARGET_INTEL);
    trailing(PF_TARGET_AMD);
    sniff();
    spaces();
    host_rules();
    return tap_done("edges-test");
}
