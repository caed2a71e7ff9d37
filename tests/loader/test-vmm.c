/* test-vmm.c - a small VMM for the loader's tests.  It makes a VM the way
 * a VMM does (ioctl through libc, so `pmufc run`'s shim sees it), and,
 * after a filter was applied to it by the shim or injected by
 * `pmufc --apply --pid`, checks its own state: its memory (canaries on the
 * heap, in data and on the stack) and the system call it was blocked in
 * are intact, its VM fd still works, and -- when this host's KVM gives
 * guests a PMU -- a guest's count of an event shows whether the filter is
 * in force.
 *
 *   test-vmm [--kvm PATH] [--vcpus N] [--arm] [--own-filter] [--wait]
 *            [--spin] [--measure SELECT] [--exec ARG...]
 *
 *   --kvm PATH      the KVM device (default /dev/kvm); exit 77 when absent
 *   --vcpus N       make N vCPUs
 *   --arm           initialise each vCPU's PMU (KVM_ARM_VCPU_PMU_V3_INIT); on
 *                   arm64 with the real KVM, KVM_ARM_VCPU_INIT with the
 *                   KVM_ARM_VCPU_PMU_V3 feature first
 *   --no-pmu        ... but without that feature
 *   --raw-create    make the VM with a raw system call, not through libc
 *   --run           one KVM_RUN on each vCPU (through libc; its result is
 *                   ignored)
 *   --own-filter    try to set a PMU event filter of its own (x86: on the
 *                   VM; --arm: on each vCPU, before its PMU init)
 *   --wait          print "ready PID VMFD", then block reading a line
 *                   ("go") from standard input before the checks
 *   --spin          x86, real KVM: a thread runs a vCPU whose guest counts
 *                   for ever (real mode: EBX:EAX incremented in a loop) in a
 *                   KVM_RUN that does not return on its own, from before
 *                   "ready" to the end.  The count is sampled (KVM_RUN made
 *                   to return, KVM_GET_REGS, back in) twice before "ready"
 *                   and once after "go": it must have grown each time, and
 *                   KVM_RUN must have returned for nothing but the samples,
 *                   so the guest ran all the while (through any injection
 *                   into the main thread); prints "spin ..." lines
 *   --measure SEL   x86: run a guest counting event SEL (umask 0) on a
 *                   general-purpose counter; print "count N", or
 *                   "count unavailable (why)" when guests have no PMU
 *   --exec ARG...   run ARG... with the VM fd inherited, "{}" replaced by
 *                   its number, and print "exec status N"; the rest of the
 *                   command line is ARG...
 * Prints "checks ok" and exits 0, or "checks FAILED: why" and exits 1. */
#define _GNU_SOURCE
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/apply.h"
#include "kernel/blob_arm64.h"

#if defined(__x86_64__) && defined(HAVE_LINUX_KVM_H)
#include <linux/kvm.h>
#define HAVE_X86_KVM 1
#endif

#define CANARY_BYTES (1u << 20)

static unsigned char data_canary[4096];

static unsigned char pattern(size_t i)
{
    return (unsigned char)(i * 2654435761u >> 13);
}

static void die(const char *why)
{
    printf("checks FAILED: %s\n", why);
    exit(1);
}

#ifdef HAVE_X86_KVM
/* A real-mode guest: count event SEL (umask 0, OS|USR|EN) on general-purpose
 * counter 0 over a 1000-iteration loop, report it on port 0x10, halt. */
static size_t guest_code(uint8_t *p, unsigned sel, int amd)
{
    uint8_t *q = p;
#define B(...)                                                                                     \
    do {                                                                                           \
        const uint8_t b_[] = {__VA_ARGS__};                                                        \
        memcpy(q, b_, sizeof(b_));                                                                 \
        q += sizeof(b_);                                                                           \
    } while (0)
#define MOV_ECX(v) B(0x66, 0xb9, (v) & 0xff, (v) >> 8 & 0xff, (v) >> 16 & 0xff, (v) >> 24 & 0xff)
#define MOV_EAX(v) B(0x66, 0xb8, (v) & 0xff, (v) >> 8 & 0xff, (v) >> 16 & 0xff, (v) >> 24 & 0xff)
#define XOR_EAX B(0x66, 0x31, 0xc0)
#define XOR_EDX B(0x66, 0x31, 0xd2)
#define WRMSR B(0x0f, 0x30)
#define RDMSR B(0x0f, 0x32)
    uint32_t evtsel = amd ? 0xc0010000u : 0x186u, ctr = amd ? 0xc0010004u : 0xc1u;
    /* EVENTSEL: select[7:0], umask 0, USR, OS, EN; AMD's select[11:8] go to 35:32 (EDX). */
    uint32_t ctl = (sel & 0xff) | 1u << 16 | 1u << 17 | 1u << 22;
    XOR_EDX;
    if (!amd) {
        MOV_ECX(0x38fu); /* IA32_PERF_GLOBAL_CTRL = 0 */
        XOR_EAX;
        WRMSR;
    }
    MOV_ECX(ctr); /* counter = 0 */
    XOR_EAX;
    WRMSR;
    MOV_ECX(evtsel);
    MOV_EAX(ctl);
    if (amd && sel > 0xff)
        B(0x66, 0xba, sel >> 8 & 0xf, 0, 0, 0); /* mov edx, select[11:8] (EVENTSEL 35:32) */
    WRMSR;
    XOR_EDX;
    if (!amd) {
        MOV_ECX(0x38fu); /* global enable counter 0 */
        MOV_EAX(1u);
        WRMSR;
    }
    B(0xb9, 0xe8, 0x03); /* mov cx, 1000 */
    B(0xe2, 0xfe);       /* loop $ */
    if (!amd) {
        MOV_ECX(0x38fu);
        XOR_EAX;
        WRMSR;
    }
    MOV_ECX(evtsel);
    XOR_EAX;
    WRMSR;
    MOV_ECX(ctr);
    RDMSR;
    B(0x66, 0xe7, 0x10); /* out 0x10, eax */
    B(0xf4);             /* hlt */
    return (size_t)(q - p);
}

static int host_is_amd(void)
{
    unsigned a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0));
    return b == 0x68747541 || b == 0x6f677948; /* "Auth"enticAMD, "Hygo"nGenuine */
}

static int guests_have_pmu(char *why, size_t len)
{
    FILE *f = fopen("/sys/module/kvm/parameters/enable_pmu", "r");
    int c = f ? fgetc(f) : 'Y';
    if (f)
        fclose(f);
    if (c == 'N' || c == '0') {
        snprintf(why, len, "kvm.enable_pmu=N");
        return 0;
    }
    return 1;
}

/* Runs the counting guest on a new vCPU of vm.  Returns 0 with the count,
 * or -1 with why. */
static int measure(int kvm, int vm, unsigned sel, unsigned long id, uint64_t *count, char *why,
                   size_t len)
{
    if (!guests_have_pmu(why, len))
        return -1;
    int amd = host_is_amd();
    size_t memsz = 0x10000;
    uint8_t *mem = mmap(NULL, memsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        return snprintf(why, len, "mmap: %s", strerror(errno)), -1;
    guest_code(mem + 0x1000, sel, amd);
    struct kvm_userspace_memory_region region = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = memsz, .userspace_addr = (uint64_t)(uintptr_t)mem};
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region))
        return snprintf(why, len, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno)), -1;
    ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000ul);
    int vcpu = ioctl(vm, KVM_CREATE_VCPU, id);
    if (vcpu < 0)
        return snprintf(why, len, "KVM_CREATE_VCPU: %s", strerror(errno)), -1;
    /* The guest's CPUID, so that KVM gives it the host's PMU. */
    int n = 256;
    struct kvm_cpuid2 *cpuid = calloc(1, sizeof(*cpuid) + n * sizeof(struct kvm_cpuid_entry2));
    cpuid->nent = (uint32_t)n;
    if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid) || ioctl(vcpu, KVM_SET_CPUID2, cpuid))
        return snprintf(why, len, "CPUID: %s", strerror(errno)), -1;
    if (!amd) {
        int version = 0;
        for (uint32_t i = 0; i < cpuid->nent; i++)
            if (cpuid->entries[i].function == 0xa)
                version = cpuid->entries[i].eax & 0xff;
        if (!version)
            return snprintf(why, len, "no architectural PMU in the guest's CPUID"), -1;
    }
    free(cpuid);
    int runsz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0ul);
    struct kvm_run *run = mmap(NULL, (size_t)runsz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED)
        return snprintf(why, len, "mmap kvm_run: %s", strerror(errno)), -1;
    struct kvm_sregs sregs;
    ioctl(vcpu, KVM_GET_SREGS, &sregs);
    sregs.cs.base = 0;
    sregs.cs.selector = 0;
    ioctl(vcpu, KVM_SET_SREGS, &sregs);
    struct kvm_regs regs;
    memset(&regs, 0, sizeof(regs));
    regs.rip = 0x1000;
    regs.rflags = 2;
    ioctl(vcpu, KVM_SET_REGS, &regs);
    int got = 0;
    for (int i = 0; i < 100; i++) {
        if (ioctl(vcpu, KVM_RUN, 0ul) < 0) {
            if (errno == EINTR)
                continue;
            return snprintf(why, len, "KVM_RUN: %s", strerror(errno)), -1;
        }
        if (run->exit_reason == KVM_EXIT_IO && run->io.port == 0x10) {
            uint32_t v;
            memcpy(&v, (uint8_t *)run + run->io.data_offset, 4);
            *count = v;
            got = 1;
            continue;
        }
        if (run->exit_reason == KVM_EXIT_HLT)
            break;
        return snprintf(why, len, "guest exit %u (no usable PMU?)", run->exit_reason), -1;
    }
    if (!got)
        return snprintf(why, len, "the guest reported nothing"), -1;
    return 0;
}
/* --spin: a vCPU that runs guest code from before "ready" to the end.  Its
 * KVM_RUN returns only when made to: immediate_exit set in its kvm_run and
 * a signal to its thread (KVM returns EINTR from a signal that has a
 * handler; immediate_exit covers a signal that lands while the thread is
 * outside KVM_RUN, so that none is lost). */
#define SPIN_GPA 0x20000u /* its own memory slot, away from --measure's */
#define SPIN_SLOT 1

struct spin {
    int vcpu;
    struct kvm_run *run;
    pthread_t thread;
    sem_t sampled;
    int want;             /* a sample was asked for */
    uint64_t count, rip;  /* EBX:EAX and RIP at the last sample */
    unsigned samples;     /* KVM_RUN returns that were asked for */
    unsigned unasked;     /* ... and those that were not */
    char failed[160];     /* KVM_RUN stopped for good: why */
};

static void on_sigusr1(int sig)
{
    (void)sig;
}

static void *spin_thread(void *arg)
{
    struct spin *s = arg;
    for (;;) {
        int r = ioctl(s->vcpu, KVM_RUN, 0ul);
        int e = errno;
        if (r < 0 && e == EINTR) {
            s->run->immediate_exit = 0;
            if (!__atomic_load_n(&s->want, __ATOMIC_SEQ_CST)) {
                s->unasked++;
                continue;
            }
            struct kvm_regs regs;
            if (ioctl(s->vcpu, KVM_GET_REGS, &regs))
                snprintf(s->failed, sizeof(s->failed), "KVM_GET_REGS: %s", strerror(errno));
            s->count = (regs.rbx & 0xffffffffu) << 32 | (regs.rax & 0xffffffffu);
            s->rip = regs.rip;
            s->samples++;
            __atomic_store_n(&s->want, 0, __ATOMIC_SEQ_CST);
            sem_post(&s->sampled);
            if (s->failed[0])
                return NULL;
            continue;
        }
        if (r < 0)
            snprintf(s->failed, sizeof(s->failed), "KVM_RUN: %s", strerror(e));
        else
            snprintf(s->failed, sizeof(s->failed), "KVM_RUN returned: exit reason %u",
                     s->run->exit_reason);
        sem_post(&s->sampled);
        return NULL;
    }
}

/* Makes the vCPU's KVM_RUN return once and reads its count.  Returns 0, or
 * -1 with why in s->failed. */
static int spin_sample(struct spin *s)
{
    __atomic_store_n(&s->want, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&s->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    pthread_kill(s->thread, SIGUSR1);
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += 10;
    while (sem_timedwait(&s->sampled, &t))
        if (errno != EINTR) {
            snprintf(s->failed, sizeof(s->failed), "the vCPU did not leave KVM_RUN within 10 s");
            return -1;
        }
    return s->failed[0] ? -1 : 0;
}

static int spin_start(int kvm, int vm, unsigned long id, struct spin *s)
{
    memset(s, 0, sizeof(*s));
    size_t memsz = 0x10000;
    uint8_t *mem = mmap(NULL, memsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        return snprintf(s->failed, sizeof(s->failed), "mmap: %s", strerror(errno)), -1;
    /* At CS:0 = SPIN_GPA, in real mode: a 64-bit count in EBX:EAX.
     *   0: inc eax; 2: jnz 6; 4: inc ebx; 6: jmp 0 */
    static const uint8_t code[] = {0x66, 0x40, 0x75, 0x02, 0x66, 0x43, 0xeb, 0xf8};
    memcpy(mem, code, sizeof(code));
    struct kvm_userspace_memory_region region = {.slot = SPIN_SLOT,
                                                 .guest_phys_addr = SPIN_GPA,
                                                 .memory_size = memsz,
                                                 .userspace_addr = (uint64_t)(uintptr_t)mem};
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region))
        return snprintf(s->failed, sizeof(s->failed), "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno)), -1;
    ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000ul);
    s->vcpu = ioctl(vm, KVM_CREATE_VCPU, id);
    if (s->vcpu < 0)
        return snprintf(s->failed, sizeof(s->failed), "KVM_CREATE_VCPU: %s", strerror(errno)), -1;
    int runsz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0ul);
    s->run = runsz > 0 ? mmap(NULL, (size_t)runsz, PROT_READ | PROT_WRITE, MAP_SHARED, s->vcpu, 0)
                       : MAP_FAILED;
    if (s->run == MAP_FAILED)
        return snprintf(s->failed, sizeof(s->failed), "mmap kvm_run: %s", strerror(errno)), -1;
    struct kvm_sregs sregs;
    if (ioctl(s->vcpu, KVM_GET_SREGS, &sregs))
        return snprintf(s->failed, sizeof(s->failed), "KVM_GET_SREGS: %s", strerror(errno)), -1;
    sregs.cs.base = SPIN_GPA;
    sregs.cs.selector = SPIN_GPA >> 4;
    struct kvm_regs regs;
    memset(&regs, 0, sizeof(regs));
    regs.rip = 0;
    regs.rflags = 2;
    if (ioctl(s->vcpu, KVM_SET_SREGS, &sregs) || ioctl(s->vcpu, KVM_SET_REGS, &regs))
        return snprintf(s->failed, sizeof(s->failed), "KVM_SET_(S)REGS: %s", strerror(errno)), -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigusr1; /* no SA_RESTART: KVM_RUN returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    sem_init(&s->sampled, 0, 0);
    int e = pthread_create(&s->thread, NULL, spin_thread, s);
    if (e)
        return snprintf(s->failed, sizeof(s->failed), "pthread_create: %s", strerror(e)), -1;
    return 0;
}

/* Has the guest counted on since the last sample (and is it still in its loop)? */
static void spin_check(struct spin *s, const char *when)
{
    uint64_t before = s->count;
    char why[256];
    /* A sample right after another can find the thread on its way back
     * into KVM_RUN, which then returns at once (immediate_exit): give the
     * guest time, up to 10 s, rather than take that for a stop. */
    struct timespec ts = {0, 20 * 1000000L};
    for (int i = 0; i < 500; i++) {
        if (spin_sample(s)) {
            snprintf(why, sizeof(why), "spin %s: %s", when, s->failed);
            die(why);
        }
        if (s->count != before)
            break;
        nanosleep(&ts, NULL);
    }
    if (s->count <= before || s->rip > 6) {
        snprintf(why, sizeof(why), "spin %s: the guest's count went from %llu to %llu (rip 0x%llx)", when,
                 (unsigned long long)before, (unsigned long long)s->count, (unsigned long long)s->rip);
        die(why);
    }
    if (s->unasked) {
        snprintf(why, sizeof(why), "spin %s: KVM_RUN returned %u times unasked", when, s->unasked);
        die(why);
    }
    printf("spin %s: guest count %llu (+%llu), KVM_RUN returned only for the %u samples\n", when,
           (unsigned long long)s->count, (unsigned long long)(s->count - before), s->samples);
}
#endif

int main(int argc, char **argv)
{
    const char *kvm_path = "/dev/kvm";
    int vcpus = 0, arm = 0, own = 0, wait_go = 0, no_pmu = 0, raw = 0, run = 0, spin = 0;
    long sel = -1;
    char **exec_argv = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--kvm") && i + 1 < argc)
            kvm_path = argv[++i];
        else if (!strcmp(argv[i], "--vcpus") && i + 1 < argc)
            vcpus = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--arm"))
            arm = 1;
        else if (!strcmp(argv[i], "--raw-create"))
            raw = 1;
        else if (!strcmp(argv[i], "--run"))
            run = 1;
        else if (!strcmp(argv[i], "--no-pmu"))
            no_pmu = 1;
        else if (!strcmp(argv[i], "--own-filter"))
            own = 1;
        else if (!strcmp(argv[i], "--wait"))
            wait_go = 1;
        else if (!strcmp(argv[i], "--spin"))
            spin = 1;
        else if (!strcmp(argv[i], "--measure") && i + 1 < argc)
            sel = strtol(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--exec") && i + 1 < argc) {
            exec_argv = argv + i + 1;
            break;
        } else {
            fprintf(stderr, "test-vmm: unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    unsigned char stack_canary[4096];
    unsigned char *heap_canary = malloc(CANARY_BYTES);
    for (size_t i = 0; i < CANARY_BYTES; i++)
        heap_canary[i] = pattern(i);
    for (size_t i = 0; i < sizeof(stack_canary); i++)
        stack_canary[i] = data_canary[i] = pattern(i + 7);

    int kvm = open(kvm_path, O_RDWR | O_CLOEXEC);
    if (kvm < 0) {
        printf("test-vmm: %s: %s\n", kvm_path, strerror(errno));
        return errno == ENOENT || errno == ENODEV || errno == ENXIO ? 77 : 1;
    }
    int vm = raw ? (int)syscall(SYS_ioctl, kvm, PF_KVM_CREATE_VM, 0ul) : ioctl(kvm, PF_KVM_CREATE_VM, 0ul);
    if (vm < 0 && raw) /* a fake KVM is only there for libc's ioctl */
        vm = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (vm < 0) {
        printf("checks FAILED: KVM_CREATE_VM: %s\n", strerror(errno));
        return 1;
    }
    printf("vm-fd %d\n", vm);
    for (int i = 0; i < vcpus; i++) {
        int vcpu = ioctl(vm, PF_KVM_CREATE_VCPU, (unsigned long)i);
        if (vcpu < 0)
            die("KVM_CREATE_VCPU");
#if defined(__aarch64__)
        if (arm && !strcmp(kvm_path, "/dev/kvm")) {
            struct pf_kvm_vcpu_init vi;
            memset(&vi, 0, sizeof(vi));
            if (ioctl(vm, PF_KVM_ARM_PREFERRED_TARGET, &vi))
                die("KVM_ARM_PREFERRED_TARGET");
            if (!no_pmu)
                vi.features[0] |= 1u << PF_KVM_ARM_VCPU_PMU_V3_FEATURE;
            if (ioctl(vcpu, PF_KVM_ARM_VCPU_INIT, &vi))
                die("KVM_ARM_VCPU_INIT");
        }
#else
        (void)no_pmu;
#endif
        if (arm && own) {
            uint8_t rec[8] = {0x11, 0, 1, 0, 0, 0, 0, 0}; /* allow CPU_CYCLES */
            struct pf_kvm_device_attr f = {.group = PF_KVM_ARM_VCPU_PMU_V3_CTRL,
                                           .attr = PF_KVM_ARM_VCPU_PMU_V3_FILTER,
                                           .addr = (uint64_t)(uintptr_t)rec};
            int r = ioctl(vcpu, PF_KVM_SET_DEVICE_ATTR, &f);
            printf("own-filter vcpu-fd %d: %s\n", vcpu, r ? strerror(errno) : "ok");
        }
        if (arm) {
            struct pf_kvm_device_attr init = {.group = PF_KVM_ARM_VCPU_PMU_V3_CTRL,
                                              .attr = PF_KVM_ARM_VCPU_PMU_V3_INIT};
            int r = ioctl(vcpu, PF_KVM_SET_DEVICE_ATTR, &init);
            printf("pmu-init vcpu-fd %d: %s\n", vcpu, r ? strerror(errno) : "ok");
        }
        if (run) {
            int r = ioctl(vcpu, PF_KVM_RUN, 0ul);
            printf("run vcpu-fd %d: %s\n", vcpu, r < 0 ? strerror(errno) : "ok");
        }
    }
    if (own && !arm) {
        uint8_t allow_all[32] = {1}; /* DENY, no events: everything counts */
        int r = ioctl(vm, PF_KVM_SET_PMU_EVENT_FILTER, allow_all);
        printf("own-filter: %s\n", r ? strerror(errno) : "ok");
    }
    if (exec_argv) {
        int flags = fcntl(vm, F_GETFD);
        fcntl(vm, F_SETFD, flags & ~FD_CLOEXEC);
        char num[16];
        snprintf(num, sizeof(num), "%d", vm);
        int n = 0;
        while (exec_argv[n])
            n++;
        char **av = calloc((size_t)n + 1, sizeof(*av));
        for (int i = 0; i < n; i++)
            av[i] = strcmp(exec_argv[i], "{}") ? exec_argv[i] : num;
        pid_t pid = fork();
        if (pid == 0) {
            execvp(av[0], av);
            _exit(127);
        }
        int st;
        waitpid(pid, &st, 0);
        printf("exec status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
        fcntl(vm, F_SETFD, flags);
        free(av);
    }
#ifdef HAVE_X86_KVM
    struct spin sp;
    if (spin) {
        if (spin_start(kvm, vm, (unsigned long)vcpus, &sp)) {
            char why[200];
            snprintf(why, sizeof(why), "spin: %s", sp.failed);
            die(why);
        }
        /* Until the guest has counted at all (the thread's first KVM_RUN
         * may come after the first sample, and return at once). */
        struct timespec ts = {0, 20 * 1000000L};
        for (int i = 0; i < 500 && !sp.count && !sp.failed[0]; i++) {
            nanosleep(&ts, NULL);
            spin_sample(&sp);
        }
        if (!sp.count)
            die(sp.failed[0] ? sp.failed : "spin: the guest did not count within 10 s");
        nanosleep(&ts, NULL);
        spin_check(&sp, "at ready");
    }
#else
    if (spin)
        die("--spin needs x86 and <linux/kvm.h>");
#endif
    if (wait_go) {
        printf("ready %ld %d\n", (long)getpid(), vm);
        char line[64];
        errno = 0;
        ssize_t n = read(STDIN_FILENO, line, sizeof(line));
        if (n != 3 || memcmp(line, "go\n", 3) || errno)
            die("the read it was blocked in did not return \"go\" cleanly");
    }
    for (size_t i = 0; i < CANARY_BYTES; i++)
        if (heap_canary[i] != pattern(i))
            die("heap canary changed");
    for (size_t i = 0; i < sizeof(stack_canary); i++)
        if (stack_canary[i] != pattern(i + 7) || data_canary[i] != pattern(i + 7))
            die("stack or data canary changed");
    if (fcntl(vm, F_GETFD) < 0)
        die("the VM fd is gone");
    if (!strcmp(kvm_path, "/dev/kvm") && !arm) {
        int r = ioctl(vm, PF_KVM_CHECK_EXTENSION, (unsigned long)PF_KVM_CAP_PMU_EVENT_FILTER);
        if (r < 0)
            die("KVM_CHECK_EXTENSION on the VM fd failed");
    }
#ifdef HAVE_X86_KVM
    if (spin)
        spin_check(&sp, wait_go ? "after go" : "at the end");
#endif
    if (sel >= 0) {
#ifdef HAVE_X86_KVM
        uint64_t count = 0;
        char why[160];
        if (measure(kvm, vm, (unsigned)sel, (unsigned long)(vcpus + spin), &count, why, sizeof(why)))
            printf("count unavailable (%s)\n", why);
        else
            printf("count %llu\n", (unsigned long long)count);
#else
        printf("count unavailable (not x86 with <linux/kvm.h>)\n");
#endif
    }
    puts("checks ok");
    return 0;
}
