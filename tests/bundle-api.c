/* bundle-api - libpmufc's side of bundles, for tests/bundles.sh: what
 * pmufc_compile_file makes of a bundle folder.
 *
 *   bundle-api DIR [TARGET [CPU]]
 *       TARGET: host, intel, amd or arm64 (pmufc_set_target); CPU: a
 *       model for pmufc_set_cpu ("-": none).  Prints "rc=RC target=T
 *       len=N" (RC the call's return, as an errno name when negative),
 *       the diagnostics one a line ("note: ...", "error: ..."), and
 *       writes the filter, when there is one, to picked.bin in the
 *       current folder.  Exit 0 unless the helper itself failed. */
#include "pmufc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *errname(int rc)
{
    static char buf[32];
    switch (-rc) {
    case 0:
        return "0";
    case EINVAL:
        return "-EINVAL";
    case ENODEV:
        return "-ENODEV";
    case ENOENT:
        return "-ENOENT";
    case EISDIR:
        return "-EISDIR";
    case ENOMEM:
        return "-ENOMEM";
    }
    snprintf(buf, sizeof(buf), "%d", rc);
    return buf;
}

int main(int argc, char **argv)
{
    static const char *const targets[] = {"host", "intel", "amd", "arm64"};
    if (argc < 2 || argc > 4) {
        fputs("usage: bundle-api DIR [TARGET [CPU]]\n", stderr);
        return 64;
    }
    struct pmufc_ctx *ctx = pmufc_ctx_new();
    if (!ctx)
        return 70;
    if (argc > 2) {
        size_t t = 0;
        while (t < 4 && strcmp(targets[t], argv[2]))
            t++;
        if (t == 4 || pmufc_set_target(ctx, (enum pmufc_target)t))
            return 64;
    }
    if (argc > 3 && strcmp(argv[3], "-") && pmufc_set_cpu(ctx, argv[3]))
        return 70;
    int rc = pmufc_compile_file(ctx, argv[1]);
    ssize_t len = pmufc_get_blob(ctx, NULL, 0);
    enum pmufc_target t = pmufc_get_target(ctx);
    printf("rc=%s target=%s len=%zd\n", errname(rc), targets[t], len < 0 ? (ssize_t)0 : len);
    for (unsigned i = 0; i < pmufc_diag_count(ctx); i++) {
        struct pmufc_diag d;
        if (!pmufc_diag_get(ctx, i, &d))
            printf("%s: %s\n", d.severity == PMUFC_ERROR ? "error" : d.severity == PMUFC_WARNING
                   ? "warning" : "note", d.message);
    }
    if (len > 0) {
        void *buf = malloc((size_t)len);
        FILE *f = fopen("picked.bin", "wb");
        if (!buf || !f || pmufc_get_blob(ctx, buf, (size_t)len) != len ||
            fwrite(buf, 1, (size_t)len, f) != (size_t)len || fclose(f))
            return 70;
        free(buf);
    }
    pmufc_ctx_free(&ctx);
    return 0;
}
