/* main.c - the pmufc command line.  Everything it does is in libpmufc;
 * this file parses options, reads inputs, prints diagnostics and maps
 * results to sysexits codes. */
#include "config.h"

#include "kernel/apply.h"
#include "base/arena.h"
#include "kernel/blob_x86.h"
#include "kernel/blob_arm64.h"
#include "cli/load.h"
#include "cli/util.h"
#include "core/compile.h"
#include "formats/emit.h"
#include "core/explain.h"
#include "kernel/host.h"
#include "formats/interop.h"
#include "base/io.h"
#include "lang/policies.h"
#include "kernel/space.h"
#include "core/stats.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

/* Inputs larger than this are refused (documented in pmufc(1)). */
#define INPUT_LIMIT ((size_t)64 << 20)

enum mode {
    MODE_COMPILE, MODE_DISASSEMBLE, MODE_CHECK, MODE_STATS, MODE_LIST_EVENTS, MODE_LIST_CPUS,
    MODE_LIST_POLICIES,
    MODE_RUN, MODE_APPLY, MODE_PROBE,
};

enum { MAX_INCLUDE_DIRS = 32 };

struct cli {
    enum mode mode;
    const char *include_dirs[MAX_INCLUDE_DIRS + 2];
    int ninclude;
    enum pf_format format;
    const char *output, *input, *event, *id;
    struct pf_compile_opts opts;
    int verbose;
    const char *pid, *vm_fd; /* --apply */
    int run_argc;            /* run: FILE VMM ARGS... */
    char **run_argv;
};

static void usage(FILE *out)
{
    fputs("Usage: pmufc [OPTION]... POLICY -o OUT   compile a policy into a KVM filter\n"
          "       pmufc -d [OPTION]... BLOB         print a filter as text\n"
          "       pmufc --check EVENT FILE          does EVENT count under a policy or filter?\n",
          out);
    pf_cli_load_usage(out);
    fputs("\n"
          "  -o, --output=FILE      write the filter to FILE ('-': standard output)\n"
          "  -f, --format=FORMAT    raw (the kernel's bytes; default), text, c, json, policy;\n"
          "                         x86: qemu (QEMU's kvm-pmu-filter JSON), qemu-rfc (its\n"
          "                         RFC v1 shape); arm64: kvmtool, qemu-arm\n"
          "      --id=ID            the QEMU object's id (default f0) or the C variable's name\n"
          "  -t, --target=TARGET    intel, amd or arm64 (default: the policy's 'target', else the\n"
          "                         CPU model's vendor, else this host)\n"
          "  -c, --cpu=MODEL        CPU model for event names: a name from --list-cpus\n"
          "                         (skylake, amdzen4) or a CPUID string (GenuineIntel-6-8E);\n"
          "                         'generic' for the generic names only (default: the\n"
          "                         policy's 'cpu', else this host's model)\n"
          "      --abi=ABI          auto (default: plain entries when they fit), plain or masked\n"
          "      --arm-pmu=VERSION  arm64 event space: v3p1 (16-bit, default) or v3p0 (10-bit)\n"
          "  -d, --disassemble      FILE is a filter: print it decoded\n"
          "      --check=EVENT      print allow or deny for EVENT, and why; EVENT is\n"
          "                         select=0xc4,umask=0x01, raw=0x1c4, fixed=0 or arm=0x11\n"
          "      --stats            what the policy decides and what its filter costs, per\n"
          "                         target (--target, else intel and amd), with the lower\n"
          "                         bound on its size\n"
          "      --list-events      list the event names of the CPU model (--cpu)\n"
          "      --list-cpus        list the CPU models pmufc knows\n"
          "      --list-policies    list the shipped policies in " PMUFC_POLICYDIR "\n"
          "                         (run from a build tree: that tree's policies/)\n"
          "  -I, --include-dir=DIR  look for included files in DIR too (after the including\n"
          "                         file's folder; before " PMUFC_POLICYDIR ")\n"
          "      --apply            apply the filter to a VM: --pid PID, --vm-fd N\n"
          "      --pid=PID          the running VMM to apply to (found by its\n"
          "                         anon_inode:kvm-vm fd; ptrace injects the ioctl)\n"
          "      --vm-fd=N          the VM fd: in PID, or inherited without --pid\n"
          "      --probe            show this host's KVM filter support\n"
          "      --force-vendor     load an x86 filter made for the other vendor's rules than\n"
          "                         this host's KVM applies (run, --apply, --probe)\n"
          "  -W, --werror           treat warnings as errors\n"
          "  -w, --no-warnings      do not print warnings\n"
          "  -v, --verbose          say what was emitted and verified\n"
          "  -h, --help             show this help and exit\n"
          "  -V, --version          show the version and exit\n"
          "\n"
          "Exit status: 0 ok, 64 usage, 65 bad policy or filter, 66 cannot open input,\n"
          "70 internal error, 73 cannot write output.\n"
          "The policy language is described in pmufc.policy(5).\n",
          out);
}

static int parse_target(const char *s, enum pf_target *t)
{
    if (!strcmp(s, "intel"))
        *t = PF_TARGET_INTEL;
    else if (!strcmp(s, "amd"))
        *t = PF_TARGET_AMD;
    else if (!strcmp(s, "arm64"))
        *t = PF_TARGET_ARM64;
    else
        return -1;
    return 0;
}

static int parse_args(int argc, char **argv, struct cli *cli)
{
    enum {
        OPT_ABI = 256, OPT_CHECK, OPT_STATS, OPT_LIST_EVENTS, OPT_LIST_CPUS, OPT_LIST_POLICIES,
        OPT_ARM_PMU, OPT_ID, OPT_APPLY, OPT_PID, OPT_VM_FD, OPT_PROBE, OPT_FORCE_VENDOR,
    };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},  {"format", required_argument, NULL, 'f'},
        {"target", required_argument, NULL, 't'},  {"abi", required_argument, NULL, OPT_ABI},
        {"disassemble", no_argument, NULL, 'd'},   {"check", required_argument, NULL, OPT_CHECK},
        {"werror", no_argument, NULL, 'W'},        {"no-warnings", no_argument, NULL, 'w'},
        {"cpu", required_argument, NULL, 'c'},     {"list-events", no_argument, NULL, OPT_LIST_EVENTS},
        {"list-cpus", no_argument, NULL, OPT_LIST_CPUS},
        {"list-policies", no_argument, NULL, OPT_LIST_POLICIES},
        {"arm-pmu", required_argument, NULL, OPT_ARM_PMU}, {"id", required_argument, NULL, OPT_ID},
        {"stats", no_argument, NULL, OPT_STATS},
        {"include-dir", required_argument, NULL, 'I'},
        {"verbose", no_argument, NULL, 'v'},       {"help", no_argument, NULL, 'h'},
        {"apply", no_argument, NULL, OPT_APPLY},   {"pid", required_argument, NULL, OPT_PID},
        {"vm-fd", required_argument, NULL, OPT_VM_FD}, {"probe", no_argument, NULL, OPT_PROBE},
        {"force-vendor", no_argument, NULL, OPT_FORCE_VENDOR},
        {"version", no_argument, NULL, 'V'},       {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "o:f:t:c:I:dWwvhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            cli->output = optarg;
            break;
        case 'f':
            if (pf_format_parse(optarg, &cli->format))
                return pf_cli_usage_error("unknown format '%s' (%s)", optarg, pf_format_list());
            break;
        case OPT_ID:
            if (!pf_qemu_id_valid(optarg))
                return pf_cli_usage_error("bad --id '%s': a letter, then letters, digits, '-', '.' or '_'", optarg);
            cli->id = optarg;
            break;
        case 't':
            if (parse_target(optarg, &cli->opts.target))
                return pf_cli_usage_error("unknown target '%s' (intel, amd or arm64)", optarg);
            break;
        case OPT_ABI:
            if (!strcmp(optarg, "auto"))
                cli->opts.abi = PF_ABI_AUTO;
            else if (!strcmp(optarg, "plain"))
                cli->opts.abi = PF_ABI_PLAIN;
            else if (!strcmp(optarg, "masked"))
                cli->opts.abi = PF_ABI_MASKED;
            else
                return pf_cli_usage_error("unknown ABI '%s' (auto, plain or masked)", optarg);
            break;
        case 'c':
            cli->opts.cpu = optarg;
            break;
        case 'I':
            if (cli->ninclude == MAX_INCLUDE_DIRS)
                return pf_cli_usage_error("more than %d include folders", MAX_INCLUDE_DIRS);
            cli->include_dirs[cli->ninclude++] = optarg;
            break;
        case OPT_ARM_PMU:
            if (!strcmp(optarg, "v3p0"))
                cli->opts.arm_max = PF_ARM_V3P0_EVENT_MAX;
            else if (!strcmp(optarg, "v3p1"))
                cli->opts.arm_max = PF_ARM_EVENT_MAX;
            else
                return pf_cli_usage_error("unknown arm PMU '%s' (v3p0: 10-bit events; v3p1: 16-bit)", optarg);
            break;
        case OPT_LIST_EVENTS:
        case OPT_LIST_CPUS:
        case OPT_LIST_POLICIES:
            if (cli->mode != MODE_COMPILE)
                return pf_cli_usage_error("%s", "choose one of -d, --check, --stats, --list-events and --list-cpus");
            cli->mode = c == OPT_LIST_EVENTS ? MODE_LIST_EVENTS
                        : c == OPT_LIST_CPUS ? MODE_LIST_CPUS
                                             : MODE_LIST_POLICIES;
            break;
        case 'd':
        case OPT_CHECK:
        case OPT_STATS:
            if (cli->mode != MODE_COMPILE)
                return pf_cli_usage_error("%s", "choose one of -d, --check, --stats, --list-events and --list-cpus");
            cli->mode = c == 'd' ? MODE_DISASSEMBLE : c == OPT_STATS ? MODE_STATS : MODE_CHECK;
            cli->event = c == OPT_CHECK ? optarg : NULL;
            break;
        case 'W':
            cli->opts.werror = 1;
            break;
        case 'w':
            cli->opts.no_warnings = 1;
            break;
        case 'v':
            cli->verbose = 1;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        case OPT_APPLY:
            cli->mode = MODE_APPLY;
            break;
        case OPT_PID:
            cli->pid = optarg;
            break;
        case OPT_VM_FD:
            cli->vm_fd = optarg;
            break;
        case OPT_PROBE:
            cli->mode = MODE_PROBE;
            break;
        case OPT_FORCE_VENDOR:
            cli->opts.force_vendor = 1;
            break;
        case 'V':
            printf("pmufc %s\n", PACKAGE_VERSION);
            exit(0);
        default:
            fputs("Try 'pmufc --help' for more information.\n", stderr);
            return EX_USAGE;
        }
    }
    /* The installed policies come last. */
    cli->include_dirs[cli->ninclude] = PMUFC_POLICYDIR;
    cli->include_dirs[cli->ninclude + 1] = NULL;
    cli->opts.include_dirs = cli->include_dirs;
    if ((cli->pid || cli->vm_fd) && cli->mode != MODE_APPLY)
        return pf_cli_usage_error("%s", "--pid and --vm-fd go with --apply");
    if (cli->mode == MODE_COMPILE && optind < argc && !strcmp(argv[optind], "run")) {
        cli->mode = MODE_RUN;
        cli->run_argc = argc - optind - 1;
        cli->run_argv = argv + optind + 1;
        return 0;
    }
    if (cli->mode == MODE_PROBE && optind == argc)
        return 0;
    if (cli->mode == MODE_LIST_EVENTS || cli->mode == MODE_LIST_CPUS ||
        cli->mode == MODE_LIST_POLICIES) {
        if (optind < argc)
            return pf_cli_usage_error("--list-events and --list-cpus take no file ('%s')", argv[optind]);
        return 0;
    }
    if (optind == argc)
        return pf_cli_usage_error("%s", cli->mode == MODE_COMPILE ? "no policy given" : "no input file given");
    if (optind + 1 < argc)
        return pf_cli_usage_error("too many inputs (from '%s' on): give one file", argv[optind + 1]);
    cli->input = argv[optind];
    return 0;
}

static int read_input(const char *path, char **buf, size_t *len)
{
    char err[512];
    int rc = pf_read_input(path, INPUT_LIMIT, buf, len, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "pmufc: %s\n", err);
        return rc == -2 ? EX_DATAERR : rc == -3 ? EX_SOFTWARE : EX_NOINPUT;
    }
    return 0;
}

static int write_output(const struct cli *cli, const char *buf, size_t len, int binary)
{
    const char *path = cli->output ? cli->output : "-";
    if (binary && !strcmp(path, "-") && isatty(STDOUT_FILENO)) {
        fputs("pmufc: refusing to write a binary filter to a terminal; use -o FILE or --format text\n",
              stderr);
        return EX_USAGE;
    }
    char err[512];
    if (pf_write_atomic(path, buf, len, err, sizeof(err))) {
        fprintf(stderr, "pmufc: %s\n", err);
        return EX_CANTCREAT;
    }
    return 0;
}

/* A filter of either architecture, as decoded or compiled. */
struct filter {
    enum pf_target t;
    unsigned arm_max;
    const struct pf_x86_filter *x86;
    const struct pf_arm_filter *arm;
    const uint8_t *blob;
    size_t len;
};

/* Renders a filter in a text format into a malloc'd buffer; what the
 * format cannot say is printed. */
static char *render_text(const struct cli *cli, const struct filter *f,
                         const struct pf_evtab_model *model, size_t *len)
{
    char *buf = NULL;
    struct pf_arena *a = pf_arena_new();
    FILE *m = a ? open_memstream(&buf, len) : NULL;
    if (!m) {
        pf_arena_free(a);
        fputs("pmufc: out of memory\n", stderr);
        return NULL;
    }
    struct pf_diags d;
    pf_diags_init(&d, a);
    d.no_warnings = cli->opts.no_warnings;
    d.werror = cli->opts.werror;
    int rc = 0;
    if (f->t == PF_TARGET_ARM64 && cli->format == PF_FORMAT_TEXT)
        pf_emit_text_arm(m, f->arm, f->arm_max, model);
    else if (f->t == PF_TARGET_ARM64)
        rc = pf_render_arm(m, cli->format, f->arm, f->arm_max, cli->id, &d);
    else
        rc = pf_render_x86(m, cli->format, f->x86, f->t, model, cli->id, &d);
    pf_diags_print(stderr, &d);
    if (fclose(m) || rc || pf_diags_failed(&d)) {
        free(buf);
        buf = NULL;
    }
    pf_arena_free(a);
    return buf;
}

static int emit(const struct cli *cli, const struct filter *f, const struct pf_evtab_model *model)
{
    if (cli->format == PF_FORMAT_RAW)
        return write_output(cli, (const char *)f->blob, f->len, 1);
    if (f->t == PF_TARGET_ARM64 ? !pf_format_arm(cli->format) : !pf_format_x86(cli->format))
        return pf_cli_usage_error("--format %s is not for %s filters", pf_format_name(cli->format),
                           pf_target_name(f->t));
    size_t tlen;
    char *text = render_text(cli, f, model, &tlen);
    if (!text)
        return EX_DATAERR;
    int rc = write_output(cli, text, tlen, 0);
    free(text);
    return rc;
}

static unsigned arm_max(const struct cli *cli)
{
    return cli->opts.arm_max ? cli->opts.arm_max : PF_ARM_EVENT_MAX;
}

/* A blob from the user, decoded and validated for the target (--target,
 * else the host's: the bytes do not say which architecture they are for). */
static int load_blob(const struct cli *cli, const char *buf, size_t len, struct filter *f,
                     struct pf_x86_filter *x86, struct pf_arm_filter *arm)
{
    memset(f, 0, sizeof(*f));
    memset(x86, 0, sizeof(*x86));
    memset(arm, 0, sizeof(*arm));
    f->t = cli->opts.target != PF_TARGET_NONE ? cli->opts.target : pf_load_host_target();
    f->arm_max = arm_max(cli);
    f->blob = (const uint8_t *)buf;
    f->len = len;
    f->x86 = x86;
    f->arm = arm;
    if (f->t == PF_TARGET_NONE)
        return pf_cli_usage_error("%s", "this host is neither Intel nor AMD: give --target");
    int rc = pf_decode_filter_print(stderr, cli->input, f->blob, len, f->t, f->arm_max,
                                    cli->opts.werror, cli->opts.no_warnings, x86, arm);
    if (rc == -2)
        return EX_SOFTWARE;
    /* The bytes do not say their architecture: x86 comes from the host. */
    if (rc && f->t != PF_TARGET_ARM64 && cli->opts.target == PF_TARGET_NONE &&
        len % PF_ARM_RECORD == 0)
        fputs("pmufc: note: if this is an arm64 filter, give --target arm64\n", stderr);
    return rc ? EX_DATAERR : 0;
}

/* The model for naming codes in listings: --cpu, else the host's when it
 * is of the target's vendor. */
static int listing_model(const struct cli *cli, enum pf_target t, const struct pf_evtab_model **m)
{
    *m = NULL;
    if (cli->opts.cpu && !strcmp(cli->opts.cpu, "generic"))
        return 0;
    if (cli->opts.cpu) {
        *m = pf_events_model(cli->opts.cpu);
        if (!*m) {
            fprintf(stderr, "pmufc: unknown CPU model '%.*s%s'; see --list-cpus\n", PF_QUOTE(cli->opts.cpu));
            return EX_USAGE;
        }
        return 0;
    }
    const struct pf_evtab_model *host = pf_events_host_model();
    if (pf_events_model_target(host) == t)
        *m = host;
    return 0;
}

static int run_list_events(const struct cli *cli)
{
    enum pf_target t = cli->opts.target;
    const struct pf_evtab_model *m = NULL;
    if (cli->opts.cpu && strcmp(cli->opts.cpu, "generic")) {
        int rc = listing_model(cli, t, &m);
        if (rc)
            return rc;
        if (t == PF_TARGET_NONE)
            t = pf_events_model_target(m);
        else if (pf_events_model_target(m) != t)
            return pf_cli_usage_error("CPU model %s is %s, but the target is %s", m->name,
                                      pf_target_name(pf_events_model_target(m)), pf_target_name(t));
    }
    if (t == PF_TARGET_NONE)
        t = pf_host_target();
    if (!cli->opts.cpu) {
        int rc = listing_model(cli, t, &m);
        if (rc)
            return rc;
    }
    pf_events_list(stdout, m, t);
    return 0;
}

static int run_disassemble(const struct cli *cli, const char *buf, size_t len)
{
    struct filter f;
    struct pf_x86_filter x86;
    struct pf_arm_filter arm;
    int rc = load_blob(cli, buf, len, &f, &x86, &arm);
    if (rc)
        return rc;
    struct cli text = *cli;
    if (text.format == PF_FORMAT_RAW)
        text.format = PF_FORMAT_TEXT;
    const struct pf_evtab_model *model;
    rc = listing_model(cli, f.t, &model);
    if (!rc)
        rc = emit(&text, &f, model);
    pf_x86_filter_free(&x86);
    pf_arm_filter_free(&arm);
    return rc;
}

static int check_blob(const struct cli *cli, const char *buf, size_t len)
{
    struct filter f;
    struct pf_x86_filter x86;
    struct pf_arm_filter arm;
    int rc = load_blob(cli, buf, len, &f, &x86, &arm);
    if (rc)
        return rc;
    struct pf_event ev;
    char err[256];
    const struct pf_evtab_model *model = NULL;
    if (pf_event_parse_host(cli->event, f.t, f.arm_max, &ev, err, sizeof(err)))
        rc = pf_cli_usage_error("%s", err);
    else
        rc = listing_model(cli, f.t, &model);
    if (!rc) {
        int r = f.t == PF_TARGET_ARM64
                    ? pf_explain_blob_arm(stdout, f.blob, len, f.arm_max, model, &ev)
                    : pf_explain_blob(stdout, &x86, f.blob, len, f.t, model, &ev);
        rc = r < 0 ? EX_DATAERR : 0;
    }
    pf_x86_filter_free(&x86);
    pf_arm_filter_free(&arm);
    return rc;
}

/* A filter in another tool's format in place of a policy: a QEMU
 * kvm-pmu-filter object (first non-blank byte '{') or an arm64 range
 * string of kvmtool or QEMU ("A:0x11-0x11,..."); its policy text, to
 * compile under im->name. */
static int import_foreign(const struct cli *cli, const char **buf, size_t *len, struct pf_import *im)
{
    memset(im, 0, sizeof(*im));
    int json = pf_json_sniff(*buf, *len);
    if (!json && !pf_arm_string_sniff(*buf, *len))
        return 0;
    struct pf_arena *a = pf_arena_new();
    if (!a)
        return EX_SOFTWARE;
    struct pf_diags d;
    pf_diags_init(&d, a);
    d.no_warnings = cli->opts.no_warnings;
    d.werror = cli->opts.werror;
    int rc = json ? pf_import_qemu(cli->input, *buf, *len, cli->opts.target, &d, im)
                  : pf_import_arm_string(cli->input, *buf, *len, cli->opts.target, arm_max(cli), &d, im);
    pf_diags_sort(&d);
    pf_diags_print(stderr, &d);
    if (!rc && pf_diags_failed(&d)) {
        pf_import_free(im);
        rc = -1;
    }
    pf_arena_free(a);
    if (rc)
        return EX_DATAERR;
    *buf = im->policy;
    *len = im->len;
    return 0;
}

static int run_check(const struct cli *cli, const char *buf, size_t len)
{
    if (pf_blob_sniff((const uint8_t *)buf, len))
        return check_blob(cli, buf, len);
    struct pf_compile_opts o = cli->opts;
    o.front_only = 1;
    struct pf_import im;
    int irc = import_foreign(cli, &buf, &len, &im);
    if (irc)
        return irc;
    struct pf_compiled c;
    enum pf_status s = pf_compile(im.name ? im.name : cli->input, buf, len, &o, &c);
    pf_diags_print(stderr, &c.diags);
    int rc = pf_cli_status_exit(s);
    if (!rc) {
        struct pf_event ev;
        char err[256];
        if (pf_event_parse_host(cli->event, c.target, arm_max(cli), &ev, err, sizeof(err)))
            rc = pf_cli_usage_error("%s", err);
        else
            pf_explain_policy(stdout, &c, &ev);
    }
    pf_compiled_free(&c);
    pf_import_free(&im);
    return rc;
}

static int run_stats(const struct cli *cli, const char *buf, size_t len)
{
    static const enum pf_target both[] = {PF_TARGET_INTEL, PF_TARGET_AMD};
    enum pf_target one[] = {cli->opts.target};
    const enum pf_target *targets = cli->opts.target != PF_TARGET_NONE ? one : both;
    size_t n = cli->opts.target != PF_TARGET_NONE ? 1 : 2;
    int rc = 0, first_ok = 0;
    struct pf_import im;
    int irc = import_foreign(cli, &buf, &len, &im);
    if (irc)
        return irc;
    if (n == 2) {
        /* A policy that names its target (or CPU model) is for that
         * target alone; others are shown for both x86 vendors. */
        struct pf_compile_opts o = cli->opts;
        o.front_only = 1;
        o.no_warnings = 1;
        struct pf_compiled c;
        if (pf_compile(im.name ? im.name : cli->input, buf, len, &o, &c) == PF_OK &&
            (c.policy->target != PF_TARGET_NONE || c.policy->cpu)) {
            one[0] = c.target;
            targets = one;
            n = 1;
        }
        pf_compiled_free(&c);
    }
    for (size_t i = 0; i < n; i++) {
        struct pf_compile_opts o = cli->opts;
        o.target = targets[i];
        o.prove = 1;
        struct pf_compiled c;
        enum pf_status s = pf_compile(im.name ? im.name : cli->input, buf, len, &o, &c);
        /* Diagnostics once: they are the same for every target, but for
         * a target that fails where the first did not. */
        if (i == 0 || (s != PF_OK && first_ok))
            pf_diags_print(stderr, &c.diags);
        if (i == 0)
            first_ok = s == PF_OK;
        if (s == PF_OK || c.ir)
            pf_emit_stats(stdout, &c, s);
        if (s != PF_OK && !rc)
            rc = pf_cli_status_exit(s);
        pf_compiled_free(&c);
    }
    pf_import_free(&im);
    return rc;
}

static int run_compile(const struct cli *cli, const char *buf, size_t len)
{
    if (!cli->output && cli->format == PF_FORMAT_RAW)
        return pf_cli_usage_error("%s", "no output file: give -o FILE (or -o - for standard output)");
    struct pf_import im;
    int irc = import_foreign(cli, &buf, &len, &im);
    if (irc)
        return irc;
    struct pf_compiled c;
    enum pf_status s = pf_compile(im.name ? im.name : cli->input, buf, len, &cli->opts, &c);
    pf_diags_print(stderr, &c.diags);
    int rc = pf_cli_status_exit(s);
    if (!rc) {
        struct filter f = {c.target, arm_max(cli), &c.filter, &c.arm, c.blob, c.len};
        if (cli->verbose && c.target == PF_TARGET_ARM64)
            fprintf(stderr, "pmufc: %s: arm64, %zu record%s; %zu decisions verified\n", cli->input,
                    c.arm.n, c.arm.n == 1 ? "" : "s", c.checked);
        else if (cli->verbose)
            fprintf(stderr, "pmufc: %s: %s, %s, %u %s entr%s; %zu decisions verified\n", cli->input,
                    pf_target_name(c.target), c.filter.action ? "DENY" : "ALLOW", c.filter.nevents,
                    c.report.masked_chosen ? "masked" : "plain", c.filter.nevents == 1 ? "y" : "ies",
                    c.checked);
        /* Another tool's filter as policy: its own entries (for JSON,
         * pointing back into it). */
        if (im.policy && cli->format == PF_FORMAT_POLICY)
            rc = write_output(cli, im.policy, im.len, 0);
        else
            rc = emit(cli, &f, c.model);
    }
    pf_compiled_free(&c);
    pf_import_free(&im);
    return rc;
}

int main(int argc, char **argv)
{
    struct cli cli = {0};
    int rc = parse_args(argc, argv, &cli);
    if (rc)
        return rc;
    if (cli.mode == MODE_LIST_CPUS) {
        pf_events_list_models(stdout);
        return 0;
    }
    if (cli.mode == MODE_LIST_EVENTS)
        return run_list_events(&cli);
    if (cli.mode == MODE_RUN)
        return pf_cli_run(cli.run_argc, cli.run_argv, &cli.opts);
    if (cli.mode == MODE_APPLY)
        return pf_cli_apply(cli.input, cli.pid, cli.vm_fd, &cli.opts);
    if (cli.mode == MODE_PROBE)
        return pf_cli_probe(cli.input, &cli.opts);
    if (cli.mode == MODE_LIST_POLICIES)
        return pf_list_policies(stdout, PMUFC_POLICYDIR) ? EX_NOINPUT : 0;
    char *buf;
    size_t len;
    rc = read_input(cli.input, &buf, &len);
    if (rc)
        return rc;
    switch (cli.mode) {
    case MODE_DISASSEMBLE:
        rc = run_disassemble(&cli, buf, len);
        break;
    case MODE_CHECK:
        rc = run_check(&cli, buf, len);
        break;
    case MODE_STATS:
        rc = run_stats(&cli, buf, len);
        break;
    case MODE_COMPILE:
        rc = run_compile(&cli, buf, len);
        break;
    case MODE_LIST_EVENTS:
    case MODE_LIST_CPUS:
    case MODE_RUN:
    case MODE_APPLY:
    case MODE_PROBE:
    case MODE_LIST_POLICIES:
        break; /* handled before reading input */
    }
    free(buf);
    /* Answers printed on stdout (--check, --stats) must not be lost
     * silently: a full disk or a closed pipe is a failure. */
    if (fflush(stdout) || ferror(stdout)) {
        fprintf(stderr, "pmufc: cannot write to standard output: %s\n", strerror(errno));
        return rc ? rc : EX_CANTCREAT;
    }
    return rc;
}
