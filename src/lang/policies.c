/* policies.c - the shipped policies: where they are, and --list-policies
 * (policies/Makefile.inc installs NAME.pf beside NAME.TARGET.bin; in the
 * build tree the sources stay in the source tree and the filters are
 * written to the build tree). */
#define _XOPEN_SOURCE 700
#include "lang/policies.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PMUFC_POLICYDIR
#define PMUFC_POLICYDIR "/usr/local/share/pmufc"
#endif

/* Copies s to dst (size n); 0, or -1 if it does not fit. */
static int copy(char *dst, size_t n, const char *s)
{
    if (!dst)
        return 0;
    if (strlen(s) >= n)
        return -1;
    memcpy(dst, s, strlen(s) + 1);
    return 0;
}

/* The value of the Makefile line "KEY = VALUE" in line, or NULL.  A
 * generated Makefile writes these as plain text, unquoted (automake does
 * not support folders with blanks). */
static char *makevar(char *line, const char *key)
{
    size_t k = strlen(key);
    if (strncmp(line, key, k) || strncmp(line + k, " = ", 3))
        return NULL;
    char *v = line + k + 3;
    size_t n = strlen(v);
    while (n && (v[n - 1] == '\n' || v[n - 1] == ' ' || v[n - 1] == '\t'))
        v[--n] = 0;
    return v;
}

/* Do a and b name the same existing folder? */
static int same_dir(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && S_ISDIR(sa.st_mode) && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int pf_build_tree(char *builddir, size_t bsize, char *srcdir, size_t ssize)
{
    char exe[PATH_MAX], path[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0 || (size_t)n >= sizeof(exe) - 1)
        return 0;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash)
        return 0;
    *(slash == exe ? slash + 1 : slash) = 0;
    /* config.status: configure ran here, so this is a build tree, not a
     * prefix's bin folder. */
    struct stat st;
    snprintf(path, sizeof(path), "%s/config.status", exe);
    if (stat(path, &st) || !S_ISREG(st.st_mode))
        return 0;
    snprintf(path, sizeof(path), "%s/Makefile", exe);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char *line = NULL, *pkg = NULL, *top = NULL, *src = NULL;
    size_t cap = 0;
    while ((!pkg || !top || !src) && getline(&line, &cap, f) > 0) {
        char *v;
        if (!pkg && (v = makevar(line, "PACKAGE")))
            pkg = strdup(v);
        else if (!top && (v = makevar(line, "abs_top_builddir")))
            top = strdup(v);
        else if (!src && (v = makevar(line, "abs_top_srcdir")))
            src = strdup(v);
    }
    free(line);
    fclose(f);
    /* pmufc's own top Makefile, and this folder is its build tree. */
    int ok = pkg && top && src && !strcmp(pkg, "pmufc") && src[0] == '/' && same_dir(top, exe) &&
             is_dir(src) && !copy(builddir, bsize, top) && !copy(srcdir, ssize, src);
    free(pkg);
    free(top);
    free(src);
    return ok;
}

int pf_shipped_dirs(char *src, size_t ssize, char *bin, size_t bsize)
{
    char b[PATH_MAX], s[PATH_MAX];
    if (pf_build_tree(b, sizeof(b), s, sizeof(s))) {
        if (strlen(s) + sizeof("/policies") <= ssize && strlen(b) + sizeof("/policies") <= bsize) {
            snprintf(src, ssize, "%s/policies", s);
            snprintf(bin, bsize, "%s/policies", b);
            return 1;
        }
        copy(src, ssize, PMUFC_POLICYDIR);
        copy(bin, bsize, PMUFC_POLICYDIR);
        return -1;
    }
    if (copy(src, ssize, PMUFC_POLICYDIR) || copy(bin, bsize, PMUFC_POLICYDIR))
        return -1;
    return 0;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int pf_shipped_summary(const struct pf_shipped *s, size_t i, char *buf, size_t size)
{
    char path[2 * PATH_MAX], line[256];
    int got = 0;
    if (size)
        buf[0] = 0;
    snprintf(path, sizeof(path), "%s/%s.pf", s->src, s->names[i]);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    /* "# name: what it is" -> the text after the first "# ". */
    if (fgets(line, sizeof(line), f) && line[0] == '#') {
        line[strcspn(line, "\n")] = 0;
        snprintf(buf, size, "%s", line + 1 + (line[1] == ' '));
        got = 1;
    }
    fclose(f);
    return got;
}

int pf_shipped_filter(const struct pf_shipped *s, size_t i, enum pf_target t, char *buf,
                      size_t size)
{
    struct stat st;
    snprintf(buf, size, "%s/%s.%s.bin", s->bin, s->names[i], pf_target_name(t));
    return stat(buf, &st) == 0;
}

void pf_shipped_close(struct pf_shipped *s)
{
    while (s->n)
        free(s->names[--s->n]);
    free(s->names);
    memset(s, 0, sizeof(*s));
}

enum pf_status pf_shipped_open(struct pf_shipped *s, const char *dir, struct pf_diags *diags)
{
    memset(s, 0, sizeof(*s));
    if (!dir || !strcmp(dir, PMUFC_POLICYDIR))
        s->tree = pf_shipped_dirs(s->src, sizeof(s->src), s->bin, sizeof(s->bin)) == 1;
    if (!s->tree) {
        snprintf(s->src, sizeof(s->src), "%s", dir ? dir : PMUFC_POLICYDIR);
        snprintf(s->bin, sizeof(s->bin), "%s", s->src);
    }
    DIR *d = opendir(s->src);
    if (!d) {
        diags->errnum = errno;
        pf_diag(diags, PF_SEV_ERROR, NULL, "cannot read %s: %s%s", s->src, strerror(errno),
                s->tree ? "" : " (is pmufc installed?)");
        return PF_ESYSTEM;
    }
    size_t cap = 0;
    int oom = 0;
    for (struct dirent *e; !oom && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".pf"))
            continue;
        if (s->n == cap) {
            char **nv = realloc(s->names, (cap = cap ? 2 * cap : 16) * sizeof(*s->names));
            if (!nv) {
                oom = 1;
                break;
            }
            s->names = nv;
        }
        if (!(s->names[s->n] = strndup(e->d_name, len - 3)))
            oom = 1;
        else
            s->n++;
    }
    closedir(d);
    if (oom) {
        pf_shipped_close(s);
        pf_diag(diags, PF_SEV_ERROR, NULL, "out of memory");
        return PF_ENOMEM;
    }
    if (s->n)
        qsort(s->names, s->n, sizeof(*s->names), cmp);
    return PF_OK;
}

enum pf_status pf_list_policies(FILE *out, const char *dir, struct pf_diags *diags)
{
    static const enum pf_target t[] = {PF_TARGET_INTEL, PF_TARGET_AMD, PF_TARGET_ARM64};
    struct pf_shipped s;
    enum pf_status st = pf_shipped_open(&s, dir, diags);
    if (st != PF_OK)
        return st;
    for (size_t i = 0; i < s.n; i++) {
        char path[PF_SHIPPED_PATH + 300], line[256];
        const char *sep = "  [";
        fprintf(out, "%-22s", s.names[i]);
        for (size_t k = 0; k < 3; k++) {
            if (pf_shipped_filter(&s, i, t[k], path, sizeof(path))) {
                fprintf(out, "%s%s", sep, pf_target_name(t[k]));
                sep = " ";
            }
        }
        if (strcmp(sep, "  ["))
            fputc(']', out);
        if (pf_shipped_summary(&s, i, line, sizeof(line)))
            fprintf(out, "  %s", line);
        fputc('\n', out);
    }
    pf_shipped_close(&s);
    return PF_OK;
}
