# tests/interop.mk - automake fragment: the interop formats (QEMU's
# kvm-pmu-filter JSON in and out, C, pmufc JSON, policy, arm64 strings).
# Included from the top Makefile.am after tests/Makefile.inc (which
# registers the tests in TESTS; check_PROGRAMS and EXTRA_DIST are defined
# there).  jansson comes in through LIBS (configure.ac).
check_PROGRAMS += tests/interop/interop-test
tests_interop_interop_test_SOURCES = tests/interop/interop-test.c tests/tap.h
tests_interop_interop_test_LDADD = libpmufc.a

EXTRA_DIST += \
	tests/interop/interop.sh \
	tests/interop/seeds \
	tests/interop/policies \
	tests/interop/bad
