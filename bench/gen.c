/* gen.c - generated benchmark policies of any size.
 *
 *   gen FAMILY RULES [SEED]
 *
 * writes a policy of RULES rules to standard output; the same arguments
 * always give the same policy.  Families:
 *
 *   allow-list  Intel allow-list: named-event-like rules, one select and a
 *               few umasks each (single bits, small sets, ranges, masked
 *               matches), over the 64 selects of a core PMU, plus fixed
 *               counters.
 *   deny-list   Intel deny-list of cache/offcore-like events: whole
 *               selects, umask ranges, masked matches, and now and then an
 *               allow carving an exception back out.
 *   dense       Intel, 12 selects only, allow and deny rules alternating
 *               with random ranges and masked matches: every select ends up
 *               with an irregular umask pattern (the cover search's work).
 *   amd-spread  AMD allow-list over 12-bit selects spread from 0x000 to
 *               0xfff (96 of them), umask patterns as in allow-list.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state;

static uint32_t rnd(void)
{
    uint64_t x = state;
    state = x * 6364136223846793005ull + 1442695040888963407ull;
    uint32_t xs = (uint32_t)(((x >> 18) ^ x) >> 27), rot = (uint32_t)(x >> 59);
    return (xs >> rot) | (xs << ((32 - rot) & 31));
}

static unsigned pick(unsigned n)
{
    return rnd() % n;
}

/* A umask pattern like the ones event lists use. */
static void umask_pattern(char *buf, size_t n)
{
    unsigned kind = pick(10);
    if (kind < 4) { /* one named sub-event: a single bit, or zero */
        unsigned b = pick(9);
        snprintf(buf, n, "umask=0x%02x", b == 8 ? 0 : 1u << b);
    } else if (kind < 6) { /* a few sub-events */
        unsigned k = 2 + pick(3), used = 0;
        size_t off = (size_t)snprintf(buf, n, "umask={");
        for (unsigned i = 0; i < k; i++) {
            unsigned v = pick(4) ? 1u << pick(8) : rnd() & 0xff;
            if (used >> (v & 31) & 1)
                continue;
            used |= 1u << (v & 31);
            off += (size_t)snprintf(buf + off, n - off, "%s0x%02x", i ? "," : "", v);
        }
        snprintf(buf + off, n - off, "}");
    } else if (kind < 8) { /* a range */
        unsigned lo = rnd() & 0xff, hi = lo + pick(32);
        snprintf(buf, n, "umask=0x%02x-0x%02x", lo, hi > 0xff ? 0xff : hi);
    } else if (kind < 9) { /* a masked match */
        unsigned mask = rnd() & 0xff;
        snprintf(buf, n, "mask=0x%02x match=0x%02x", mask, rnd() & mask);
    } else {
        buf[0] = 0; /* every umask */
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: gen allow-list|deny-list|dense|amd-spread RULES [SEED]\n", stderr);
        return 64;
    }
    const char *fam = argv[1];
    unsigned long rules = strtoul(argv[2], NULL, 0);
    state = argc > 3 ? strtoull(argv[3], NULL, 0) : 1;
    state = state * 0x9e3779b97f4a7c15ull + 0x853c49e6748fea9bull;
    char um[128];

    unsigned sel[96], nsel;
    if (!strcmp(fam, "amd-spread")) {
        nsel = 96;
        for (unsigned i = 0; i < nsel; i++)
            sel[i] = i * 0x2a + pick(0x2a); /* 0x000 .. 0xfbf, one per stride */
        printf("# generated: amd-spread, %lu rules\ntarget amd;\ndefault deny;\n", rules);
        for (unsigned long r = 0; r < rules; r++) {
            umask_pattern(um, sizeof(um));
            printf("allow amd select=0x%03x%s%s;\n", sel[pick(nsel)], um[0] ? " " : "", um);
        }
        return 0;
    }
    if (!strcmp(fam, "allow-list")) {
        nsel = 64;
        for (unsigned i = 0; i < nsel; i++)
            sel[i] = (i * 0x4f + 0x3c) & 0xff;
        printf("# generated: allow-list, %lu rules\ntarget intel;\ndefault deny;\n", rules);
        printf("allow fixed 0x7;\n");
        for (unsigned long r = 1; r < rules; r++) {
            umask_pattern(um, sizeof(um));
            printf("allow intel select=0x%02x%s%s;\n", sel[pick(nsel)], um[0] ? " " : "", um);
        }
        return 0;
    }
    if (!strcmp(fam, "deny-list")) {
        nsel = 64;
        for (unsigned i = 0; i < nsel; i++)
            sel[i] = (i * 0x35 + 0x2e) & 0xff;
        printf("# generated: deny-list, %lu rules\ntarget intel;\ndefault allow;\n", rules);
        for (unsigned long r = 0; r < rules; r++) {
            unsigned k = pick(10);
            unsigned s = sel[pick(nsel)];
            if (k < 2) {
                printf("deny intel select=0x%02x;\n", s);
            } else if (k < 8) {
                umask_pattern(um, sizeof(um));
                printf("deny intel select=0x%02x%s%s;\n", s, um[0] ? " " : "", um);
            } else {
                printf("allow intel select=0x%02x umask=0x%02x;\n", s, 1u << pick(8));
            }
        }
        return 0;
    }
    if (!strcmp(fam, "dense")) {
        nsel = 12;
        for (unsigned i = 0; i < nsel; i++)
            sel[i] = 0xd0 + i;
        printf("# generated: dense, %lu rules\ntarget intel;\ndefault deny;\n", rules);
        for (unsigned long r = 0; r < rules; r++) {
            umask_pattern(um, sizeof(um));
            printf("%s intel select=0x%02x%s%s;\n", r % 2 ? "deny" : "allow", sel[pick(nsel)],
                   um[0] ? " " : "", um);
        }
        return 0;
    }
    fprintf(stderr, "gen: unknown family '%s'\n", fam);
    return 64;
}
