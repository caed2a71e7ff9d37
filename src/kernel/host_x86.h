/* host_x86.h - what this x86 machine is: its CPU's vendor (CPUID), and
 * which KVM module serves /dev/kvm (kvm_intel, kvm_amd, or another), and
 * kvm.enable_pmu.  On other architectures the answers are "none".
 *
 * The two can disagree about the rules a filter is checked by: the event
 * select width KVM applies (Intel 8 bits, AMD 12) is the loaded KVM
 * module's, not the CPU's (a paravirtual KVM on an AMD host may apply
 * Intel's).  These functions only read CPUID and sysfs; asking KVM itself
 * (a scratch VM) is probe.c's pf_kvm_probe. */
#ifndef PMUFC_HOST_X86_H
#define PMUFC_HOST_X86_H

#include "base/diag.h"
#include "kernel/space.h"

#include <stddef.h>

/* The CPU vendor's x86 rules, from CPUID's vendor string: INTEL for
 * GenuineIntel and Zhaoxin/Centaur (CentaurHauls, "  Shanghai  ": served
 * by kvm_intel upstream), AMD for AuthenticAMD and HygonGenuine (served by
 * kvm_amd); NONE elsewhere.  vendor (13 bytes), when not NULL, gets the
 * string ("" where there is no CPUID). */
enum pf_target pf_host_cpu(char *vendor);

/* The same, without the string: the default x86 target when nothing
 * better is known. */
enum pf_target pf_host_target(void);

/* The KVM vendor module this kernel has loaded (or built in), from
 * /sys/module: kvm_intel, kvm_amd, or another kvm_* module (such as
 * kvm_pvm) into name (NUL-terminated; "" when none is found).  Returns
 * the rules it is known to apply: INTEL for kvm_intel, AMD for kvm_amd,
 * NONE for the others and when there is none. */
enum pf_target pf_host_kvm_module(char *name, size_t size);

/* kvm.enable_pmu: 1 (Y), 0 (N: guests get no PMU at all), -1 unknown. */
int pf_host_enable_pmu(void);

#endif
