/* host.h - what this machine is, for the default target. */
#ifndef PMUFC_HOST_H
#define PMUFC_HOST_H

#include "ast.h"

/* INTEL or AMD from CPUID's vendor string; NONE elsewhere. */
enum pf_target pf_host_target(void);

#endif
