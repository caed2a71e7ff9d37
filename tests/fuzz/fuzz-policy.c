/* fuzz-policy.c - libFuzzer target: pf_compile on arbitrary bytes.
 *
 * Every input is compiled for Intel and arm64, one in four also for AMD
 * (and, when it names a target or a CPU model, for the target it chooses
 * itself: the policy's, the model's or this host's), with options
 * picked from a hash of the input so that a given input always takes the
 * same path (the replay driver depends on that).  The compiler must never
 * crash, leak, trip UBSan, fail without saying why, or locate a message
 * outside its source; on success the emitted blob must pass the blob
 * validator and the kernel model, and the listing and --check
 * explanations must run.  A verification failure
 * (PF_EINTERNAL: the filter disagrees with the policy) is a bug in pmufc,
 * so it aborts and libFuzzer keeps the input.
 *
 * `include` is exercised inside a private folder made at start-up (files
 * that include each other, a cycle, a chain deeper than the limit); inputs
 * that could name a file outside it (a '/' anywhere in an input that says
 * `include`) are skipped, so the fuzzer never reads /dev/stdin or the
 * rest of the file system.
 *
 * Built by `make fuzz` (tests/fuzz.mk) with -fsanitize=fuzzer; built
 * without LLVMFuzzerTestOneInput (-DPF_FUZZ_REPLAY) into tests/fuzz/replay
 * for `make check`. */
#include "config.h"

#include "base/arena.h"
#include "core/compile.h"
#include "formats/format.h"
#include "kernel/eval_x86.h"
#include "core/explain.h"
#include "parse.h"
#include "kernel/space.h"

#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char fuzz_dir[64];
static char fuzz_name[96];
static FILE *devnull;

static void put_file(const char *name, const char *text)
{
    char path[160];
    snprintf(path, sizeof(path), "%s/%s", fuzz_dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        abort();
    }
    fputs(text, f);
    fclose(f);
}

static void cleanup(void)
{
    static const char *const names[] = {"fuzz.pf", "a.pf",  "b.pf",   "self.pf", "loop1.pf",
                                        "loop2.pf", "bad.pf", "x86.pf", "arm.pf"};
    char path[160];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", fuzz_dir, names[i]);
        unlink(path);
    }
    for (int i = 0; i <= PF_INCLUDE_DEPTH + 1; i++) {
        snprintf(path, sizeof(path), "%s/d%d.pf", fuzz_dir, i);
        unlink(path);
    }
    rmdir(fuzz_dir);
}

void pf_fuzz_policy_init(void)
{
    if (devnull)
        return;
    devnull = fopen("/dev/null", "w");
    const char *tmp = getenv("TMPDIR");
    snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/pmufc-fuzz.XXXXXX",
             tmp && *tmp && strlen(tmp) < 32 ? tmp : "/tmp");
    if (!devnull || !mkdtemp(fuzz_dir)) {
        perror("fuzz-policy: set-up");
        abort();
    }
    atexit(cleanup);
    /* The top file exists, so that including it again is a cycle. */
    snprintf(fuzz_name, sizeof(fuzz_name), "%s/fuzz.pf", fuzz_dir);
    put_file("fuzz.pf", "");
    put_file("a.pf", "allow x86 select=0xc4 umask=0x00;\ndeny intel select=0x3c;\n");
    put_file("b.pf", "include \"a.pf\";\ndeny x86 select=0x2e umask={0x41,0x4f};\n");
    put_file("self.pf", "include \"self.pf\";\n");
    put_file("loop1.pf", "include \"loop2.pf\";\n");
    put_file("loop2.pf", "include \"loop1.pf\";\n");
    put_file("bad.pf", "allow x86 select=;\ndeny umask=0x100\n");
    put_file("x86.pf", "target amd;\nallow amd select=0x1c2 mask=0x0f match=0x01;\n");
    put_file("arm.pf", "allow arm {0x11, 0x8-0x10};\n");
    /* d0 includes d1 ... includes d17: deeper than the limit. */
    for (int i = 0; i <= PF_INCLUDE_DEPTH + 1; i++) {
        char name[16], text[64];
        snprintf(name, sizeof(name), "d%d.pf", i);
        if (i <= PF_INCLUDE_DEPTH)
            snprintf(text, sizeof(text), "allow x86 select=%d;\ninclude \"d%d.pf\";\n", i, i + 1);
        else
            snprintf(text, sizeof(text), "deny x86 select=0xff;\n");
        put_file(name, text);
    }
}

static uint32_t hash(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static int contains(const uint8_t *p, size_t n, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(p + i, s, k))
            return 1;
    return 0;
}

/* What a successful compile must give: a blob the validator and the
 * kernel model both accept, a listing, and explanations. */
static void check_output(struct pf_compiled *c, const struct pf_compile_opts *o, uint32_t h)
{
    pf_fuzz_assert(c->target != PF_TARGET_NONE, "compiled without a target");
    struct pf_arena *a = pf_arena_new();
    pf_fuzz_assert(a != NULL, "out of memory");
    struct pf_diags d;
    pf_diags_init(&d, a);
    if (c->target == PF_TARGET_ARM64) {
        unsigned max = o->arm_max ? o->arm_max : PF_ARM_EVENT_MAX;
        struct pf_arm_filter f;
        int rc = pf_arm_decode(c->blob, c->len, max, NULL, &d, &f);
        pf_fuzz_assert(rc == 0 && d.nerrors == 0 && d.nwarnings == 0,
                       "pmufc emitted an arm64 filter its own validator refuses");
        const struct pf_any_filter any = {PF_TARGET_ARM64, NULL, &f, max};
        pf_format_render(devnull, PF_FORMAT_TEXT, &any, c->model, NULL, NULL);
        pf_arm_filter_free(&f);
        if (!o->front_only) {
            struct pf_event ev = {0, 0, h & max, 0};
            pf_explain_policy(devnull, c, &ev);
            ev.select = PF_ARM_CPU_CYCLES;
            pf_explain_policy(devnull, c, &ev);
        }
    } else {
        pf_fuzz_assert(c->len >= PF_BLOB_HEADER &&
                           c->len <= PF_BLOB_HEADER + 8 * (size_t)PF_X86_MAX_EVENTS,
                       "pmufc emitted an x86 filter of a size KVM refuses");
        struct pf_x86_filter f;
        int rc = pf_blob_decode(c->blob, c->len, c->target, NULL, &d, &f);
        pf_fuzz_assert(rc == 0 && d.nerrors == 0 && d.nwarnings == 0,
                       "pmufc emitted an x86 filter its own validator refuses or warns about");
        struct pf_eval_x86 ev;
        const char *why = "";
        rc = pf_eval_x86_load(&ev, c->blob, c->len, c->target == PF_TARGET_AMD, &why);
        pf_fuzz_assert(rc == 0, "pmufc emitted an x86 filter the kernel model refuses");
        pf_eval_x86_free(&ev);
        const struct pf_any_filter any = {c->target, &f, NULL, 0};
        pf_format_render(devnull, PF_FORMAT_TEXT, &any, c->model, NULL, NULL);
        unsigned maxsel = c->target == PF_TARGET_AMD ? PF_AMD_SELECT_MAX : PF_INTEL_SELECT_MAX;
        struct pf_event e = {0, 0, (h >> 8) & maxsel, h & 0xff};
        pf_explain_policy(devnull, c, &e);
        pf_explain_blob(devnull, &f, c->blob, c->len, c->target, c->model, &e);
        if (c->target == PF_TARGET_INTEL) {
            struct pf_event fx = {1, (h >> 20) & 31, 0, 0};
            pf_explain_policy(devnull, c, &fx);
            pf_explain_blob(devnull, &f, c->blob, c->len, c->target, c->model, &fx);
        }
        pf_x86_filter_free(&f);
    }
    pf_arena_free(a);
}

static void compile_one(const char *text, size_t len, const struct pf_compile_opts *o, uint32_t h)
{
    struct pf_compiled c;
    enum pf_status s = pf_compile(fuzz_name, text, len, o, &c);
    pf_diags_print(devnull, &c.diags);
    pf_fuzz_check_locations(&c.diags);
    if (s == PF_EINTERNAL) {
        pf_diags_print(stderr, &c.diags);
        pf_fuzz_fail("verification failed: the emitted filter disagrees with the policy");
    }
    if (s != PF_OK && s != PF_ENOMEM)
        pf_fuzz_assert(pf_diags_failed(&c.diags), "the compile failed without an error message");
    if (s == PF_OK && !o->front_only)
        check_output(&c, o, h);
    else if (s == PF_OK && c.target != PF_TARGET_ARM64 && c.ir) {
        /* --check on a policy: explanations from the IR alone. */
        struct pf_event e = {0, 0, (h >> 8) & 0xff, h & 0xff};
        pf_explain_policy(devnull, &c, &e);
    }
    pf_compiled_free(&c);
}

int pf_fuzz_policy(const uint8_t *data, size_t size)
{
    pf_fuzz_policy_init();
    /* Nothing outside the private folder may be included. */
    if (contains(data, size, "include") && memchr(data, '/', size))
        return 0;
    uint32_t h = hash(data, size);
    struct pf_compile_opts o = {0};
    static const char *const cpus[] = {"generic", "skylake", "amdzen4", "neoverse-n1"};
    o.abi = (h & 3) == 3 ? PF_ABI_MASKED : (h & 3) == 2 ? PF_ABI_PLAIN : PF_ABI_AUTO;
    o.werror = (h >> 2 & 7) == 0;
    o.no_warnings = (h >> 2 & 7) == 1;
    o.arm_max = (h >> 5 & 3) == 0 ? PF_ARM_V3P0_EVENT_MAX : 0;
    o.cpu = (h >> 7 & 7) < 4 ? cpus[h >> 7 & 3] : NULL;
    o.front_only = (h >> 10 & 15) == 0;
    static const char *const dirs[] = {NULL, NULL};
    o.include_dirs = dirs;
    const char *text = (const char *)data;
    static const enum pf_target targets[] = {PF_TARGET_INTEL, PF_TARGET_AMD, PF_TARGET_ARM64};
    /* AMD's event space is 16 times Intel's, and so is the cost of its IR
     * and verification: one input in four (by hash) is compiled for it. */
    for (size_t i = 0; i < 3; i++) {
        if (targets[i] == PF_TARGET_AMD && (h >> 14 & 3))
            continue;
        o.target = targets[i];
        compile_one(text, size, &o, h);
    }
    /* The target the policy or the CPU model chooses (else this host's). */
    if (contains(data, size, "target") || contains(data, size, "cpu")) {
        o.target = PF_TARGET_NONE;
        compile_one(text, size, &o, h);
    }
    /* --check's event syntax, from the same bytes. */
    char ev[64];
    size_t n = size < sizeof(ev) - 1 ? size : sizeof(ev) - 1;
    memcpy(ev, data, n);
    ev[n] = 0;
    for (size_t i = 0; i < 3; i++) {
        struct pf_event e;
        struct pf_arena *a = pf_arena_new();
        struct pf_diags d;
        pf_fuzz_assert(a != NULL, "out of memory");
        pf_diags_init(&d, a);
        pf_event_parse(ev, targets[i], &e, &d);
        pf_arena_free(a);
    }
    return 0;
}

#ifndef PF_FUZZ_REPLAY
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    pf_fuzz_policy_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return pf_fuzz_policy(data, size);
}
#endif
