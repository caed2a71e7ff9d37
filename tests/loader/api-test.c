/* api-test.c - libpmufc through its public header only, linked against the
 * shared library: contexts and settings, compiling from strings and files
 * with the diagnostics as data, validating filters, size queries,
 * applying (to fds that are not VMs: the kernel's ENOTTY), probing; and,
 * where /dev/kvm is usable, the library on its own VM (and on /dev/kvm
 * itself: the kernel's own answer), including the EIO a forked child gets;
 * without /dev/kvm those cases are reported as skipped. */
#include <pmufc.h>

#include "../tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Does some diagnostic's message contain text? */
static int diag_has(const struct pmufc_ctx *ctx, enum pmufc_severity sev, const char *text)
{
    struct pmufc_diag d;
    for (unsigned i = 0; i < pmufc_diag_count(ctx); i++)
        if (!pmufc_diag_get(ctx, i, &d) && d.severity == sev && strstr(d.message, text))
            return 1;
    return 0;
}

static void dump_diags(const struct pmufc_ctx *ctx)
{
    char buf[1024];
    for (unsigned i = 0; i < pmufc_diag_count(ctx); i++)
        if (pmufc_diag_format(ctx, i, buf, sizeof(buf)) >= 0)
            printf("#   | %s", buf);
}

static const char good[] = "default deny;\nallow x86 select=0xc0 umask=0x00;\nallow fixed 0x1;\n";
/* ALLOW, 1 event, fixed bitmap 0x1: the exact bytes on Intel. */
static const uint8_t good_intel[40] = {0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                       0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0};

static void test_context(void)
{
    check(pmufc_version() && *pmufc_version(), "pmufc_version: %s", pmufc_version());
    struct pmufc_ctx *ctx = pmufc_ctx_new();
    check(ctx != NULL, "pmufc_ctx_new");
    check(pmufc_diag_count(ctx) == 0, "a new context has no diagnostics");
    check(pmufc_get_blob(ctx, NULL, 0) == -ENODATA, "a new context has no filter (-ENODATA)");
    check(pmufc_get_target(ctx) == PMUFC_TARGET_HOST, "... and no target");
    check(pmufc_set_target(ctx, (enum pmufc_target)9) == -EINVAL, "set_target: unknown value -EINVAL");
    check(pmufc_set_abi(ctx, (enum pmufc_abi)9) == -EINVAL, "set_abi: unknown value -EINVAL");
    check(pmufc_set_arm_max(ctx, 0x123) == -EINVAL, "set_arm_max: not 0x3ff or 0xffff -EINVAL");
    check(pmufc_set_arm_max(ctx, 0x3ff) == 0 && pmufc_set_arm_max(ctx, 0xffff) == 0, "set_arm_max: 0x3ff, 0xffff");
    check(pmufc_set_cpu(ctx, "skylake") == 0 && pmufc_set_cpu(ctx, NULL) == 0, "set_cpu: a name, NULL");
    check(pmufc_set_target(NULL, PMUFC_TARGET_INTEL) == -EINVAL, "NULL context: -EINVAL");
    pmufc_ctx_free(&ctx);
    check(ctx == NULL, "pmufc_ctx_free sets the pointer to NULL");
    pmufc_ctx_free(&ctx);
    pmufc_ctx_free(NULL);
    check(1, "pmufc_ctx_free of NULL is harmless");
}

static void test_compile(void)
{
    struct pmufc_ctx *ctx = pmufc_ctx_new();
    pmufc_set_target(ctx, PMUFC_TARGET_INTEL);
    int rc = pmufc_compile_string(ctx, "good.pf", good, strlen(good));
    check(rc == 0, "compile_string: a good policy (rc %d)", rc);
    if (rc)
        dump_diags(ctx);
    ssize_t n = pmufc_get_blob(ctx, NULL, 0);
    check(n == 40, "get_blob(NULL): the size, %zd bytes", n);
    uint8_t small[8], buf[64];
    check(pmufc_get_blob(ctx, small, sizeof(small)) == -ENOSPC, "get_blob into 8 bytes: -ENOSPC");
    check(pmufc_get_blob(ctx, buf, sizeof(buf)) == 40 && !memcmp(buf, good_intel, 40),
          "get_blob: the exact KVM bytes");
    check(pmufc_get_target(ctx) == PMUFC_TARGET_INTEL, "get_target: intel");

    /* Errors, located, as data; several independent ones in one run. */
    const char *bad = "default deny;\nallow x86 select=0x1ff umask=0x100;\nallow intel selec=1;\n";
    rc = pmufc_compile_string(ctx, "bad.pf", bad, strlen(bad));
    check(rc == -EINVAL, "compile_string: a bad policy -EINVAL (rc %d)", rc);
    unsigned nd = pmufc_diag_count(ctx);
    check(nd >= 2, "bad policy: %u diagnostics", nd);
    /* Fetched before check(): its arguments are evaluated in no set order,
     * so d must be filled before they are. */
    struct pmufc_diag d;
    memset(&d, 0, sizeof(d));
    int first = pmufc_diag_get(ctx, 0, &d);
    check(!first && d.severity == PMUFC_ERROR && d.file && !strcmp(d.file, "bad.pf") &&
              d.line == 2 && d.column > 0 && d.message && *d.message,
          "first diagnostic: error at bad.pf:%u:%u: %s", d.line, d.column, d.message);
    check(pmufc_diag_get(ctx, nd, &d) == -ERANGE, "diag_get past the end: -ERANGE");
    char text[512];
    ssize_t tl = pmufc_diag_format(ctx, 0, text, sizeof(text));
    check(tl > 0 && strstr(text, "bad.pf:2:") && strstr(text, "error:") && strchr(text, '^'),
          "diag_format: FILE:LINE:COL: error: ..., the line and a caret");
    ssize_t need = pmufc_diag_format(ctx, 0, NULL, 0);
    char tiny[8];
    ssize_t cut = pmufc_diag_format(ctx, 0, tiny, sizeof(tiny));
    check(need == tl && cut == tl && strlen(tiny) == 7, "diag_format: size query and truncation like snprintf");
    check(pmufc_get_blob(ctx, NULL, 0) == -ENODATA, "a failed compile leaves no filter");

    /* Warnings are data too; -Werror makes them fail. */
    const char *over = "allow x86 select=0xc0;\ndeny x86 select=0xc0;\n";
    rc = pmufc_compile_string(ctx, "over.pf", over, strlen(over));
    int got = pmufc_diag_count(ctx) > 0 && !pmufc_diag_get(ctx, 0, &d);
    check(rc == 0 && got && d.severity == PMUFC_WARNING, "an overridden rule: compiles, with a warning: %s",
          got ? d.message : "(none)");
    pmufc_set_werror(ctx, 1);
    check(pmufc_compile_string(ctx, "over.pf", over, strlen(over)) == -EINVAL, "set_werror: the warning fails it");
    pmufc_set_werror(ctx, 0);
    pmufc_set_warnings(ctx, 0);
    check(pmufc_compile_string(ctx, "over.pf", over, strlen(over)) == 0 && pmufc_diag_count(ctx) == 0,
          "set_warnings(0): no warnings kept");
    pmufc_set_warnings(ctx, 1);

    /* One kind at a time, by its -W name. */
    rc = pmufc_compile_string(ctx, "over.pf", over, strlen(over));
    const char *kind = pmufc_diag_kind(ctx, 0);
    check(rc == 0 && kind && !strcmp(kind, "overridden"), "diag_kind: the warning's kind: %s",
          kind ? kind : "(none)");
    check(pmufc_diag_kind(ctx, pmufc_diag_count(ctx)) == NULL, "diag_kind past the end: NULL");
    tl = pmufc_diag_format(ctx, 0, text, sizeof(text));
    check(tl > 0 && strstr(text, "[-Woverridden]"), "diag_format: the kind in brackets");
    check(pmufc_set_warning(ctx, "overriden", PMUFC_WARN_OFF) == -EINVAL &&
              pmufc_set_warning(ctx, NULL, PMUFC_WARN_OFF) == -EINVAL &&
              pmufc_set_warning(ctx, "overridden", (enum pmufc_warn_mode)7) == -EINVAL,
          "set_warning: an unknown kind or mode is -EINVAL");
    check(pmufc_set_warning(ctx, "overridden", PMUFC_WARN_ERROR) == 0 &&
              pmufc_compile_string(ctx, "over.pf", over, strlen(over)) == -EINVAL &&
              !pmufc_diag_get(ctx, 0, &d) && d.severity == PMUFC_ERROR && pmufc_diag_kind(ctx, 0) &&
              !strcmp(pmufc_diag_kind(ctx, 0), "overridden"),
          "set_warning(ERROR): that kind fails the compile, an error of its kind");
    check(pmufc_set_warning(ctx, "overridden", PMUFC_WARN_OFF) == 0 &&
              pmufc_compile_string(ctx, "over.pf", over, strlen(over)) == 0 && pmufc_diag_count(ctx) == 0,
          "set_warning(OFF): that kind dropped");
    check(pmufc_set_warning(ctx, "fixed-twin", PMUFC_WARN_ERROR) == 0 &&
              pmufc_compile_string(ctx, "over.pf", over, strlen(over)) == 0,
          "set_warning(ERROR) of another kind: the compile still passes");
    pmufc_set_warning(ctx, "overridden", PMUFC_WARN_ON);
    pmufc_set_warning(ctx, "fixed-twin", PMUFC_WARN_ON);
    check(pmufc_compile_string(ctx, "over.pf", over, strlen(over)) == 0 && pmufc_diag_count(ctx) > 0,
          "set_warning(ON): back");

    /* Files. */
    rc = pmufc_compile_file(ctx, "/nonexistent/pmufc.pf");
    check(rc == -ENOENT && diag_has(ctx, PMUFC_ERROR, "No such file"), "compile_file: missing file -ENOENT, said so");
    char path[] = "/tmp/pmufc-api-XXXXXX";
    int fd = mkstemp(path);
    if (write(fd, good, strlen(good)) != (ssize_t)strlen(good))
        abort();
    close(fd);
    rc = pmufc_compile_file(ctx, path);
    check(rc == 0 && pmufc_get_blob(ctx, buf, sizeof(buf)) == 40 && !memcmp(buf, good_intel, 40),
          "compile_file: same bytes as the string");
    unlink(path);

    /* The ABI setting. */
    pmufc_set_abi(ctx, PMUFC_ABI_MASKED);
    rc = pmufc_compile_string(ctx, "good.pf", good, strlen(good));
    check(rc == 0 && pmufc_get_blob(ctx, buf, sizeof(buf)) > 0 && (buf[12] & 1), "set_abi(MASKED): masked entries");
    pmufc_ctx_free(&ctx);
}

static void test_validate_apply(void)
{
    struct pmufc_ctx *ctx = pmufc_ctx_new();
    pmufc_set_target(ctx, PMUFC_TARGET_INTEL);
    check(pmufc_validate(ctx, "good.bin", good_intel, sizeof(good_intel)) == 0, "validate: good bytes");
    check(pmufc_get_blob(ctx, NULL, 0) == 40, "validate: the filter is the context's");
    uint8_t bad[40];
    memcpy(bad, good_intel, sizeof(bad));
    bad[0] = 7;
    check(pmufc_validate(ctx, "bad.bin", bad, sizeof(bad)) == -EINVAL &&
              diag_has(ctx, PMUFC_ERROR, "action 7 is neither ALLOW (0) nor DENY (1)"),
          "validate: a bad action -EINVAL, said why");
    check(pmufc_validate(ctx, "short.bin", good_intel, 20) == -EINVAL && diag_has(ctx, PMUFC_ERROR, "too short"),
          "validate: too short");
    uint8_t masked[40];
    memcpy(masked, good_intel, sizeof(masked));
    masked[12] = 1;    /* masked entries */
    masked[32 + 4] = 1; /* select bit 32: not on Intel */
    check(pmufc_validate(ctx, "m.bin", masked, sizeof(masked)) == -EINVAL && diag_has(ctx, PMUFC_ERROR, "outside a masked entry"),
          "validate: a masked entry with AMD select bits, for Intel");
    pmufc_set_target(ctx, PMUFC_TARGET_AMD);
    check(pmufc_validate(ctx, "m.bin", masked, sizeof(masked)) == 0, "validate: the same for AMD is fine");
    pmufc_set_target(ctx, PMUFC_TARGET_INTEL);

    /* Apply: the validator first, then the kernel's answer.  With a filter
     * for the rules this host's KVM applies (as probed; the CPU's where
     * there is no KVM): the other vendor's is refused before any call. */
    struct pmufc_caps hc;
    pmufc_probe(&hc, sizeof(hc));
    enum pmufc_target host = hc.rules == PMUFC_TARGET_AMD ? PMUFC_TARGET_AMD : PMUFC_TARGET_INTEL;
    pmufc_set_target(ctx, host);
    /* DENY 0xc0/0x00: the same bytes for both vendors. */
    static const uint8_t deny[40] = {1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0};
    int null = open("/dev/null", O_RDWR);
    check(pmufc_apply_vm(ctx, null, bad, sizeof(bad)) == -EINVAL && diag_has(ctx, PMUFC_ERROR, "action 7"),
          "apply_vm: an invalid filter stops at the validator");
    int rc = pmufc_apply_vm(ctx, null, deny, sizeof(deny));
    check(rc == -ENOTTY && diag_has(ctx, PMUFC_ERROR, "not a KVM VM fd"),
          "apply_vm on /dev/null: the kernel's -ENOTTY, explained (rc %d, %s rules)", rc,
          host == PMUFC_TARGET_AMD ? "amd" : "intel");
    if (rc != -ENOTTY)
        dump_diags(ctx);
    check(pmufc_apply_vm(ctx, 999, deny, sizeof(deny)) == -EBADF, "apply_vm on a closed fd: -EBADF");
    const char *deny_pf = "deny x86 select=0xc0 umask=0x00;\n";
    pmufc_compile_string(ctx, "deny.pf", deny_pf, strlen(deny_pf));
    check(pmufc_apply_vm(ctx, null, NULL, 0) == -ENOTTY, "apply_vm(NULL): the context's filter");
    check(pmufc_apply_vcpu(ctx, null, NULL, 0) == -EOPNOTSUPP && diag_has(ctx, PMUFC_ERROR, "pmufc_apply_vm"),
          "apply_vcpu with an x86 filter: -EOPNOTSUPP");
    struct pmufc_ctx *empty = pmufc_ctx_new();
    check(pmufc_apply_vm(empty, null, NULL, 0) == -ENODATA, "apply_vm(NULL) without a filter: -ENODATA");
    pmufc_ctx_free(&empty);

    /* arm64: records, one call each, on a vCPU fd. */
    pmufc_set_target(ctx, PMUFC_TARGET_ARM64);
    const char *arm = "default deny;\nallow arm 0x08;\nallow arm 0x11;\n";
    rc = pmufc_compile_string(ctx, "arm.pf", arm, strlen(arm));
    check(rc == 0 && pmufc_get_target(ctx) == PMUFC_TARGET_ARM64 && pmufc_get_blob(ctx, NULL, 0) == 16,
          "arm64: compiles to 2 records");
    rc = pmufc_apply_vcpu(ctx, null, NULL, 0);
#if defined(__aarch64__)
    check(rc == -ENOTTY && diag_has(ctx, PMUFC_ERROR, "record 1 of 2"), "apply_vcpu on /dev/null: -ENOTTY at record 1");
#else
    /* Fail closed: an arm64 filter never reaches an x86 host's KVM. */
    check(rc == -EOPNOTSUPP && diag_has(ctx, PMUFC_ERROR, "this host's KVM is x86"),
          "apply_vcpu of an arm64 filter on x86: -EOPNOTSUPP, nothing called");
#endif
    check(pmufc_apply_vm(ctx, null, NULL, 0) == -EOPNOTSUPP, "apply_vm with an arm64 filter: -EOPNOTSUPP");
    uint8_t rec[8] = {0xf0, 0x03, 0x20, 0, 0, 0, 0, 0}; /* 0x3f0 + 32 events */
    pmufc_set_arm_max(ctx, 0x3ff);
    check(pmufc_validate(ctx, "r.bin", rec, 8) == -EINVAL, "arm64: past a 10-bit event space");
    pmufc_set_arm_max(ctx, 0xffff);
    check(pmufc_validate(ctx, "r.bin", rec, 8) == 0, "arm64: within 16 bits");
    close(null);
    pmufc_ctx_free(&ctx);
}

static void test_probe(void)
{
    struct pmufc_caps caps;
    memset(&caps, 0x55, sizeof(caps));
    int rc = pmufc_probe(&caps, sizeof(caps));
    int kvm = open("/dev/kvm", O_RDWR);
    if (kvm < 0) {
        check(rc == -errno && caps.kvm == 0 && caps.api_version == 0, "probe without /dev/kvm: %d, kvm 0", rc);
    } else {
        close(kvm);
        check(rc == 0 && caps.kvm == 1 && caps.api_version == 12, "probe: KVM API %d", caps.api_version);
    }
    check(caps.host != (enum pmufc_target)0x55555555, "probe: the host is set (%d)", (int)caps.host);
    check(pmufc_probe(NULL, 0) == -EINVAL, "probe(NULL): -EINVAL");
    struct pmufc_caps small;
    memset(&small, 0x55, sizeof(small));
    pmufc_probe(&small, sizeof(int));
    check(small.api_version == 0x55555555, "probe: only size bytes are written");
}

/* The cases below that need a usable /dev/kvm: reported as skipped where
 * there is none. */
static const char *const kvm_cases[] = {
    "KVM_CREATE_VM",
    "compile for the host",
    "apply_vm on a real VM: 0",
    "apply_vm again: replaced, 0",
    "the kernel refuses KVM_SET_PMU_EVENT_FILTER on /dev/kvm itself (a system ioctl fd)",
    "apply_vm on /dev/kvm itself: the kernel's answer, named in the message",
    "probe_filter: the scratch VM takes it",
    "a forked child applying to the parent's VM: -EIO, explained",
    "probe: KVM_CAP_PMU_EVENT_FILTER",
};

/* The library on its own VM. */
static void test_kvm(void)
{
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) {
        char why[96];
        snprintf(why, sizeof(why), "/dev/kvm: %s", strerror(errno));
        for (size_t i = 0; i < sizeof(kvm_cases) / sizeof(kvm_cases[0]); i++)
            skip(why, "%s", kvm_cases[i]);
        return;
    }
    int vm = ioctl(kvm, 0xae01 /* KVM_CREATE_VM */, 0);
    check(vm >= 0, "%s", kvm_cases[0]);
    struct pmufc_ctx *ctx = pmufc_ctx_new();
    const char *deny = "deny x86 select=0xc0 umask=0x00;\n";
    check(pmufc_compile_string(ctx, "deny.pf", deny, strlen(deny)) == 0, "%s", kvm_cases[1]);
    int rc = pmufc_apply_vm(ctx, vm, NULL, 0);
    check(rc == 0, "%s (rc %d)", kvm_cases[2], rc);
    if (rc)
        dump_diags(ctx);
    check(pmufc_apply_vm(ctx, vm, NULL, 0) == 0, "%s", kvm_cases[3]);

    /* /dev/kvm takes system ioctls only; what it answers to a VM ioctl is
     * the kernel's choice (x86's kvm_arch_dev_ioctl: EINVAL), so ask it
     * directly and expect the library to pass exactly that on, with the
     * fd and the error in its message. */
    uint8_t blob[64];
    ssize_t n = pmufc_get_blob(ctx, blob, sizeof(blob));
    errno = 0;
    int kr = n > 0 ? ioctl(kvm, 0x4020aeb2 /* KVM_SET_PMU_EVENT_FILTER */, blob) : 0;
    int ke = errno;
    check(kr == -1 && ke > 0, "%s: %s", kvm_cases[4], kr == -1 ? strerror(ke) : "it took it");
    rc = pmufc_apply_vm(ctx, kvm, NULL, 0);
    char on_fd[32];
    snprintf(on_fd, sizeof(on_fd), "on fd %d", kvm);
    check(ke > 0 && rc == -ke && diag_has(ctx, PMUFC_ERROR, "KVM_SET_PMU_EVENT_FILTER") &&
              diag_has(ctx, PMUFC_ERROR, on_fd) && diag_has(ctx, PMUFC_ERROR, strerror(ke)),
          "%s (rc %d, kernel -%d)", kvm_cases[5], rc, ke);
    if (rc != -ke)
        dump_diags(ctx);

    rc = pmufc_probe_filter(ctx, NULL, 0);
    check(rc == 0, "%s (rc %d)", kvm_cases[6], rc);
    pid_t pid = fork();
    if (pid == 0) {
        int r = pmufc_apply_vm(ctx, vm, NULL, 0);
        _exit(r == -EIO && diag_has(ctx, PMUFC_ERROR, "only from the process that created the VM") ? 0 : 1);
    }
    int st;
    waitpid(pid, &st, 0);
    check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", kvm_cases[7]);
    struct pmufc_caps caps;
    pmufc_probe(&caps, sizeof(caps));
    check(caps.pmu_event_filter == 1, "%s", kvm_cases[8]);
    pmufc_ctx_free(&ctx);
    close(vm);
    close(kvm);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_context();
    test_compile();
    test_validate_apply();
    test_probe();
    test_kvm();
    return tap_done("api-test");
}
