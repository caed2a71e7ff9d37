/* suggest.c - "did you mean": how far apart two words are. */
#include "base/suggest.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

unsigned pf_edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 40 || m > 40)
        return 1000;
    unsigned d[41][41];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            unsigned sub = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            unsigned v = d[i - 1][j - 1] + sub;
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

const char *pf_closest(const char *s, const char *const *words)
{
    unsigned cap = (unsigned)strlen(s) / 3, best = 1000;
    if (cap < 2)
        cap = 2;
    const char *found = NULL;
    for (; *words; words++) {
        unsigned d = pf_edit_distance(s, *words);
        /* The start of a word ("arm" of "arm64") is the likeliest slip. */
        if (strlen(s) >= 2 && !strncasecmp(*words, s, strlen(s)) && d > 1)
            d = 1;
        if (d <= cap && d < best && d < strlen(*words)) {
            best = d;
            found = *words;
        }
    }
    return found;
}
