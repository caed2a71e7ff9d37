/* entry.h - one x86 filter entry, decoded for people. */
#ifndef PMUFC_ENTRY_H
#define PMUFC_ENTRY_H
#include "kernel/space.h"
#include <stdint.h>
#include <stdio.h>

struct pf_evtab_model;

/* "select=0xc4 umask=0x00" or "include select=0xd0 mask=0x7c match=0x00",
 * decoded for target t (the select width differs: Intel 8 bits, AMD 12),
 * with the event's name from model when the entry is one exact event, and
 * what KVM makes of bits it does not keep. */
void pf_entry_print(FILE *out, uint64_t e, int masked, enum pf_target t,
                    const struct pf_evtab_model *model);
#endif
