/* input.c - what an input is, from its bytes; a filter's bytes as policy
 * text; the hints that a filter read under a guessed vendor is the other
 * vendor's.
 *
 * The order of the tests matters.  Bytes that fit a filter's layout are a
 * filter first: the layouts are strict (an x86 action is a u32 of 0 or 1,
 * an arm64 action byte 0 or 1 every 8 bytes), which text and other files
 * do not meet by chance.  Then text (kernel/blob_x86.c's pf_blob_sniff,
 * the test the loader has always used) is a policy, a QEMU object or an
 * arm64 range string.  The rest is named by its magic number where it
 * has one; text with a stray control byte is still a policy (the scanner
 * locates the byte); bytes mostly zero are a broken filter (the validator
 * says what is wrong); anything else is binary data. */
#include "formats/input.h"

#include "base/arena.h"
#include "formats/arm_string.h"
#include "formats/format.h"
#include "formats/json.h"
#include "formats/qemu_read.h"
#include "kernel/apply.h"
#include "kernel/blob_arm64.h"
#include "kernel/kvm_compat.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The header KVM takes, and the entries it copies present (bytes after
 * them are the validator's warning, not another filter). */
static int fits_x86(const uint8_t *b, size_t len, uint32_t *nevents)
{
    if (len < PF_BLOB_HEADER)
        return 0;
    uint32_t action = get32(b), n = get32(b + 4), flags = get32(b + 12);
    *nevents = n;
    return action <= 1 && !(flags & ~(uint32_t)KVM_PMU_EVENT_FLAGS_VALID_MASK) &&
           n <= PF_X86_MAX_EVENTS && len >= PF_BLOB_HEADER + 8 * (size_t)n;
}

/* Whole records, known actions, events within the largest space (the
 * validator checks the host's, --arm-pmu). */
static int fits_arm64(const uint8_t *b, size_t len)
{
    if (!len || len % PF_ARM_RECORD)
        return 0;
    for (size_t i = 0; i < len; i += PF_ARM_RECORD) {
        unsigned base = b[i] | b[i + 1] << 8, n = b[i + 2] | b[i + 3] << 8;
        if (b[i + 4] > 1 || base + n > PF_ARM_EVENT_MAX + 1u)
            return 0;
        /* Only a first record may have no events (it sets the default);
         * an x86 header's second 8 bytes, a fixed bitmap below 0x10000
         * and the flags, read as one. */
        if (i && !n)
            return 0;
    }
    return 1;
}

/* As kernel/blob_x86.c's: not text where the scanner reads tokens. */
static int control_byte(uint8_t c)
{
    return c < 0x09 || (c > 0x0d && c < 0x20) || c == 0x7f;
}

static const struct magic {
    enum pf_input_kind kind;
    size_t off, len;
    const char *bytes;
} magics[] = {
    {PF_INPUT_ELF, 0, 4, "\177ELF"},
    {PF_INPUT_GZIP, 0, 2, "\037\213"},
    {PF_INPUT_XZ, 0, 6, "\375" "7zXZ\0"},
    {PF_INPUT_ZSTD, 0, 4, "\050\265\057\375"},
    {PF_INPUT_ZIP, 0, 4, "PK\003\004"},
    {PF_INPUT_ZIP, 0, 4, "PK\005\006"},
    {PF_INPUT_TAR, 257, 5, "ustar"},
    {PF_INPUT_AR, 0, 8, "!<arch>\n"},
    {PF_INPUT_PNG, 0, 8, "\211PNG\r\n\032\n"},
    {PF_INPUT_JPEG, 0, 3, "\377\330\377"},
    {PF_INPUT_PDF, 0, 5, "%PDF-"},
    {PF_INPUT_UTF16, 0, 2, "\377\376"},
    {PF_INPUT_UTF16, 0, 2, "\376\377"},
};

static enum pf_input_kind magic_kind(const uint8_t *b, size_t len)
{
    for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
        const struct magic *m = &magics[i];
        if (len >= m->off + m->len && !memcmp(b + m->off, m->bytes, m->len))
            return m->kind;
    }
    if (len >= 4 && !memcmp(b, "BZh", 3) && b[3] >= '1' && b[3] <= '9')
        return PF_INPUT_BZIP2;
    return PF_INPUT_BINARY;
}

void pf_input_classify(const void *buf, size_t len, struct pf_input *in)
{
    const uint8_t *b = buf;
    memset(in, 0, sizeof(*in));
    in->len = len;
    in->kind = PF_INPUT_POLICY;
    if (!len)
        return; /* an empty policy */
    in->x86 = fits_x86(b, len, &in->nevents);
    in->arm64 = fits_arm64(b, len);
    if (in->x86 || in->arm64) {
        in->kind = PF_INPUT_FILTER;
        in->nrecords = len / PF_ARM_RECORD;
        return;
    }
    if (!pf_blob_sniff(b, len)) {
        in->kind = pf_json_sniff(buf, len)         ? PF_INPUT_QEMU
                   : pf_arm_string_sniff(buf, len) ? PF_INPUT_ARM_STRING
                                                   : PF_INPUT_POLICY;
        return;
    }
    in->kind = magic_kind(b, len);
    if (in->kind != PF_INPUT_BINARY)
        return;
    size_t zeros = 0, controls = 0, text = 0;
    for (size_t i = 0; i < len; i++) {
        zeros += !b[i];
        controls += control_byte(b[i]);
        text += b[i] >= 0x20 ? b[i] < 0x7f : !control_byte(b[i]);
    }
    if (text * 4 >= len * 3) {
        /* A text file with a stray NUL or escape: the scanner says where. */
        in->kind = PF_INPUT_POLICY;
        in->controls = controls;
    } else if (zeros * 4 >= len) {
        in->kind = PF_INPUT_FILTER;
        in->malformed = 1;
        in->nevents = len >= 8 ? get32(b + 4) : 0;
        in->nrecords = len / PF_ARM_RECORD;
    }
}

int pf_input_readable(const struct pf_input *in)
{
    return in->kind < PF_INPUT_FOREIGN;
}

int pf_input_is_filter(const struct pf_input *in)
{
    return in->kind == PF_INPUT_FILTER && !in->malformed;
}

int pf_input_as_filter(const struct pf_input *in)
{
    return in->kind == PF_INPUT_FILTER || (in->kind == PF_INPUT_POLICY && in->controls);
}

static const char *foreign_name(enum pf_input_kind k)
{
    switch (k) {
    case PF_INPUT_ELF: return "an ELF file (a program or a library)";
    case PF_INPUT_GZIP: return "a gzip file";
    case PF_INPUT_BZIP2: return "a bzip2 file";
    case PF_INPUT_XZ: return "an xz file";
    case PF_INPUT_ZSTD: return "a zstd file";
    case PF_INPUT_ZIP: return "a zip archive";
    case PF_INPUT_TAR: return "a tar archive";
    case PF_INPUT_AR: return "an ar archive";
    case PF_INPUT_PNG: return "a PNG image";
    case PF_INPUT_JPEG: return "a JPEG image";
    case PF_INPUT_PDF: return "a PDF document";
    case PF_INPUT_UTF16: return "UTF-16 text (pmufc reads policies in UTF-8)";
    default: return "binary data";
    }
}

const char *pf_input_describe(const struct pf_input *in, char *buf, size_t n)
{
    const char *s = NULL;
    switch (in->kind) {
    case PF_INPUT_POLICY:
        if (!in->len)
            s = "an empty input";
        else if (in->controls)
            snprintf(buf, n, "policy text with %zu control byte%s", in->controls,
                     in->controls == 1 ? "" : "s");
        else
            s = "policy text";
        break;
    case PF_INPUT_QEMU:
        s = "a QEMU kvm-pmu-filter object";
        break;
    case PF_INPUT_ARM_STRING:
        s = "an arm64 range string (kvmtool or qemu-arm)";
        break;
    case PF_INPUT_FILTER:
        if (in->x86 && in->arm64)
            snprintf(buf, n, "a filter of %zu bytes (an x86 filter of %u entr%s, or %zu arm64 "
                     "record%s)", in->len, in->nevents, in->nevents == 1 ? "y" : "ies",
                     in->nrecords, in->nrecords == 1 ? "" : "s");
        else if (in->x86)
            snprintf(buf, n, "an x86 filter of %zu bytes", in->len);
        else if (in->arm64)
            snprintf(buf, n, "an arm64 record file of %zu record%s", in->nrecords,
                     in->nrecords == 1 ? "" : "s");
        else if (in->len < PF_BLOB_HEADER && in->len % PF_ARM_RECORD)
            snprintf(buf, n, "a blob of %zu bytes, the wrong size for a filter (an x86 filter is "
                     "%u + 8 * nevents bytes, arm64 records 8 bytes each)", in->len, PF_BLOB_HEADER);
        else
            snprintf(buf, n, "a malformed filter of %zu bytes", in->len);
        break;
    default:
        s = foreign_name(in->kind);
    }
    if (s)
        snprintf(buf, n, "%s", s);
    return buf;
}

void pf_input_refuse(const struct pf_input *in, const char *name, struct pf_diags *d)
{
    char what[200], safe[80];
    size_t i = 0;
    for (; name[i] && i + 4 < sizeof(safe); i++)
        safe[i] = control_byte((uint8_t)name[i]) || name[i] == '\n' ? '?' : name[i];
    if (name[i])
        memcpy(safe + i, "...", 3), i += 3;
    safe[i] = 0;
    pf_diag(d, PF_SEV_ERROR, NULL,
            "%s: %s, not a policy or a filter (pmufc reads policy text, x86 and arm64 filters in "
            "the kernel's bytes, QEMU kvm-pmu-filter JSON, kvmtool and qemu-arm strings)",
            safe, pf_input_describe(in, what, sizeof(what)));
}

enum pf_target pf_input_filter_target(const struct pf_input *in, enum pf_target given,
                                      enum pf_target host)
{
    if (given != PF_TARGET_NONE)
        return given;
    if (in->arm64 && !in->x86)
        return PF_TARGET_ARM64;
    if (in->x86 && !in->arm64 && host == PF_TARGET_ARM64)
        return PF_TARGET_NONE;
    return host;
}

void pf_input_x86_hints(const char *name, const struct pf_x86_filter *f, enum pf_target t,
                        struct pf_diags *d)
{
    if (t == PF_TARGET_AMD && f->fixed_bitmap) {
        pf_warn(d, PF_W_VENDOR_GUESS, NULL,
                "%s: read as an AMD filter (this host's rules), but it sets fixed counters "
                "(bitmap 0x%x), which only Intel has: is it an Intel filter? give --target intel",
                name, f->fixed_bitmap);
        return;
    }
    if (t != PF_TARGET_INTEL)
        return;
    for (uint32_t i = 0; i < f->nevents; i++) {
        unsigned sel = pf_x86_entry_select(f->events[i]);
        if (sel > PF_INTEL_SELECT_MAX) {
            pf_warn(d, PF_W_VENDOR_GUESS, NULL,
                    "%s: read as an Intel filter (this host's rules), but entry %u selects 0x%03x, "
                    "above Intel's 0xff (only AMD has such selects): is it an AMD filter? give "
                    "--target amd", name, i, sel);
            return;
        }
    }
}

void pf_input_qemu_hints(const char *name, const char *text, size_t len, enum pf_target t,
                         struct pf_diags *d)
{
    if (t != PF_TARGET_INTEL && t != PF_TARGET_AMD)
        return;
    /* Read again, quietly: the importer reported what is wrong. */
    struct pf_arena *a = pf_arena_new();
    struct pf_diags quiet;
    struct pf_source src = {name, text, len};
    struct pf_qemu_object m;
    memset(&m, 0, sizeof(m));
    if (!a)
        return;
    pf_diags_init(&quiet, a);
    m.d = &quiet;
    m.t = PF_TARGET_NONE;
    json_t *root = NULL;
    if (!pf_jdoc_init(&m.j, &src)) {
        root = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
        if (root && pf_qemu_read(&m, root) == PF_OK) {
            struct pf_x86_filter f = {(uint32_t)m.action, (uint32_t)m.n, m.bitmap,
                                      m.masked > 0 ? KVM_PMU_EVENT_FLAG_MASKED_EVENTS : 0u,
                                      m.code};
            pf_input_x86_hints(name, &f, t, d);
        }
        json_decref(root);
        pf_qemu_read_free(&m);
        pf_jdoc_free(&m.j);
    }
    pf_arena_free(a);
}

enum pf_status pf_import_filter(const char *name, const void *buf, size_t len, enum pf_target t,
                                unsigned arm_max, const struct pf_evtab_model *model, int guessed,
                                struct pf_diags *d, struct pf_import *out)
{
    memset(out, 0, sizeof(*out));
    struct pf_source src = {name, buf, len};
    struct pf_x86_filter x86;
    struct pf_arm_filter arm;
    memset(&x86, 0, sizeof(x86));
    memset(&arm, 0, sizeof(arm));
    enum pf_status s = pf_decode_filter(buf, len, t, arm_max, &src, d, &x86, &arm);
    if (s != PF_OK)
        return s;
    if (guessed)
        pf_input_x86_hints(name, &x86, t, d);
    const struct pf_any_filter any = {t, &x86, &arm, arm_max};
    FILE *m = open_memstream(&out->policy, &out->len);
    s = m ? pf_format_render(m, PF_FORMAT_POLICY, &any, model, NULL, d) : PF_ENOMEM;
    if (m && fclose(m) && s == PF_OK)
        s = PF_ENOMEM;
    if (s == PF_OK && !(out->name = pf_import_name(name)))
        s = PF_ENOMEM;
    if (s != PF_OK) {
        if (s == PF_ENOMEM)
            pf_diag(d, PF_SEV_ERROR, NULL, "out of memory");
        pf_import_free(out);
    }
    pf_x86_filter_free(&x86);
    pf_arm_filter_free(&arm);
    return s;
}
