/* output.h - writing results without ever leaving a partial file. */
#ifndef PMUFC_OUTPUT_H
#define PMUFC_OUTPUT_H

#include <stddef.h>

/* Writes buf to path through a temporary file in the same folder and a
 * rename, so a failure never leaves a partial file nor damages an existing
 * one.  path "-" is standard output; devices and FIFOs are written
 * through, symlinks followed.  Returns 0, or -1 with a message in
 * err. */
int pf_write_atomic(const char *path, const void *buf, size_t len, char *err, size_t errlen);

/* Reads a whole input ("-" is standard input) of at most limit bytes into
 * a malloc'd buffer.  Returns 0; -1 when it cannot be opened or read
 * (message in err); -2 when it is larger than limit; -3 when memory runs
 * out. */
int pf_read_input(const char *path, size_t limit, char **buf, size_t *len, char *err, size_t errlen);

#endif
