/* qemu_import.h - a QEMU kvm-pmu-filter JSON object to policy text
 * (qemu_import.c, the driver: jansson parses, qemu_read.c reads the
 * object as QEMU would, fmt_policy.c writes the policy). */
#ifndef PMUFC_QEMU_IMPORT_H
#define PMUFC_QEMU_IMPORT_H

#include "base/diag.h"
#include "base/status.h"
#include "formats/import.h"
#include "kernel/space.h"

#include <stddef.h>

/* A QEMU kvm-pmu-filter object (text, len bytes, named name) of either
 * shape to policy text.  Malformed JSON and bad fields are errors located
 * in the JSON (FILE:LINE:COL, byte columns), what QEMU or KVM would refuse
 * or ignore is an error or a warning.  t: the target when known
 * (--target); NONE checks nothing vendor-specific.  PF_OK, or a failure
 * with the reasons in d (out is then empty).  The source quoted by d's
 * diagnostics is allocated in d's arena. */
enum pf_status pf_import_qemu(const char *name, const char *text, size_t len, enum pf_target t,
                              struct pf_diags *d, struct pf_import *out);

#endif
