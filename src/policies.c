/* policies.c - --list-policies: what make install put in the policy
 * folder (policies/Makefile.inc installs NAME.pf beside NAME.TARGET.bin). */
#define _XOPEN_SOURCE 700
#include "policies.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "# name: what it is" -> the text after the first "# ". */
static void summary(FILE *out, const char *dir, const char *file)
{
    char path[4096], line[256];
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
        char path[4096];
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

int pf_list_policies(FILE *out, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "pmufc: cannot read %s: %s (is pmufc installed?)\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".pf"))
            continue;
        if (n == cap) {
            char **nv = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof(*names));
            if (!nv)
                break;
            names = nv;
        }
        if (!(names[n] = strdup(e->d_name)))
            break;
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp);
    for (size_t i = 0; i < n; i++) {
        char base[256];
        snprintf(base, sizeof(base), "%.*s", (int)(strlen(names[i]) - 3), names[i]);
        fprintf(out, "%-22s", base);
        targets(out, dir, base);
        summary(out, dir, names[i]);
        fputc('\n', out);
        free(names[i]);
    }
    free(names);
    return 0;
}
