# tests/loader.mk - automake fragment: the loader's tests (libpmufc's
# public API, the ptrace injection, the LD_PRELOAD shim, `pmufc run`,
# `--apply`, `--probe`).  Included from the top Makefile.am after
# tests/Makefile.inc, which registers them in TESTS: this fragment holds
# their build rules (it appends to check_PROGRAMS and EXTRA_DIST),
# and its scripts use the PMUFC, TESTS_SRCDIR and TESTS_BUILDDIR that
# AM_TESTS_ENVIRONMENT exports there (and its .sh log compiler).  Tests
# that need /dev/kvm or qemu-system-x86_64 exit 77 (skip) without them.
# tests/x86/loader.sh runs the real-KVM ones (api-test, kvm.sh, qemu.sh,
# shim.sh, fail-closed.sh) inside each real x86 kernel tests/x86/setup.sh
# cached (tests/x86/guest.sh); it skips without a kernel or QEMU.

check_PROGRAMS += \
	tests/loader/api-test \
	tests/loader/apply-test \
	tests/loader/inject-test \
	tests/loader/test-vmm \
	tests/loader/static-prog \
	tests/loader/qmp

# Only the public header (and the tests' tap.h), against the shared library.
tests_loader_api_test_SOURCES = tests/loader/api-test.c tests/tap.h
tests_loader_api_test_LDADD = libpmufc.la
tests_loader_apply_test_SOURCES = tests/loader/apply-test.c tests/tap.h
tests_loader_apply_test_LDADD = libpmufc.a
tests_loader_inject_test_SOURCES = tests/loader/inject-test.c tests/tap.h src/cli/inject.c src/cli/inject.h
tests_loader_inject_test_CFLAGS = $(AM_CFLAGS) -pthread
tests_loader_inject_test_LDADD = libpmufc.a -lpthread
# Stand-ins for VMMs and for KVM: never built with the sanitizers (the
# uninstrumented shim is preloaded into them).
tests_loader_test_vmm_SOURCES = tests/loader/test-vmm.c
tests_loader_test_vmm_CFLAGS = -std=c11 $(WARN_CFLAGS) -pthread
tests_loader_test_vmm_LDFLAGS =
tests_loader_test_vmm_LDADD = -lpthread
tests_loader_static_prog_SOURCES = tests/loader/static-prog.c
tests_loader_static_prog_CFLAGS = -std=c11 $(WARN_CFLAGS)
tests_loader_static_prog_LDFLAGS = -all-static
# QEMU's machine protocol for qemu.sh (no python3 in a minimal guest).
tests_loader_qmp_SOURCES = tests/loader/qmp.c

# KVM for the shim's tests: a module, preloaded after the shim; and a
# preload of the user's own that changes nothing.
check_LTLIBRARIES = tests/loader/fake-kvm.la tests/loader/preload-mark.la
tests_loader_fake_kvm_la_SOURCES = tests/loader/fake-kvm.c
tests_loader_fake_kvm_la_CFLAGS = -std=c11 $(WARN_CFLAGS)
tests_loader_fake_kvm_la_LDFLAGS = -module -avoid-version -shared -rpath $(abs_builddir)
tests_loader_preload_mark_la_SOURCES = tests/loader/preload-mark.c
tests_loader_preload_mark_la_CFLAGS = -std=c11 $(WARN_CFLAGS)
tests_loader_preload_mark_la_LDFLAGS = -module -avoid-version -shared -rpath $(abs_builddir)

EXTRA_DIST += \
	tests/loader/lib.sh \
	tests/loader/exports.sh tests/loader/shim.sh tests/loader/cli.sh tests/loader/fail-closed.sh \
	tests/loader/kvm.sh tests/loader/qemu.sh \
	tests/x86/loader.sh
