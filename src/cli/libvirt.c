/* libvirt.c - `pmufc libvirt [OPTION]... FILTER`: the libvirt domain XML
 * fragment (formats/fmt_libvirt.h) that starts a domain's QEMU under the
 * shim with the filter file, or bundle, FILTER.
 *
 * libvirt gives QEMU no file descriptor from pmufc, so the shim reads the
 * filter from a file each time the domain starts: FILTER must be a filter
 * in the kernel's bytes (as `pmufc -o FILE.bin` writes it), validated here
 * for its target (--target, else what its bytes fit, else this host's
 * rules) as `pmufc -d` reads it, or a bundle (`pmufc bundle`), whose
 * index and every filter are checked, and from which the shim picks the
 * host's filter (for --target, else for each host's own target: one
 * fragment serves a mixed fleet).  Neither is checked against this host:
 * the fragment may be made for others of the same paths (the shim checks
 * when the VM is made).  The fragment names FILTER by its absolute path
 * (a symbolic link as the last component stays one, so that replacing
 * what it points to changes the domain's filter) and the shim `pmufc run`
 * would preload (PMUFC_SHIM, else the build tree's when run from one,
 * else the installed one), which must load here.  Unlike the other
 * modes' formats this one is written here, with fmt_libvirt.h, and not
 * through filter.c's --format: it needs the two paths, which filter.c's
 * renderers do not have. */
#define _GNU_SOURCE
#include "config.h"

#include "cli/cli.h"
#include "cli/filter.h"
#include "cli/load.h"
#include "cli/util.h"
#include "formats/fmt_libvirt.h"
#include "kernel/bundle.h"
#include "lang/policies.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

/* path made absolute: its folder resolved, its last component kept.
 * Returns a malloc'd string, or NULL with errno. */
static char *absolute(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir)
        return NULL;
    char *real = realpath(dir, NULL);
    free(dir);
    if (!real)
        return NULL;
    size_t n = strlen(real) + strlen(base) + 2;
    char *full = malloc(n);
    if (full)
        snprintf(full, n, "%s%s%s", real, strcmp(real, "/") ? "/" : "", base);
    free(real);
    return full;
}

/* The shim the fragment preloads, as `pmufc run` finds it (it must load,
 * or libvirt's QEMU would run unfiltered: the dynamic linker skips a
 * preload it cannot load).  *shim: malloc'd, made absolute as FILTER is. */
static int find_shim(char **shim)
{
    char built[PATH_MAX];
    const char *s;
    int rc = pf_cli_find_shim(built, sizeof(built), &s);
    if (rc)
        return rc;
    if (!(*shim = absolute(s)))
        return pf_cli_fail(EX_UNAVAILABLE, "the shim %s: %s", s, strerror(errno));
    if (strchr(*shim, ':') || strchr(*shim, ' ')) {
        rc = pf_cli_fail(EX_UNAVAILABLE, "the shim's path %s has a ':' or a space, which LD_PRELOAD "
                         "cannot carry", *shim);
        free(*shim);
        *shim = NULL;
    }
    return rc;
}

/* QEMU runs as qemu.conf's user, rarely the file's owner: a file others
 * cannot read stops every start of the domain (the filter) or lets it run
 * unfiltered (the shim); a folder (a bundle) must let them in. */
static void readable_by_all(struct pf_diags *d, const char *what, const char *path)
{
    struct stat st;
    if (stat(path, &st))
        return;
    mode_t need = S_ISDIR(st.st_mode) ? S_IXOTH : S_IROTH;
    if (!(st.st_mode & need))
        pf_warn(d, PF_W_LIBVIRT, NULL, "%s %s (mode %04o) is not %s by other users: QEMU's "
                "user (qemu.conf's user, libvirt-qemu on Debian) must be able to read it",
                what, path, (unsigned)(st.st_mode & 07777),
                S_ISDIR(st.st_mode) ? "searchable" : "readable");
}

/* A filter file: validated for its target (as -d reads it); *t, *arm_max
 * what the shim must be told. */
static int check_filter(const struct pf_cli *cli, enum pf_target *t, unsigned *arm_max)
{
    struct stat st;
    if (!stat(cli->input, &st) && !S_ISREG(st.st_mode))
        return pf_cli_fail(EX_NOINPUT, "error: %s is neither a filter's file nor a bundle",
                           cli->input);
    struct pf_cli one = *cli;
    char *buf;
    int rc = pf_cli_read_input(cli->input, &buf, &one.len);
    if (rc)
        return rc;
    one.buf = buf;
    struct pf_input in;
    rc = pf_cli_classify(&one, &in);
    if (!rc && (!pf_input_as_filter(&in) || !one.len))
        rc = pf_cli_fail(EX_DATAERR, "error: %s is no filter in the kernel's bytes, which is all the shim "
                         "reads: compile it first (pmufc -o FILE.bin %s) and give FILE.bin",
                         cli->input, cli->input);
    struct pf_cli_decoded dec = {0};
    if (!rc)
        rc = pf_cli_decode(&one, &dec);
    *t = dec.f.t;
    *arm_max = dec.f.arm_max;
    pf_cli_decoded_free(&dec);
    free(buf);
    return rc;
}

/* A bundle (kernel/bundle.h): the shim picks from it when QEMU starts, so
 * its index must be well-formed and every filter it names valid for its
 * target; with --target, it must hold that target's.  Files QEMU's user
 * could not read are warned of in w. */
static int check_bundle(const struct pf_cli *cli, struct pf_diags *w)
{
    struct pf_diags d;
    struct pf_arena *a = pf_cli_diags(&d, &cli->opts);
    if (!a)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    struct pf_bundle b;
    enum pf_status s = pf_bundle_open(cli->input, &b, &d);
    pf_diags_print(stderr, &d);
    pf_arena_free(a);
    if (s)
        return s == PF_ENOMEM ? EX_SOFTWARE : s == PF_ESYSTEM ? EX_NOINPUT : EX_DATAERR;
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", cli->input, PF_BUNDLE_INDEX);
    readable_by_all(w, "the bundle", cli->input);
    readable_by_all(w, "the bundle's index", path);
    int rc = 0;
    size_t ours = 0;
    for (size_t i = 0; i < b.n && !rc; i++) {
        const struct pf_bundle_entry *e = &b.e[i];
        ours += cli->opts.target == PF_TARGET_NONE || e->t == cli->opts.target;
        if (!e->file)
            continue;
        uint8_t *blob = NULL;
        size_t len = 0;
        if (!(a = pf_cli_diags(&d, &cli->opts)))
            rc = pf_cli_fail(EX_SOFTWARE, "out of memory");
        else if ((s = pf_bundle_read(cli->input, e, PF_INPUT_LIMIT, &blob, &len, &d)))
            rc = s == PF_ENOMEM ? EX_SOFTWARE : s == PF_ESYSTEM ? EX_NOINPUT : EX_DATAERR;
        if (a)
            pf_diags_print(stderr, &d);
        pf_arena_free(a);
        snprintf(path, sizeof(path), "%s/%s", cli->input, e->file);
        if (!rc)
            rc = pf_cli_validate(path, blob, len, e->t, pf_cli_arm_max(cli), &cli->opts, NULL, NULL);
        if (!rc)
            readable_by_all(w, "the bundle's filter", path);
        free(blob);
    }
    if (!rc && !ours)
        rc = pf_cli_fail(EX_DATAERR, "error: the bundle %s has no %s filter", cli->input,
                         pf_target_name(cli->opts.target));
    pf_bundle_free(&b);
    return rc;
}

int pf_cli_libvirt(const struct pf_cli *cli)
{
    if (!strcmp(cli->input, "-"))
        return pf_cli_usage_error("%s", "libvirt needs the filter's file, which the domain's QEMU "
                                        "reads each time it starts, not standard input");
    struct pf_diags d;
    struct pf_arena *a = pf_cli_diags(&d, &cli->opts);
    if (!a)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    /* A bundle is picked from by each host for its own target, unless
     * --target says one. */
    int bundle = pf_bundle_is(cli->input);
    enum pf_target t = cli->opts.target;
    unsigned arm_max = pf_cli_arm_max(cli);
    int rc = bundle ? check_bundle(cli, &d) : check_filter(cli, &t, &arm_max);
    char *shim = NULL, *filter = NULL;
    if (!rc && !(filter = absolute(cli->input)))
        rc = pf_cli_fail(EX_NOINPUT, "error: %s: %s", cli->input, strerror(errno));
    if (!rc)
        rc = find_shim(&shim);
    char *text = NULL;
    size_t len = 0;
    if (!rc) {
        if (!bundle)
            readable_by_all(&d, "the filter", filter);
        readable_by_all(&d, "the shim", shim);
        const struct pf_libvirt_env e = {shim, filter, bundle, t, arm_max,
                                         cli->opts.force_vendor, cli->opts.werror};
        FILE *m = open_memstream(&text, &len);
        enum pf_status s = m ? pf_fmt_libvirt(m, &e, &d) : PF_ENOMEM;
        if (m && fclose(m) && !s)
            s = PF_ENOMEM;
        pf_diags_print(stderr, &d);
        if (s || pf_diags_failed(&d))
            rc = s == PF_ENOMEM ? pf_cli_fail(EX_SOFTWARE, "out of memory") : EX_DATAERR;
    }
    if (!rc && cli->verbose)
        fprintf(stderr, "pmufc: %s: %s %s; shim %s\n", filter,
                t == PF_TARGET_NONE ? "each host's" : pf_target_name(t), bundle ? "bundle" : "filter",
                shim);
    if (!rc)
        rc = pf_cli_write_output(cli->output, text, len, 0);
    pf_arena_free(a);
    free(text);
    free(shim);
    free(filter);
    return rc;
}
