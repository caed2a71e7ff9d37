/* fmt_policy.h - policy text with notes, for the QEMU importer
 * (qemu_import.c), which points each rule back into the JSON it came
 * from.  The plain --format policy is in the table (format.h). */
#ifndef PMUFC_FMT_POLICY_H
#define PMUFC_FMT_POLICY_H

#include "formats/format.h"

/* Where the filter came from, for the comments of the policy text.  All
 * optional. */
struct pf_policy_notes {
    const char *title;             /* first comment line */
    const char *fixed;             /* after the fixed rule */
    const char *const *entry;      /* [f->nevents]: after each entry's rule */
    int no_target;                 /* do not write a `target` statement */
};

/* Policy text deciding exactly as f on target t, with notes n (NULL: none).
 * PF_ENOMEM, PF_ESYSTEM (out has an error) or PF_OK. */
enum pf_status pf_fmt_policy_x86_notes(FILE *out, const struct pf_x86_filter *f, enum pf_target t,
                                       const struct pf_evtab_model *model,
                                       const struct pf_policy_notes *n);

#endif
