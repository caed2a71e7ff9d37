/* warnings.c - the command line's -W options and --color, GCC's way.
 *
 *   -W, -Werror, --werror   every warning is an error
 *   -Werror=KIND            warnings of KIND are errors
 *   -Wno-KIND               warnings of KIND are not shown
 *   -WKIND, -Wall           shown again (every kind is on by default)
 *   -w, --no-warnings       no warning is shown
 *   --color[=WHEN]          auto (the default: on a terminal, unless NO_COLOR
 *                           is set or TERM is dumb), always, never
 *
 * The kinds are base/diag.h's; pmufc(1) WARNINGS lists them. */
#include "cli/cli.h"
#include "cli/util.h"

#include "base/suggest.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int unknown_kind(const char *arg, const char *name)
{
    const char *names[PF_W_COUNT + 1];
    unsigned n = 0;
    for (unsigned w = PF_W_NONE + 1; w < PF_W_COUNT; w++)
        names[n++] = pf_warning_name((enum pf_warning)w);
    names[n] = NULL;
    const char *near = pf_closest(name, names);
    if (near)
        return pf_cli_usage_error("unknown warning option '-W%.*s%s': did you mean '-W%s%s'?",
                                  PF_QUOTE(arg), strncmp(arg, "no-", 3) ? "" : "no-", near);
    return pf_cli_usage_error("unknown warning option '-W%.*s%s' (pmufc(1) WARNINGS lists them)",
                              PF_QUOTE(arg));
}

int pf_cli_warning_option(const char *arg, struct pf_compile_opts *o)
{
    const unsigned all = (1u << PF_W_COUNT) - 2; /* every kind but PF_W_NONE */
    if (!arg || !strcmp(arg, "error")) {
        o->werror = 1;
        return 0;
    }
    if (!strcmp(arg, "all")) {
        o->wdisabled = 0;
        return 0;
    }
    if (!strcmp(arg, "no-all")) {
        o->wdisabled = all;
        return 0;
    }
    int fatal = !strncmp(arg, "error=", 6), off = !strncmp(arg, "no-", 3);
    const char *name = fatal ? arg + 6 : off ? arg + 3 : arg;
    enum pf_warning w = pf_warning_find(name);
    if (w == PF_W_NONE)
        return unknown_kind(arg, name);
    if (fatal)
        o->wfatal |= 1u << w;
    else if (off)
        o->wdisabled |= 1u << w;
    else
        o->wdisabled &= ~(1u << w);
    return 0;
}

int pf_cli_color_option(const char *when, int *on)
{
    if (!when || !strcmp(when, "always") || !strcmp(when, "yes") || !strcmp(when, "force")) {
        *on = 1;
        return 0;
    }
    if (!strcmp(when, "never") || !strcmp(when, "no") || !strcmp(when, "none")) {
        *on = 0;
        return 0;
    }
    if (!strcmp(when, "auto") || !strcmp(when, "tty") || !strcmp(when, "if-tty")) {
        /* no-color.org: NO_COLOR set and not empty means no colour, unless
         * asked for on the command line (always). */
        const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
        *on = isatty(STDERR_FILENO) && !(no && *no) && !(term && !strcmp(term, "dumb"));
        return 0;
    }
    return pf_cli_usage_error("--color is auto, always or never, not '%.*s%s'", PF_QUOTE(when));
}
