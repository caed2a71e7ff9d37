#!/bin/sh
# tests/loader/exports.sh - what the shared objects export: libpmufc.so
# only the pmufc_* API of include/pmufc.h (every one of them), the shim
# only ioctl; and a program built against the installed-style header and
# pkg-config file links.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/loader/lib.sh"

lib=$TESTS_BUILDDIR/../.libs/libpmufc.so
command -v nm >/dev/null || skip_all "no nm"
test -e "$lib" || bail "no $lib"

nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sort >"$tmp/lib.syms"
grep -v '^pmufc_' "$tmp/lib.syms" >"$tmp/stray"
if test -s "$tmp/stray"; then bad "libpmufc.so exports only pmufc_*: also $(tr '\n' ' ' <"$tmp/stray")"; else ok "libpmufc.so exports only pmufc_* ($(wc -l <"$tmp/lib.syms") symbols)"; fi
sed -n 's/^PMUFC_API [^(]*[ *]\(pmufc_[a-z_]*\)(.*/\1/p' "$TESTS_SRCDIR/../include/pmufc.h" | sort >"$tmp/api.syms"
if cmp -s "$tmp/api.syms" "$tmp/lib.syms"; then ok "every function of pmufc.h is exported, and nothing else"; else bad "pmufc.h and libpmufc.so differ: $(diff "$tmp/api.syms" "$tmp/lib.syms" | tr '\n' ' ')"; fi
# man FUNCTION: each function has its own page or a .so link to one.
nopage=
for f in $(cat "$tmp/api.syms"); do
	test -e "$TESTS_SRCDIR/../man/$f.3" || grep -q -e ":$f\([^a-z_]\|$\)" "$TESTS_SRCDIR/../Makefile.am" ||
		nopage="$nopage $f"
done
if test -z "$nopage"; then ok "every function of pmufc.h has a man page"; else bad "no man page for:$nopage"; fi
nm -D --defined-only "$SHIM" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' >"$tmp/shim.syms"
if test "$(cat "$tmp/shim.syms")" = ioctl; then ok "pmufc-shim.so exports only ioctl"; else bad "pmufc-shim.so exports: $(tr '\n' ' ' <"$tmp/shim.syms")"; fi
if nm -D --undefined-only "$SHIM" | grep -q 'pmufc_\|pf_'; then bad "the shim needs libpmufc at run time"; else ok "the shim is self-contained (no libpmufc at run time)"; fi

# A user's program: the header, the library, nothing else.
cc=${CC:-cc}
if command -v "$cc" >/dev/null; then
	cat >"$tmp/user.c" <<'EOS'
#include <pmufc.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
    struct pmufc_ctx *ctx = pmufc_ctx_new();
    const char *p = "allow x86 select=0xc0;\n";
    pmufc_set_target(ctx, PMUFC_TARGET_AMD);
    int rc = pmufc_compile_string(ctx, "p.pf", p, strlen(p));
    printf("%d %zd\n", rc, pmufc_get_blob(ctx, NULL, 0));
    pmufc_ctx_free(&ctx);
    return rc != 0;
}
EOS
	if "$cc" -std=c99 -Wall -Werror -I"$TESTS_SRCDIR/../include" "$tmp/user.c" -o "$tmp/user" \
		-L"$(dirname "$lib")" -lpmufc 2>"$tmp/err"; then
		ok "a C99 program builds against pmufc.h and -lpmufc"
		LD_LIBRARY_PATH=$(dirname "$lib") "$tmp/user" >"$tmp/out" 2>&1
		has "$tmp/out" "0 " "... and compiles a policy through the shared library"
	else
		bad "a C99 program does not build against pmufc.h"
	fi
fi
pc=$TESTS_BUILDDIR/../pmufc.pc
test -e "$pc" && grep -q '^Libs: -L${libdir} -lpmufc' "$pc" && grep -q '^Cflags: -I${includedir}' "$pc"
verdict $? "pmufc.pc: Libs and Cflags" "pmufc.pc"

finish
