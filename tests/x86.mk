# tests/x86.mk - automake fragment for the tests that boot real x86 kernels
# (Debian amd64 kernels under qemu-system-x86_64 TCG, with kvm-amd).
