/* replay.c - runs the fuzz harnesses on files, without libFuzzer.
 *
 *   replay policy|blob|import|bundle FILE|DIR...
 *
 * Each file (each regular file in a DIR, in name order; dot files and
 * README* are skipped) is read whole and handed to the harness, exactly as
 * libFuzzer would.  A bug aborts (the harness says what went wrong after
 * the last "replay:" line naming the file); otherwise the exit status is
 * 0.  `make check` runs it on the seed corpora and on every crash kept
 * under tests/fuzz/regress/, linked with the ordinary library build (and
 * under ASan/UBSan when configured with --enable-sanitizers). */
#include "config.h"

#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int (*harness)(const uint8_t *, size_t);
static unsigned nfiles;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fprintf(stderr, "replay: out of memory reading %s\n", path);
            fclose(f);
            return -1;
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb)
            free(buf);
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        free(buf);
        return -1;
    }
    printf("replay: %s (%zu bytes)\n", path, n);
    fflush(stdout);
    /* An exact-size copy, so that ASan sees any read past the end. */
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, n);
    free(buf);
    harness(exact, n);
    free(exact);
    nfiles++;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replay: cannot open %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !strncmp(e->d_name, "README", 6))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nn = realloc(names, cap * sizeof(*names));
            if (!nn)
                break;
            names = nn;
        }
        names[n] = strdup(e->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_names);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *p = malloc(len);
        struct stat st;
        if (p) {
            snprintf(p, len, "%s/%s", dir, names[i]);
            if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && run_file(p))
                rc = -1;
        }
        free(p);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "policy")) {
        pf_fuzz_policy_init();
        harness = pf_fuzz_policy;
    } else if (argc >= 2 && !strcmp(argv[1], "blob")) {
        harness = pf_fuzz_blob;
    } else if (argc >= 2 && !strcmp(argv[1], "import")) {
        harness = pf_fuzz_import;
    } else if (argc >= 2 && !strcmp(argv[1], "bundle")) {
        harness = pf_fuzz_bundle;
    } else {
        fputs("usage: replay policy|blob|import|bundle FILE|DIR...\n", stderr);
        return 64;
    }
    int rc = 0;
    for (int i = 2; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st)) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            rc = 1;
        } else if (S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i])) {
            rc = 1;
        }
    }
    printf("replay: %s: %u files run, %s\n", argv[1], nfiles, rc ? "some could not be read" : "no failure");
    return rc;
}
