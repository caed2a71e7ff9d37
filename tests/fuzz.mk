# tests/fuzz.mk - automake fragment: fuzzing and hostile-input tests.
#
# Included from the top Makefile.am after tests/Makefile.inc, which
# registers the tests in TESTS; this fragment holds their build rules (it
# appends to check_PROGRAMS and EXTRA_DIST).
#
#   make fuzz         builds the libFuzzer targets with clang and runs each
#                     for FUZZ_SECONDS (60) on a working copy of its seed
#                     corpus; fails when one finds a crash, a leak, a UBSan
#                     report, a timeout or an out-of-memory, which it keeps
#                     under tests/fuzz/regress/TARGET/ in the source tree
#                     (targets: policy = pf_compile, blob = the blob readers,
#                     kernel models and writers, import = QEMU JSON and
#                     arm64 range strings in, bundle = a bundle's index
#                     and the pick of a host's filter from it)
#   make fuzz-smoke   the same for FUZZ_SMOKE_SECONDS (20) each: for CI
#   make fuzz-build   only builds them
#   make fuzz-clean   removes the fuzz build and the working corpora
#
# The targets are built with clang -fsanitize=fuzzer,address,undefined
# from the library's own SOURCES (libpmufc_a_SOURCES, with the generated
# grammar/parser.c, grammar/scanner.c and src/evtab.c of the build tree),
# not from libpmufc.a, which the configured compiler built without
# coverage instrumentation.  Needs clang and libclang-rt-14-dev (Debian).
#
# `make check` replays the seed corpora and every kept crash through the
# same harnesses linked with libpmufc.a (tests/fuzz/replay), so a fixed
# crash stays fixed.

FUZZ_CC = clang
FUZZ_SECONDS = 60
FUZZ_SMOKE_SECONDS = 20
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer
FUZZ_SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=all
# Extra libFuzzer options for every run, e.g. FUZZ_FLAGS='-jobs=4 -workers=4'.
FUZZ_FLAGS =
FUZZ_TARGETS = tests/fuzz/fuzz-policy tests/fuzz/fuzz-blob tests/fuzz/fuzz-import \
	tests/fuzz/fuzz-bundle
FUZZ_LIB = tests/fuzz/libpmufc-fuzz.a
# Modules that loop over every event of every compile: comparison tracing
# there costs half the run time and guides nothing (their comparisons are
# against loop counters, not input), so they are built without it.
FUZZ_NO_TRACE_CMP = src/core/ir.c src/core/verify.c src/core/cover.c src/core/synth_x86.c src/core/synth_arm64.c src/core/lint.c
FUZZ_COMPILE = $(FUZZ_CC) $(DEFS) $(DEFAULT_INCLUDES) $(INCLUDES) $(AM_CPPFLAGS) $(CPPFLAGS) \
	-std=c11 $(FUZZ_CFLAGS) $(FUZZ_SANITIZE)

# The library, instrumented for coverage (no libFuzzer main).
$(FUZZ_LIB): $(libpmufc_a_SOURCES) $(nodist_libpmufc_a_SOURCES) $(BUILT_SOURCES) Makefile \
		grammar/parser.c grammar/scanner.c config.h
	$(AM_V_GEN)set -e; rm -rf tests/fuzz/obj $@; $(MKDIR_P) tests/fuzz/obj; \
	for f in $(libpmufc_a_SOURCES) $(nodist_libpmufc_a_SOURCES); do \
	  case $$f in \
	  *.y) f=$${f%.y}.c ;; \
	  *.l) f=$${f%.l}.c ;; \
	  *.c) ;; \
	  *) continue ;; \
	  esac; \
	  if test -f "$$f"; then src=$$f; else src=$(srcdir)/$$f; fi; \
	  obj=tests/fuzz/obj/`echo "$$f" | sed 's|/|_|g; s|\.c$$|.o|'`; \
	  case " $(FUZZ_NO_TRACE_CMP) " in \
	  *" $$f "*) cov=-fno-sanitize-coverage=trace-cmp ;; \
	  *) cov= ;; \
	  esac; \
	  $(FUZZ_COMPILE) -fsanitize=fuzzer-no-link $$cov -c "$$src" -o "$$obj"; \
	done; \
	$(AR) cr $@ tests/fuzz/obj/*.o; $(RANLIB) $@

tests/fuzz/fuzz-policy: $(srcdir)/tests/fuzz/fuzz-policy.c $(srcdir)/tests/fuzz/fuzz.h $(FUZZ_LIB)
	$(AM_V_CCLD)$(FUZZ_COMPILE) $(WARN_CFLAGS) -I$(srcdir)/tests/fuzz -fsanitize=fuzzer \
		-o $@ $(srcdir)/tests/fuzz/fuzz-policy.c $(FUZZ_LIB) $(LIBS)

tests/fuzz/fuzz-blob: $(srcdir)/tests/fuzz/fuzz-blob.c $(srcdir)/tests/fuzz/fuzz.h $(FUZZ_LIB)
	$(AM_V_CCLD)$(FUZZ_COMPILE) $(WARN_CFLAGS) -I$(srcdir)/tests/fuzz -fsanitize=fuzzer \
		-o $@ $(srcdir)/tests/fuzz/fuzz-blob.c $(FUZZ_LIB) $(LIBS)

tests/fuzz/fuzz-import: $(srcdir)/tests/fuzz/fuzz-import.c $(srcdir)/tests/fuzz/fuzz.h $(FUZZ_LIB)
	$(AM_V_CCLD)$(FUZZ_COMPILE) $(WARN_CFLAGS) -I$(srcdir)/tests/fuzz -fsanitize=fuzzer \
		-o $@ $(srcdir)/tests/fuzz/fuzz-import.c $(FUZZ_LIB) $(LIBS)

tests/fuzz/fuzz-bundle: $(srcdir)/tests/fuzz/fuzz-bundle.c $(srcdir)/tests/fuzz/fuzz.h $(FUZZ_LIB)
	$(AM_V_CCLD)$(FUZZ_COMPILE) $(WARN_CFLAGS) -I$(srcdir)/tests/fuzz -fsanitize=fuzzer \
		-o $@ $(srcdir)/tests/fuzz/fuzz-bundle.c $(FUZZ_LIB) $(LIBS)

fuzz-build: $(FUZZ_TARGETS)

fuzz: $(FUZZ_TARGETS)
	$(SHELL) $(srcdir)/tests/fuzz/run.sh '$(FUZZ_SECONDS)' '$(srcdir)' . $(FUZZ_FLAGS)

fuzz-smoke: $(FUZZ_TARGETS)
	$(SHELL) $(srcdir)/tests/fuzz/run.sh '$(FUZZ_SMOKE_SECONDS)' '$(srcdir)' . $(FUZZ_FLAGS)

fuzz-clean:
	rm -rf tests/fuzz/obj tests/fuzz/work $(FUZZ_LIB) $(FUZZ_TARGETS)

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-clean

# The harnesses without libFuzzer, on the seed corpora and the kept crashes.
check_PROGRAMS += tests/fuzz/replay
tests_fuzz_replay_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-policy.c tests/fuzz/fuzz-blob.c \
	tests/fuzz/fuzz-import.c tests/fuzz/fuzz-bundle.c tests/fuzz/fuzz.h
tests_fuzz_replay_CPPFLAGS = $(AM_CPPFLAGS) -DPF_FUZZ_REPLAY
tests_fuzz_replay_LDADD = libpmufc.a

# pmufc's blob validator against the kernel model (and, where /dev/kvm
# exists, the kernel itself) on random and mutated filters.
check_PROGRAMS += tests/differential
tests_differential_SOURCES = tests/differential.c
tests_differential_LDADD = libpmufc.a

EXTRA_DIST += \
	tests/fuzz.mk \
	tests/fuzz/run.sh tests/fuzz/replay.sh tests/fuzz/make-corpus.sh tests/fuzz/policy.dict \
	tests/fuzz/json.dict tests/fuzz/bundle.dict tests/fuzz/corpus-policy tests/fuzz/corpus-blob \
	tests/fuzz/corpus-import tests/fuzz/corpus-bundle \
	tests/fuzz/regress \
	tests/hostile.sh tests/differential.sh tests/differential-kvm.sh tests/valgrind.sh
