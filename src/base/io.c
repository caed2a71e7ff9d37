/* io.c - whole-file input and atomic output, for the library and the
 * command line alike. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "base/io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Where a symlink to a file that does not exist yet points, as a path
 * usable from here; NULL when it cannot be read. */
static char *dangling_target(const char *link)
{
    char target[4096];
    ssize_t n = readlink(link, target, sizeof(target) - 1);
    if (n <= 0)
        return NULL;
    target[n] = 0;
    const char *slash = strrchr(link, '/');
    size_t dir = target[0] == '/' || !slash ? 0 : (size_t)(slash - link) + 1;
    char *p = malloc(dir + (size_t)n + 1);
    if (!p)
        return NULL;
    memcpy(p, link, dir);
    memcpy(p + dir, target, (size_t)n + 1);
    return p;
}

static enum pf_status write_file(const char *path, const void *buf, size_t len, char *err,
                                 size_t errlen, int *errnum)
{
    if (!strcmp(path, "-")) {
        if (write_all(STDOUT_FILENO, buf, len)) {
            *errnum = errno;
            snprintf(err, errlen, "cannot write to standard output: %s", strerror(errno));
            return PF_ESYSTEM;
        }
        return PF_OK;
    }
    /* Devices, FIFOs and sockets are written through (renaming over
     * /dev/null would replace the device); a symlink is followed so the
     * file it names is replaced, not the link. */
    struct stat st;
    char *real = NULL;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        real = realpath(path, NULL);
        if (!real)
            real = dangling_target(path);
        if (real)
            path = real;
    }
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        int bad = fd < 0 || write_all(fd, buf, len);
        int saved = errno;
        if (fd >= 0 && close(fd))
            bad = 1, saved = errno;
        if (bad) {
            *errnum = saved;
            snprintf(err, errlen, "cannot write %s: %s", path, strerror(saved));
        }
        free(real);
        return bad ? PF_ESYSTEM : PF_OK;
    }
    size_t n = strlen(path);
    char *tmp = malloc(n + 16);
    if (!tmp) {
        snprintf(err, errlen, "out of memory");
        free(real);
        return PF_ENOMEM;
    }
    /* Same folder as the target, so rename() is atomic. */
    snprintf(tmp, n + 16, "%s.pmufc-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        *errnum = errno;
        snprintf(err, errlen, "cannot create %s: %s (a temporary file beside it)", path, strerror(errno));
        free(tmp);
        free(real);
        return PF_ESYSTEM;
    }
    /* mkstemp makes 0600; give the file the mode a plain create would. */
    mode_t um = umask(0);
    umask(um);
    int bad = fchmod(fd, 0666 & ~um) || write_all(fd, buf, len) || fsync(fd);
    int saved = errno;
    if (close(fd))
        bad = 1, saved = errno;
    if (!bad && rename(tmp, path))
        bad = 1, saved = errno;
    if (bad) {
        unlink(tmp);
        *errnum = saved;
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(saved));
        free(tmp);
        free(real);
        return PF_ESYSTEM;
    }
    free(tmp);
    free(real);
    return PF_OK;
}

static enum pf_status read_file(const char *path, size_t limit, char **buf, size_t *len, char *err,
                                size_t errlen, int *errnum)
{
    int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
    if (fd < 0) {
        *errnum = errno;
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return PF_ESYSTEM;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        *errnum = EISDIR;
        snprintf(err, errlen, "cannot read %s: it is a directory", path);
        if (fd != STDIN_FILENO)
            close(fd);
        return PF_ESYSTEM;
    }
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    enum pf_status rc = PF_OK;
    for (;;) {
        if (!b) {
            snprintf(err, errlen, "out of memory reading %s", path);
            rc = PF_ENOMEM;
            break;
        }
        if (n == cap) {
            if (cap > limit) {
                snprintf(err, errlen, "%s is larger than the limit of %zu bytes", path, limit);
                rc = PF_ETOOBIG;
                break;
            }
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
                continue;
            }
            b = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            *errnum = errno;
            snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
            rc = PF_ESYSTEM;
            break;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > limit) {
            snprintf(err, errlen, "%s is larger than the limit of %zu bytes", path, limit);
            rc = PF_ETOOBIG;
            break;
        }
    }
    if (fd != STDIN_FILENO)
        close(fd);
    if (rc) {
        free(b);
        return rc;
    }
    *buf = b;
    *len = n;
    return PF_OK;
}

enum pf_status pf_read_file(const char *path, size_t limit, char **buf, size_t *len,
                            struct pf_diags *d, const struct pf_loc *loc)
{
    char err[512];
    int errnum = 0;
    enum pf_status s = read_file(path, limit, buf, len, err, sizeof(err), &errnum);
    if (s != PF_OK) {
        d->errnum = errnum;
        pf_diag(d, PF_SEV_ERROR, loc, "%s", err);
    }
    return s;
}

enum pf_status pf_write_file(const char *path, const void *buf, size_t len, struct pf_diags *d)
{
    char err[512];
    int errnum = 0;
    enum pf_status s = write_file(path, buf, len, err, sizeof(err), &errnum);
    if (s != PF_OK) {
        d->errnum = errnum;
        pf_diag(d, PF_SEV_ERROR, NULL, "%s", err);
    }
    return s;
}
