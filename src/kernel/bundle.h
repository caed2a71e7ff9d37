/* bundle.h - bundles: one policy compiled for every CPU model of its
 * targets, in a folder, and the pick of this host's filter from it.
 *
 * A bundle is a folder NAME/ that holds an index (NAME/index) and the
 * filters it names, each a filter's bytes as KVM reads them; identical
 * filters of a target are stored once.  The index is text, one entry a
 * line, after a version line:
 *
 *     pmufc-bundle 1
 *     # comment lines and blank lines are skipped
 *     TARGET<TAB>MODEL<TAB>KEY<TAB>FILE
 *
 * TARGET is intel, amd or arm64; MODEL perf's name of a CPU model
 * (events/models.tsv), or "generic" for the filter made from the generic
 * names only (KEY "*"), taken by a host of the target whose model has no
 * entry; KEY says which hosts are of the model: on x86 perf's mapfile
 * regular expression (matched in full against the host's CPUID string
 * "GenuineIntel-6-8E-A", then without the stepping, as lang/events.c
 * matches a CPUID string), on arm64 one MIDR or a list "(MIDR|MIDR)";
 * FILE the filter's name in the folder, or "-" for a model the policy
 * could not be compiled for (its hosts get nothing: fail closed).
 *
 * Picking is here, in the kernel stage, and not with the writer (core/
 * bundle.c): the shim, built from base and kernel only, picks too.  It
 * never trusts the index: a malformed one is an error (PF_EPOLICY), never
 * a crash, and a FILE is a plain name inside the folder. */
#ifndef PMUFC_BUNDLE_H
#define PMUFC_BUNDLE_H

#include "base/diag.h"
#include "base/status.h"
#include "kernel/space.h"

#include <stddef.h>
#include <stdint.h>

#define PF_BUNDLE_INDEX "index"          /* the index's name in the folder */
#define PF_BUNDLE_MAGIC "pmufc-bundle 1" /* its first line */
#define PF_BUNDLE_GENERIC "generic"      /* MODEL of a target's generic filter */
#define PF_BUNDLE_SKIPPED "-"            /* FILE of a model left out */
enum {
    PF_BUNDLE_MAX_INDEX = 1 << 20, /* bytes of index read at most */
    PF_BUNDLE_MAX_ENTRIES = 4096,
    PF_BUNDLE_MAX_FIELD = 255,     /* bytes of one field */
    PF_BUNDLE_MAX_MIDRS = 16,      /* MIDRs of one arm64 KEY */
};

struct pf_bundle_entry {
    enum pf_target t;
    const char *model; /* perf's name, or PF_BUNDLE_GENERIC */
    const char *key;   /* "*" for the generic filter */
    const char *file;  /* NULL: the model was left out (FILE "-") */
    unsigned line;     /* in the index */
};

struct pf_bundle_key; /* an entry's KEY, compiled (bundle.c) */
struct pf_bundle {
    char *text; /* the index, its fields cut out in place; owned */
    struct pf_bundle_entry *e;
    struct pf_bundle_key *k; /* k[i] is e[i]'s */
    size_t n;
};

/* Parses index text (len bytes, not NUL-terminated) named name (for the
 * messages: "BUNDLE/index:LINE: ...").  Returns PF_OK (release with
 * pf_bundle_free), PF_EPOLICY for a malformed index (the first fault in
 * d), PF_ENOMEM. */
enum pf_status pf_bundle_parse(const char *name, const char *text, size_t len,
                               struct pf_bundle *b, struct pf_diags *d);
void pf_bundle_free(struct pf_bundle *b);

/* Is path a folder holding an index (a bundle, well-formed or not)? */
int pf_bundle_is(const char *path);

/* Reads and parses dir's index.  As pf_bundle_parse; PF_ESYSTEM when it
 * cannot be read (errno in d->errnum), PF_ETOOBIG past
 * PF_BUNDLE_MAX_INDEX bytes. */
enum pf_status pf_bundle_open(const char *dir, struct pf_bundle *b, struct pf_diags *d);

/* Who this host is, for the pick: on x86 its CPUID string as perf makes
 * it (vendor, family in decimal, model and stepping in hex:
 * "GenuineIntel-6-8E-A"), on arm64 its MIDR_EL1. */
struct pf_host_id {
    char cpuid[64]; /* x86; "" when not x86 (or no CPUID) */
    uint64_t midr;  /* arm64 */
    int has_midr;
};

/* This host's identity: CPUID on x86; on arm64 cpu0's MIDR_EL1 from sysfs
 * (/sys/devices/system/cpu/cpu0/regs/identification/midr_el1), else
 * /proc/cpuinfo's fields.  Returns 0, or -1 when neither can be had. */
int pf_host_identity(struct pf_host_id *id);

/* Does an arm64 KEY (one MIDR, or "(MIDR|MIDR|...)" as events/models.tsv
 * has them) match a host's MIDR_EL1, by the rule pf_bundle_pick states?
 * The event tables' host model (lang/events.c) uses it too. */
int pf_midr_key_matches(const char *key, uint64_t host);

/* "GenuineIntel-6-8E-A" or "MIDR 0x00000000413fd0c1" into buf, for messages. */
const char *pf_host_id_name(const struct pf_host_id *id, char *buf, size_t size);

/* The entry for a host: model, when not NULL, names the entry to take
 * (a model's perf name, or PF_BUNDLE_GENERIC); else the first model entry
 * of target t whose KEY matches id (x86: the CPUID string with its
 * stepping over every entry first, then without it), else t's generic
 * entry.  An x86 KEY matches when the regular expression matches the
 * CPUID string in full; an arm64 KEY when one of its MIDRs has the host's
 * implementer, architecture and part, and a variant and revision no
 * later than the host's (perf's rule: the mapfile's are the oldest that
 * match).  What was taken, and why, is said in a note ("this host's model
 * skylake ..."); a model that was left out (FILE "-") is not passed over
 * for the generic filter.  Returns the entry, or NULL with the error in d
 * (no entry and no generic one: nothing is loaded). */
const struct pf_bundle_entry *pf_bundle_pick(const struct pf_bundle *b, const char *name,
                                             enum pf_target t, const char *model,
                                             const struct pf_host_id *id, struct pf_diags *d);

/* dir/ENTRY's FILE read (a filter is at most limit bytes) into a malloc'd
 * buffer.  Returns PF_OK, PF_ESYSTEM, PF_ETOOBIG, PF_ENOMEM. */
enum pf_status pf_bundle_read(const char *dir, const struct pf_bundle_entry *e, size_t limit,
                              uint8_t **buf, size_t *len, struct pf_diags *d);

#endif
