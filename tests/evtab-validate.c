/* evtab-validate - check the generated event catalogue (src/evtab.c).
 *
 * Link with the generated evtab.c only.  Checks, for every model: events
 * sorted by (name in strcmp order, select, umask, fixed) with no duplicate
 * row, encodings in range for the vendor (Intel select <= 0xff, AMD <= 0xfff,
 * umask <= 0xff, arm64 event <= 0xffff with umask 0), fixed counters 0..31
 * only on Intel and only as the pseudo-encoding 0x00/fixed+1, at least one
 * event; and that models are sorted, unique and well formed.  One case per
 * model and one for the list of models (tests/tap.h); each problem is a
 * note (the first 50).
 */
#include <stdio.h>
#include <string.h>

#include "evtab.h"
#include "tap.h"

static int nerr;

static void bad(const struct pf_evtab_model *m, const struct pf_evtab_event *e,
                const char *what)
{
    if (++nerr <= 50)
        note("evtab-validate: %s%s%s: %s", m ? m->name : "models", e ? ": " : "", e ? pf_evtab_name(e) : "", what);
}

/* strcmp order by name, then select, umask, fixed */
static int cmp_event(const struct pf_evtab_event *a, const struct pf_evtab_event *b)
{
    int c = strcmp(pf_evtab_name(a), pf_evtab_name(b));
    if (c)
        return c;
    if (a->select != b->select)
        return a->select < b->select ? -1 : 1;
    if (a->umask != b->umask)
        return a->umask < b->umask ? -1 : 1;
    if (a->fixed != b->fixed)
        return a->fixed < b->fixed ? -1 : 1;
    return 0;
}

static void check_model(const struct pf_evtab_model *m)
{
    unsigned max_select;
    size_t i;

    if (!m->name || !m->name[0] || !m->cpuid || !m->cpuid[0]) {
        bad(m->name ? m : NULL, NULL, "model without name or cpuid");
        return;
    }
    switch (m->vendor) {
    case PF_EVTAB_INTEL: max_select = 0xff; break;
    case PF_EVTAB_AMD: max_select = 0xfff; break;
    case PF_EVTAB_ARM64: max_select = 0xffff; break;
    default: bad(m, NULL, "unknown vendor"); return;
    }
    if (m->nevents == 0 || !m->events) {
        bad(m, NULL, "no events");
        return;
    }
    for (i = 0; i < m->nevents; i++) {
        const struct pf_evtab_event *e = &m->events[i];
        if (e->name >= pf_evtab_names_size || !pf_evtab_name(e)[0]) {
            bad(m, NULL, "event without name");
            continue;
        }
        if (e->select > max_select)
            bad(m, e, "event select out of range");
        if (m->vendor == PF_EVTAB_ARM64 && e->umask != 0)
            bad(m, e, "umask on arm64");
        if (e->fixed != -1) {
            if (m->vendor != PF_EVTAB_INTEL || e->fixed < 0 || e->fixed > 31)
                bad(m, e, "bad fixed counter index");
            else if (e->select != 0 || e->umask != e->fixed + 1)
                bad(m, e, "fixed counter row without its 0x00/fixed+1 pseudo-encoding");
        }
        if (i > 0 && cmp_event(&m->events[i - 1], e) >= 0)
            bad(m, e, cmp_event(&m->events[i - 1], e) ? "not sorted" : "duplicate row");
    }
}

int main(void)
{
    size_t i, total = 0;

    for (i = 0; i < pf_evtab_nmodels; i++) {
        const struct pf_evtab_model *m = &pf_evtab_models[i];
        int before = nerr;
        check_model(m);
        total += m->nevents;
        check(nerr == before, "%s: %zu events sorted, unique, in range", m->name ? m->name : "(no name)",
              m->nevents);
    }
    int before = nerr;
    if (pf_evtab_nmodels == 0)
        bad(NULL, NULL, "no models");
    for (i = 1; i < pf_evtab_nmodels; i++) {
        const struct pf_evtab_model *m = &pf_evtab_models[i];
        if (m->name && pf_evtab_models[i - 1].name && strcmp(pf_evtab_models[i - 1].name, m->name) >= 0)
            bad(m, NULL, "models not sorted or not unique");
    }
    check(nerr == before, "%zu models, sorted and unique", pf_evtab_nmodels);
    note("evtab-validate: %zu models, %zu events, %d problem(s)", pf_evtab_nmodels, total, nerr);
    return tap_done("evtab-validate");
}
