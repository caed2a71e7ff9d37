/* fmt_libvirt.h - the libvirt domain XML fragment that starts a domain's
 * QEMU under pmufc's LD_PRELOAD shim with a filter file or a bundle (`pmufc
 * libvirt FILTER`, the format libvirt).
 *
 * The fragment names two files, the shim and the filter, which the
 * filter itself does not know: it is written from a struct pf_libvirt_env
 * the caller fills (cli/libvirt.c: the filter file it validated, the shim
 * `pmufc run` would preload).  In the format table (format.c), libvirt is
 * a row whose emitters refuse with the way to get the fragment: a filter
 * compiled by `pmufc --format libvirt POLICY` has no file yet. */
#ifndef PMUFC_FMT_LIBVIRT_H
#define PMUFC_FMT_LIBVIRT_H

#include "formats/format.h"

/* What the shim reads from the environment (src/shim/shim.c), as the
 * domain's <qemu:env> elements set it. */
struct pf_libvirt_env {
    const char *shim;   /* LD_PRELOAD: the shim's absolute path (no ':' nor space) */
    const char *filter; /* PMUFC_FILTER: the filter file's (or bundle's) absolute path */
    int bundle;         /* filter is a bundle (kernel/bundle.h): the shim picks from it */
    enum pf_target t;   /* PMUFC_TARGET: intel, amd or arm64; NONE (a bundle only): not
                         * written, each host picks for its own target */
    unsigned arm_max;   /* PMUFC_ARM_MAX, written for arm64 (or a bundle for any
                         * target) when not PF_ARM_EVENT_MAX */
    int force_vendor;   /* PMUFC_FORCE_VENDOR=1 */
    int werror;         /* PMUFC_WERROR=1 */
};

/* Writes the fragment: a comment (what it is, where it goes, the qemu
 * namespace the domain must declare), then <qemu:commandline> with one
 * <qemu:env> a variable, PMUFC_VERBOSE=1 among them so that the domain's
 * log records the filter being loaded and applied.  Attribute values are
 * XML-escaped.  PF_EPOLICY (the reason in d) when the shim's path cannot
 * be carried by LD_PRELOAD or a path is not absolute; PF_ESYSTEM when out
 * has an error.  d may be NULL. */
enum pf_status pf_fmt_libvirt(FILE *out, const struct pf_libvirt_env *e, struct pf_diags *d);

/* The table's emitters: always PF_EPOLICY, the reason (how to get the
 * fragment for a filter file) in the diagnostics. */
pf_emit_x86_fn pf_fmt_libvirt_x86;
pf_emit_arm_fn pf_fmt_libvirt_arm;

#endif
