/* diff.c - pmufc diff A B: the events two policies or filters decide
 * differently, per target. */
#include "config.h"

#include "cli/cli.h"
#include "cli/util.h"

#include <sysexits.h>

int pf_cli_diff(const struct pf_cli *cli)
{
    (void)cli;
    return pf_cli_fail(EX_SOFTWARE, "diff: not yet");
}
