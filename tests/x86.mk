# tests/x86.mk - automake fragment: what the tests that boot real x86
# kernels need (Debian amd64 kernels under qemu-system-x86_64 TCG, with
# kvm-amd); tests/Makefile.inc registers them in TESTS.
#
# corpus.sh: every filter of the test corpus (compiled here by tests/kvm.sh
#   --compile) handed to each kernel by tests/kvm.sh inside it: 6.12 takes
#   them all, 6.1 the plain ones and refuses the masked ones (EINVAL), as
#   `pmufc --probe` predicts there.
# differential.sh: tests/differential -k inside each kernel, 100,000
#   random and mutated filters per kernel.
# guest.sh (sourced) builds the initramfs and boots a kernel; setup.sh
# fetches the kernels into ${XDG_CACHE_HOME:-$HOME/.cache}/pmufc-x86 (or
# $PMUFC_X86_CACHE), outside the tree, so VPATH and distcheck builds find
# them.  Both tests skip (77) without a cached kernel or qemu-system-x86_64,
# busybox and cpio, and write only into mktemp folders.
EXTRA_DIST += \
	tests/x86.mk \
	tests/x86/setup.sh \
	tests/x86/guest.sh \
	tests/x86/corpus.sh \
	tests/x86/differential.sh
