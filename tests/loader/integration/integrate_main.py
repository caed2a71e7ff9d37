# main.c: the loader's modes (every edit must find its anchor).
import re, sys

def integrate_main(tree):
    p = f"{tree}/src/main.c"
    s = open(p).read()

    def sub(pattern, repl):
        nonlocal s
        new, n = re.subn(pattern, repl, s, count=1)
        if n != 1:
            sys.exit(f"src/main.c: anchor not found: {pattern}")
        s = new

    sub(r'#include "blob_arm.h"\n', '#include "blob_arm.h"\n#include "cli_load.h"\n')
    sub(r"(enum mode \{[^}]*?),?\s*\};", r"\1,\n    MODE_RUN, MODE_APPLY, MODE_PROBE,\n};")
    sub(r"(struct cli \{[^}]*?    int verbose;\n)",
        r"\1    const char *pid, *vm_fd; /* --apply */\n    int run_argc;            /* run: FILE VMM ARGS... */\n    char **run_argv;\n")
    sub(r'("       pmufc --check EVENT FILE[^\n]*\\n")\n\s*',
        r'\1,\n          out);\n    pf_cli_load_usage(out);\n    fputs(')
    sub(r'(\n          "  -W, --werror)',
        '\n          "      --apply            apply the filter to a VM: --pid PID, --vm-fd N\\\\n"'
        '\n          "      --pid=PID          the running VMM to apply to (found by its\\\\n"'
        '\n          "                         anon_inode:kvm-vm fd; ptrace injects the ioctl)\\\\n"'
        '\n          "      --vm-fd=N          the VM fd: in PID, or inherited without --pid\\\\n"'
        '\n          "      --probe            show this host\'s KVM filter support\\\\n"\\1')
    sub(r"(enum \{\s*OPT_ABI = 256,[^}]*?),?\s*\};", r"\1, OPT_APPLY, OPT_PID, OPT_VM_FD, OPT_PROBE,\n    };")
    sub(r"(\n(\s*)\{\"version\", no_argument, NULL, 'V'\},)",
        '\n\\2{"apply", no_argument, NULL, OPT_APPLY},   {"pid", required_argument, NULL, OPT_PID},'
        '\n\\2{"vm-fd", required_argument, NULL, OPT_VM_FD}, {"probe", no_argument, NULL, OPT_PROBE},\\1')
    sub(r"(\n        case 'V':)",
        "\n        case OPT_APPLY:\n            cli->mode = MODE_APPLY;\n            break;"
        "\n        case OPT_PID:\n            cli->pid = optarg;\n            break;"
        "\n        case OPT_VM_FD:\n            cli->vm_fd = optarg;\n            break;"
        "\n        case OPT_PROBE:\n            cli->mode = MODE_PROBE;\n            break;\\1")
    sub(r"(\n    if \(cli->mode == MODE_LIST_EVENTS \|\| cli->mode == MODE_LIST_CPUS)",
        '\n    if ((cli->pid || cli->vm_fd) && cli->mode != MODE_APPLY)'
        '\n        return usage_error("%s", "--pid and --vm-fd go with --apply");'
        '\n    if (cli->mode == MODE_COMPILE && optind < argc && !strcmp(argv[optind], "run")) {'
        '\n        cli->mode = MODE_RUN;'
        '\n        cli->run_argc = argc - optind - 1;'
        '\n        cli->run_argv = argv + optind + 1;'
        '\n        return 0;'
        '\n    }'
        '\n    if (cli->mode == MODE_PROBE && optind == argc)'
        '\n        return 0;\\1')
    sub(r"(\n    if \(cli\.mode == MODE_LIST_EVENTS\)\n        return run_list_events\(&cli\);\n)",
        '\\1    if (cli.mode == MODE_RUN)'
        '\n        return pf_cli_run(cli.run_argc, cli.run_argv, &cli.opts);'
        '\n    if (cli.mode == MODE_APPLY)'
        '\n        return pf_cli_apply(cli.input, cli.pid, cli.vm_fd, &cli.opts);'
        '\n    if (cli.mode == MODE_PROBE)'
        '\n        return pf_cli_probe(cli.input, &cli.opts);\n')
    sub(r"(\n    case MODE_LIST_CPUS:\n)", r"\1    case MODE_RUN:\n    case MODE_APPLY:\n    case MODE_PROBE:\n")
    open(p, "w").write(s)
