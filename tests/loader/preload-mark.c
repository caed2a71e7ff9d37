/* preload-mark.c - a preload that changes nothing: it only notes where it
 * was loaded, so that shim.sh can give `pmufc run` a preload of the user's
 * own (fake-kvm.so would also answer pmufc's scratch-VM check, which must
 * reach the real /dev/kvm where there is one).  When PRELOAD_MARK names a
 * file, one line is appended to it: "COMM after pmufc-shim.so" when the
 * shim came earlier in the program's list of loaded objects (the dynamic
 * linker's search order), else "COMM without the shim before it". */
#define _GNU_SOURCE
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int seen_shim, seen_self;

static int visit(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    const char *name = info->dlpi_name ? strrchr(info->dlpi_name, '/') : NULL;
    name = name ? name + 1 : info->dlpi_name ? info->dlpi_name : "";
    if (!strcmp(name, "preload-mark.so"))
        seen_self = 1;
    else if (!strcmp(name, "pmufc-shim.so") && !seen_self)
        seen_shim = 1;
    (void)arg;
    return 0;
}

__attribute__((constructor)) static void mark(void)
{
    const char *path = getenv("PRELOAD_MARK");
    if (!path || !*path)
        return;
    dl_iterate_phdr(visit, NULL);
    char comm[64] = "?";
    FILE *c = fopen("/proc/self/comm", "re");
    if (c) {
        if (fgets(comm, sizeof(comm), c))
            comm[strcspn(comm, "\n")] = 0;
        fclose(c);
    }
    FILE *f = fopen(path, "ae");
    if (!f)
        return;
    fprintf(f, "%s %s\n", comm, seen_shim ? "after pmufc-shim.so" : "without the shim before it");
    fclose(f);
}
