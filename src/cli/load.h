/* cli_load.h - the loader's command-line modes, called from main.c.
 *
 * Each function does one mode from start to finish (reads the input,
 * compiles or validates it, prints diagnostics and results) and returns
 * the process's exit status:
 *   0 done; 64 usage; 65 bad policy or filter, or the kernel refused the
 *   filter; 66 cannot read the input; 69 unavailable (no such process, no
 *   VM fd, not a VM fd, no KVM or no filter support, EIO: not the VM's
 *   creator, a VMM that cannot be preloaded); 70 internal error; 71
 *   injection failed (ptrace error, the process died); 77 not allowed
 *   (cannot trace the process); run only: 126 VMM not executable, 127
 *   VMM not found.
 * o holds the compile options main.c parsed (--target, --cpu, --abi,
 * --arm-pmu, -W, -w).  A filter FILE is told from a policy by content (a
 * filter always has NUL bytes).  Without --target, filters are for this
 * host; a filter for another vendor is applied after a warning. */
#ifndef PMUFC_CLI_LOAD_H
#define PMUFC_CLI_LOAD_H

#include "core/compile.h"

#include <stdio.h>

/* `pmufc run POLICY|BLOB [--] VMM [ARGS...]`: argv[0] is the filter,
 * argv[1..] the VMM and its arguments (a leading "--" is skipped).  Does
 * not return when the VMM starts. */
int pf_cli_run(int argc, char **argv, const struct pf_compile_opts *o);

/* `pmufc --apply --pid PID [--vm-fd N] FILE` and `pmufc --apply --vm-fd N
 * FILE`: pid and vm_fd are the option arguments as given, NULL when
 * absent. */
int pf_cli_apply(const char *input, const char *pid, const char *vm_fd,
                 const struct pf_compile_opts *o);

/* `pmufc --probe [FILE]`: input NULL for the capabilities only. */
int pf_cli_probe(const char *input, const struct pf_compile_opts *o);

/* The usage lines and options of these modes, for --help. */
void pf_cli_load_usage(FILE *out);

#endif
