/* main.c - the pmufc command line.  Everything it does is in libpmufc;
 * this file parses the options every mode shares, picks the mode from the
 * table below (bpftool's way: one row a mode, the function that does it)
 * and calls it.  The modes are in compile.c, query.c, load.c and run.c
 * (cli.h). */
#include "config.h"

#include "base/suggest.h"
#include "cli/cli.h"
#include "cli/filter.h"
#include "cli/util.h"
#include "kernel/space.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

/* getopt's values for the long options without a short one. */
enum {
    OPT_ABI = 256, OPT_CHECK, OPT_STATS, OPT_LIST_EVENTS, OPT_LIST_CPUS, OPT_LIST_POLICIES,
    OPT_ARM_PMU, OPT_ID, OPT_APPLY, OPT_PID, OPT_VM_FD, OPT_PROBE, OPT_FORCE_VENDOR, OPT_JSON,
    OPT_COLOR,
};

/* The modes.  The first is the default; a mode option after an exclusive
 * one (or an exclusive one after any) is a usage error, --apply and
 * --probe override; a subcommand is taken when no option chose a mode
 * (a FILE named like one is given as ./NAME).  --help shows the synopses
 * in this order. */
static const struct pf_cli_mode modes[] = {
    {.command = "compile", .operands = PF_CLI_READ, .run = pf_cli_compile,
     .synopsis = "pmufc [OPTION]... POLICY -o OUT   compile a policy into a KVM filter\n"},
    {.command = "bundle", .operands = PF_CLI_READ, .run = pf_cli_bundle,
     .synopsis = "pmufc bundle [OPTION]... POLICY -o DIR\n"
                 "                                        compile it for every CPU model of its\n"
                 "                                        targets into the bundle DIR\n"},
    {.opt = 'd', .exclusive = 1, .operands = PF_CLI_READ, .run = pf_cli_disassemble,
     .synopsis = "pmufc -d [OPTION]... BLOB         print a filter as text\n"},
    {.opt = OPT_CHECK, .exclusive = 1, .json = 1, .operands = PF_CLI_READ, .run = pf_cli_check,
     .synopsis = "pmufc --check EVENT FILE          does EVENT count under a policy or filter?\n"},
    {.command = "check", .json = 1, .operands = PF_CLI_CHECK, .run = pf_cli_check,
     .synopsis = "pmufc check FILE [EVENT]...       the same for each EVENT (none: one a line\n"
                 "                                        from standard input)\n"},
    {.command = "diff", .json = 1, .operands = PF_CLI_TWO, .run = pf_cli_diff,
     .synopsis = "pmufc diff [OPTION]... A B        the events A and B decide differently\n"},
    {.opt = OPT_STATS, .command = "stats", .exclusive = 1, .json = 1, .operands = PF_CLI_READ,
     .run = pf_cli_stats,
     .synopsis = "pmufc stats FILE                  what a policy decides, what its filter costs\n"},
    {.opt = OPT_LIST_EVENTS, .exclusive = 1, .json = 1, .operands = PF_CLI_MAYBE,
     .run = pf_cli_list_events},
    {.opt = OPT_LIST_CPUS, .exclusive = 1, .json = 1, .operands = PF_CLI_NONE, .run = pf_cli_list_cpus},
    {.opt = OPT_LIST_POLICIES, .exclusive = 1, .json = 1, .operands = PF_CLI_NONE,
     .run = pf_cli_list_policies},
    {.command = "list", .json = 1, .operands = PF_CLI_REST, .run = pf_cli_list,
     .synopsis = "pmufc list events [FILE] | cpus | policies\n"
                 "                                        the CPU model's events (with FILE's\n"
                 "                                        decisions), the models, the policies\n"},
    {.command = "run", .operands = PF_CLI_REST, .run = pf_cli_run,
     .synopsis = "pmufc run [OPTION]... FILE -- VMM [ARGS]...\n"
                 "                                        start VMM with the filter applied inside it\n"},
    {.command = "libvirt", .operands = PF_CLI_FILE, .run = pf_cli_libvirt,
     .synopsis = "pmufc libvirt [OPTION]... FILTER  the libvirt domain XML for QEMU under the\n"
                 "                                        shim with the filter file FILTER\n"},
    {.opt = OPT_APPLY, .command = "apply", .vm_options = 1, .operands = PF_CLI_FILE,
     .run = pf_cli_apply,
     .synopsis = "pmufc --apply --pid PID [--vm-fd N] [OPTION]... FILE\n"
                 "                                        apply the filter to a running VMM (x86)\n"
                 "       pmufc --apply --vm-fd N FILE     apply to a VM fd pmufc inherited\n"},
    {.opt = OPT_PROBE, .command = "probe", .json = 1, .operands = PF_CLI_MAYBE, .run = pf_cli_probe,
     .synopsis = "pmufc --probe [FILE]             this host's KVM filter support; whether\n"
                 "                                        it takes FILE (tried on a scratch VM)\n"},
};
enum { NMODES = sizeof(modes) / sizeof(modes[0]) };

static void usage(FILE *out)
{
    const char *lead = "Usage: ";
    for (size_t i = 0; i < NMODES; i++) {
        if (modes[i].synopsis) {
            fprintf(out, "%s%s", lead, modes[i].synopsis);
            lead = "       ";
        }
    }
    fputs("  FILE is any input: a policy, a filter's bytes (x86 or arm64), a QEMU\n"
          "  kvm-pmu-filter object, a kvmtool or qemu-arm string; filters are for this\n"
          "  host's rules unless --target.\n"
          "  Every mode is also a command: compile, check, diff, stats, list, probe, run, apply;\n"
          "  bundle makes a bundle (run, apply and probe take one: this host's filter).\n"
          "\n"
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
          "  -d, --disassemble      print FILE's filter decoded (a policy compiled first)\n"
          "      --check=EVENT      print allow or deny for EVENT, and why (repeatable;\n"
          "                         '-': one a line from standard input); EVENT is\n"
          "                         select=0xc4,umask=0x01 (select=0xc4: every umask),\n"
          "                         raw=0x1c4 or r1c4, event=0xc4,umask=0x01 (perf's),\n"
          "                         a name (LONGEST_LAT_CACHE.MISS, cycles), fixed=0\n"
          "                         or arm=0x11\n"
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
          "  -W, --werror, -Werror  treat warnings as errors\n"
          "  -Werror=KIND           treat warnings of KIND as errors\n"
          "  -Wno-KIND              do not print warnings of KIND (the kinds: pmufc(1)\n"
          "                         WARNINGS; each warning names its own, [-WKIND])\n"
          "  -w, --no-warnings      do not print warnings\n"
          "      --color[=WHEN]     colour diagnostics: auto (on a terminal, unless\n"
          "                         NO_COLOR is set), always or never\n"
          "  -v, --verbose          say what was emitted and verified\n"
          "      --json             answer as JSON (check, diff, stats, probe, lists; the\n"
          "                         schema is in pmufc(1))\n"
          "  -h, --help             show this help and exit\n"
          "  -V, --version          show the version and exit\n"
          "\n"
          "Exit status: 0 ok, 64 usage, 65 bad policy or filter, 66 cannot open input,\n"
          "70 internal error, 73 cannot write output; diff: 0 alike, 1 different, 2 and\n"
          "above trouble.\n"
          "The policy language is described in pmufc.policy(5).\n",
          out);
}

/* The values of --target, --abi and --arm-pmu. */
struct word {
    const char *name;
    int value;
};
static const struct word targets[] = {
    {"intel", PF_TARGET_INTEL}, {"amd", PF_TARGET_AMD}, {"arm64", PF_TARGET_ARM64}, {NULL, 0}};
static const struct word abis[] = {
    {"auto", PF_ABI_AUTO}, {"plain", PF_ABI_PLAIN}, {"masked", PF_ABI_MASKED}, {NULL, 0}};
static const struct word arm_pmus[] = {
    {"v3p0", PF_ARM_V3P0_EVENT_MAX}, {"v3p1", PF_ARM_EVENT_MAX}, {NULL, 0}};

/* " (did you mean 'arm64'?)" when s is close to one of w's names, else "". */
static const char *near_word(const struct word *w, const char *s, char *buf, size_t size)
{
    const char *names[8];
    size_t n = 0;
    for (; w->name && n < 7; w++)
        names[n++] = w->name;
    names[n] = NULL;
    const char *near = pf_closest(s, names);
    if (!near)
        return "";
    snprintf(buf, size, ": did you mean '%s'?", near);
    return buf;
}

/* Returns 0 with *value, or -1 when s is none of w's names. */
static int lookup(const struct word *w, const char *s, int *value)
{
    for (; w->name; w++) {
        if (!strcmp(w->name, s)) {
            *value = w->value;
            return 0;
        }
    }
    return -1;
}

/* optarg as one of w's names: 0 with *value, else the usage error
 * "unknown WHAT 'X' (LIST)", with "did you mean" when one is close. */
static int word_option(const struct word *w, const char *what, const char *list, int *value)
{
    char hint[64];
    if (!lookup(w, optarg, value))
        return 0;
    return pf_cli_usage_error("unknown %s '%s' (%s)%s", what, optarg, list,
                              near_word(w, optarg, hint, sizeof(hint)));
}

static const struct pf_cli_mode *mode_of_option(int opt)
{
    for (size_t i = 0; i < NMODES; i++)
        if (modes[i].opt && modes[i].opt == opt)
            return &modes[i];
    return NULL;
}

/* The options; *chosen: the mode an option chose, NULL: none yet. */
static int parse_options(int argc, char **argv, struct pf_cli *cli, const struct pf_cli_mode **chosen)
{
    /* Mode options among the others, in their long-standing order: getopt
     * lists them in this order when an abbreviation is ambiguous. */
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
        {"version", no_argument, NULL, 'V'},       {"json", no_argument, NULL, OPT_JSON},
        {"color", optional_argument, NULL, OPT_COLOR}, {"colour", optional_argument, NULL, OPT_COLOR},
        {NULL, 0, NULL, 0},
    };
    int c, v, rc;
    /* Colour before the first message: --color=auto unless said. */
    if (!pf_cli_color_option("auto", &v)) {
        cli->opts.color = v;
        pf_cli_set_color(v);
    }
    /* Every message is pmufc's own ("pmufc: ..."), getopt's too. */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:f:t:c:I:dW::wvhV", longopts, NULL)) != -1) {
        const struct pf_cli_mode *m = mode_of_option(c);
        if (m) {
            /* --check again adds an EVENT. */
            if (m->exclusive && *chosen && !(c == OPT_CHECK && *chosen == m))
                return pf_cli_usage_error("%s", "choose one of -d, --check, --stats, --list-events, "
                                                "--list-cpus and --list-policies");
            *chosen = m;
            if (c == OPT_CHECK)
                cli->events[cli->nevents++] = optarg;
            continue;
        }
        switch (c) {
        case 'o':
            cli->output = optarg;
            break;
        case 'f':
            if ((rc = pf_cli_parse_format(optarg, &cli->format)))
                return rc;
            break;
        case OPT_ID:
            if ((rc = pf_cli_parse_id(optarg)))
                return rc;
            cli->id = optarg;
            break;
        case 't':
            if ((rc = word_option(targets, "target", "intel, amd or arm64", &v)))
                return rc;
            cli->opts.target = (enum pf_target)v;
            break;
        case OPT_ABI:
            if ((rc = word_option(abis, "ABI", "auto, plain or masked", &v)))
                return rc;
            cli->opts.abi = (enum pf_abi)v;
            break;
        case OPT_ARM_PMU:
            if ((rc = word_option(arm_pmus, "arm PMU", "v3p0: 10-bit events; v3p1: 16-bit", &v)))
                return rc;
            cli->opts.arm_max = (unsigned)v;
            break;
        case 'c':
            cli->opts.cpu = optarg;
            break;
        case 'I':
            if (cli->ninclude == PF_CLI_MAX_INCLUDE_DIRS)
                return pf_cli_usage_error("more than %d include folders", PF_CLI_MAX_INCLUDE_DIRS);
            cli->include_dirs[cli->ninclude++] = optarg;
            break;
        case 'W':
            /* --werror, -W alone, -Werror, -Werror=KIND, -Wno-KIND, -WKIND */
            if ((rc = pf_cli_warning_option(optarg, &cli->opts)))
                return rc;
            break;
        case OPT_COLOR:
            if ((rc = pf_cli_color_option(optarg, &v)))
                return rc;
            cli->opts.color = v;
            pf_cli_set_color(v);
            break;
        case 'w':
            cli->opts.no_warnings = 1;
            break;
        case 'v':
            cli->verbose = 1;
            break;
        case OPT_PID:
            cli->pid = optarg;
            break;
        case OPT_VM_FD:
            cli->vm_fd = optarg;
            break;
        case OPT_FORCE_VENDOR:
            cli->opts.force_vendor = 1;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        case 'V':
            printf("pmufc %s\n", PACKAGE_VERSION);
            exit(0);
        case OPT_JSON:
            cli->json = 1;
            break;
        case ':':
            /* A long option names itself as typed; a short one by its letter. */
            if (!strncmp(argv[optind - 1], "--", 2) || !optopt)
                return pf_cli_usage_error("option '%s' needs a value", argv[optind - 1]);
            return pf_cli_usage_error("option '-%c' needs a value", optopt);
        default:
            if (optopt)
                return pf_cli_usage_error("unknown option '-%c'", optopt);
            return pf_cli_usage_error("unknown or ambiguous option '%s'", argv[optind - 1]);
        }
    }
    return 0;
}

/* The whole command line: options, then the mode and its operands. */
static int parse_args(int argc, char **argv, struct pf_cli *cli, const struct pf_cli_mode **mode)
{
    const struct pf_cli_mode *chosen = NULL;
    *mode = &modes[0];
    int rc = parse_options(argc, argv, cli, &chosen);
    if (rc)
        return rc;
    /* The installed policies come last. */
    cli->include_dirs[cli->ninclude] = PMUFC_POLICYDIR;
    cli->include_dirs[cli->ninclude + 1] = NULL;
    cli->opts.include_dirs = cli->include_dirs;
    const struct pf_cli_mode *m = chosen ? chosen : &modes[0];
    if ((cli->pid || cli->vm_fd) && !m->vm_options)
        return pf_cli_usage_error("%s", "--pid and --vm-fd go with --apply");
    int sub = 0;
    for (size_t i = 0; !chosen && optind < argc && i < NMODES; i++)
        if (modes[i].command && !strcmp(argv[optind], modes[i].command))
            chosen = m = &modes[i], sub = 1;
    optind += sub;
    *mode = m;
    if (cli->json && !m->json)
        return pf_cli_usage_error("%s", "--json goes with check, diff, stats, probe and the lists");
    switch (m->operands) {
    case PF_CLI_REST:
        cli->nargs = argc - optind;
        cli->args = argv + optind;
        return 0;
    case PF_CLI_TWO:
        if (argc - optind != 2)
            return pf_cli_usage_error("%s", "diff takes two files: diff A B");
        cli->input = argv[optind];
        cli->input2 = argv[optind + 1];
        return 0;
    case PF_CLI_CHECK:
        if (optind == argc)
            return pf_cli_usage_error("%s", "check takes a FILE, then EVENTs (none: one a line from standard input)");
        cli->input = argv[optind++];
        while (optind < argc)
            cli->events[cli->nevents++] = argv[optind++];
        return 0;
    case PF_CLI_NONE:
        if (optind < argc)
            return pf_cli_usage_error("--list-events and --list-cpus take no file ('%s')", argv[optind]);
        return 0;
    case PF_CLI_MAYBE:
        if (optind == argc)
            return 0;
        break;
    case PF_CLI_FILE:
    case PF_CLI_READ:
        break;
    }
    if (optind == argc)
        return pf_cli_usage_error("%s", m == &modes[0] ? "no policy given" : "no input file given");
    if (optind + 1 < argc)
        return pf_cli_usage_error("too many inputs (from '%s' on): give one file", argv[optind + 1]);
    cli->input = argv[optind];
    return 0;
}

int main(int argc, char **argv)
{
    struct pf_cli cli = {0};
    /* --check and check's EVENTs: at most one an argument. */
    const char **events = calloc((size_t)argc + 1, sizeof(*events));
    if (!events)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    cli.events = events;
    const struct pf_cli_mode *m;
    int rc = parse_args(argc, argv, &cli, &m);
    if (rc || (m->operands != PF_CLI_READ && m->operands != PF_CLI_CHECK)) {
        rc = rc ? rc : m->run(&cli);
        free(events);
        return rc;
    }
    char *buf;
    rc = pf_cli_read_input(cli.input, &buf, &cli.len);
    if (rc) {
        free(events);
        return rc;
    }
    cli.buf = buf;
    rc = m->run(&cli);
    free(buf);
    free(events);
    /* Answers printed on stdout (--check, --stats) must not be lost
     * silently: a full disk or a closed pipe is a failure. */
    return pf_cli_flushed(rc);
}
