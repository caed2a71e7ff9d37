/* api.c - libpmufc's public interface (include/pmufc.h) over the pipeline.
 *
 * Only the functions declared with PMUFC_API leave the shared library;
 * everything else is built with hidden visibility. */
#define _GNU_SOURCE
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "pmufc.h"

#include "kernel/apply.h"
#include "base/arena.h"
#include "kernel/blob_x86.h"
#include "kernel/bundle.h"
#include "core/compile.h"
#include "lang/models.h"
#include "base/diag.h"
#include "base/io.h"
#include "base/status.h"
#include "kernel/space.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


struct pmufc_ctx {
    enum pmufc_target target;
    enum pmufc_abi abi;
    char *cpu;
    unsigned arm_max;
    int werror, no_warnings;
    unsigned wdisabled, wfatal; /* by kind: pmufc_set_warning */
    int force_vendor;

    /* The filter. */
    uint8_t *blob;
    size_t len;
    enum pf_target blob_target; /* NONE: no filter */

    /* The last operation: its diagnostics, and what they point into. */
    struct pf_compiled comp;
    int comp_live;
    struct pf_arena *arena;
    struct pf_diags diags;
    const struct pf_diags *last;
    char *name, *text;
    struct pf_source src;
};

const char *pmufc_version(void)
{
#ifdef PACKAGE_VERSION
    return PACKAGE_VERSION;
#else
    return "unknown";
#endif
}

/* The public targets and the library's, side by side: one table for both
 * directions. */
static const struct {
    enum pmufc_target pub;
    enum pf_target lib;
} targets[] = {
    {PMUFC_TARGET_HOST, PF_TARGET_NONE},
    {PMUFC_TARGET_INTEL, PF_TARGET_INTEL},
    {PMUFC_TARGET_AMD, PF_TARGET_AMD},
    {PMUFC_TARGET_ARM64, PF_TARGET_ARM64},
};

static enum pf_target to_pf(enum pmufc_target t)
{
    for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
        if (targets[i].pub == t)
            return targets[i].lib;
    return PF_TARGET_NONE;
}

static enum pmufc_target from_pf(enum pf_target t)
{
    for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
        if (targets[i].lib == t)
            return targets[i].pub;
    return PMUFC_TARGET_HOST;
}

/* The one place where the library's status becomes an errno of the set
 * pmufc(3) documents (as libseccomp funnels its internal codes): what went
 * wrong in detail is in the diagnostics, which the caller reads with
 * pmufc_diag_get.  PF_ESYSTEM passes on the errno of the system call that
 * failed (a file, /dev/kvm, the kernel's answer to the filter). */
static int api_rc(enum pf_status s, const struct pf_diags *d)
{
    switch (s) {
    case PF_OK:
        return 0;
    case PF_EPOLICY:
    case PF_ENOTARGET:
        return -EINVAL;
    case PF_ETOOBIG:
        return -EFBIG;
    case PF_EHOST:
        return -EOPNOTSUPP;
    case PF_ESYSTEM:
        return d->errnum > 0 ? -d->errnum : -EIO;
    case PF_EINTERNAL:
        return -ENOTRECOVERABLE;
    case PF_ENOMEM:
        break;
    }
    return -ENOMEM;
}

/* Forget the last operation's diagnostics and start new ones. */
static int begin(struct pmufc_ctx *ctx)
{
    if (ctx->comp_live)
        pf_compiled_free(&ctx->comp);
    ctx->comp_live = 0;
    pf_arena_free(ctx->arena);
    free(ctx->name);
    free(ctx->text);
    ctx->name = ctx->text = NULL;
    memset(&ctx->src, 0, sizeof(ctx->src));
    ctx->last = &ctx->diags;
    ctx->arena = pf_arena_new();
    memset(&ctx->diags, 0, sizeof(ctx->diags));
    if (!ctx->arena)
        return -ENOMEM;
    pf_diags_init(&ctx->diags, ctx->arena);
    ctx->diags.werror = ctx->werror;
    ctx->diags.no_warnings = ctx->no_warnings;
    ctx->diags.wdisabled = ctx->wdisabled;
    ctx->diags.wfatal = ctx->wfatal;
    return 0;
}

static void drop_filter(struct pmufc_ctx *ctx)
{
    free(ctx->blob);
    ctx->blob = NULL;
    ctx->len = 0;
    ctx->blob_target = PF_TARGET_NONE;
}

static int keep_filter(struct pmufc_ctx *ctx, const void *blob, size_t len, enum pf_target t)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return -ENOMEM;
    memcpy(copy, blob, len);
    drop_filter(ctx);
    ctx->blob = copy;
    ctx->len = len;
    ctx->blob_target = t;
    return 0;
}

struct pmufc_ctx *pmufc_ctx_new(void)
{
    struct pmufc_ctx *ctx = calloc(1, sizeof(*ctx));
    if (!ctx)
        return NULL;
    ctx->last = &ctx->diags;
    if (begin(ctx)) {
        free(ctx);
        return NULL;
    }
    return ctx;
}

void pmufc_ctx_free(struct pmufc_ctx **pctx)
{
    if (!pctx || !*pctx)
        return;
    struct pmufc_ctx *ctx = *pctx;
    if (ctx->comp_live)
        pf_compiled_free(&ctx->comp);
    pf_arena_free(ctx->arena);
    free(ctx->name);
    free(ctx->text);
    free(ctx->cpu);
    drop_filter(ctx);
    free(ctx);
    *pctx = NULL;
}

int pmufc_set_target(struct pmufc_ctx *ctx, enum pmufc_target target)
{
    if (!ctx || (unsigned)target > PMUFC_TARGET_ARM64)
        return -EINVAL;
    ctx->target = target;
    return 0;
}

int pmufc_set_abi(struct pmufc_ctx *ctx, enum pmufc_abi abi)
{
    if (!ctx || (unsigned)abi > PMUFC_ABI_MASKED)
        return -EINVAL;
    ctx->abi = abi;
    return 0;
}

int pmufc_set_cpu(struct pmufc_ctx *ctx, const char *model)
{
    if (!ctx)
        return -EINVAL;
    char *copy = NULL;
    if (model && !(copy = strdup(model)))
        return -ENOMEM;
    free(ctx->cpu);
    ctx->cpu = copy;
    return 0;
}

int pmufc_set_arm_max(struct pmufc_ctx *ctx, unsigned last_event)
{
    if (!ctx || (last_event != PF_ARM_EVENT_MAX && last_event != PF_ARM_V3P0_EVENT_MAX))
        return -EINVAL;
    ctx->arm_max = last_event;
    return 0;
}

int pmufc_set_force_vendor(struct pmufc_ctx *ctx, int on)
{
    if (!ctx)
        return -EINVAL;
    ctx->force_vendor = !!on;
    return 0;
}

int pmufc_set_werror(struct pmufc_ctx *ctx, int on)
{
    if (!ctx)
        return -EINVAL;
    ctx->werror = !!on;
    return 0;
}

int pmufc_set_warnings(struct pmufc_ctx *ctx, int on)
{
    if (!ctx)
        return -EINVAL;
    ctx->no_warnings = !on;
    return 0;
}

int pmufc_set_warning(struct pmufc_ctx *ctx, const char *kind, enum pmufc_warn_mode mode)
{
    enum pf_warning w = kind ? pf_warning_find(kind) : PF_W_NONE;
    if (!ctx || w == PF_W_NONE || (unsigned)mode > PMUFC_WARN_ERROR)
        return -EINVAL;
    unsigned bit = 1u << w;
    ctx->wdisabled = mode == PMUFC_WARN_OFF ? ctx->wdisabled | bit : ctx->wdisabled & ~bit;
    ctx->wfatal = mode == PMUFC_WARN_ERROR ? ctx->wfatal | bit : ctx->wfatal & ~bit;
    return 0;
}

static unsigned arm_max(const struct pmufc_ctx *ctx)
{
    return ctx->arm_max ? ctx->arm_max : PF_ARM_EVENT_MAX;
}

/* Compiles ctx->text (owned) named ctx->name. */
static int compile_text(struct pmufc_ctx *ctx)
{
    struct pf_compile_opts o;
    memset(&o, 0, sizeof(o));
    o.target = to_pf(ctx->target);
    o.cpu = ctx->cpu;
    o.abi = ctx->abi == PMUFC_ABI_PLAIN ? PF_ABI_PLAIN
            : ctx->abi == PMUFC_ABI_MASKED ? PF_ABI_MASKED
                                           : PF_ABI_AUTO;
    o.arm_max = arm_max(ctx);
    o.werror = ctx->werror;
    o.no_warnings = ctx->no_warnings;
    o.wdisabled = ctx->wdisabled;
    o.wfatal = ctx->wfatal;
    enum pf_status s = pf_compile(ctx->name, ctx->text, ctx->src.len, &o, &ctx->comp);
    if (s == PF_ENOTARGET && o.target == PF_TARGET_NONE &&
        pf_load_host_target() == PF_TARGET_ARM64) {
        /* The host's target, when the compiler cannot tell it from CPUID. */
        pf_compiled_free(&ctx->comp);
        o.target = PF_TARGET_ARM64;
        s = pf_compile(ctx->name, ctx->text, ctx->src.len, &o, &ctx->comp);
    }
    ctx->comp_live = 1;
    ctx->last = &ctx->comp.diags;
    if (s != PF_OK)
        return api_rc(s, &ctx->comp.diags);
    return keep_filter(ctx, ctx->comp.blob, ctx->comp.len, ctx->comp.target);
}

/* The start of every call that makes a new filter: its arguments checked
 * (args_ok), diagnostics cleared, the last filter dropped, the input's name
 * kept for locations. */
static int restart(struct pmufc_ctx *ctx, int args_ok, const char *name)
{
    if (!ctx || !args_ok)
        return -EINVAL;
    int rc = begin(ctx);
    drop_filter(ctx);
    if (rc)
        return rc;
    ctx->name = strdup(name);
    return ctx->name ? 0 : -ENOMEM;
}

int pmufc_compile_string(struct pmufc_ctx *ctx, const char *name, const char *text, size_t len)
{
    int rc = restart(ctx, text || !len, name ? name : "<string>");
    if (rc)
        return rc;
    ctx->text = malloc(len ? len : 1);
    if (!ctx->text)
        return -ENOMEM;
    if (len)
        memcpy(ctx->text, text, len);
    ctx->src.len = len;
    return compile_text(ctx);
}

/* The entry a bundle is read for: the context's CPU model (set_cpu:
 * "generic" or a model by any name), else this host's; its target: the
 * context's, else the model's, else the rules of this host's KVM. */
static int bundle_for(struct pmufc_ctx *ctx, enum pf_target *t, const char **model)
{
    *t = to_pf(ctx->target);
    *model = NULL;
    if (ctx->cpu && !strcmp(ctx->cpu, PF_BUNDLE_GENERIC)) {
        *model = PF_BUNDLE_GENERIC;
    } else if (ctx->cpu) {
        const struct pf_evtab_model *m = pf_model_find(ctx->cpu);
        enum pf_target mt = pf_events_model_target(m);
        if (!m) {
            pf_diag(&ctx->diags, PF_SEV_ERROR, NULL, "unknown CPU model '%.*s%s'", PF_QUOTE(ctx->cpu));
            return -EINVAL;
        }
        if (*t != PF_TARGET_NONE && *t != mt) {
            pf_diag(&ctx->diags, PF_SEV_ERROR, NULL, "CPU model %s is %s, not %s", m->name,
                    pf_target_name(mt), pf_target_name(*t));
            return -EINVAL;
        }
        *model = m->name;
        *t = mt;
    }
    if (*t == PF_TARGET_NONE)
        *t = pf_load_host_target();
    if (*t == PF_TARGET_NONE) {
        pf_diag(&ctx->diags, PF_SEV_ERROR, NULL, "this host is neither Intel, AMD nor arm64: set a target");
        return -EINVAL;
    }
    return 0;
}

/* A bundle (kernel/bundle.h): this host's filter, validated, becomes the
 * context's; the pick is said in a note.  No filter for this host:
 * -ENODEV. */
static int load_bundle(struct pmufc_ctx *ctx, const char *dir)
{
    enum pf_target t;
    const char *model;
    int rc = bundle_for(ctx, &t, &model);
    if (rc)
        return rc;
    struct pf_host_id id;
    pf_host_identity(&id);
    struct pf_bundle b;
    enum pf_status s = pf_bundle_open(dir, &b, &ctx->diags);
    if (s != PF_OK)
        return api_rc(s, &ctx->diags);
    const struct pf_bundle_entry *e = pf_bundle_pick(&b, dir, t, model, &id, &ctx->diags);
    uint8_t *blob = NULL;
    size_t len = 0;
    if (!e)
        rc = -ENODEV;
    else if ((s = pf_bundle_read(dir, e, PF_INPUT_LIMIT, &blob, &len, &ctx->diags)) != PF_OK)
        rc = api_rc(s, &ctx->diags);
    else if (asprintf(&ctx->text, "%s/%s", dir, e->file) < 0)
        ctx->text = NULL, rc = -ENOMEM;
    if (!rc) {
        t = e->t;
        struct pf_source src = {ctx->text, (const char *)blob, len};
        s = pf_validate_filter(blob, len, t, arm_max(ctx), &src, &ctx->diags);
        rc = s != PF_OK ? api_rc(s, &ctx->diags)
                        : keep_filter(ctx, blob, t == PF_TARGET_ARM64 ? len : pf_blob_size(blob, len), t);
    }
    free(blob);
    pf_bundle_free(&b);
    return rc;
}

int pmufc_compile_file(struct pmufc_ctx *ctx, const char *path)
{
    int rc = restart(ctx, path != NULL, path ? path : "");
    if (rc)
        return rc;
    if (pf_bundle_is(path))
        return load_bundle(ctx, path);
    /* "-" is a file here, not standard input as on the command line. */
    enum pf_status s = pf_read_file(strcmp(path, "-") ? path : "./-", PF_INPUT_LIMIT, &ctx->text,
                                    &ctx->src.len, &ctx->diags, NULL);
    if (s != PF_OK)
        return api_rc(s, &ctx->diags);
    return compile_text(ctx);
}

/* The target for bytes that do not say: the context's, else the host's. */
static enum pf_target bytes_target(const struct pmufc_ctx *ctx)
{
    enum pf_target t = to_pf(ctx->target);
    return t != PF_TARGET_NONE ? t : pf_load_host_target();
}

int pmufc_validate(struct pmufc_ctx *ctx, const char *name, const void *blob, size_t len)
{
    int rc = restart(ctx, blob || !len, name ? name : "<filter>");
    if (rc)
        return rc;
    ctx->src.name = ctx->name; /* the validator names, never quotes, the bytes */
    enum pf_target t = bytes_target(ctx);
    static const uint8_t none[1];
    enum pf_status s = pf_validate_filter(blob ? blob : none, len, t, arm_max(ctx), &ctx->src,
                                          &ctx->diags);
    if (s != PF_OK)
        return api_rc(s, &ctx->diags);
    /* The filter is what the kernel reads: x86 bytes after the nevents
     * entries (a warning) are not kept. */
    const uint8_t *bytes = blob ? blob : none;
    return keep_filter(ctx, bytes, t == PF_TARGET_ARM64 ? len : pf_blob_size(bytes, len), t);
}

ssize_t pmufc_get_blob(const struct pmufc_ctx *ctx, void *buf, size_t size)
{
    if (!ctx)
        return -EINVAL;
    if (ctx->blob_target == PF_TARGET_NONE)
        return -ENODATA;
    if (buf) {
        if (size < ctx->len)
            return -ENOSPC;
        memcpy(buf, ctx->blob, ctx->len);
    }
    return (ssize_t)ctx->len;
}

enum pmufc_target pmufc_get_target(const struct pmufc_ctx *ctx)
{
    return ctx ? from_pf(ctx->blob_target) : PMUFC_TARGET_HOST;
}

unsigned pmufc_diag_count(const struct pmufc_ctx *ctx)
{
    unsigned n = 0;
    if (ctx)
        for (const struct pf_diag *d = ctx->last->head; d; d = d->next)
            n++;
    return n;
}

static const struct pf_diag *nth(const struct pmufc_ctx *ctx, unsigned i)
{
    if (!ctx)
        return NULL;
    const struct pf_diag *d = ctx->last->head;
    while (d && i--)
        d = d->next;
    return d;
}

int pmufc_diag_get(const struct pmufc_ctx *ctx, unsigned i, struct pmufc_diag *out)
{
    const struct pf_diag *d = nth(ctx, i);
    if (!d || !out)
        return -ERANGE;
    memset(out, 0, sizeof(*out));
    out->severity = d->sev == PF_SEV_ERROR     ? PMUFC_ERROR
                    : d->sev == PF_SEV_WARNING ? PMUFC_WARNING
                                               : PMUFC_NOTE;
    if (d->loc.src) {
        out->file = d->loc.src->name;
        out->line = d->loc.line;
        out->column = d->loc.col;
        out->end_line = d->loc.end_line;
        out->end_column = d->loc.end_col;
    }
    out->message = d->msg;
    return 0;
}

const char *pmufc_diag_kind(const struct pmufc_ctx *ctx, unsigned i)
{
    const struct pf_diag *d = nth(ctx, i);
    return d ? pf_warning_name(d->kind) : NULL;
}

ssize_t pmufc_diag_format(const struct pmufc_ctx *ctx, unsigned i, char *buf, size_t size)
{
    const struct pf_diag *d = nth(ctx, i);
    if (!d)
        return -ERANGE;
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return -ENOMEM;
    pf_diag_print(m, d);
    if (fclose(m)) {
        free(text);
        return -ENOMEM;
    }
    if (buf && size) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(buf, text, n);
        buf[n] = 0;
    }
    free(text);
    return (ssize_t)len;
}

/* What an apply or probe works on: the bytes (given, or the context's
 * filter), their target, and this host's KVM as probed. */
struct operand {
    const uint8_t *bytes;
    size_t n;
    enum pf_target t;
    struct pf_kvm_caps host;
};

static int operand(struct pmufc_ctx *ctx, const void *blob, size_t len, struct operand *op)
{
    if (!blob) {
        if (ctx->blob_target == PF_TARGET_NONE) {
            pf_diag(&ctx->diags, PF_SEV_ERROR, NULL, "no filter: compile or validate one first");
            return -ENODATA;
        }
        op->bytes = ctx->blob;
        op->n = ctx->len;
        op->t = ctx->blob_target;
        return 0;
    }
    op->bytes = blob;
    op->n = len;
    op->t = bytes_target(ctx);
    return 0;
}

/* The start of every call that hands a filter on: a context, diagnostics
 * cleared, the bytes with their target, for the fd kind the call takes
 * (arm: a vCPU's, for arm64 filters; -1: no fd), and this host's KVM
 * checked to take them (fail closed: never a filter of the other
 * architecture, nor of the other vendor's rules unless forced). */
static int prepare(struct pmufc_ctx *ctx, const void *blob, size_t len, int arm,
                   struct operand *op)
{
    if (!ctx)
        return -EINVAL;
    int rc = begin(ctx);
    if (!rc)
        rc = operand(ctx, blob, len, op);
    if (rc)
        return rc;
    if (arm >= 0 && (op->t == PF_TARGET_ARM64) != arm) {
        pf_diag(&ctx->diags, PF_SEV_ERROR, NULL,
                arm ? "the filter is for %s: apply it to a VM fd with pmufc_apply_vm"
                    : "the filter is for %s: apply it to a vCPU fd with pmufc_apply_vcpu",
                pf_target_name(op->t));
        return -EOPNOTSUPP;
    }
    pf_kvm_probe(&op->host);
    return api_rc(pf_check_host(op->t, op->bytes, op->n, &op->host, ctx->force_vendor, &ctx->diags),
                  &ctx->diags);
}

static int apply(struct pmufc_ctx *ctx, int fd, const void *blob, size_t len, int arm)
{
    struct operand op;
    int rc = prepare(ctx, blob, len, arm, &op);
    if (rc)
        return rc;
    return api_rc(pf_apply(fd, op.bytes, op.n, op.t, arm_max(ctx), &op.host, NULL, &ctx->diags),
                  &ctx->diags);
}

int pmufc_apply_vm(struct pmufc_ctx *ctx, int vm_fd, const void *blob, size_t len)
{
    return apply(ctx, vm_fd, blob, len, 0);
}

int pmufc_apply_vcpu(struct pmufc_ctx *ctx, int vcpu_fd, const void *blob, size_t len)
{
    return apply(ctx, vcpu_fd, blob, len, 1);
}

int pmufc_probe(struct pmufc_caps *caps, size_t size)
{
    if (!caps)
        return -EINVAL;
    struct pf_kvm_caps c;
    int rc = pf_kvm_probe(&c) == PF_OK ? 0 : -c.open_errno;
    struct pmufc_caps out;
    memset(&out, 0, sizeof(out));
    out.kvm = c.kvm;
    out.api_version = c.api_version;
    out.pmu_event_filter = c.pmu_event_filter;
    out.masked_events = c.masked_events;
    out.arm_pmu_v3 = c.arm_pmu_v3;
    out.arm_pmu_filter = c.arm_pmu_filter;
    out.host = from_pf(c.host);
    out.rules = from_pf(c.rules);
    out.cpu = from_pf(c.cpu);
    out.enable_pmu = c.enable_pmu;
    memcpy(out.module, c.module, sizeof(out.module));
    memcpy(caps, &out, size < sizeof(out) ? size : sizeof(out));
    return rc;
}

int pmufc_probe_filter(struct pmufc_ctx *ctx, const void *blob, size_t len)
{
    struct operand op;
    int rc = prepare(ctx, blob, len, -1, &op);
    if (rc)
        return rc;
    return api_rc(pf_probe_filter(op.bytes, op.n, op.t, arm_max(ctx), &op.host, &ctx->diags),
                  &ctx->diags);
}
