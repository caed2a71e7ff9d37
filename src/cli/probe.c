/* probe.c - --probe (pmufc probe): what this host's KVM can do, and
 * whether it takes a filter (tried on a scratch VM); in text, or with --json
 * as one object of kind "probe" (pmufc(1), JSON OUTPUT). */
#include "config.h"

#include "cli/cli.h"
#include "cli/json.h"
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

static const char *rules_word(enum pf_rules_how h)
{
    static const char *const w[] = {[PF_RULES_NONE] = NULL, [PF_RULES_PROBED] = "probed",
                                    [PF_RULES_MODULE] = "module", [PF_RULES_CPU] = "cpu"};
    return (unsigned)h < sizeof(w) / sizeof(w[0]) ? w[h] : NULL;
}

static json_t *target_or_null(enum pf_target t)
{
    return t == PF_TARGET_NONE ? json_null() : json_string(pf_target_name(t));
}

/* kind "probe": every field print_caps shows, always present (null when
 * unknown or not asked: no /dev/kvm, the other architecture's). */
static void caps_json(struct pf_cli_json *j, const struct pf_kvm_caps *c, int krc)
{
    const char *how = rules_word(c->rules_how);
    json_t *r = j->root;
    int x86 = c->host != PF_TARGET_ARM64, arm = !x86 && !krc;
    pf_cli_json_set(j, r, "host", target_or_null(c->host));
    pf_cli_json_set(j, r, "cpu_vendor", c->cpu_vendor[0] ? json_string(c->cpu_vendor) : json_null());
    pf_cli_json_set(j, r, "cpu", target_or_null(c->cpu));
    pf_cli_json_set(j, r, "module", c->module[0] ? json_string(c->module) : json_null());
    pf_cli_json_set(j, r, "rules", target_or_null(c->rules));
    pf_cli_json_set(j, r, "rules_how", how ? json_string(how) : json_null());
    pf_cli_json_set(j, r, "enable_pmu", c->enable_pmu < 0 ? json_null() : json_boolean(c->enable_pmu));
    pf_cli_json_set(j, r, "kvm", json_boolean(!krc));
    pf_cli_json_set(j, r, "kvm_error", krc ? json_string(strerror(-krc)) : json_null());
    pf_cli_json_set(j, r, "api_version", krc ? json_null() : json_integer(c->api_version));
    pf_cli_json_set(j, r, "pmu_event_filter", x86 && !krc ? json_boolean(c->pmu_event_filter) : json_null());
    pf_cli_json_set(j, r, "masked_events", x86 && !krc ? json_boolean(c->masked_events) : json_null());
    pf_cli_json_set(j, r, "arm_pmu_v3", arm ? json_boolean(c->arm_pmu_v3) : json_null());
    pf_cli_json_set(j, r, "arm_pmu_filter", arm ? json_boolean(c->arm_pmu_filter) : json_null());
}

/* The FILE trial's outcome, for the text and the JSON answer. */
struct trial {
    const char *result; /* "accepted", "refused", "not tried"; NULL: failed (said) */
    const char *why;    /* the text answer's line */
    const char *reason; /* JSON: "host", "kernel", "no kvm"; NULL when accepted */
};

static int try_filter(const struct pf_cli_loaded *f, const struct pf_compile_opts *o, int krc,
                      struct trial *t)
{
    int rc;
    memset(t, 0, sizeof(*t));
    if (pf_cli_check_host(f, o)) {
        *t = (struct trial){"refused", "refused: the filter is not for this host's KVM", "host"};
        return EX_DATAERR;
    }
    if (krc) {
        *t = (struct trial){"not tried", "not tried: no KVM here", "no kvm"};
        return EX_UNAVAILABLE;
    }
    if ((rc = pf_cli_scratch_vm(f)) == 0) {
        t->result = "accepted";
        t->why = f->t == PF_TARGET_ARM64
                     ? "accepted: a scratch VM took the filter (KVM_ARM_VCPU_PMU_V3_FILTER returned 0)"
                     : "accepted: a scratch VM took the filter (KVM_SET_PMU_EVENT_FILTER returned 0)";
    } else if (rc != EX_SOFTWARE) {
        *t = (struct trial){"refused", "refused: this kernel does not take the filter", "kernel"};
    }
    return rc;
}

/* --probe [FILE] */
int pf_cli_probe(const struct pf_cli *cli)
{
    if (cli->format != PF_FORMAT_RAW)
        return pf_cli_usage_error("%s", "--format is for filters; --probe answers in text, or use --json");
    struct pf_kvm_caps c;
    int krc = pf_kvm_probe(&c) == PF_OK ? 0 : -c.open_errno;
    int support = !krc && (c.host == PF_TARGET_ARM64 ? c.arm_pmu_filter : c.pmu_event_filter);
    struct pf_cli_json j;
    if (cli->json) {
        pf_cli_json_begin(&j, "probe");
        caps_json(&j, &c, krc);
        pf_cli_json_set(&j, j.root, "supported", json_boolean(support));
    } else {
        print_caps(&c, krc);
    }
    if (!cli->input) {
        if (cli->json) {
            int jrc = pf_cli_json_end(&j);
            return pf_cli_flushed(jrc ? jrc : support ? 0 : EX_UNAVAILABLE);
        }
        return pf_cli_flushed(support ? 0 : EX_UNAVAILABLE);
    }
    fflush(stdout);
    struct pf_cli_loaded f;
    int rc = pf_cli_load(cli->input, &cli->opts, 0, &f);
    if (rc) {
        if (cli->json)
            json_decref(j.root);
        return rc;
    }
    if (!cli->json) {
        if (f.model[0])
            printf("bundle: %s\n", f.pick);
        printf("filter: %s: %s\n", f.model[0] ? f.file : cli->input, f.desc);
        fflush(stdout);
    }
    struct trial t;
    rc = try_filter(&f, &cli->opts, krc, &t);
    if (!cli->json && t.why)
        printf("%s\n", t.why);
    if (cli->json) {
        json_t *o = json_object();
        pf_cli_json_set(&j, o, "input", json_string(cli->input));
        pf_cli_json_set(&j, o, "target", json_string(pf_target_name(f.t)));
        pf_cli_json_set(&j, o, "description", json_string(f.desc));
        pf_cli_json_set(&j, o, "result", t.result ? json_string(t.result) : json_null());
        pf_cli_json_set(&j, o, "reason", t.reason ? json_string(t.reason) : json_null());
        json_t *b = json_null();
        if (f.model[0]) {
            b = json_object();
            pf_cli_json_set(&j, b, "model", json_string(f.model));
            pf_cli_json_set(&j, b, "file", json_string(f.file));
            pf_cli_json_set(&j, b, "pick", json_string(f.pick));
        }
        pf_cli_json_set(&j, o, "bundle", b);
        pf_cli_json_set(&j, j.root, "filter", o);
        int jrc = pf_cli_json_end(&j);
        rc = rc ? rc : jrc;
    }
    free(f.blob);
    return pf_cli_flushed(rc);
}
