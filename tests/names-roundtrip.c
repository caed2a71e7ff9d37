/* names-roundtrip.c - every event name of every model resolves to its
 * table encodings, and every encoding's name resolves back to it
 * (name -> code -> name), through the same calls the compiler uses.  One
 * case per model (tests/tap.h); each name that fails is a note. */
#include "lang/events.h"

#include <stdio.h>
#include <string.h>

#include "tap.h"

static int has(const struct pf_enc *e, size_t n, const struct pf_evtab_event *row)
{
    for (size_t i = 0; i < n; i++)
        if (row->fixed >= 0 ? e[i].fixed == row->fixed
                            : (e[i].fixed < 0 && e[i].select == row->select && e[i].umask == row->umask))
            return 1;
    return 0;
}

int main(void)
{
    size_t checked = 0, bad = 0;
    for (size_t m = 0; m < pf_evtab_nmodels; m++) {
        const struct pf_evtab_model *model = &pf_evtab_models[m];
        enum pf_target t = pf_events_model_target(model);
        size_t bad0 = bad;
        if (pf_events_model(model->name) != model) {
            note("FAIL %s: model not found by name", model->name);
            bad++;
        }
        for (size_t i = 0; i < model->nevents; i++) {
            const struct pf_evtab_event *row = &model->events[i];
            struct pf_enc enc[32];
            size_t n;
            checked++;
            if (pf_events_lookup(model, t, pf_evtab_name(row), enc, 32, &n) || !has(enc, n < 32 ? n : 32, row)) {
                note("FAIL %s: %s does not resolve to its encoding", model->name, pf_evtab_name(row));
                bad++;
                continue;
            }
            const char *back = pf_events_name(model, row->fixed >= 0 ? -1 : row->select,
                                              row->fixed >= 0 ? (unsigned)row->fixed : row->umask);
            if (!back || pf_events_lookup(model, t, back, enc, 32, &n) || !has(enc, n < 32 ? n : 32, row)) {
                note("FAIL %s: %s -> %s does not come back", model->name, pf_evtab_name(row), back ? back : "(none)");
                bad++;
            }
        }
        check(bad == bad0, "%s: found by name; its %zu names resolve to their encodings and come back", model->name,
              model->nevents);
    }
    note("names-roundtrip: %zu models, %zu names, %zu failed", pf_evtab_nmodels, checked, bad);
    return tap_done("names-roundtrip");
}
