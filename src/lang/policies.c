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

/* "# name: what it is" -> the text after the first "# ". */
static void summary(FILE *out, const char *dir, const char *file)
{
    char path[2 * PATH_MAX], line[256];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(line, sizeof(line), f) && line[0] == '#') {
        line[strcspn(line, "\n")] = 0;
        fprintf(out, "  %s", line + 1 + (line[1] == ' '));
    }
    fclose(f);
}

static void targets(FILE *out, const char *dir, const char *name)
{
    static const char *const t[] = {"intel", "amd", "arm64"};
    const char *sep = "  [";
    for (size_t i = 0; i < 3; i++) {
        char path[2 * PATH_MAX];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s.%s.bin", dir, name, t[i]);
        if (stat(path, &st) == 0) {
            fprintf(out, "%s%s", sep, t[i]);
            sep = " ";
        }
    }
    if (strcmp(sep, "  ["))
        fputc(']', out);
}

enum pf_status pf_list_policies(FILE *out, const char *dir, struct pf_diags *diags)
{
    char src[PATH_MAX + 16], bin[PATH_MAX + 16];
    int tree = 0;
    if (!dir || !strcmp(dir, PMUFC_POLICYDIR))
        tree = pf_shipped_dirs(src, sizeof(src), bin, sizeof(bin)) == 1;
    if (!tree) {
        snprintf(src, sizeof(src), "%s", dir ? dir : PMUFC_POLICYDIR);
        snprintf(bin, sizeof(bin), "%s", src);
    }
    DIR *d = opendir(src);
    if (!d) {
        diags->errnum = errno;
        pf_diag(diags, PF_SEV_ERROR, NULL, "cannot read %s: %s%s", src, strerror(errno),
                tree ? "" : " (is pmufc installed?)");
        return PF_ESYSTEM;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int oom = 0;
    for (struct dirent *e; !oom && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".pf"))
            continue;
        if (n == cap) {
            char **nv = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof(*names));
            if (!nv) {
                oom = 1;
                break;
            }
            names = nv;
        }
        if (!(names[n] = strdup(e->d_name)))
            oom = 1;
        else
            n++;
    }
    closedir(d);
    if (oom) {
        while (n)
            free(names[--n]);
        free(names);
        pf_diag(diags, PF_SEV_ERROR, NULL, "out of memory");
        return PF_ENOMEM;
    }
    if (n)
        qsort(names, n, sizeof(*names), cmp);
    for (size_t i = 0; i < n; i++) {
        char base[256];
        snprintf(base, sizeof(base), "%.*s", (int)(strlen(names[i]) - 3), names[i]);
        fprintf(out, "%-22s", base);
        targets(out, bin, base);
        summary(out, src, names[i]);
        fputc('\n', out);
        free(names[i]);
    }
    free(names);
    return PF_OK;
}
