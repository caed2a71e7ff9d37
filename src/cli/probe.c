/* probe.c - --probe (pmufc probe): what this host's KVM can do, and
 * whether it takes a filter (tried on a scratch VM). */
#include "config.h"

#include "cli/cli.h"
#include "cli/load.h"
#include "cli/util.h"
#include "kernel/probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

static const char *rules_how(enum pf_rules_how h)
{
    switch (h) {
    case PF_RULES_PROBED:
        return "probed: KVM was asked with a masked entry for select 0x100, which only AMD's "
               "rules take";
    case PF_RULES_MODULE:
        return "by the module";
    case PF_RULES_CPU:
        return "from the CPU vendor: the module is unknown and KVM could not be asked (it needs "
               "masked events, Linux 6.3+)";
    case PF_RULES_NONE:
        break;
    }
    return "unknown";
}

static void print_caps(const struct pf_kvm_caps *c, int krc)
{
    if (c->host == PF_TARGET_NONE)
        printf("host: unknown (neither Intel, AMD nor arm64): give --target\n");
    else
        printf("host: %s (filters for this host's KVM: --target %s)\n", pf_target_name(c->host),
               pf_target_name(c->host));
    if (c->cpu_vendor[0])
        printf("cpu: %s (%s)\n", c->cpu_vendor,
               c->cpu == PF_TARGET_NONE ? "unknown vendor" : pf_target_name(c->cpu));
    if (c->host != PF_TARGET_ARM64) {
        printf("kvm module: %s\n", c->module[0] ? c->module : "none found in /sys/module");
        if (c->rules != PF_TARGET_NONE)
            printf("event-select rules: %s (%s selects; %s)\n", pf_target_name(c->rules),
                   c->rules == PF_TARGET_AMD ? "12-bit" : "8-bit", rules_how(c->rules_how));
        if (c->rules != PF_TARGET_NONE && c->cpu != PF_TARGET_NONE && c->rules != c->cpu)
            printf("note: this KVM applies %s's event-select rules on %s CPU\n",
                   pf_target_name(c->rules), c->cpu == PF_TARGET_AMD ? "an amd" : "an intel");
    }
    if (c->enable_pmu == 0)
        printf("kvm.enable_pmu: N: guests of this host have no PMU at all; filters are taken, "
               "but nothing counts\n");
    else if (c->enable_pmu == 1)
        printf("kvm.enable_pmu: Y\n");
    if (krc) {
        printf("/dev/kvm: %s: no KVM here\n", strerror(-krc));
        return;
    }
    printf("KVM API version: %d\n", c->api_version);
    if (c->host == PF_TARGET_ARM64) {
        printf("KVM_CAP_ARM_PMU_V3 (126): %s\n", c->arm_pmu_v3 ? "yes" : "no");
        printf("KVM_ARM_VCPU_PMU_V3_FILTER on a vCPU (Linux 5.11+): %s\n",
               c->arm_pmu_filter ? "yes" : "no");
    } else {
        printf("KVM_CAP_PMU_EVENT_FILTER (173): %s\n", c->pmu_event_filter ? "yes" : "no");
        printf("KVM_CAP_PMU_EVENT_MASKED_EVENTS (226, Linux 6.3+): %s\n",
               c->masked_events ? "yes" : "no");
    }
}

/* --probe [FILE] */
int pf_cli_probe(const struct pf_cli *cli)
{
    struct pf_kvm_caps c;
    int krc = pf_kvm_probe(&c) == PF_OK ? 0 : -c.open_errno;
    print_caps(&c, krc);
    int support = !krc && (c.host == PF_TARGET_ARM64 ? c.arm_pmu_filter : c.pmu_event_filter);
    if (!cli->input)
        return pf_cli_flushed(support ? 0 : EX_UNAVAILABLE);
    fflush(stdout);
    struct pf_cli_loaded f;
    int rc = pf_cli_load(cli->input, &cli->opts, 0, &f);
    if (rc)
        return rc;
    printf("filter: %s: %s\n", cli->input, f.desc);
    fflush(stdout);
    if (pf_cli_check_host(&f, &cli->opts)) {
        printf("refused: the filter is not for this host's KVM\n");
        rc = EX_DATAERR;
    } else if (krc) {
        printf("not tried: no KVM here\n");
        rc = EX_UNAVAILABLE;
    } else if ((rc = pf_cli_scratch_vm(&f)) == 0) {
        printf("accepted: a scratch VM took the filter (%s returned 0)\n",
               f.t == PF_TARGET_ARM64 ? "KVM_ARM_VCPU_PMU_V3_FILTER" : "KVM_SET_PMU_EVENT_FILTER");
    } else if (rc != EX_SOFTWARE) {
        printf("refused: this kernel does not take the filter\n");
    }
    free(f.blob);
    return pf_cli_flushed(rc);
}
