/* run.c - `pmufc run FILE [--] VMM [ARGS...]`: the VMM started with the
 * shim preloaded, which applies the filter inside it as the VM is made. */
#define _GNU_SOURCE
#include "config.h"

#include "cli/cli.h"
#include "cli/load.h"
#include "cli/util.h"
#include "lang/policies.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sysexits.h>
#include <unistd.h>

#ifndef PMUFC_SHIM_PATH
#define PMUFC_SHIM_PATH "/usr/local/lib/pmufc/pmufc-shim.so"
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 2u
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_SEAL_SEAL 1
#define F_SEAL_SHRINK 2
#define F_SEAL_GROW 4
#define F_SEAL_WRITE 8
#endif

/* The shell's statuses for a program it cannot start. */
#define EX_NOTFOUND 127
#define EX_NOEXEC 126

/* run: where the VMM is, as execvp would find it. */
static char *find_program(const char *name, int *status)
{
    if (strchr(name, '/')) {
        if (access(name, F_OK)) {
            *status = pf_cli_fail(EX_NOTFOUND, "%s: %s", name, strerror(errno));
            return NULL;
        }
        return strdup(name);
    }
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    int seen = 0;
    for (const char *p = path;; p++) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char *full = malloc(n + strlen(name) + 2);
        if (!full)
            break;
        snprintf(full, n + strlen(name) + 2, "%.*s%s%s", (int)n, p, n ? "/" : "", name);
        struct stat st;
        if (!stat(full, &st) && S_ISREG(st.st_mode)) {
            if (!access(full, X_OK))
                return full;
            seen = 1;
        }
        free(full);
        if (!end)
            break;
        p = end;
    }
    *status = seen ? pf_cli_fail(EX_NOEXEC, "%s: permission denied", name)
                   : pf_cli_fail(EX_NOTFOUND, "%s: command not found", name);
    return NULL;
}

#if defined(__x86_64__)
#define OUR_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define OUR_MACHINE EM_AARCH64
#endif

/* Will the dynamic linker preload the shim into this program?  Not into a
 * static one, one of another ABI, or a set-id one: it would run
 * unfiltered. */
static int check_preloadable(const char *prog)
{
    int fd = open(prog, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pf_cli_fail(errno == EACCES ? EX_NOEXEC : EX_NOTFOUND, "%s: %s", prog, strerror(errno));
    struct stat st;
    unsigned char head[4096];
    ssize_t n = fstat(fd, &st) ? -1 : pread(fd, head, sizeof(head), 0);
    if (n < 0) {
        int e = errno;
        close(fd);
        return pf_cli_fail(EX_NOEXEC, "%s: %s", prog, strerror(e));
    }
    if (access(prog, X_OK)) {
        close(fd);
        return pf_cli_fail(EX_NOEXEC, "%s: permission denied", prog);
    }
    if ((st.st_mode & S_ISUID && st.st_uid != geteuid()) ||
        (st.st_mode & S_ISGID && st.st_gid != getegid()) ||
        fgetxattr(fd, "security.capability", NULL, 0) > 0) {
        close(fd);
        return pf_cli_fail(EX_UNAVAILABLE, "%s is set-user-ID, set-group-ID or has file capabilities: "
                    "the dynamic linker would not preload the shim and it would run unfiltered",
                    prog);
    }
    if (n >= 2 && head[0] == '#' && head[1] == '!') {
        close(fd);
        return 0; /* a script: its interpreter gets the shim, and passes it on */
    }
#ifdef OUR_MACHINE
    const char *why = NULL;
    if (n < (ssize_t)sizeof(Elf64_Ehdr) || memcmp(head, ELFMAG, SELFMAG))
        why = "is not an ELF program";
    else if (head[EI_CLASS] != ELFCLASS64)
        why = "is a 32-bit program";
    else {
        Elf64_Ehdr eh;
        memcpy(&eh, head, sizeof(eh));
        if (eh.e_machine != OUR_MACHINE)
            why = "is a program for another machine";
        else if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0)
            why = "has no program headers";
        else {
            int interp = 0;
            for (unsigned i = 0; i < eh.e_phnum && !interp; i++) {
                Elf64_Phdr ph;
                if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) != sizeof(ph))
                    break;
                interp = ph.p_type == PT_INTERP;
            }
            if (!interp)
                why = "is statically linked";
        }
    }
    close(fd);
    if (why)
        return pf_cli_fail(EX_UNAVAILABLE, "%s %s: the shim cannot be preloaded into it, and it would run "
                    "unfiltered; start it otherwise and use 'pmufc --apply --pid'", prog, why);
#else
    close(fd);
#endif
    return 0;
}

/* A pmufc that runs from its build tree, uninstalled, takes the shim
 * built beside it (libtool puts it in .libs/), not an installed one of
 * another version. */
static int build_tree_shim(char *buf, size_t size)
{
    char top[PATH_MAX];
    if (!pf_build_tree(top, sizeof(top), NULL, 0))
        return 0;
    int len = snprintf(buf, size, "%s/.libs/pmufc-shim.so", top);
    return len > 0 && (size_t)len < size && !access(buf, R_OK);
}

/* The shim to preload: PMUFC_SHIM, else the build tree's, else the
 * installed one; it must load, or the VMM would run unfiltered. */
int pf_cli_find_shim(char *built, size_t size, const char **shim)
{
    *shim = getenv("PMUFC_SHIM");
    if (!*shim || !**shim)
        *shim = build_tree_shim(built, size) ? built : PMUFC_SHIM_PATH;
    if (access(*shim, R_OK))
        return pf_cli_fail(EX_UNAVAILABLE, "the shim %s: %s (reinstall pmufc, or name it with PMUFC_SHIM)",
                           *shim, strerror(errno));
    if (strchr(*shim, ':') || strchr(*shim, ' '))
        return pf_cli_fail(EX_UNAVAILABLE, "the shim's path %s has a ':' or a space, which LD_PRELOAD "
                           "cannot carry", *shim);
    /* The dynamic linker ignores a preload it cannot load, and the VMM
     * would run unfiltered: load it here first (local, nothing interposed). */
    void *handle = dlopen(*shim, RTLD_NOW | RTLD_LOCAL);
    if (!handle)
        return pf_cli_fail(EX_UNAVAILABLE, "the shim cannot be loaded: %s", dlerror());
    dlclose(handle);
    return 0;
}

/* Hands the filter over to the shim (a sealed memfd it reads at load
 * time, named in the environment with what it is for) and starts prog.
 * Returns only when that fails, with the exit status. */
static int start(const char *prog, char **argv, const struct pf_cli_loaded *f, const char *shim,
                 const struct pf_compile_opts *o)
{
    int mfd = (int)memfd_create("pmufc-filter", MFD_ALLOW_SEALING);
    if (mfd < 0)
        return pf_cli_fail(EX_OSERR, "memfd_create: %s", strerror(errno));
    ssize_t w = write(mfd, f->blob, f->len);
    if (w != (ssize_t)f->len ||
        fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL))
        return pf_cli_fail(EX_OSERR, "cannot hand the filter over: %s", strerror(errno));
    char path[64], arm[16];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", mfd);
    const char *old = getenv("LD_PRELOAD");
    size_t plen = strlen(shim) + (old ? strlen(old) + 1 : 0) + 1;
    char *preload = malloc(plen);
    if (!preload)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    snprintf(preload, plen, "%s%s%s", shim, old && *old ? ":" : "", old && *old ? old : "");
    snprintf(arm, sizeof(arm), "0x%x", f->arm_max);
    if (setenv("LD_PRELOAD", preload, 1) || setenv("PMUFC_FILTER", path, 1) ||
        setenv("PMUFC_TARGET", pf_target_name(f->t), 1) ||
        (o->force_vendor ? setenv("PMUFC_FORCE_VENDOR", "1", 1) : unsetenv("PMUFC_FORCE_VENDOR")) ||
        (o->werror ? setenv("PMUFC_WERROR", "1", 1) : unsetenv("PMUFC_WERROR")) ||
        (f->t == PF_TARGET_ARM64 ? setenv("PMUFC_ARM_MAX", arm, 1) : unsetenv("PMUFC_ARM_MAX"))) {
        free(preload);
        return pf_cli_fail(EX_OSERR, "setenv: %s", strerror(errno));
    }
    free(preload);
    fflush(NULL);
    execv(prog, argv);
    int e = errno;
    return pf_cli_fail(e == ENOENT ? EX_NOTFOUND : EX_NOEXEC, "cannot start %s: %s", prog, strerror(e));
}

int pf_cli_run(const struct pf_cli *cli)
{
    int argc = cli->nargs;
    char **argv = cli->args;
    if (argc < 1)
        return pf_cli_usage_error("run needs a policy or filter and a VMM: pmufc run FILE -- VMM [ARGS...]");
    const char *input = argv[0];
    argc--, argv++;
    if (argc && !strcmp(argv[0], "--"))
        argc--, argv++;
    if (argc < 1)
        return pf_cli_usage_error("run needs a VMM to start: pmufc run FILE -- VMM [ARGS...]");

    char built[PATH_MAX];
    const char *shim;
    int rc = pf_cli_find_shim(built, sizeof(built), &shim);
    if (rc)
        return rc;
    struct pf_cli_loaded f;
    rc = pf_cli_load(input, &cli->opts, 1, &f);
    if (rc)
        return rc;
    const char *v = getenv("PMUFC_VERBOSE");
    if (f.model[0] && (cli->verbose || (v && *v && strcmp(v, "0"))))
        fprintf(stderr, "pmufc: %s\n", f.pick);
    char *prog = find_program(argv[0], &rc);
    if (prog)
        rc = check_preloadable(prog);
    /* Before starting anything: does this kernel take the filter? */
    if (!rc && !f.krc) {
        rc = pf_cli_scratch_vm(&f);
        if (rc && rc != EX_SOFTWARE)
            fprintf(stderr, "pmufc: this kernel refuses the filter on a scratch VM; %s was not "
                    "started\n", argv[0]);
    }
    if (!rc)
        rc = start(prog, argv, &f, shim, &cli->opts);
    free(prog);
    free(f.blob);
    return rc;
}
