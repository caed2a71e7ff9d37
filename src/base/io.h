/* io.h - reading a whole input, and writing results without ever leaving
 * a partial file.  Failures are an error in d (its errnum the errno). */
#ifndef PMUFC_IO_H
#define PMUFC_IO_H

#include "base/diag.h"
#include "base/status.h"
#include <stddef.h>

/* Reads a whole input ("-" is standard input) of at most limit bytes into
 * a malloc'd buffer.  Returns PF_OK; PF_ESYSTEM when it cannot be opened
 * or read ("cannot open PATH: REASON", at loc when given); PF_ETOOBIG when
 * it is larger than limit; PF_ENOMEM. */
enum pf_status pf_read_file(const char *path, size_t limit, char **buf, size_t *len,
                            struct pf_diags *d, const struct pf_loc *loc);

/* Writes buf to path through a temporary file in the same folder and a
 * rename, so a failure never leaves a partial file nor damages an existing
 * one.  path "-" is standard output; devices and FIFOs are written
 * through, symlinks followed.  Returns PF_OK, PF_ESYSTEM or PF_ENOMEM. */
enum pf_status pf_write_file(const char *path, const void *buf, size_t len, struct pf_diags *d);

#endif
