/* qemu_read.h - the reader of QEMU's kvm-pmu-filter JSON object: the
 * value jansson parsed, read as QEMU would read it (qemu_read.c), into
 * the filter QEMU would hand KVM.  Its driver, qemu_import.c, parses the
 * JSON text and writes the result as policy text. */
#ifndef PMUFC_QEMU_READ_H
#define PMUFC_QEMU_READ_H

#include "base/diag.h"
#include "base/status.h"
#include "formats/json.h"
#include "kernel/space.h"

#include <stddef.h>
#include <stdint.h>

struct json_t;

struct pf_qemu_object {
    /* Set by the caller: */
    struct pf_jdoc j;    /* the text jansson parsed */
    struct pf_diags *d;
    enum pf_target t;    /* NONE: nothing vendor-specific is checked */
    /* Set by pf_qemu_read: */
    int rfc;             /* the RFC v1 shape */
    int action;          /* KVM_PMU_EVENT_ALLOW / DENY; -1 until known */
    size_t action_off;   /* where it was first given */
    uint32_t bitmap;
    int has_fixed;
    size_t fixed_off;
    size_t n;            /* entries */
    uint64_t *code;      /* [n]: as QEMU would hand them to KVM (malloc'd) */
    size_t *off;         /* [n]: the event objects (malloc'd) */
    int masked;          /* -1: no event yet */
    size_t root_off, events_off;
};

/* Reads root, the value jansson parsed from m->j's text, as the filter
 * QEMU would hand KVM: PF_OK, or PF_EPOLICY after errors in m->d
 * (warnings may be there either way), or PF_ENOMEM.  pf_qemu_read_free
 * releases code and off, whatever the result. */
enum pf_status pf_qemu_read(struct pf_qemu_object *m, const struct json_t *root);
void pf_qemu_read_free(struct pf_qemu_object *m);

#endif
