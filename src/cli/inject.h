/* inject.h - running one system call inside another process with ptrace.
 *
 * KVM takes a VM's ioctls only from the process that created the VM, so
 * `pmufc --apply --pid` has the VMM make the call itself:
 *
 *  1. PTRACE_SEIZE one thread (the leader, or the first live thread) and
 *     PTRACE_INTERRUPT it; signals that arrive first are passed on.
 *  2. Save its registers.  Find a `syscall` instruction: the one it is
 *     stopped after when it sits in a system call, else one in an
 *     executable mapping ([vdso] first).  No code is ever written.
 *  3. Copy the argument into its memory: on its stack below the 128-byte
 *     red zone when that lies inside the stack's mapping (the bytes there
 *     are saved and written back), else into a page mapped for the purpose
 *     by an injected mmap and unmapped afterwards.
 *  4. Point the registers at the instruction with the call's number and
 *     arguments (orig_rax -1, so no syscall restart applies), run it to its
 *     syscall-exit stop, and read the result.  Signals that arrive
 *     meanwhile are held back and raised again at the end.
 *  5. Put the saved registers back, then bring the thread to a
 *     PTRACE_EVENT_STOP on its way back to user space before detaching:
 *     that way the kernel's own restart logic sees the saved registers, and
 *     a thread that was blocked in a system call (-ERESTARTSYS and
 *     friends) goes back into it as if nothing had happened.
 *
 * pmufc's own terminating signals are blocked while the target's state is
 * changed.  x86-64 only; elsewhere the functions fail with -ENOSYS. */
#ifndef PMUFC_INJECT_H
#define PMUFC_INJECT_H

#include <stddef.h>
#include <sys/types.h>

#define PF_INJECT_MMAP 1u /* always use an injected mmap (tests) */

/* The fds of process pid whose /proc link is `anon_inode:kvm-vm`, in
 * ascending order: returns how many there are (at most max are stored),
 * or -errno (-ESRCH: no such process; -EACCES: not allowed to look). */
int pf_find_vm_fds(pid_t pid, int *fds, size_t max);

/* What /proc/PID/fd/FD links to ("anon_inode:kvm-vm", "/dev/null").
 * pid 0: this process.  Returns 0 or -errno (-ENOENT: no such fd). */
int pf_proc_fd_link(pid_t pid, int fd, char *buf, size_t len);

/* The process's name (/proc/PID/comm), "?" when it cannot be read. */
void pf_proc_comm(pid_t pid, char *buf, size_t len);

/* Runs syscall nr(args[0..5]) in process pid.  When mem is not NULL,
 * memlen bytes from it are copied into the target first and args[mem_arg]
 * is replaced by their address there.  Returns 0 when the call ran, its
 * raw result (a value or -errno) in *ret; or -errno when the injection
 * itself failed (nothing ran, or the target died), with a message in err.
 * Either way the target is left as it was found and detached.
 *
 * *held_ns (when held_ns is not NULL): how long the thread that made the
 * call was held stopped, in nanoseconds (CLOCK_MONOTONIC): from the
 * moment waitpid reports the stop PTRACE_INTERRUPT asked for to the
 * moment PTRACE_DETACH lets it run again; the syscall ran, the registers
 * and memory were put back in between.  0 when it was never stopped.
 * Only that thread is held: the process's other threads (a VMM's vCPUs)
 * run on meanwhile. */
int pf_inject_syscall(pid_t pid, long nr, const long args[6], int mem_arg, const void *mem,
                      size_t memlen, unsigned flags, long *ret, long long *held_ns, char *err,
                      size_t errlen);

/* ioctl(fd, req, copy of size bytes of arg) in process pid. */
int pf_inject_ioctl(pid_t pid, int fd, unsigned long req, const void *arg, size_t size,
                    unsigned flags, long *ret, long long *held_ns, char *err, size_t errlen);

/* A struct pf_ioctl_via (apply.h) that injects into a process: set pid
 * and flags, pass it as ctx with pf_inject_via_call.  When the injection
 * fails, failed is set, err says why, and the call returns -ECANCELED.
 * held_ns adds up how long the VMM's thread was held stopped over the
 * calls made through it (pf_inject_syscall's *held_ns), calls counts them:
 * `pmufc --apply --pid` reports it. */
struct pf_inject_via {
    pid_t pid;
    unsigned flags;
    int failed; /* the injection failed ... */
    int error;  /* ... with this -errno */
    char err[512];
    long long held_ns; /* the target's thread held stopped, in total */
    unsigned calls;    /* injections made */
};
long pf_inject_via_call(void *ctx, int fd, unsigned long req, void *arg, size_t size);

#endif
