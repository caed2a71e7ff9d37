/* fuzz-import.c - libFuzzer target: other tools' filters in.
 *
 * Each input goes to both importers: pf_import_qemu (qemu_import.h; QEMU's
 * kvm-pmu-filter JSON, 2025 and RFC v1 shapes) and pf_import_arm_string
 * (arm_string.h; kvmtool's and QEMU's arm64 range strings), with a
 * target and an arm64 event space picked from a hash of the input.  Neither may crash, leak,
 * trip UBSan, fail without an error, or locate a message outside the
 * input; the policy text an import gives must compile (for the vendor
 * given, or Intel or AMD), and its errors, if any, must be located too.
 * An import the compiler then refuses is reported and counts as a bug
 * only when the compiler found the generated text malformed (a syntax
 * error: the importer wrote something that is not a policy). */
#include "config.h"

#include "base/arena.h"
#include "core/compile.h"
#include "formats/arm_string.h"
#include "formats/json.h"
#include "formats/qemu_import.h"
#include "kernel/space.h"

#include "fuzz.h"

#include <string.h>

static FILE *devnull;

static uint32_t hash(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* Did the compile fail on the text's syntax (the parser's messages)? */
static int syntax_error(const struct pf_diags *d)
{
    for (const struct pf_diag *g = d->head; g; g = g->next)
        if (g->sev == PF_SEV_ERROR &&
            (strstr(g->msg, "unexpected") || strstr(g->msg, "syntax") || strstr(g->msg, "invalid number") ||
             strstr(g->msg, "unterminated")))
            return 1;
    return 0;
}

static void import_one(const uint8_t *data, size_t size, int json, enum pf_target t, unsigned arm_max,
                       enum pf_target compile_for)
{
    struct pf_arena *a = pf_arena_new();
    pf_fuzz_assert(a != NULL, "out of memory");
    struct pf_diags d;
    pf_diags_init(&d, a);
    struct pf_import im;
    memset(&im, 0xa5, sizeof(im)); /* the importer must set every field */
    const char *text = (const char *)data;
    int rc = json ? pf_import_qemu("fuzz.json", text, size, t, &d, &im)
                  : pf_import_arm_string("fuzz.arm", text, size, t, arm_max, &d, &im);
    pf_diags_sort(&d);
    pf_diags_print(devnull, &d);
    pf_fuzz_check_locations(&d);
    if (rc) {
        pf_fuzz_assert(pf_diags_failed(&d), "an import failed without an error message");
        pf_import_free(&im);
        pf_arena_free(a);
        return;
    }
    pf_fuzz_assert(im.policy != NULL && im.policy[im.len] == 0 && strlen(im.policy) == im.len,
                   "an import gave no policy text, or text with NUL bytes");
    struct pf_compile_opts o = {0};
    o.target = compile_for;
    o.cpu = "generic";
    o.arm_max = arm_max;
    struct pf_compiled c;
    enum pf_status s = pf_compile(im.name ? im.name : "fuzz.pf", im.policy, im.len, &o, &c);
    pf_diags_print(devnull, &c.diags);
    pf_fuzz_check_locations(&c.diags);
    if (s == PF_EINTERNAL) {
        pf_diags_print(stderr, &c.diags);
        pf_fuzz_fail("verification failed on an imported filter");
    }
    if (s != PF_OK && s != PF_ENOMEM) {
        pf_fuzz_assert(pf_diags_failed(&c.diags), "the compile failed without an error message");
        if (syntax_error(&c.diags)) {
            fprintf(stderr, "--- the imported policy text:\n%s--- the compiler says:\n", im.policy);
            pf_diags_print(stderr, &c.diags);
            pf_fuzz_fail("an import wrote policy text the compiler cannot parse");
        }
    }
    pf_compiled_free(&c);
    pf_import_free(&im);
    pf_arena_free(a);
}

int pf_fuzz_import(const uint8_t *data, size_t size)
{
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    pf_fuzz_assert(devnull != NULL, "cannot open /dev/null");
    uint32_t h = hash(data, size);
    static const enum pf_target json_targets[] = {PF_TARGET_NONE, PF_TARGET_INTEL, PF_TARGET_AMD,
                                                  PF_TARGET_NONE};
    enum pf_target t = json_targets[h & 3];
    enum pf_target compile_for = t != PF_TARGET_NONE ? t : (h >> 2 & 1) ? PF_TARGET_AMD : PF_TARGET_INTEL;
    unsigned arm_max = (h >> 3 & 1) ? PF_ARM_V3P0_EVENT_MAX : PF_ARM_EVENT_MAX;
    (void)pf_json_sniff((const char *)data, size);
    (void)pf_arm_string_sniff((const char *)data, size);
    import_one(data, size, 1, t, arm_max, compile_for);
    import_one(data, size, 0, (h >> 4 & 1) ? PF_TARGET_ARM64 : PF_TARGET_NONE, arm_max, PF_TARGET_ARM64);
    return 0;
}

#ifndef PF_FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return pf_fuzz_import(data, size);
}
#endif
