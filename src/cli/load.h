/* load.h - a filter on its way into the kernel, for the load modes
 * (load.c: --apply, --probe; run.c: run).
 *
 * Their exit statuses: 0 done; 64 usage; 65 bad policy or filter, or the
 * kernel refused the filter; 66 cannot read the input; 69 unavailable (no
 * such process, no VM fd, not a VM fd, no KVM or no filter support, EIO:
 * not the VM's creator, a VMM that cannot be preloaded); 70 internal
 * error; 71 injection failed (ptrace error, the process died); 77 not
 * allowed (cannot trace the process); run only: 126 VMM not executable,
 * 127 VMM not found.  The compile options (--target, --cpu, --abi,
 * --arm-pmu, -W, -w) apply to a policy FILE; FILE is any input pmufc
 * reads, told by content (formats/input.h: a policy, a filter's bytes, a
 * QEMU object or an arm64 range string, the last two compiled as their
 * policy text).  Without --target, filters are for what their bytes fit,
 * else this host; a filter for another vendor is applied only with
 * --force-vendor. */
#ifndef PMUFC_CLI_LOAD_H
#define PMUFC_CLI_LOAD_H

#include "core/compile.h"
#include "kernel/apply.h"

#include <stddef.h>
#include <stdint.h>

/* A filter ready for the kernel: the bytes, what they are for, and what
 * this host's KVM is. */
struct pf_cli_loaded {
    uint8_t *blob; /* malloc'd */
    size_t len;
    enum pf_target t;
    unsigned arm_max;
    int krc;                 /* pf_kvm_probe's result: 0, or -errno of opening /dev/kvm */
    struct pf_kvm_caps caps; /* this host's KVM, as probed */
    char desc[160];          /* "intel, ALLOW, 2 plain entries" */
    /* From a bundle: the entry picked (model: perf's name or "generic";
     * "" when FILE was no bundle), its file, and the pick said in words. */
    char model[64], file[300], pick[600];
};

/* Reads FILE and turns it into a validated filter for the kernel: a
 * policy (or another tool's filter) is compiled (and verified), a filter
 * is validated; what is neither is one error; a bundle (a folder with an
 * index: kernel/bundle.h) gives this host's filter (for --target, else
 * the rules of this host's KVM; --cpu MODEL: that model's, 'generic' the
 * generic one), validated; no filter for this host is EX_UNAVAILABLE, a
 * malformed index EX_DATAERR; check: and checked for this host
 * (pf_cli_check_host).  Diagnostics go to standard
 * error.  Returns 0 (free f->blob after) or an exit status. */
int pf_cli_load(const char *input, const struct pf_compile_opts *o, int check,
                struct pf_cli_loaded *f);

/* Is the filter for this host's KVM?  Not across architectures, ever;
 * not for the other x86 vendor's rules unless --force-vendor (a warning
 * then, an error under -W).  Returns 0 or an exit status. */
int pf_cli_check_host(const struct pf_cli_loaded *f, const struct pf_compile_opts *o);

/* Does this kernel take the filter?  Tried on a scratch VM.  Returns 0;
 * EX_SOFTWARE when memory ran out (said); else the status of the refusal,
 * whose diagnostics are printed (the caller says what it means). */
int pf_cli_scratch_vm(const struct pf_cli_loaded *f);

/* run.c: the shim to preload, as `pmufc run` and `pmufc libvirt` take it:
 * PMUFC_SHIM, else the build tree's (written into built), else the
 * installed one; it must be loadable, with no ':' or space in its path
 * (LD_PRELOAD's separators).  0 with *shim, or the exit status, said. */
int pf_cli_find_shim(char *built, size_t size, const char **shim);

#endif
