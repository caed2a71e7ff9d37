/* fmt_libvirt.c - the libvirt domain XML fragment for a filter file
 * (`pmufc libvirt FILTER`; fmt_libvirt.h).
 *
 * libvirt starts QEMU with an environment of its own making; the only
 * way a domain's XML adds to it is libvirt's QEMU namespace
 * (http://libvirt.org/schemas/domain/qemu/1.0, "QEMU command-line
 * passthrough" in libvirt's drvqemu documentation):
 *   <qemu:commandline><qemu:env name='NAME' value='VALUE'/></qemu:commandline>
 * as a child of <domain>, which declares the prefix.  libvirt keeps it
 * only when the prefix is declared: without it `virsh define` drops the
 * elements without a word (libvirt 9; `virsh define --validate` refuses
 * the domain), and the fragment's comment says so.  libvirt marks every
 * domain that uses the passthrough as tainted ("custom-argv") in its log.
 *
 * The shim cannot stop a VM when it is not loaded at all: the dynamic
 * linker ignores an LD_PRELOAD entry it cannot open (it says so on
 * standard error, which libvirt puts in the domain's log) and QEMU runs
 * unfiltered.  Hence PMUFC_VERBOSE=1 in every fragment: the domain's log
 * then holds the shim's own line for each VM it filtered, and its absence
 * is visible. */
#include "formats/fmt_libvirt.h"

#include <string.h>

#define QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"

/* Can s be an XML attribute value?  XML 1.0 has no way to say the control
 * characters other than tab, newline and carriage return. */
static int xml_sayable(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
            return 0;
    return 1;
}

/* s as the value of an attribute in single quotes: the markup characters
 * as entities, and whitespace other than ' ' as character references (a
 * parser turns a raw tab or newline in an attribute into a space). */
static void xml_attr(FILE *out, const char *s)
{
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '\'': fputs("&apos;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\t': fputs("&#9;", out); break;
        case '\n': fputs("&#10;", out); break;
        case '\r': fputs("&#13;", out); break;
        default: fputc(*p, out);
        }
    }
}

static void env(FILE *out, const char *name, const char *value)
{
    fprintf(out, "  <qemu:env name='%s' value='", name);
    xml_attr(out, value);
    fputs("'/>\n", out);
}

enum pf_status pf_fmt_libvirt(FILE *out, const struct pf_libvirt_env *e, struct pf_diags *d)
{
    const char *why = NULL;
    if (!e->shim || e->shim[0] != '/' || !e->filter || e->filter[0] != '/')
        why = "the shim's and the filter's paths must be absolute (QEMU's working folder is not "
              "the caller's)";
    /* ld.so splits LD_PRELOAD at both. */
    else if (strchr(e->shim, ':') || strchr(e->shim, ' '))
        why = "the shim's path has a ':' or a space, which LD_PRELOAD cannot carry";
    else if (!xml_sayable(e->shim) || !xml_sayable(e->filter))
        why = "a path has a control character, which XML cannot carry";
    else if (e->t == PF_TARGET_NONE && !e->bundle)
        why = "a filter's target must be said (PMUFC_TARGET)";
    if (why) {
        if (d)
            pf_diag(d, PF_SEV_ERROR, NULL, "libvirt: %s", why);
        return PF_EPOLICY;
    }
    /* The comment holds no path: "--" may not appear in an XML comment. */
    char what[96];
    if (!e->bundle)
        snprintf(what, sizeof(what), "the PMU event filter PMUFC_FILTER (%s)", pf_target_name(e->t));
    else if (e->t == PF_TARGET_NONE)
        snprintf(what, sizeof(what), "this host's filter from the bundle PMUFC_FILTER");
    else
        snprintf(what, sizeof(what), "this host's %s filter from the bundle PMUFC_FILTER",
                 pf_target_name(e->t));
    fprintf(out,
            "<!-- pmufc %s: this domain's QEMU under pmufc's shim, which applies\n"
            "       %s\n"
            "     to each VM it makes, or stops QEMU.  A child of <domain> (virsh edit\n"
            "     DOMAIN), which must declare libvirt's qemu namespace, or libvirt drops\n"
            "     this element without a word:\n"
            "       <domain type='kvm' xmlns:qemu='" QEMU_NS "'>\n"
            "     QEMU's user (qemu.conf's user; libvirt-qemu on Debian) must be able to\n"
            "     read the shim and PMUFC_FILTER, and where AppArmor confines QEMU, its\n"
            "     profile must let it (pmufc(1), LIBVIRT). -->\n"
            "<qemu:commandline>\n",
            PF_FORMAT_VERSION, what);
    env(out, "LD_PRELOAD", e->shim);
    env(out, "PMUFC_FILTER", e->filter);
    if (e->t != PF_TARGET_NONE)
        env(out, "PMUFC_TARGET", pf_target_name(e->t));
    if ((e->t == PF_TARGET_ARM64 || (e->bundle && e->t == PF_TARGET_NONE)) &&
        e->arm_max != PF_ARM_EVENT_MAX) {
        char max[16];
        snprintf(max, sizeof(max), "0x%x", e->arm_max);
        env(out, "PMUFC_ARM_MAX", max);
    }
    if (e->force_vendor)
        env(out, "PMUFC_FORCE_VENDOR", "1");
    if (e->werror)
        env(out, "PMUFC_WERROR", "1");
    env(out, "PMUFC_VERBOSE", "1");
    fputs("</qemu:commandline>\n", out);
    return pf_emit_done(out);
}

/* --format libvirt on a policy or a filter's bytes: the fragment names a
 * file, and what is compiled or decoded here is in memory. */
static enum pf_status no_file(const struct pf_emit_ctx *c)
{
    if (c->d)
        pf_diag(c->d, PF_SEV_ERROR, NULL, "--format libvirt: the fragment names the filter's file, "
                "which this filter does not have: write it with -o FILE.bin, then "
                "'pmufc libvirt FILE.bin' prints the fragment");
    return PF_EPOLICY;
}

enum pf_status pf_fmt_libvirt_x86(FILE *out, const struct pf_x86_filter *f, enum pf_target t,
                                  const struct pf_emit_ctx *c)
{
    (void)out, (void)f, (void)t;
    return no_file(c);
}

enum pf_status pf_fmt_libvirt_arm(FILE *out, const struct pf_arm_filter *f, unsigned arm_max,
                                  const struct pf_emit_ctx *c)
{
    (void)out, (void)f, (void)arm_max;
    return no_file(c);
}
