/* bundle.h - a policy compiled for every CPU model of its targets, and
 * written as a bundle (the folder kernel/bundle.h describes and picks
 * from).
 *
 * The targets: --target, else the policy's `target` statement, else its
 * '# targets: intel amd' header line (the shipped policies' convention);
 * none of these is an error.  For each target, the policy is compiled
 * with the generic names only (--cpu generic) and once per CPU model of
 * the target (events/models.tsv, in name order), each compilation
 * verified as any.  A model whose event tables lack a name the policy
 * uses is left out (a warning naming the models, of the kind
 * no-encoding: an error under -W or -Werror=no-encoding), its
 * entry in the index kept with FILE "-" so that its hosts fail closed
 * rather than take another model's filter; a policy whose names are not
 * all generic has no generic filter (a note).  Any other failure, for any
 * model, is an error naming the model, and nothing is written.  A policy
 * with a `cpu` statement is refused: a bundle is for every model. */
#ifndef PMUFC_CORE_BUNDLE_H
#define PMUFC_CORE_BUNDLE_H

#include "base/diag.h"
#include "base/status.h"
#include "core/compile.h"
#include "kernel/bundle.h"

#include <stddef.h>
#include <stdint.h>

struct pf_bundle_file {
    const char *name; /* "intel.generic.bin", "amd.amdzen4.bin" */
    enum pf_target t;
    uint8_t *blob;
    size_t len;
    size_t users; /* entries that point at it */
};

/* What pf_bundle_make made, in memory until pf_bundle_write. */
struct pf_bundle_made {
    struct pf_arena *arena;
    struct pf_diags diags;    /* every compilation's diagnostics, each said once */
    struct pf_source src;     /* the policy's (its text: the caller's, kept) */
    char *index;              /* the index's text */
    size_t index_len;
    struct pf_bundle_file *files;
    size_t nfiles;
    size_t nentries;          /* filters in the index (models and generic ones) */
    size_t nskipped;          /* models left out */
    size_t bytes;             /* of the files */
    size_t bytes_undeduped;   /* of one file per entry */
    enum pf_target targets[3];
    size_t ntargets;
};

/* Compiles text (len bytes, named name: diagnostics point into it, so it
 * must outlive out) into a bundle, with o's options (o->cpu must be
 * NULL).  out is released with pf_bundle_made_free whatever the result;
 * out->diags say why it failed.  Returns PF_OK, PF_EPOLICY, PF_ENOTARGET
 * (no targets), PF_ENOMEM, PF_EINTERNAL. */
enum pf_status pf_bundle_make(const char *name, const char *text, size_t len,
                              const struct pf_compile_opts *o, struct pf_bundle_made *out);
void pf_bundle_made_free(struct pf_bundle_made *b);

/* Writes b as the folder dir: into a new dir.tmp.XXXXXX beside it, each
 * file synced, then renamed into place.  An existing dir is replaced only
 * when it is a bundle (a folder of files with an index), as a whole (the
 * two exchanged by one rename where the file system can); anything else
 * at dir is left alone, an error.  On failure nothing is left behind.
 * Returns PF_OK, PF_ESYSTEM (errno in d->errnum), PF_EPOLICY (dir is not
 * a bundle), PF_ENOMEM. */
enum pf_status pf_bundle_write(const struct pf_bundle_made *b, const char *dir, struct pf_diags *d);

#endif
