/* verify.h - the emitted filter against the IR, over the whole event space. */
#ifndef PMUFC_VERIFY_H
#define PMUFC_VERIFY_H

#include "base/diag.h"
#include "base/status.h"
#include "core/ir.h"

#include <stddef.h>
#include <stdint.h>

/* Decides every event of ir's target from the blob's bytes with the
 * independent evaluator (eval.c) and compares.  Any disagreement, or a
 * blob the kernel would refuse, is reported as an internal error.
 * *checked gets the number of decisions compared.  Returns PF_OK when the
 * filter decides exactly as the IR, else PF_EINTERNAL. */
enum pf_status pf_verify_x86(const struct pf_ir *ir, const uint8_t *blob, size_t len,
                             struct pf_diags *d, size_t *checked);

/* The same for arm64 records: every filterable event number of the IR's
 * space (SW_INCR and CHAIN are never filtered, whatever the policy says). */
enum pf_status pf_verify_arm(const struct pf_ir *ir, const uint8_t *blob, size_t len,
                             struct pf_diags *d, size_t *checked);

#endif
