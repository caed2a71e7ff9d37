/* cli.h - the pmufc program: its options, and its table of modes.
 *
 * main.c parses the options every mode shares into a struct pf_cli, picks
 * one row of its table of modes (struct pf_cli_mode: the option or
 * subcommand that chooses it, the operands it takes, its function) and
 * calls the function.  Every mode is both an option and a subcommand
 * (`pmufc --check EVENT FILE` is `pmufc check FILE EVENT`).  The modes
 * live one group to a file:
 *   compile.c  compile (the default), -d
 *   check.c    --check / check
 *   diff.c     diff
 *   query.c    --stats / stats, --list-* / list
 *   load.c     --apply / apply
 *   probe.c    --probe / probe
 *   run.c      run
 *   bundle.c   bundle
 *   libvirt.c  libvirt
 * json.c writes the --json answers (one object, pmufc(1)'s schema);
 * warnings.c reads -W and --color.
 * Each mode does its work from start to finish (prints diagnostics and
 * results) and returns the process's exit status (sysexits, see util.h
 * and pmufc(1)).  The program is not libpmufc: it prints; the library
 * never does. */
#ifndef PMUFC_CLI_H
#define PMUFC_CLI_H

#include "core/compile.h"
#include "formats/format.h"

#include <stddef.h>

enum { PF_CLI_MAX_INCLUDE_DIRS = 32 };

/* What the command line said, for every mode. */
struct pf_cli {
    struct pf_compile_opts opts;  /* --target, --cpu, --abi, --arm-pmu, -I, -W, -w, --force-vendor */
    const char *include_dirs[PF_CLI_MAX_INCLUDE_DIRS + 2]; /* opts.include_dirs points here */
    int ninclude;
    enum pf_format format;        /* --format */
    const char *output, *id;      /* -o (NULL: none given), --id */
    const char **events;          /* --check's EVENTs (repeated; "-": one a line from stdin) */
    size_t nevents;
    int json;                     /* --json: answers as JSON (check, diff, stats, probe, lists) */
    const char *pid, *vm_fd;      /* --apply's --pid, --vm-fd (NULL: not given) */
    int verbose;                  /* -v */
    const char *input;            /* the FILE operand (NULL: none) */
    const char *input2;           /* diff's second FILE */
    const char *buf;              /* its bytes, for the modes that have them read (PF_CLI_READ) */
    size_t len;
    int nargs;                    /* run: the operands after `run` */
    char **args;
};

/* The operands a mode takes after the options. */
enum pf_cli_operands {
    PF_CLI_NONE,  /* nothing (--list-*) */
    PF_CLI_MAYBE, /* an optional FILE, read by the mode (--probe) */
    PF_CLI_FILE,  /* one FILE, read by the mode (--apply) */
    PF_CLI_READ,  /* one FILE, read for the mode into buf and len; its
                   * answer on standard output is checked (compile, -d, ...) */
    PF_CLI_REST,  /* everything after the subcommand (run FILE -- VMM ARGS; list WHAT) */
    PF_CLI_TWO,   /* two FILEs, read by the mode (diff A B) */
    PF_CLI_CHECK, /* one FILE, read as PF_CLI_READ; the subcommand's further operands
                   * are EVENTs (check FILE EVENT...) */
};

/* What runs a mode (every mode has this shape). */
typedef int pf_cli_mode_fn(const struct pf_cli *cli);

/* One row of the table of modes. */
struct pf_cli_mode {
    const char *command;  /* a subcommand ("run"); NULL: chosen by an option */
    int opt;              /* getopt's value for the option that chooses it; 0: none */
    int exclusive;        /* its option after another mode's is a usage error (else it overrides) */
    int vm_options;       /* takes --pid and --vm-fd */
    int json;             /* answers as JSON with --json */
    enum pf_cli_operands operands;
    pf_cli_mode_fn *run;
    const char *synopsis; /* its line(s) in --help's "Usage:", NULL: none */
};

/* The modes, one group to a file; each does its work from start to end
 * and returns the exit status. */
pf_cli_mode_fn pf_cli_compile, pf_cli_disassemble;   /* compile.c */
pf_cli_mode_fn pf_cli_check;                         /* check.c */
/* diff.c: exit 0 when A and B decide alike on every event, 1 when they
 * differ, above 1 on error (diff(1)'s and cmp(1)'s way). */
pf_cli_mode_fn pf_cli_diff;
/* query.c; pf_cli_list: `list events|cpus|policies` (args). */
pf_cli_mode_fn pf_cli_stats, pf_cli_list, pf_cli_list_events, pf_cli_list_cpus,
    pf_cli_list_policies;
/* load.c: FILE is any input; filters are for this host unless --target. */
pf_cli_mode_fn pf_cli_apply;
pf_cli_mode_fn pf_cli_probe;                         /* probe.c */
/* run.c: does not return when the VMM starts. */
pf_cli_mode_fn pf_cli_run;
/* bundle.c: the policy compiled for every CPU model, into the folder -o. */
pf_cli_mode_fn pf_cli_bundle;
/* libvirt.c: the domain XML fragment for a filter file. */
pf_cli_mode_fn pf_cli_libvirt;

/* warnings.c: -W's argument (NULL: -W alone, -Werror) into o; --color's
 * (NULL: always) into *on.  0, or a usage error's exit status. */
int pf_cli_warning_option(const char *arg, struct pf_compile_opts *o);
int pf_cli_color_option(const char *when, int *on);

#endif
