/* evtab.h - pmufc's built-in PMU event catalogue (data: events/ tables).
 *
 * The definitions live in src/evtab.c, generated at build time by
 * events/tables2c.awk from the tables that tools/import-events imported
 * from Linux perf's pmu-events JSON.  Everything is const.
 *
 * Events of a model are sorted by name in strcmp() order, then by select,
 * umask and fixed, so a name can be found with bsearch() (then scan the
 * neighbours: a name has several rows when perf gives it several event
 * codes, e.g. Intel's offcore "0xB7,0xBB").  Models are sorted by name.
 *
 * A row with fixed >= 0 is an Intel fixed-counter event: it can only be
 * counted on fixed counter `fixed`, and select/umask hold its architectural
 * pseudo-encoding, event 0x00 umask fixed+1 (INST_RETIRED.ANY is 0x00/0x01
 * on fixed counter 0), never a general-purpose encoding.
 */
#ifndef PMUFC_EVTAB_H
#define PMUFC_EVTAB_H

#include <stddef.h>
#include <stdint.h>

enum pf_evtab_vendor { PF_EVTAB_INTEL, PF_EVTAB_AMD, PF_EVTAB_ARM64 };

/* Names are offsets into one string pool, not pointers: pointers would
 * need 23,000 relocations at every start of pmufc (touching every page of
 * the tables), offsets let the tables stay in read-only pages that are
 * read only when a name is looked up. */
struct pf_evtab_event {
    uint32_t name;     /* offset of the name in pf_evtab_names */
    uint16_t select;   /* x86 event select (Intel <= 0xff, AMD <= 0xfff), or arm64 event number */
    uint8_t umask;     /* x86 unit mask; 0 on arm64 */
    int8_t fixed;      /* Intel fixed counter index, or -1 */
};

struct pf_evtab_model {
    const char *name;              /* perf folder name: "skylake", "amdzen4", "neoverse-n1" */
    enum pf_evtab_vendor vendor;
    const char *cpuid;             /* mapfile regex, e.g. "GenuineIntel-6-(4E|5E|8E|9E|A5|A6)" */
    const struct pf_evtab_event *events;  /* sorted by name (strcmp order), then select, umask */
    size_t nevents;
};

extern const char pf_evtab_names[]; /* NUL-terminated names, each stored once */
extern const size_t pf_evtab_names_size;
extern const struct pf_evtab_model pf_evtab_models[];   /* sorted by name */
extern const size_t pf_evtab_nmodels;

static inline const char *pf_evtab_name(const struct pf_evtab_event *e)
{
    return pf_evtab_names + e->name;
}

#endif /* PMUFC_EVTAB_H */
