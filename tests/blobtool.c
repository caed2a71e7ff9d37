/* blobtool - literal KVM x86 filters for the tests.
 *
 *   blobtool make OUT ACTION FLAGS FIXED [ITEM...]
 *       writes struct kvm_pmu_event_filter to OUT, little-endian: ACTION is
 *       allow, deny or a number; FLAGS plain, masked or a number; FIXED the
 *       fixed_counter_bitmap.  ITEMs, in order:
 *         inc:SEL:MASK:MATCH  exc:SEL:MASK:MATCH   a masked entry
 *                                                  (KVM_PMU_ENCODE_MASKED_ENTRY)
 *         raw:VALUE           an entry as it is (plain: RAW_EVENT value)
 *         dummies=N           the selftest's add_dummy_events(N)
 *         nevents=N           zero entries up to N in all (the selftest's
 *                             base_event_filter has 300 slots)
 *   blobtool cmp TARGET A B
 *       loads two filters into the kernel model (src/eval.c) for TARGET
 *       (intel or amd) and compares their decision on every event and, on
 *       Intel, every fixed counter.  Exit 0 when they agree everywhere, 1
 *       when not (the first differences are printed), 2 on a bad filter.
 *
 * The tables under tests/selftest/ write the kernel selftest's own filters
 * with `make`, then check that pmufc's blob decides like them with `cmp`. */
#include "kernel/eval_x86.h"
#include "kernel/kvm_compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long num(const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (!*s || *end) {
        fprintf(stderr, "blobtool: bad number '%s'\n", s);
        exit(2);
    }
    return v;
}

static void put(unsigned char *p, unsigned long long v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* add_dummy_events() of pmu_event_filter_test.c: selects i % 0xff, moved
 * off MEM_INST_RETIRED (0xd0) and LS_DISPATCH (0x29); every fourth one an
 * exclude; mask 0, match 0. */
static unsigned long long dummy(int i)
{
    int sel = i % 0xff;
    if (sel == 0xd0 || sel == 0x29)
        sel++;
    return KVM_PMU_ENCODE_MASKED_ENTRY((unsigned long long)sel, 0ull, 0ull, i % 4 == 0);
}

static int make(int argc, char **argv)
{
    if (argc < 4) {
        fputs("blobtool make OUT ACTION FLAGS FIXED [ITEM...]\n", stderr);
        return 2;
    }
    unsigned long long action = !strcmp(argv[1], "allow")  ? KVM_PMU_EVENT_ALLOW
                                : !strcmp(argv[1], "deny") ? KVM_PMU_EVENT_DENY
                                                           : num(argv[1]);
    unsigned long long flags = !strcmp(argv[2], "plain")    ? 0
                               : !strcmp(argv[2], "masked") ? KVM_PMU_EVENT_FLAG_MASKED_EVENTS
                                                            : num(argv[2]);
    unsigned long long fixed = num(argv[3]);
    size_t cap = 1024, n = 0;
    unsigned long long *ev = calloc(cap, sizeof(*ev));
    if (!ev)
        return 2;
    for (int i = 4; i < argc; i++) {
        const char *a = argv[i];
        int sel, mask, match;
        char tail;
        if (!strncmp(a, "dummies=", 8)) {
            int k = (int)num(a + 8);
            for (int j = 0; j < k && n < cap; j++)
                ev[n++] = dummy(j);
        } else if (!strncmp(a, "nevents=", 8)) {
            size_t k = (size_t)num(a + 8);
            while (n < k && n < cap)
                ev[n++] = 0;
        } else if (!strncmp(a, "raw:", 4) && n < cap) {
            ev[n++] = num(a + 4);
        } else if ((!strncmp(a, "inc:", 4) || !strncmp(a, "exc:", 4)) && n < cap &&
                   sscanf(a + 4, "%i:%i:%i%c", &sel, &mask, &match, &tail) == 3) {
            ev[n++] = KVM_PMU_ENCODE_MASKED_ENTRY((unsigned long long)sel, (unsigned long long)mask,
                                                  (unsigned long long)match, a[0] == 'e');
        } else {
            fprintf(stderr, "blobtool: bad item '%s'\n", a);
            return 2;
        }
    }
    size_t len = 32 + 8 * n;
    unsigned char *b = calloc(1, len);
    if (!b)
        return 2;
    put(b, action, 4);
    put(b + 4, n, 4);
    put(b + 8, fixed, 4);
    put(b + 12, flags, 4);
    for (size_t i = 0; i < n; i++)
        put(b + 32 + 8 * i, ev[i], 8);
    FILE *f = fopen(argv[0], "wb");
    if (!f || fwrite(b, 1, len, f) != len || fclose(f)) {
        perror(argv[0]);
        return 2;
    }
    free(b);
    free(ev);
    return 0;
}

static int load(const char *path, int amd, struct pf_eval_x86 *ev)
{
    static unsigned char buf[32 + 8 * 4096];
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    const char *why = "";
    if (pf_eval_x86_load(ev, buf, len, amd, &why)) {
        fprintf(stderr, "blobtool: %s: the kernel would refuse it (%s)\n", path, why);
        return -1;
    }
    return 0;
}

static int cmp(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[0], "intel") && strcmp(argv[0], "amd"))) {
        fputs("blobtool cmp intel|amd A B\n", stderr);
        return 2;
    }
    int amd = !strcmp(argv[0], "amd");
    struct pf_eval_x86 a, b;
    if (load(argv[1], amd, &a))
        return 2;
    if (load(argv[2], amd, &b)) {
        pf_eval_x86_free(&a);
        return 2;
    }
    unsigned long bad = 0;
    unsigned nsel = amd ? 0x1000 : 0x100;
    for (unsigned s = 0; s < nsel; s++)
        for (unsigned u = 0; u < 256; u++) {
            int x = pf_eval_x86_gp(&a, s, u, NULL, NULL), y = pf_eval_x86_gp(&b, s, u, NULL, NULL);
            if (x != y && ++bad <= 5)
                printf("select=0x%03x umask=0x%02x: %s %s, %s %s\n", s, u, argv[1],
                       x ? "allow" : "deny", argv[2], y ? "allow" : "deny");
        }
    for (unsigned i = 0; !amd && i < 32; i++) {
        int x = pf_eval_x86_fixed(&a, i), y = pf_eval_x86_fixed(&b, i);
        if (x != y && ++bad <= 10)
            printf("fixed counter %u: %s %s, %s %s\n", i, argv[1], x ? "allow" : "deny", argv[2],
                   y ? "allow" : "deny");
    }
    pf_eval_x86_free(&a);
    pf_eval_x86_free(&b);
    if (bad)
        printf("%lu decisions differ on %s\n", bad, argv[0]);
    return bad != 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "make"))
        return make(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "cmp"))
        return cmp(argc - 2, argv + 2);
    fputs("usage: blobtool make OUT ACTION FLAGS FIXED [ITEM...]\n"
          "       blobtool cmp intel|amd A B\n",
          stderr);
    return 2;
}
