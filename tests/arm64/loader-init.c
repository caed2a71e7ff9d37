/* loader-init.c - /init of an arm64 initramfs (tests/arm64/loader.sh): the
 * loader on a real arm64 KVM, booted under qemu-system-aarch64.
 *
 * Statically linked with libpmufc (cross-compiled), it checks the library
 * on its own VMs -- capabilities, the scratch-vCPU probe, records applied
 * to vCPUs before KVM_ARM_VCPU_PMU_V3_INIT, EBUSY after, ENODEV without a
 * PMUv3 -- and then runs the dynamically linked test-vmm with the shim
 * preloaded (/pmufc-shim.so, /filter.bin), as `pmufc run` would: the shim
 * must apply the records on every vCPU before its PMU init, refuse the
 * VMM's own filter, and stop a VMM whose vCPU has no PMUv3.
 *
 * Prints "ok N - ..." / "not ok N - ..." lines and "LOADER-ARM64-DONE
 * cases failed", then powers off. */
#define _GNU_SOURCE
#include <pmufc.h>

#include "kernel/apply.h"
#include "kernel/blob_arm64.h"
#include "../tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

static int diag_has(const struct pmufc_ctx *ctx, const char *text)
{
    struct pmufc_diag d;
    for (unsigned i = 0; i < pmufc_diag_count(ctx); i++)
        if (!pmufc_diag_get(ctx, i, &d) && strstr(d.message, text))
            return 1;
    return 0;
}

static void show_diags(const struct pmufc_ctx *ctx)
{
    char buf[1024];
    for (unsigned i = 0; i < pmufc_diag_count(ctx); i++)
        if (pmufc_diag_format(ctx, i, buf, sizeof(buf)) >= 0)
            printf("#   | %s", buf);
}

/* A vCPU on vm, initialised with (pmu) or without the PMUv3 feature. */
static int new_vcpu(int vm, int id, int pmu)
{
    int vcpu = ioctl(vm, PF_KVM_CREATE_VCPU, (unsigned long)id);
    struct pf_kvm_vcpu_init init;
    memset(&init, 0, sizeof(init));
    if (vcpu < 0 || ioctl(vm, PF_KVM_ARM_PREFERRED_TARGET, &init))
        return -1;
    if (pmu)
        init.features[0] |= 1u << PF_KVM_ARM_VCPU_PMU_V3_FEATURE;
    return ioctl(vcpu, PF_KVM_ARM_VCPU_INIT, &init) ? -1 : vcpu;
}

static int pmu_init(int vcpu)
{
    struct pf_kvm_device_attr a = {.group = PF_KVM_ARM_VCPU_PMU_V3_CTRL,
                                   .attr = PF_KVM_ARM_VCPU_PMU_V3_INIT};
    return ioctl(vcpu, PF_KVM_SET_DEVICE_ATTR, &a);
}

static void library(void)
{
    struct pmufc_caps caps;
    int rc = pmufc_probe(&caps, sizeof(caps));
    check(rc == 0 && caps.kvm && caps.host == PMUFC_TARGET_ARM64,
          "probe: KVM API %d on an arm64 host", caps.api_version);
    check(caps.arm_pmu_v3 && caps.arm_pmu_filter,
          "probe: KVM_CAP_ARM_PMU_V3 %d, PMU_V3_FILTER on a scratch vCPU %d", caps.arm_pmu_v3,
          caps.arm_pmu_filter);
    check(!caps.pmu_event_filter, "probe: no x86 filter capability");

    struct pmufc_ctx *ctx = pmufc_ctx_new();
    const char *p = "default deny;\nallow arm 0x11;\nallow arm {0x08, 0x20-0x2f};\n";
    rc = pmufc_compile_string(ctx, "arm.pf", p, strlen(p));
    check(rc == 0 && pmufc_get_target(ctx) == PMUFC_TARGET_ARM64,
          "compile: the host's target is arm64 (rc %d)", rc);
    if (rc)
        show_diags(ctx);
    rc = pmufc_probe_filter(ctx, NULL, 0);
    check(rc == 0, "probe_filter: a scratch vCPU takes the records (rc %d)", rc);
    if (rc)
        show_diags(ctx);

    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    int vm = ioctl(kvm, PF_KVM_CREATE_VM, 0ul);
    int v0 = new_vcpu(vm, 0, 1), v1 = new_vcpu(vm, 1, 1);
    check(vm >= 0 && v0 >= 0 && v1 >= 0, "a VM with two PMUv3 vCPUs");
    rc = pmufc_apply_vcpu(ctx, v0, NULL, 0);
    check(rc == 0, "apply_vcpu on vCPU 0 before its PMU init: 0 (rc %d)", rc);
    if (rc)
        show_diags(ctx);
    check(pmufc_apply_vcpu(ctx, v1, NULL, 0) == 0, "apply_vcpu on vCPU 1 as well: 0 (the same VM-wide filter)");
    check(pmufc_apply_vm(ctx, vm, NULL, 0) == -EOPNOTSUPP, "apply_vm with an arm64 filter: -EOPNOTSUPP");
    rc = pmufc_apply_vcpu(ctx, vm, NULL, 0);
    check(rc < 0, "apply_vcpu on the VM fd: the kernel refuses (%d: %s)", rc, strerror(-rc));
    check(pmu_init(v0) == 0 && pmu_init(v1) == 0, "KVM_ARM_VCPU_PMU_V3_INIT on both");
    rc = pmufc_apply_vcpu(ctx, v0, NULL, 0);
    check(rc == -EBUSY && diag_has(ctx, "too late"), "apply_vcpu after the PMU init: -EBUSY, explained (rc %d)", rc);
    close(v0);
    close(v1);
    close(vm);

    vm = ioctl(kvm, PF_KVM_CREATE_VM, 0ul);
    int np = new_vcpu(vm, 0, 0);
    rc = pmufc_apply_vcpu(ctx, np, NULL, 0);
    check(rc == -ENODEV && diag_has(ctx, "no PMUv3"), "apply_vcpu on a vCPU without PMUv3: -ENODEV, explained (rc %d)", rc);
    close(np);
    close(vm);
    close(kvm);
    pmufc_ctx_free(&ctx);
}

/* Runs argv with the shim preloaded; its output to the console, prefixed. */
static int run_shimmed(char *const argv[], const char *filter, const char *out)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        dup2(fd, 2);
        setenv("LD_PRELOAD", "/pmufc-shim.so", 1);
        setenv("PMUFC_FILTER", filter, 1);
        setenv("PMUFC_TARGET", "arm64", 1);
        setenv("PMUFC_VERBOSE", "1", 1);
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    char line[512];
    FILE *f = fopen(out, "r");
    while (f && fgets(line, sizeof(line), f))
        printf("#   | %s", line);
    if (f)
        fclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int file_has(const char *path, const char *text)
{
    char line[512];
    int found = 0;
    FILE *f = fopen(path, "r");
    while (f && !found && fgets(line, sizeof(line), f))
        found = strstr(line, text) != NULL;
    if (f)
        fclose(f);
    return found;
}

static int count_in(const char *path, const char *text)
{
    char line[512];
    int n = 0;
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof(line), f))
        n += strstr(line, text) != NULL;
    if (f)
        fclose(f);
    return n;
}

static void shim(void)
{
    char *good[] = {"/test-vmm", "--vcpus", "2", "--arm", "--own-filter", NULL};
    int st = run_shimmed(good, "/filter.bin", "/tmp/good.out");
    check(st == 0 && file_has("/tmp/good.out", "checks ok"), "shim: test-vmm with 2 PMUv3 vCPUs runs (exit %d)", st);
    check(count_in("/tmp/good.out", "PMU event filter /filter.bin applied to vCPU fd") == 2,
          "shim: the records applied on each vCPU, before its PMU init");
    check(count_in("/tmp/good.out", "pmu-init vcpu-fd") == 2 && !file_has("/tmp/good.out", "pmu-init vcpu-fd 5: I"),
          "shim: both PMU inits then succeed");
    check(count_in("/tmp/good.out", "Operation not permitted") == 2 &&
              file_has("/tmp/good.out", "refused the program's own KVM_ARM_VCPU_PMU_V3_FILTER"),
          "shim: the VMM's own KVM_ARM_VCPU_PMU_V3_FILTER is refused (EPERM)");

    char *nopmu[] = {"/test-vmm", "--vcpus", "1", "--arm", "--no-pmu", NULL};
    st = run_shimmed(nopmu, "/filter.bin", "/tmp/nopmu.out");
    check(st == PF_SHIM_EXIT && file_has("/tmp/nopmu.out", "the vCPU has no PMUv3") &&
              file_has("/tmp/nopmu.out", "stopping") && !file_has("/tmp/nopmu.out", "pmu-init"),
          "shim: a vCPU without PMUv3: the VMM is stopped before its PMU init, said why (exit %d)", st);

    char *none[] = {"/test-vmm", "--vcpus", "1", "--arm", NULL};
    st = run_shimmed(none, "/missing.bin", "/tmp/missing.out");
    check(st == PF_SHIM_EXIT && file_has("/tmp/missing.out", "cannot open the filter"),
          "shim: no filter file: the VMM is stopped (exit %d)", st);
}

int main(void)
{
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    mount("proc", "/proc", "proc", 0, NULL);
    mount("tmpfs", "/tmp", "tmpfs", 0, NULL);
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("LOADER-ARM64-BEGIN\n");
    if (access("/dev/kvm", R_OK | W_OK)) {
        printf("LOADER-ARM64-NOKVM %s\n", strerror(errno));
    } else {
        library();
        shim();
    }
    printf("LOADER-ARM64-DONE %d %d\n", ncase, nfail);
    fflush(stdout);
    sync();
    reboot(RB_POWER_OFF);
    return 0;
}
