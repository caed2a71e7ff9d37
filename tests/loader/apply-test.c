/* apply-test.c - pf_apply (src/apply.c) with a recording stand-in for the
 * kernel: only what the validator accepts is ever handed over, byte for
 * byte, with the right ioctl; arm64 records go one call each, in order,
 * and stop at the first refusal; the kernel's errors are explained (EIO:
 * the creator rule and the two ways that work). */
#include "kernel/apply.h"

#include "base/arena.h"
#include "kernel/blob_x86.h"
#include "base/diag.h"
#include "../tap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The stand-in: records each call; fails with err at call fail_at (1-based). */
struct rec {
    int calls, fail_at, err;
    unsigned long req[16];
    size_t size[16];
    uint8_t bytes[16][4096];
    uint32_t group[16];
    uint64_t attr[16];
};

static long record(void *ctx, int fd, unsigned long req, void *arg, size_t size)
{
    (void)fd;
    struct rec *r = ctx;
    int i = r->calls++;
    if (i < 16) {
        r->req[i] = req;
        r->size[i] = size;
        if (req == PF_KVM_SET_DEVICE_ATTR) {
            const struct pf_kvm_device_attr *a = arg;
            r->group[i] = a->group;
            r->attr[i] = a->attr;
            memcpy(r->bytes[i], (const void *)(uintptr_t)a->addr, 8);
        } else if (size <= sizeof(r->bytes[i])) {
            memcpy(r->bytes[i], arg, size);
        }
    }
    if (r->fail_at && r->calls == r->fail_at)
        return -r->err;
    return 0;
}

static enum pf_status apply(const uint8_t *blob, size_t len, enum pf_target t, unsigned arm_max,
                            struct rec *r, struct pf_diags *d, struct pf_arena **a)
{
    *a = pf_arena_new();
    pf_diags_init(d, *a);
    struct pf_ioctl_via via = {record, r, "in process 42 (vmm)"};
    return pf_apply(3, blob, len, t, arm_max, NULL, &via, d);
}

static int has(const struct pf_diags *d, const char *text)
{
    for (const struct pf_diag *g = d->head; g; g = g->next)
        if (strstr(g->msg, text))
            return 1;
    return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* An x86 filter of n plain entries. */
static size_t x86(uint8_t *b, uint32_t action, uint32_t n, uint32_t flags)
{
    memset(b, 0, 32 + 8 * n);
    put32(b, action);
    put32(b + 4, n);
    put32(b + 12, flags);
    for (uint32_t i = 0; i < n; i++)
        b[32 + 8 * i] = (uint8_t)i, b[33 + 8 * i] = (uint8_t)(i * 3);
    return 32 + 8 * (size_t)n;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    static uint8_t b[32 + 8 * 400];
    static struct rec r;
    struct pf_diags d;
    struct pf_arena *a;

    /* Valid: one KVM_SET_PMU_EVENT_FILTER with exactly the bytes. */
    size_t len = x86(b, KVM_PMU_EVENT_DENY, 300, 0);
    memset(&r, 0, sizeof(r));
    enum pf_status rc = apply(b, len, PF_TARGET_INTEL, 0, &r, &d, &a);
    check(rc == 0 && r.calls == 1 && r.req[0] == 0x4020AEB2ul && r.size[0] == len && !memcmp(r.bytes[0], b, len),
          "valid 300-entry filter: one KVM_SET_PMU_EVENT_FILTER (0x4020aeb2), the exact %zu bytes", len);
    pf_arena_free(a);

    /* Invalid: never reaches the stand-in. */
    struct {
        const char *what;
        uint32_t action, n, flags;
        size_t trim;
        enum pf_target t;
        const char *msg;
    } bad[] = {
        {"action 2", 2, 1, 0, 0, PF_TARGET_INTEL, "neither ALLOW"},
        {"unknown flags", 0, 1, 2, 0, PF_TARGET_INTEL, "unknown bits"},
        {"301 events", 0, 301, 0, 0, PF_TARGET_AMD, "over KVM's limit"},
        {"length mismatch", 0, 3, 0, 8, PF_TARGET_INTEL, "bytes, but a filter of 3 events"},
        {"too short", 0, 0, 0, 20, PF_TARGET_INTEL, "too short"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        len = x86(b, bad[i].action, bad[i].n, bad[i].flags) - bad[i].trim;
        memset(&r, 0, sizeof(r));
        rc = apply(b, len, bad[i].t, 0, &r, &d, &a);
        check(rc == PF_EPOLICY && r.calls == 0 && has(&d, bad[i].msg),
              "invalid (%s): refused by the validator, no ioctl, \"%s\"", bad[i].what, bad[i].msg);
        pf_arena_free(a);
    }
    len = x86(b, 0, 1, KVM_PMU_EVENT_FLAG_MASKED_EVENTS);
    b[32 + 4] = 1; /* select bit 32 */
    memset(&r, 0, sizeof(r));
    rc = apply(b, len, PF_TARGET_INTEL, 0, &r, &d, &a);
    check(rc == PF_EPOLICY && r.calls == 0, "invalid (masked entry with select 35:32 on Intel): no ioctl");
    pf_arena_free(a);
    memset(&r, 0, sizeof(r));
    rc = apply(b, len, PF_TARGET_AMD, 0, &r, &d, &a);
    check(rc == 0 && r.calls == 1, "the same entry on AMD: handed over");
    pf_arena_free(a);
    check(apply(b, len, PF_TARGET_NONE, 0, &r, &d, &a) == PF_ENOTARGET && has(&d, "no target"), "no target: refused");
    pf_arena_free(a);

    /* The kernel's errors, explained. */
    struct {
        int err, masked;
        const char *msg;
    } errs[] = {
        {EIO, 0, "only from the process that created the VM"},
        {ENOTTY, 0, "not a KVM VM fd"},
        {EINVAL, 1, "refused the masked entries"},
        {EINVAL, 0, "is it for this host's KVM"},
        {E2BIG, 0, "fewer entries"},
        {EBADF, 0, "not open"},
    };
    for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
        len = x86(b, 0, 2, errs[i].masked ? KVM_PMU_EVENT_FLAG_MASKED_EVENTS : 0);
        memset(&r, 0, sizeof(r));
        r.fail_at = 1;
        r.err = errs[i].err;
        rc = apply(b, len, PF_TARGET_AMD, 0, &r, &d, &a);
        char nb[32];
        check(rc == PF_ESYSTEM && d.errnum == errs[i].err && has(&d, errs[i].msg) &&
                  has(&d, "in process 42 (vmm)") &&
                  has(&d, pf_errno_name(errs[i].err, nb, sizeof(nb))),
              "kernel says %s%s: explained (\"%s\"), located", pf_errno_name(errs[i].err, nb, sizeof(nb)),
              errs[i].masked ? " to masked entries" : "", errs[i].msg);
        pf_arena_free(a);
    }
    check(strstr(pf_eio_explanation, "pmufc run FILTER -- VMM") && strstr(pf_eio_explanation, "pmufc --apply --pid PID"),
          "EIO: the two ways that work are named");

    /* arm64: one KVM_SET_DEVICE_ATTR(0, 2) per record, in order. */
    uint8_t arm[24] = {0x08, 0, 1, 0, 0, 0, 0, 0, 0x11, 0, 1, 0, 0, 0, 0, 0, 0x20, 0, 0x10, 0, 1, 0, 0, 0};
    memset(&r, 0, sizeof(r));
    rc = apply(arm, sizeof(arm), PF_TARGET_ARM64, 0, &r, &d, &a);
    int inorder = rc == 0 && r.calls == 3;
    for (int i = 0; inorder && i < 3; i++)
        inorder = r.req[i] == PF_KVM_SET_DEVICE_ATTR && r.group[i] == 0 && r.attr[i] == 2 &&
                  !memcmp(r.bytes[i], arm + 8 * i, 8);
    check(inorder, "arm64: 3 records, 3 KVM_SET_DEVICE_ATTR(PMU_V3_CTRL, PMU_V3_FILTER), in order, exact");
    pf_arena_free(a);
    memset(&r, 0, sizeof(r));
    r.fail_at = 2;
    r.err = EBUSY;
    rc = apply(arm, sizeof(arm), PF_TARGET_ARM64, 0, &r, &d, &a);
    check(rc == PF_ESYSTEM && d.errnum == EBUSY && r.calls == 2 && has(&d, "record 2 of 3") &&
              has(&d, "the 1 record before it took effect"),
          "arm64: EBUSY at record 2 stops there, says what took effect");
    pf_arena_free(a);
    memset(&r, 0, sizeof(r));
    rc = apply(arm, sizeof(arm), PF_TARGET_ARM64, 0x1f, &r, &d, &a);
    check(rc == PF_EPOLICY && r.calls == 0, "arm64: a record past the event space: no call");
    pf_arena_free(a);
    memset(&r, 0, sizeof(r));
    rc = apply(arm, 12, PF_TARGET_ARM64, 0, &r, &d, &a);
    check(rc == PF_EPOLICY && r.calls == 0 && has(&d, "whole number"), "arm64: a partial record: no call");
    pf_arena_free(a);
    memset(&r, 0, sizeof(r));
    rc = apply(arm, 0, PF_TARGET_ARM64, 0, &r, &d, &a);
    check(rc == 0 && r.calls == 0, "arm64: no records, no calls");
    pf_arena_free(a);

    /* Telling filters from policies; errno names; explanations exist. */
    check(!pf_input_is_blob("allow x86 select=1;", 19) && pf_input_is_blob(arm, 8) && !pf_input_is_blob("", 0),
          "pf_input_is_blob: text no, bytes yes, empty no");
    char nb[32];
    check(!strcmp(pf_errno_name(ENOTTY, nb, sizeof(nb)), "ENOTTY") && !strcmp(pf_errno_name(4000, nb, sizeof(nb)), "errno 4000"),
          "pf_errno_name");
    int all = 1;
    for (int e = 1; e < 134; e++)
        all &= pf_apply_explain(PF_TARGET_INTEL, e, 0) != NULL && pf_apply_explain(PF_TARGET_ARM64, e, 0) != NULL;
    check(all, "pf_apply_explain: a sentence for every errno");

    return tap_done("apply-test");
}
