/* json.c - the --json answers: one object each, the schema's envelope. */
#include "cli/json.h"

#include "cli/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

void pf_cli_json_begin(struct pf_cli_json *j, const char *kind)
{
    j->bad = 0;
    j->root = json_object();
    if (!j->root) {
        j->bad = 1;
        return;
    }
    pf_cli_json_set(j, j->root, "schema", json_integer(PF_CLI_JSON_SCHEMA));
    pf_cli_json_set(j, j->root, "kind", json_string(kind));
}

void pf_cli_json_set(struct pf_cli_json *j, json_t *obj, const char *key, json_t *v)
{
    if (!obj || !v || json_object_set_new(obj, key, v))
        j->bad = 1;
}

void pf_cli_json_append(struct pf_cli_json *j, json_t *arr, json_t *v)
{
    if (!arr || !v || json_array_append_new(arr, v))
        j->bad = 1;
}

json_t *pf_cli_json_list(struct pf_cli_json *j, const char *kind, const char *key,
                         const char *value, const char *items)
{
    pf_cli_json_begin(j, kind);
    pf_cli_json_set(j, j->root, key, json_string(value));
    json_t *arr = json_array();
    pf_cli_json_set(j, j->root, items, json_incref(arr));
    return arr;
}

int pf_cli_json_end(struct pf_cli_json *j)
{
    char *s = j->bad ? NULL : json_dumps(j->root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(j->root);
    j->root = NULL;
    if (!s)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    int rc = fputs(s, stdout) < 0 || putchar('\n') == EOF ? EX_CANTCREAT : 0;
    free(s);
    return rc;
}
