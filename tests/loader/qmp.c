/* qmp.c - QEMU's machine protocol, for the loader's tests (so that
 * qemu.sh needs nothing but a shell and QEMU, inside a minimal guest too).
 *
 *   qmp SOCKET COMMAND...
 *
 * Connects to QEMU's QMP unix socket (retrying for 30 s while QEMU starts),
 * reads the greeting, negotiates capabilities, then sends each COMMAND (a
 * QMP command name, or NAME=JSON to give it arguments) and prints the
 * "return" member of its reply on a line, as QEMU wrote it (QEMU writes
 * JSON with ", " and ": " between items: '"status": "prelaunch"').
 * Events are skipped.  Exits 1 when QEMU answers a command with an error
 * (printed on standard error) or cannot be reached; QEMU closing the
 * connection after "quit" is success. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    return p;
}

/* The end of the JSON string starting at p (on its opening quote), or NULL. */
static const char *skip_string(const char *p)
{
    for (p++; *p; p++) {
        if (*p == '\\' && p[1])
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return NULL;
}

/* The end of the JSON value starting at p, or NULL when it is cut short.
 * Only as much of JSON as finding the ends needs: strings, nesting. */
static const char *skip_value(const char *p)
{
    p = ws(p);
    if (*p == '"')
        return skip_string(p);
    if (*p == '{' || *p == '[') {
        int depth = 0;
        while (*p) {
            if (*p == '"') {
                p = skip_string(p);
                if (!p)
                    return NULL;
                continue;
            }
            if (*p == '{' || *p == '[')
                depth++;
            else if ((*p == '}' || *p == ']') && --depth == 0)
                return p + 1;
            p++;
        }
        return NULL;
    }
    const char *q = p; /* number, true, false, null */
    while (*q && !strchr(",}] \t\r\n", *q))
        q++;
    return q > p ? q : NULL;
}

/* In the top-level object msg, the value of member key: its start and
 * length.  Returns 0 when found. */
static int member(const char *msg, const char *key, const char **val, size_t *len)
{
    const char *p = ws(msg);
    if (*p != '{')
        return -1;
    p = ws(p + 1);
    size_t klen = strlen(key);
    while (*p == '"') {
        const char *kend = skip_string(p);
        if (!kend)
            return -1;
        int hit = (size_t)(kend - p) == klen + 2 && !memcmp(p + 1, key, klen);
        p = ws(kend);
        if (*p != ':')
            return -1;
        const char *v = ws(p + 1), *vend = skip_value(v);
        if (!vend)
            return -1;
        if (hit) {
            *val = v;
            *len = (size_t)(vend - v);
            return 0;
        }
        p = ws(vend);
        if (*p != ',')
            return -1;
        p = ws(p + 1);
    }
    return -1;
}

static int connect_qmp(const char *path)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sa.sun_path)) {
        fprintf(stderr, "qmp: %s: path too long for a unix socket\n", path);
        return -1;
    }
    strcpy(sa.sun_path, path);
    for (int tries = 0;; tries++) {
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0) {
            perror("qmp: socket");
            return -1;
        }
        if (!connect(s, (struct sockaddr *)&sa, sizeof(sa)))
            return s;
        int e = errno;
        close(s);
        if (tries >= 600) { /* 30 s */
            fprintf(stderr, "qmp: %s: %s\n", path, strerror(e));
            return -1;
        }
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* The next message that is not an event, in *line; NULL at end of file. */
static char *reply(FILE *in, char **line, size_t *cap)
{
    const char *v;
    size_t n;
    for (;;) {
        if (getline(line, cap, in) < 0)
            return NULL;
        if (member(*line, "event", &v, &n))
            return *line;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: qmp SOCKET COMMAND...\n", stderr);
        return 2;
    }
    int s = connect_qmp(argv[1]);
    if (s < 0)
        return 1;
    FILE *in = fdopen(s, "r");
    FILE *out = fdopen(dup(s), "w");
    if (!in || !out) {
        perror("qmp: fdopen");
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    char *line = NULL;
    size_t cap = 0;
    const char *v;
    size_t n;
    if (!reply(in, &line, &cap) || member(line, "QMP", &v, &n)) {
        fprintf(stderr, "qmp: %s: no QMP greeting\n", argv[1]);
        return 1;
    }
    /* argv[1] is the socket: its turn is qmp_capabilities'. */
    for (int i = 1; i < argc; i++) {
        const char *cmd = i == 1 ? "qmp_capabilities" : argv[i];
        const char *eq = strchr(cmd, '=');
        int nlen = eq ? (int)(eq - cmd) : (int)strlen(cmd);
        if (eq)
            fprintf(out, "{\"execute\": \"%.*s\", \"arguments\": %s}\n", nlen, cmd, eq + 1);
        else
            fprintf(out, "{\"execute\": \"%s\"}\n", cmd);
        fflush(out);
        if (!reply(in, &line, &cap)) {
            if (nlen == 4 && !strncmp(cmd, "quit", 4))
                return 0;
            fprintf(stderr, "qmp: %.*s: QEMU closed the connection\n", nlen, cmd);
            return 1;
        }
        if (!member(line, "error", &v, &n)) {
            fprintf(stderr, "qmp: %.*s: %.*s\n", nlen, cmd, (int)n, v);
            return 1;
        }
        if (member(line, "return", &v, &n)) {
            fprintf(stderr, "qmp: %.*s: an answer without \"return\": %s", nlen, cmd, line);
            return 1;
        }
        if (i > 1)
            printf("%.*s\n", (int)n, v);
    }
    free(line);
    return 0;
}
