/* bundle_write.c - a bundle written as a whole or not at all
 * (core/bundle.h, pf_bundle_write).
 *
 * Everything goes into a new folder beside the destination first, each
 * file synced, so that the rename that puts it in place is the only
 * moment anything changes: a reader (the shim starting a VMM) sees the
 * old bundle or the new one, never a mixture, and an interrupted write
 * leaves the old one as it was. */
#define _GNU_SOURCE
#include "core/bundle.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static enum pf_status sys_fail(struct pf_diags *d, const char *what, const char *path)
{
    int e = errno;
    d->errnum = e;
    pf_diag(d, PF_SEV_ERROR, NULL, "cannot %s %s: %s", what, path, strerror(e));
    return PF_ESYSTEM;
}

static int write_all(int fd, const uint8_t *p, size_t len)
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

/* One file of the new folder, synced. */
static enum pf_status put(int dirfd, const char *dir, const char *name, const void *buf, size_t len,
                          struct pf_diags *d)
{
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0)
        return sys_fail(d, "create a file in", dir);
    if (write_all(fd, buf, len) || fsync(fd)) {
        int e = errno;
        close(fd);
        errno = e;
        return sys_fail(d, "write into", dir);
    }
    if (close(fd))
        return sys_fail(d, "write into", dir);
    return PF_OK;
}

/* Removes a folder of plain files (what a bundle is); a folder inside it
 * stays, and so does the folder then. */
static void remove_bundle(const char *dir)
{
    DIR *dp = opendir(dir);
    if (dp) {
        int fd = dirfd(dp);
        for (struct dirent *e; (e = readdir(dp));)
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                unlinkat(fd, e->d_name, 0);
        closedir(dp);
    }
    rmdir(dir);
}

/* Is the folder at path a bundle pmufc may replace: an index that starts
 * as one, and plain files only? */
static int replaceable(const char *path)
{
    if (!pf_bundle_is(path))
        return 0;
    char index[4096 + 16], head[sizeof(PF_BUNDLE_MAGIC)];
    snprintf(index, sizeof(index), "%s/%s", path, PF_BUNDLE_INDEX);
    FILE *f = fopen(index, "r");
    size_t n = f ? fread(head, 1, 13, f) : 0;
    if (f)
        fclose(f);
    if (n != 13 || memcmp(head, PF_BUNDLE_MAGIC, 13))
        return 0; /* "pmufc-bundle " of any version */
    DIR *dp = opendir(path);
    if (!dp)
        return 0;
    int ok = 1;
    for (struct dirent *e; ok && (e = readdir(dp));) {
        struct stat st;
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            ok = !fstatat(dirfd(dp), e->d_name, &st, AT_SYMLINK_NOFOLLOW) &&
                 (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode));
    }
    closedir(dp);
    return ok;
}

/* The new folder, filled: the filters first, the index last. */
static enum pf_status fill(const struct pf_bundle_made *b, const char *tmp, struct pf_diags *d)
{
    int fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return sys_fail(d, "open", tmp);
    enum pf_status s = PF_OK;
    for (size_t i = 0; s == PF_OK && i < b->nfiles; i++)
        s = put(fd, tmp, b->files[i].name, b->files[i].blob, b->files[i].len, d);
    if (s == PF_OK)
        s = put(fd, tmp, PF_BUNDLE_INDEX, b->index, b->index_len, d);
    if (s == PF_OK && fsync(fd))
        s = sys_fail(d, "sync", tmp);
    close(fd);
    return s;
}

/* The folder at dir replaced by tmp: exchanged in one rename where the
 * file system can (Linux 3.15+), else moved aside first. */
static enum pf_status replace(const char *tmp, const char *dir, char *old, size_t oldsize,
                              struct pf_diags *d)
{
    if (!syscall(SYS_renameat2, AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE)) {
        snprintf(old, oldsize, "%s", tmp);
        return PF_OK;
    }
    if (errno != EINVAL && errno != ENOSYS)
        return sys_fail(d, "replace", dir);
    snprintf(old, oldsize, "%s.old.XXXXXX", dir);
    if (!mkdtemp(old) || rename(dir, old))
        return sys_fail(d, "move aside", dir);
    if (rename(tmp, dir)) {
        enum pf_status s = sys_fail(d, "replace", dir);
        rename(old, dir); /* the old one back */
        return s;
    }
    return PF_OK;
}

enum pf_status pf_bundle_write(const struct pf_bundle_made *b, const char *dir, struct pf_diags *d)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--; /* "out/" is out */
    if (n > 4000) {
        errno = ENAMETOOLONG;
        return sys_fail(d, "write", dir);
    }
    char path[4096], tmp[4096 + 16], old[4096 + 16];
    snprintf(path, sizeof(path), "%.*s", (int)n, dir);
    struct stat st;
    int exists = !lstat(path, &st);
    if (!exists && errno != ENOENT)
        return sys_fail(d, "look at", path);
    if (exists && !S_ISDIR(st.st_mode)) {
        pf_diag(d, PF_SEV_ERROR, NULL, "%s exists and is not a folder: left as it is, no bundle "
                "written", path);
        return PF_EPOLICY;
    }
    if (exists && !replaceable(path)) {
        pf_diag(d, PF_SEV_ERROR, NULL, "%s exists and is not a bundle (a folder of files with a "
                "pmufc index): left as it is, no bundle written", path);
        return PF_EPOLICY;
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path);
    if (!mkdtemp(tmp))
        return sys_fail(d, "create a folder beside", path);
    /* mkdtemp's 0700, opened up as the umask says a new folder is. */
    mode_t mask = umask(0);
    umask(mask);
    enum pf_status s = chmod(tmp, 0777 & ~mask) ? sys_fail(d, "set the mode of", tmp) : PF_OK;
    if (s == PF_OK)
        s = fill(b, tmp, d);
    if (s == PF_OK && !exists && rename(tmp, path))
        s = sys_fail(d, "rename into place", path);
    if (s == PF_OK && exists && (s = replace(tmp, path, old, sizeof(old), d)) == PF_OK)
        remove_bundle(old);
    if (s != PF_OK)
        remove_bundle(tmp);
    return s;
}
