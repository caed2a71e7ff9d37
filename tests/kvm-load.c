/* kvm-load - hand x86 filters to the real kernel.
 *
 *   kvm-load --vendor     print the target filters for this host's KVM are
 *                         compiled for: whose event-select rules it applies,
 *                         as pf_kvm_probe finds them (the module's, not the
 *                         CPU's: kvm_pvm on an AMD CPU applies Intel's);
 *                         intel, amd, or none
 *   kvm-load FILE...      open /dev/kvm, create a scratch VM, and set every
 *                         FILE on it with KVM_SET_PMU_EVENT_FILTER: each must
 *                         be accepted, except that a filter with masked
 *                         entries must be refused with EINVAL where
 *                         KVM_CAP_PMU_EVENT_MASKED_EVENTS is missing (before
 *                         Linux 6.3 any flags are EINVAL).  Then filters the
 *                         kernel must refuse: a bad action, bad flags, 301
 *                         events, masked entries with bits outside the masked
 *                         layout (EINVAL / E2BIG), and the odd ones it must
 *                         take (from the kernel selftest's test_filter_ioctl).
 *                         The last line counts, for this kernel (uname -r),
 *                         the filters taken, refused as expected, failures.
 *
 * Exit 0 when the kernel did as expected, 1 when not, 77 (skip) without a
 * usable /dev/kvm or without KVM_CAP_PMU_EVENT_FILTER, 2 on a usage error.
 *
 * Everything happens in this one process: KVM refuses VM ioctls from any
 * process but the VM's creator (kvm->mm != current->mm: EIO). */
#include "config.h"

#include "kernel/apply.h"
#include "kernel/host_x86.h"
#include "kernel/kvm_compat.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef PF_HAVE_X86_KVM
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#define HEADER 32u

static int vm = -1, have_masked, amd_host;
static unsigned accepted, refused, failures;

/* A filter in memory: header fields and entries, in an 8-byte aligned
 * buffer as the kernel reads it. */
static uint64_t *filter(uint32_t action, uint32_t nevents, uint32_t fixed, uint32_t flags,
                        const uint64_t *ev, uint32_t nev)
{
    uint64_t *b = calloc(HEADER / 8 + (nevents > nev ? nevents : nev) + 1, 8);
    if (!b) {
        perror("kvm-load");
        exit(2);
    }
    uint32_t *h = (uint32_t *)b;
    h[0] = action;
    h[1] = nevents;
    h[2] = fixed;
    h[3] = flags;
    if (nev)
        memcpy(b + HEADER / 8, ev, nev * sizeof(*ev));
    return b;
}

/* Sets f on the VM; want is 0 or the errno the kernel must give. */
static void expect(const char *what, uint64_t *f, int want)
{
    int rc = ioctl(vm, KVM_SET_PMU_EVENT_FILTER, f);
    int got = rc < 0 ? errno : 0;
    if (got != want) {
        printf("FAIL %s: %s, expected %s\n", what, got ? strerror(got) : "accepted",
               want ? strerror(want) : "success");
        failures++;
    } else if (want) {
        printf("refused %s: %s, as it must be\n", what, strerror(got));
        refused++;
    } else {
        printf("taken %s\n", what);
        accepted++;
    }
    free(f);
}

static void load_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        printf("FAIL %s: %s\n", path, strerror(errno));
        failures++;
        return;
    }
    static unsigned char raw[HEADER + 8 * 4096];
    size_t len = fread(raw, 1, sizeof(raw), fp);
    fclose(fp);
    if (len < HEADER || (len - HEADER) % 8) {
        printf("FAIL %s: %zu bytes is no filter\n", path, len);
        failures++;
        return;
    }
    uint32_t h[4];
    memcpy(h, raw, sizeof(h));
    uint64_t *f = calloc(len / 8 + 1, 8);
    if (!f) {
        perror("kvm-load");
        exit(2);
    }
    memcpy(f, raw, len);
    /* Before 6.3 (no KVM_CAP_PMU_EVENT_MASKED_EVENTS) the kernel refuses
     * any flags with EINVAL: a masked filter must be refused, not taken. */
    if ((h[3] & KVM_PMU_EVENT_FLAG_MASKED_EVENTS) && !have_masked) {
        char what[4200];
        snprintf(what, sizeof(what), "%s (masked, no KVM_CAP_PMU_EVENT_MASKED_EVENTS)", path);
        expect(what, f, EINVAL);
        return;
    }
    expect(path, f, 0);
}

static void builtin_cases(void)
{
    const uint64_t c0 = 0xc0, all = ~0ull;
    uint64_t many[301] = {0};
    /* What the kernel refuses (kvm_vm_ioctl_set_pmu_event_filter). */
    expect("action 2", filter(2, 1, 0, 0, &c0, 1), EINVAL);
    expect("flags 0x2", filter(KVM_PMU_EVENT_ALLOW, 1, 0, 0x2, &c0, 1), EINVAL);
    expect("301 events", filter(KVM_PMU_EVENT_ALLOW, 301, 0, 0, many, 301), E2BIG);
    /* What it takes: plain entries with stray bits are dropped, fixed
     * counters that do not exist may be named. */
    expect("plain entry ~0 (dropped)", filter(KVM_PMU_EVENT_ALLOW, 1, 0, 0, &all, 1), 0);
    expect("fixed_counter_bitmap ~0", filter(KVM_PMU_EVENT_DENY, 0, ~0u, 0, NULL, 0), 0);
    if (have_masked) {
        const uint64_t ok = KVM_PMU_ENCODE_MASKED_ENTRY(0xffull, 0xffull, 0xffull, 0xf);
        const uint64_t bit40 = KVM_PMU_ENCODE_MASKED_ENTRY(0xc0ull, 0xffull, 0ull, 0) | 1ull << 40;
        const uint64_t amdsel = KVM_PMU_ENCODE_MASKED_ENTRY(0x1c2ull, 0xffull, 0x01ull, 0);
        expect("masked entry (0xff, 0xff, 0xff, exclude)",
               filter(KVM_PMU_EVENT_ALLOW, 1, 0, KVM_PMU_EVENT_FLAG_MASKED_EVENTS, &ok, 1), 0);
        expect("masked entry ~0", filter(KVM_PMU_EVENT_ALLOW, 1, 0, KVM_PMU_EVENT_FLAG_MASKED_EVENTS, &all, 1),
               EINVAL);
        expect("masked entry with bit 40",
               filter(KVM_PMU_EVENT_ALLOW, 1, 0, KVM_PMU_EVENT_FLAG_MASKED_EVENTS, &bit40, 1), EINVAL);
        expect(amd_host ? "masked select 0x1c2 on AMD" : "masked select 0x1c2 on Intel",
               filter(KVM_PMU_EVENT_ALLOW, 1, 0, KVM_PMU_EVENT_FLAG_MASKED_EVENTS, &amdsel, 1),
               amd_host ? 0 : EINVAL);
    } else {
        expect("flags 0x1 before Linux 6.3",
               filter(KVM_PMU_EVENT_ALLOW, 1, 0, KVM_PMU_EVENT_FLAG_MASKED_EVENTS, &c0, 1), EINVAL);
    }
    /* Leave the VM as it came: allow everything. */
    expect("allow everything (DENY, no entries)", filter(KVM_PMU_EVENT_DENY, 0, 0, 0, NULL, 0), 0);
}

static int run(int argc, char **argv, const struct pf_kvm_caps *caps)
{
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) {
        printf("kvm-load: SKIP: cannot open /dev/kvm: %s\n", strerror(errno));
        return 77;
    }
    int api = ioctl(kvm, KVM_GET_API_VERSION, 0);
    if (api != KVM_API_VERSION) {
        printf("kvm-load: SKIP: KVM API version %d, not %d\n", api, KVM_API_VERSION);
        return 77;
    }
    vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) {
        printf("kvm-load: SKIP: KVM_CREATE_VM: %s\n", strerror(errno));
        return 77;
    }
    if (ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_PMU_EVENT_FILTER) <= 0) {
        printf("kvm-load: SKIP: no KVM_CAP_PMU_EVENT_FILTER\n");
        return 77;
    }
    have_masked = ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_PMU_EVENT_MASKED_EVENTS) > 0;
    /* Whose rules the kernel applies on event selects: the probed ones. */
    amd_host = caps->rules == PF_TARGET_AMD;
    struct utsname u;
    if (uname(&u))
        strcpy(u.release, "?");
    printf("kvm-load: VM created; kernel %s, module %s, %s's event-select rules (CPU: %s), "
           "enable_pmu %s; masked entries %s\n",
           u.release, caps->module[0] ? caps->module : "unknown", amd_host ? "AMD" : "Intel",
           caps->cpu_vendor[0] ? caps->cpu_vendor : "?",
           caps->enable_pmu == 1 ? "Y" : caps->enable_pmu == 0 ? "N" : "unknown",
           have_masked ? "supported" : "not supported (Linux < 6.3)");
    for (int i = 1; i < argc; i++)
        load_file(argv[i]);
    builtin_cases();
    printf("kvm-load: kernel %s: %u filters taken, %u refused as expected, %u failures\n", u.release,
           accepted, refused, failures);
    close(vm);
    close(kvm);
    return failures ? 1 : 0;
}
#endif

int main(int argc, char **argv)
{
    struct pf_kvm_caps caps;
    if (argc == 2 && !strcmp(argv[1], "--vendor")) {
        pf_kvm_probe(&caps);
        enum pf_target t = caps.rules;
        puts(t == PF_TARGET_INTEL ? "intel" : t == PF_TARGET_AMD ? "amd" : "none");
        return 0;
    }
    if (argc >= 2 && argv[1][0] == '-') {
        fputs("usage: kvm-load --vendor | kvm-load FILE...\n", stderr);
        return 2;
    }
#ifdef PF_HAVE_X86_KVM
    pf_kvm_probe(&caps);
    if (caps.rules != PF_TARGET_INTEL && caps.rules != PF_TARGET_AMD) {
        printf("kvm-load: SKIP: not an x86 KVM host (neither Intel's nor AMD's rules)\n");
        return 77;
    }
    return run(argc, argv, &caps);
#else
    (void)argv;
    printf("kvm-load: SKIP: built without x86 <linux/kvm.h>\n");
    return 77;
#endif
}
