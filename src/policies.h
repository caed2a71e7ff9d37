/* policies.h - the shipped policies, as installed. */
#ifndef PMUFC_POLICIES_H
#define PMUFC_POLICIES_H

#include <stdio.h>

/* Lists the *.pf files of dir, sorted, each with the first line of its
 * header comment and the compiled filters beside it.  Returns 0, or -1
 * with a message on stderr when dir cannot be read. */
int pf_list_policies(FILE *out, const char *dir);

#endif
