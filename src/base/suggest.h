/* suggest.h - "did you mean": the closest of known words to a word given. */
#ifndef PMUFC_SUGGEST_H
#define PMUFC_SUGGEST_H

/* Edit distance of two names (insert, delete, substitute, swap two
 * neighbours), case folded; words over 40 bytes are "far" (1000). */
unsigned pf_edit_distance(const char *a, const char *b);

/* The word of words (NULL-terminated) closest to s, if close enough to be
 * a slip (at most a third of s, at least 2 edits, and not a whole other
 * word); NULL when none is. */
const char *pf_closest(const char *s, const char *const *words);

#endif
