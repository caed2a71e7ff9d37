#!/usr/bin/env python3
"""Apply the loader's integration to a pmufc tree (Makefile.am, configure.ac, src/main.c).
usage: integrate.py TREE"""
import sys, re
tree = sys.argv[1]

def edit(path, pairs):
    p = f"{tree}/{path}"
    s = open(p).read()
    for old, new in pairs:
        if old not in s:
            sys.exit(f"{path}: anchor not found:\n{old}")
        s = s.replace(old, new, 1)
    open(p, "w").write(s)

edit("configure.ac", [
("AM_PROG_AR\nAC_PROG_RANLIB\n", """AM_PROG_AR
LT_INIT([disable-static])

# libpmufc.so exports its API only (PMUFC_API in include/pmufc.h); the
# LD_PRELOAD shim exports ioctl only.
AC_MSG_CHECKING([whether $CC accepts -fvisibility=hidden])
pf_save_CFLAGS=$CFLAGS
CFLAGS="$CFLAGS -fvisibility=hidden -Werror"
AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[__attribute__((visibility("default"))) int f(void);]], [[]])],
    [AC_MSG_RESULT([yes]); VISIBILITY_CFLAGS=-fvisibility=hidden],
    [AC_MSG_RESULT([no]); VISIBILITY_CFLAGS=])
CFLAGS=$pf_save_CFLAGS
AC_SUBST([VISIBILITY_CFLAGS])
# The shim finds the next ioctl with dlsym, and pmufc run test-loads it
# with dlopen (in libc from glibc 2.34, in libdl before).
AC_SEARCH_LIBS([dlopen], [dl], [], [AC_MSG_ERROR([dlopen is required])])
"""),
("AC_CONFIG_FILES([Makefile", "AC_CONFIG_FILES([Makefile pmufc.pc"),
])

edit("Makefile.am", [
("AM_CPPFLAGS = -I$(top_srcdir)/src", "AM_CPPFLAGS = -I$(top_srcdir)/include -I$(top_srcdir)/src"),
("\tsrc/arena.c src/arena.h \\\n", "\tsrc/apply.c src/apply.h \\\n\tsrc/arena.c src/arena.h \\\n"),
("libpmufc_a_SOURCES = \\\n\tgrammar/parser.y grammar/scanner.l grammar/parse.h \\\n",
 "# (the C sources, shared with libpmufc.la below)\nlibpmufc_src = \\\n"),
("# flex's output is not ours to lint.\n",
 "libpmufc_a_SOURCES = grammar/parser.y grammar/scanner.l grammar/parse.h $(libpmufc_src)\n# flex's output is not ours to lint.\n"),
("libpmufc_a_CFLAGS = $(AM_CFLAGS)\n", """libpmufc_a_CFLAGS = $(AM_CFLAGS)

# libpmufc.so, installed (include/pmufc.h, pmufc(3), pmufc.pc): the same
# sources and src/api.c, compiled position-independent with hidden
# visibility; only the pmufc_* API is exported.  The parser and scanner
# are those generated for libpmufc.a.
lib_LTLIBRARIES = libpmufc.la
libpmufc_la_SOURCES = src/api.c include/pmufc.h $(libpmufc_src)
nodist_libpmufc_la_SOURCES = grammar/parser.c grammar/scanner.c src/evtab.c
libpmufc_la_CFLAGS = $(AM_CFLAGS) $(VISIBILITY_CFLAGS)
libpmufc_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0 -export-symbols-regex '^pmufc_'
include_HEADERS = include/pmufc.h
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = pmufc.pc
DISTCLEANFILES = pmufc.pc
EXTRA_DIST += pmufc.pc.in

# The LD_PRELOAD shim of `pmufc run` (src/shim.c): self-contained (its own
# copies of the validator and of apply; -z defs: nothing left undefined
# that could keep it from loading), exports ioctl only, and never built
# with the sanitizers, since it is loaded into VMMs that are not.
pkglib_LTLIBRARIES = pmufc-shim.la
pmufc_shim_la_SOURCES = src/shim.c src/apply.c src/arena.c src/ast.c src/blob.c src/blob_arm.c \\
	src/diag.c src/host.c
pmufc_shim_la_CFLAGS = -std=c11 $(WARN_CFLAGS) $(VISIBILITY_CFLAGS)
pmufc_shim_la_LDFLAGS = -module -avoid-version -shared -export-symbols-regex '^ioctl$$' -Wl,-z,defs
"""),
("pmufc_SOURCES = src/main.c\n", """pmufc_SOURCES = src/main.c src/cli_load.c src/cli_load.h src/inject.c src/inject.h
pmufc_CPPFLAGS = $(AM_CPPFLAGS) -DPMUFC_SHIM_PATH='"$(pkglibdir)/pmufc-shim.so"'
"""),
("dist_man_MANS = man/pmufc.1 man/pmufc.policy.5", """dist_man_MANS = man/pmufc.1 man/pmufc.policy.5 man/pmufc.3 man/pmufc_ctx_new.3 \\
	man/pmufc_compile.3 man/pmufc_diag.3 man/pmufc_apply.3 man/pmufc_probe.3"""),
("include $(srcdir)/tests/Makefile.inc\n", "include $(srcdir)/tests/Makefile.inc\ninclude $(srcdir)/tests/loader.mk\n"),
])

# main.c: the loader's modes.
sys.path.insert(0, "/tmp")
from integrate_main import integrate_main
integrate_main(tree)
print("integrated", tree)
