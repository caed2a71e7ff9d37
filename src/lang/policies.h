/* policies.h - the shipped policies: where they are (installed, or in the
 * build tree the running program comes from) and --list-policies. */
#ifndef PMUFC_POLICIES_H
#define PMUFC_POLICIES_H

#include "base/diag.h"
#include "base/status.h"
#include "kernel/space.h"

#include <stddef.h>
#include <stdio.h>

/* When the running program (/proc/self/exe) sits uninstalled in the top
 * folder of pmufc's build tree (beside that tree's config.status and a
 * Makefile of package pmufc whose abs_top_builddir is that folder), copies
 * the build tree's absolute path to builddir and its source tree's (the
 * same folder for an in-tree build, another for a VPATH one) to srcdir,
 * and returns 1.  Returns 0 otherwise (installed, copied elsewhere, no
 * /proc, or a path that does not fit): the installed folders apply.
 * Either buffer may be NULL.  Reads the files each time (no state). */
int pf_build_tree(char *builddir, size_t bsize, char *srcdir, size_t ssize);

/* The folders of the shipped policies: their sources (NAME.pf) in src,
 * their compiled filters (NAME.TARGET.bin) in bin.  Installed, both are
 * PMUFC_POLICYDIR; run from the build tree, SRCDIR/policies and
 * BUILDDIR/policies, so that a build is tested with its own policies and
 * never with an older installed copy.  Returns 1 for the build tree, 0
 * for the installed folder; -1 if a path does not fit (then the installed
 * folder is in both). */
int pf_shipped_dirs(char *src, size_t ssize, char *bin, size_t bsize);

/* The shipped policies as data, for a caller that shows more than
 * pf_list_policies does: the folders pf_list_policies reads and the
 * policies' names (NAME of each NAME.pf), sorted. */
enum { PF_SHIPPED_PATH = 4096 + 16 };
struct pf_shipped {
    char src[PF_SHIPPED_PATH], bin[PF_SHIPPED_PATH]; /* sources, compiled filters */
    int tree;     /* the build tree's (else the installed folder, or dir) */
    char **names;
    size_t n;
};
/* dir as for pf_list_policies.  Returns PF_OK (release with
 * pf_shipped_close), PF_ESYSTEM or PF_ENOMEM with the reason in d. */
enum pf_status pf_shipped_open(struct pf_shipped *s, const char *dir, struct pf_diags *d);
void pf_shipped_close(struct pf_shipped *s);
/* The first line of policy i's header comment, after its "# ", in buf
 * ("" and 0 when the file does not start with a comment; 1 when it does). */
int pf_shipped_summary(const struct pf_shipped *s, size_t i, char *buf, size_t size);
/* The path of policy i's compiled filter for t (NAME.TARGET.bin) in buf;
 * returns 1 when that file exists, else 0. */
int pf_shipped_filter(const struct pf_shipped *s, size_t i, enum pf_target t, char *buf,
                      size_t size);

/* Lists the shipped policies to out: the *.pf files of dir, sorted, each
 * with the first line of its header comment and the compiled filters
 * beside it.  dir PMUFC_POLICYDIR (or NULL) stands for the shipped
 * policies wherever pf_shipped_dirs finds them.  Returns PF_OK; PF_ESYSTEM
 * when the folder cannot be read, PF_ENOMEM, the reason in d. */
enum pf_status pf_list_policies(FILE *out, const char *dir, struct pf_diags *d);

#endif
