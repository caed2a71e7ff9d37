/* blob_arm.c - layout and validation of arm64 filter records, following
 * kvm_arm_pmu_v3_set_attr() in arch/arm64/kvm/pmu-emul.c.  Ranges are
 * checked against the host's event space (arm_max: --arm-pmu), as the
 * kernel does, whatever PMU version the guest is given: in 6.12,
 * __kvm_pmu_event_mask(kvm_arm_pmu_get_pmuver_limit()), the sanitised
 * PMUVer capped at PMUv3p5; in 6.1 the VM's PMU instance's.  The guest's
 * version only changes which events a guest can reach (eval_arm.c). */
#include "kernel/blob_arm64.h"

#include <stdlib.h>
#include <string.h>

void pf_arm_filter_free(struct pf_arm_filter *f)
{
    free(f->rec);
    f->rec = NULL;
    f->n = 0;
}

enum pf_status pf_arm_encode(const struct pf_arm_filter *f, uint8_t **buf, size_t *len)
{
    size_t n = f->n * PF_ARM_RECORD;
    uint8_t *b = calloc(1, n ? n : 1);
    if (!b)
        return PF_ENOMEM;
    for (size_t i = 0; i < f->n; i++) {
        uint8_t *p = b + i * PF_ARM_RECORD;
        p[0] = (uint8_t)f->rec[i].base;
        p[1] = (uint8_t)(f->rec[i].base >> 8);
        p[2] = (uint8_t)f->rec[i].nevents;
        p[3] = (uint8_t)(f->rec[i].nevents >> 8);
        p[4] = f->rec[i].action;
    }
    *buf = b;
    *len = n;
    return PF_OK;
}

enum pf_status pf_arm_decode(const uint8_t *buf, size_t len, unsigned arm_max,
                             const struct pf_source *src, struct pf_diags *d,
                             struct pf_arm_filter *out)
{
    const char *name = src ? src->name : "filter";
    memset(out, 0, sizeof(*out));
    if (len % PF_ARM_RECORD) {
        pf_diag(d, PF_SEV_ERROR, NULL, "%s: %zu bytes is not a whole number of %u-byte arm64 records",
                name, len, PF_ARM_RECORD);
        return PF_EPOLICY;
    }
    out->n = len / PF_ARM_RECORD;
    out->rec = malloc(out->n ? out->n * sizeof(*out->rec) : 1);
    if (!out->rec) {
        pf_diag(d, PF_SEV_ERROR, NULL, "out of memory");
        return PF_ENOMEM;
    }
    int bad = 0, padwarn = 0;
    for (size_t i = 0; i < out->n; i++) {
        const uint8_t *p = buf + i * PF_ARM_RECORD;
        struct pf_arm_record *r = &out->rec[i];
        r->base = (uint16_t)(p[0] | p[1] << 8);
        r->nevents = (uint16_t)(p[2] | p[3] << 8);
        r->action = p[4];
        if (r->action > 1) {
            pf_diag(d, PF_SEV_ERROR, NULL,
                    "%s: record %zu: action %u is neither ALLOW (0) nor DENY (1): KVM refuses it (EINVAL)",
                    name, i, r->action);
            bad++;
        }
        if ((uint32_t)r->base + r->nevents > (uint32_t)arm_max + 1) {
            pf_diag(d, PF_SEV_ERROR, NULL,
                    "%s: record %zu: events 0x%x+%u reach past the host PMU's last event 0x%x: KVM refuses it (EINVAL)",
                    name, i, r->base, r->nevents, arm_max);
            bad++;
        }
        if ((p[5] | p[6] | p[7]) && !padwarn++)
            pf_warn(d, PF_W_IGNORED_BITS, NULL, "%s: record %zu: pad bytes are not zero (KVM ignores them)",
                    name, i);
    }
    if (bad) {
        pf_arm_filter_free(out);
        return PF_EPOLICY;
    }
    return PF_OK;
}
