/* json.h - the --json answers of the program's modes.
 *
 * Every answer is one JSON object on standard output, its first members
 * {"schema": 1, "kind": KIND} (the schema's version and which answer it
 * is: "check", "diff", "stats", "probe", "events", "cpus", "policies"),
 * documented in pmufc(1), JSON OUTPUT.  A new member may be added within a
 * version; a member is never renamed or removed but by a new version.
 * Keys keep the order they are added in, so the output is deterministic. */
#ifndef PMUFC_CLI_JSON_H
#define PMUFC_CLI_JSON_H

#include <jansson.h>

#define PF_CLI_JSON_SCHEMA 1

/* One answer being built.  A constructor that fails (NULL) marks it bad:
 * building goes on unchecked, and pf_cli_json_end then fails once. */
struct pf_cli_json {
    json_t *root;
    int bad;
};

/* root = {"schema": 1, "kind": kind}. */
void pf_cli_json_begin(struct pf_cli_json *j, const char *kind);

/* obj[key] = v (obj: j->root or an object inside it), taking v's reference. */
void pf_cli_json_set(struct pf_cli_json *j, json_t *obj, const char *key, json_t *v);

/* Appends v to the array arr, taking v's reference. */
void pf_cli_json_append(struct pf_cli_json *j, json_t *arr, json_t *v);

/* An answer of kind that lists its items: root = {"schema", "kind", key:
 * value, items: []}; returns the (new, caller-owned: release it with
 * json_decref) array to append the items to. */
json_t *pf_cli_json_list(struct pf_cli_json *j, const char *kind, const char *key,
                         const char *value, const char *items);

/* Prints the answer (indented, a final newline) on standard output and
 * releases it.  Returns 0, EX_SOFTWARE (out of memory, said) or
 * EX_CANTCREAT. */
int pf_cli_json_end(struct pf_cli_json *j);

#endif
