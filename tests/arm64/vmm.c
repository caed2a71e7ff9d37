/*
 * tests/arm64/vmm.c - a tiny arm64 VMM for the real-kernel test of pmufc's
 * arm64 filters (tests/arm64/kvm-arm64.sh).
 *
 * Built static with aarch64-linux-gnu-gcc, it is /init of an initramfs
 * booted by qemu-system-aarch64 (TCG, virtualization=on, so the emulated
 * arm64 Linux runs at EL2 and has KVM).  For the baseline (no filter) and
 * then for each file in /filters (sorted by name), it:
 *   - creates a VM and one vCPU with KVM_ARM_VCPU_PMU_V3 (no in-kernel
 *     irqchip, so no PMU interrupt is set: KVM wants none then);
 *   - applies the file's 8-byte records {u16 base_event; u16 nevents;
 *     u8 action; u8 pad[3]} in order, one KVM_SET_DEVICE_ATTR
 *     (KVM_ARM_VCPU_PMU_V3_CTRL, KVM_ARM_VCPU_PMU_V3_FILTER) each,
 *     then KVM_ARM_VCPU_PMU_V3_INIT;
 *   - runs guest code (guest_code below) that counts INST_RETIRED (0x08) on
 *     event counter 0, CPU_CYCLES (0x11) on event counter 1 and the cycle
 *     counter PMCCNTR over a loop, and exits with an MMIO store;
 *   - prints one line:
 *       PMUFC-RESULT filter=NAME records=N inst=I cycles=C ccnt=CC
 *           pmceid0=0x... pmcr=0x...
 *     or, when a step fails:
 *       PMUFC-RESULT filter=NAME records=N error=STEP:ERRNO
 * then "PMUFC-DONE" and powers the machine off.
 *
 * Usage as a normal program (for debugging): vmm [FILTER-DIR]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/kvm.h>

#define GUEST_RAM_BASE 0x10000000ULL
#define GUEST_RAM_SIZE 0x10000ULL
#define GUEST_EXIT_ADDR 0x20000000ULL /* not backed: a store here exits */
#define MAX_RECORDS 4096

/*
 * The guest, at EL1 with the MMU off (position independent; copied to
 * GUEST_RAM_BASE).  Leaves x3 = event counter 0 (INST_RETIRED),
 * x4 = event counter 1 (CPU_CYCLES), x5 = PMCCNTR_EL0, x6 = PMCEID0_EL0,
 * x7 = PMCR_EL0, then stores to GUEST_EXIT_ADDR.
 */
extern const unsigned char guest_code[], guest_code_end[];
__asm__(
	".pushsection .rodata\n"
	".balign 4\n"
	".globl guest_code\n"
	"guest_code:\n"
	"	mov	x0, #0x7\n"		/* PMCR: E, P (reset events), C (reset cycles) */
	"	msr	pmcr_el0, x0\n"
	"	isb\n"
	"	mov	x0, #0x08\n"		/* counter 0: INST_RETIRED, EL0+EL1 */
	"	msr	pmevtyper0_el0, x0\n"
	"	mov	x0, #0x11\n"		/* counter 1: CPU_CYCLES, EL0+EL1 */
	"	msr	pmevtyper1_el0, x0\n"
	"	msr	pmccfiltr_el0, xzr\n"	/* cycle counter: EL0+EL1 */
	"	mov	x1, #0x3\n"		/* enable counters 0, 1 and C (bit 31) */
	"	movk	x1, #0x8000, lsl #16\n"
	"	msr	pmcntenset_el0, x1\n"
	"	isb\n"
	"	mov	x2, #200\n"		/* the measured loop: 400 instructions */
	"1:	subs	x2, x2, #1\n"
	"	b.ne	1b\n"
	"	msr	pmcntenclr_el0, x1\n"
	"	isb\n"
	"	mrs	x3, pmevcntr0_el0\n"
	"	mrs	x4, pmevcntr1_el0\n"
	"	mrs	x5, pmccntr_el0\n"
	"	mrs	x6, pmceid0_el0\n"
	"	mrs	x7, pmcr_el0\n"
	"	mov	x0, #0x20000000\n"	/* GUEST_EXIT_ADDR */
	"	str	x3, [x0]\n"
	"2:	b	2b\n"
	".globl guest_code_end\n"
	"guest_code_end:\n"
	".popsection\n");

static int kvm_fd = -1;
static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

struct result {
	int records;
	const char *error_step;
	int error_errno;
	uint64_t reg[8];
};

static int fail(struct result *r, const char *step)
{
	r->error_step = step;
	r->error_errno = errno;
	return -1;
}

static uint64_t core_reg_id(size_t offset)
{
	return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |
	       (offset / sizeof(uint32_t));
}

/* Runs one VM with the given records (NULL, 0: no filter). */
static int run_vm(const struct kvm_pmu_event_filter *recs, int nrecs, struct result *r)
{
	int vm = -1, vcpu = -1, ret = -1;
	void *mem = MAP_FAILED;
	struct kvm_run *run = MAP_FAILED;
	long run_size = 0;

	r->records = nrecs;
	vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail(r, "KVM_CREATE_VM");

	mem = mmap(NULL, GUEST_RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		fail(r, "mmap");
		goto out;
	}
	memcpy(mem, guest_code, (size_t)(guest_code_end - guest_code));
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = GUEST_RAM_BASE,
		.memory_size = GUEST_RAM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		fail(r, "KVM_SET_USER_MEMORY_REGION");
		goto out;
	}

	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		fail(r, "KVM_CREATE_VCPU");
		goto out;
	}
	struct kvm_vcpu_init init;
	memset(&init, 0, sizeof(init));
	if (ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init) < 0) {
		fail(r, "KVM_ARM_PREFERRED_TARGET");
		goto out;
	}
	init.features[0] |= 1u << KVM_ARM_VCPU_PMU_V3;
	if (ioctl(vcpu, KVM_ARM_VCPU_INIT, &init) < 0) {
		fail(r, "KVM_ARM_VCPU_INIT");
		goto out;
	}

	/* The filter, in order, then the PMU's initialisation. */
	for (int i = 0; i < nrecs; i++) {
		struct kvm_device_attr attr = {
			.group = KVM_ARM_VCPU_PMU_V3_CTRL,
			.attr = KVM_ARM_VCPU_PMU_V3_FILTER,
			.addr = (uintptr_t)&recs[i],
		};
		if (ioctl(vcpu, KVM_SET_DEVICE_ATTR, &attr) < 0) {
			static char step[64];
			snprintf(step, sizeof(step), "KVM_ARM_VCPU_PMU_V3_FILTER[%d]", i);
			fail(r, step);
			goto out;
		}
	}
	struct kvm_device_attr pmu_init = {
		.group = KVM_ARM_VCPU_PMU_V3_CTRL,
		.attr = KVM_ARM_VCPU_PMU_V3_INIT,
	};
	if (ioctl(vcpu, KVM_SET_DEVICE_ATTR, &pmu_init) < 0) {
		fail(r, "KVM_ARM_VCPU_PMU_V3_INIT");
		goto out;
	}

	uint64_t pc = GUEST_RAM_BASE;
	struct kvm_one_reg pc_reg = {
		.id = core_reg_id(offsetof(struct kvm_regs, regs.pc)),
		.addr = (uintptr_t)&pc,
	};
	if (ioctl(vcpu, KVM_SET_ONE_REG, &pc_reg) < 0) {
		fail(r, "KVM_SET_ONE_REG(pc)");
		goto out;
	}

	run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size <= 0) {
		fail(r, "KVM_GET_VCPU_MMAP_SIZE");
		goto out;
	}
	run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED) {
		fail(r, "mmap(kvm_run)");
		goto out;
	}

	timed_out = 0;
	alarm(30);
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			/* A PMU or timer line change, or a signal: go on. */
			if (errno == EINTR && !timed_out)
				continue;
			if (timed_out)
				errno = ETIMEDOUT;
			fail(r, "KVM_RUN");
			goto out_alarm;
		}
		if (run->exit_reason == KVM_EXIT_INTR)
			continue;
		if (run->exit_reason == KVM_EXIT_MMIO &&
		    run->mmio.phys_addr == GUEST_EXIT_ADDR && run->mmio.is_write)
			break;
		fprintf(stderr, "vmm: unexpected exit reason %u\n", run->exit_reason);
		errno = EPROTO;
		fail(r, "KVM_RUN(exit)");
		goto out_alarm;
	}
	for (int i = 0; i < 8; i++) {
		struct kvm_one_reg reg = {
			.id = core_reg_id(offsetof(struct kvm_regs, regs.regs[i])),
			.addr = (uintptr_t)&r->reg[i],
		};
		if (ioctl(vcpu, KVM_GET_ONE_REG, &reg) < 0) {
			fail(r, "KVM_GET_ONE_REG");
			goto out_alarm;
		}
	}
	ret = 0;
out_alarm:
	alarm(0);
out:
	if (run != MAP_FAILED)
		munmap(run, (size_t)run_size);
	if (vcpu >= 0)
		close(vcpu);
	if (mem != MAP_FAILED)
		munmap(mem, GUEST_RAM_SIZE);
	if (vm >= 0)
		close(vm);
	return ret;
}

static const char *errno_name(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	case ENODEV: return "ENODEV";
	case ENXIO: return "ENXIO";
	case EFAULT: return "EFAULT";
	case ENOENT: return "ENOENT";
	case E2BIG: return "E2BIG";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EPROTO: return "EPROTO";
	case EIO: return "EIO";
	default: return strerror(e);
	}
}

static void report(const char *name, const struct result *r)
{
	if (r->error_step) {
		printf("PMUFC-RESULT filter=%s records=%d error=%s:%s\n", name, r->records,
		       r->error_step, errno_name(r->error_errno));
	} else {
		printf("PMUFC-RESULT filter=%s records=%d inst=%llu cycles=%llu ccnt=%llu "
		       "pmceid0=0x%llx pmcr=0x%llx\n",
		       name, r->records, (unsigned long long)r->reg[3],
		       (unsigned long long)r->reg[4], (unsigned long long)r->reg[5],
		       (unsigned long long)r->reg[6], (unsigned long long)r->reg[7]);
	}
	fflush(stdout);
}

/* Reads a record file: 8-byte little-endian records (this is arm64 LE). */
static int read_records(const char *path, struct kvm_pmu_event_filter *recs, int *n,
			const char **why)
{
	static unsigned char buf[MAX_RECORDS * 8 + 1];
	FILE *f = fopen(path, "rb");
	if (!f) {
		*why = "open";
		return -1;
	}
	size_t len = fread(buf, 1, sizeof(buf), f);
	int err = ferror(f);
	fclose(f);
	if (err) {
		*why = "read";
		return -1;
	}
	if (len % 8 != 0 || len > MAX_RECORDS * 8) {
		*why = "size";
		return -1;
	}
	*n = (int)(len / 8);
	for (int i = 0; i < *n; i++) {
		const unsigned char *p = buf + 8 * i;
		memset(&recs[i], 0, sizeof(recs[i]));
		recs[i].base_event = (uint16_t)(p[0] | p[1] << 8);
		recs[i].nevents = (uint16_t)(p[2] | p[3] << 8);
		recs[i].action = p[4];
		memcpy(recs[i].pad, p + 5, 3);
	}
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_filter(const struct dirent *d)
{
	size_t len = strlen(d->d_name);
	return len > 4 && strcmp(d->d_name + len - 4, ".bin") == 0;
}

static void setup_console(void)
{
	mkdir("/dev", 0755);
	mkdir("/proc", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("proc", "/proc", "proc", 0, NULL);
	/* Keep kernel messages off the console from now on: they could
	 * split a result line. */
	int fd = open("/proc/sys/kernel/printk", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "1\n", 2) != 2)
			perror("vmm: /proc/sys/kernel/printk");
		close(fd);
	}
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/filters";
	int as_init = getpid() == 1;
	static struct kvm_pmu_event_filter recs[MAX_RECORDS];
	int status = 0;

	if (as_init)
		setup_console();
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm; /* no SA_RESTART: KVM_RUN returns EINTR */
	sigaction(SIGALRM, &sa, NULL);

	printf("PMUFC-VMM start\n");
	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0) {
		printf("PMUFC-ERROR cannot open /dev/kvm: %s\n", strerror(errno));
		status = 1;
		goto done;
	}
	printf("PMUFC-VMM KVM api %d, PMUv3 %s\n", ioctl(kvm_fd, KVM_GET_API_VERSION, 0),
	       ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PMU_V3) > 0 ? "yes" : "no");

	struct result r;
	memset(&r, 0, sizeof(r));
	run_vm(NULL, 0, &r);
	report("none", &r);

	struct dirent **ents;
	int nents = scandir(dir, &ents, is_filter, by_name);
	if (nents < 0) {
		printf("PMUFC-ERROR cannot read %s: %s\n", dir, strerror(errno));
		status = 1;
		goto done;
	}
	for (int i = 0; i < nents; i++) {
		char path[512], name[256];
		const char *why = NULL;
		int n = 0;
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		snprintf(name, sizeof(name), "%.*s", (int)strlen(ents[i]->d_name) - 4,
			 ents[i]->d_name);
		memset(&r, 0, sizeof(r));
		if (read_records(path, recs, &n, &why) < 0) {
			printf("PMUFC-RESULT filter=%s records=? error=file-%s:%s\n", name, why,
			       errno_name(errno));
		} else {
			for (int k = 0; k < n; k++)
				printf("PMUFC-RECORD filter=%s %d: base=0x%x nevents=%u action=%s\n",
				       name, k, recs[k].base_event, recs[k].nevents,
				       recs[k].action == KVM_PMU_EVENT_ALLOW  ? "allow"
				       : recs[k].action == KVM_PMU_EVENT_DENY ? "deny"
									      : "?");
			run_vm(recs, n, &r);
			report(name, &r);
		}
		free(ents[i]);
	}
	free(ents);
done:
	printf("PMUFC-DONE\n");
	fflush(stdout);
	if (as_init) {
		sync();
		reboot(RB_POWER_OFF);
	}
	return status;
}
