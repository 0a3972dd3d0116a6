/*
 * probe: reports facts about its own process, as seen from inside a
 * container, as one JSON object on stdout.  Built with `gcc -static -O2`.
 *
 * Usage: probe [OP ...]
 *   stat:PATH    lstat PATH -> {"type","mode","uid","gid","major","minor","link"} or null
 *   write:PATH   try to write at PATH (a directory: create+remove a file in it;
 *                anything else: open O_WRONLY) -> "ok" or the errno name
 *   read:PATH    first 4 KiB of PATH (string) or {"error": errno name}
 *   touch:PATH   create PATH (a marker that the user process ran)
 *   keyring      description of the session keyring
 *   exit:N       exit with status N after printing
 *   sleep:N      sleep N seconds after printing
 *   sys:NAME[:ARG...]  raw syscall NAME (small fixed table) with ARGs (an ARG
 *                starting with '/' is passed as a string, else strtoull base 0),
 *                run BEFORE anything is printed (a seccomp kill leaves no output)
 *                -> "sys": {"NAME[:ARG...]": {"ret": R, "errno": E}} (E is 0 on success)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <unistd.h>

extern char **environ;

static void jstr(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '\t')
            fputs("\\t", stdout);
        else if (c < 0x20 || c >= 0x7f)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void key(const char *k, int *first)
{
    if (!*first)
        putchar(',');
    *first = 0;
    jstr(k);
    putchar(':');
}

static const char *errname(int e)
{
    switch (e) {
    case EROFS: return "EROFS";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EISDIR: return "EISDIR";
    case ENOTDIR: return "ENOTDIR";
    case EINVAL: return "EINVAL";
    case ENXIO: return "ENXIO";
    case ENOSPC: return "ENOSPC";
    default: return strerror(e);
    }
}

/* Reads a whole small file into buf; returns length or -errno. */
static int slurp(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t n = 0;
    ssize_t r;
    while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
        n += (size_t)r;
    close(fd);
    buf[n] = 0;
    return (int)n;
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = 0;
}

static void status_fields(void)
{
    static const char *want[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb",
                                 "NoNewPrivs", "Seccomp", NULL};
    char buf[8192], *line, *save = NULL;
    int first = 1;
    putchar('{');
    if (slurp("/proc/self/status", buf, sizeof buf) > 0) {
        for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            char *colon = strchr(line, ':');
            if (!colon)
                continue;
            *colon = 0;
            for (int i = 0; want[i]; i++) {
                if (strcmp(line, want[i]) == 0) {
                    char *v = colon + 1;
                    while (*v == ' ' || *v == '\t')
                        v++;
                    key(line, &first);
                    jstr(v);
                }
            }
        }
    }
    putchar('}');
}

static void rlimits(void)
{
    static const struct { const char *name; int res; } rl[] = {
        {"RLIMIT_AS", RLIMIT_AS}, {"RLIMIT_CORE", RLIMIT_CORE}, {"RLIMIT_CPU", RLIMIT_CPU},
        {"RLIMIT_DATA", RLIMIT_DATA}, {"RLIMIT_FSIZE", RLIMIT_FSIZE},
        {"RLIMIT_LOCKS", RLIMIT_LOCKS}, {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
        {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
        {"RLIMIT_NOFILE", RLIMIT_NOFILE}, {"RLIMIT_NPROC", RLIMIT_NPROC},
        {"RLIMIT_RSS", RLIMIT_RSS}, {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
        {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING}, {"RLIMIT_STACK", RLIMIT_STACK},
        {NULL, 0}};
    int first = 1;
    putchar('{');
    for (int i = 0; rl[i].name; i++) {
        struct rlimit r;
        if (getrlimit(rl[i].res, &r) != 0)
            continue;
        key(rl[i].name, &first);
        /* -1 means unlimited */
        printf("[%lld,%lld]", r.rlim_cur == RLIM_INFINITY ? -1LL : (long long)r.rlim_cur,
               r.rlim_max == RLIM_INFINITY ? -1LL : (long long)r.rlim_max);
    }
    putchar('}');
}

static void namespaces(void)
{
    static const char *ns[] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts", NULL};
    int first = 1;
    putchar('{');
    for (int i = 0; ns[i]; i++) {
        char path[64], target[128];
        snprintf(path, sizeof path, "/proc/self/ns/%s", ns[i]);
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n < 0)
            continue;
        target[n] = 0;
        key(ns[i], &first);
        jstr(target);
    }
    putchar('}');
}

static void lines_of(const char *path)
{
    static char buf[1 << 16];
    char *line, *save = NULL;
    int first = 1;
    putchar('[');
    if (slurp(path, buf, sizeof buf) > 0) {
        for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            if (!first)
                putchar(',');
            first = 0;
            jstr(line);
        }
    }
    putchar(']');
}

static void fds(void)
{
    int first = 1;
    DIR *d = opendir("/proc/self/fd");
    int self = d ? dirfd(d) : -1;
    putchar('{');
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' || atoi(e->d_name) == self)
            continue;
        char path[300], target[PATH_MAX];
        snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
        ssize_t n = readlink(path, target, sizeof target - 1);
        target[n < 0 ? 0 : n] = 0;
        key(e->d_name, &first);
        jstr(target);
    }
    if (d)
        closedir(d);
    putchar('}');
}

static void op_stat(const char *p)
{
    struct stat st;
    if (lstat(p, &st) != 0) {
        fputs("null", stdout);
        return;
    }
    const char *t = S_ISCHR(st.st_mode) ? "c" : S_ISBLK(st.st_mode) ? "b" : S_ISDIR(st.st_mode) ? "d"
                  : S_ISLNK(st.st_mode) ? "l" : S_ISFIFO(st.st_mode) ? "p" : S_ISSOCK(st.st_mode) ? "s" : "f";
    printf("{\"type\":\"%s\",\"mode\":\"%04o\",\"uid\":%u,\"gid\":%u,\"major\":%u,\"minor\":%u,\"size\":%lld",
           t, st.st_mode & 07777, st.st_uid, st.st_gid, major(st.st_rdev), minor(st.st_rdev),
           (long long)st.st_size);
    if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlink(p, target, sizeof target - 1);
        target[n < 0 ? 0 : n] = 0;
        fputs(",\"link\":", stdout);
        jstr(target);
    }
    putchar('}');
}

static void op_write(const char *p)
{
    struct stat st;
    int fd;
    if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
        char f[PATH_MAX];
        snprintf(f, sizeof f, "%s/.probe-write-%d", p, getpid());
        fd = open(f, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0)
            unlink(f);
    } else {
        fd = open(p, O_WRONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        jstr(errname(errno));
        return;
    }
    close(fd);
    jstr("ok");
}

static void op_read(const char *p)
{
    char buf[4096];
    int n = slurp(p, buf, sizeof buf);
    if (n < 0) {
        fputs("{\"error\":", stdout);
        jstr(errname(-n));
        putchar('}');
        return;
    }
    chomp(buf);
    jstr(buf);
}

static void op_keyring(void)
{
    /* KEYCTL_GET_KEYRING_ID = 0, KEY_SPEC_SESSION_KEYRING = -3, KEYCTL_DESCRIBE = 6 */
    long id = syscall(SYS_keyctl, 0, -3, 0);
    char desc[256] = "";
    if (id >= 0)
        syscall(SYS_keyctl, 6, id, desc, sizeof desc - 1);
    printf("{\"id\":%ld,\"description\":", id);
    jstr(desc);
    putchar('}');
}

/* Emits {"PATH": result, ...} for every argument with the given prefix. */
static void per_path(int argc, char **argv, const char *prefix, void (*fn)(const char *))
{
    size_t pl = strlen(prefix);
    int first = 1;
    putchar('{');
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], prefix, pl) != 0)
            continue;
        key(argv[i] + pl, &first);
        fn(argv[i] + pl);
    }
    putchar('}');
}

/* ---- sys: raw syscalls for the seccomp tests --------------------------- */
static const struct { const char *name; long nr; } sys_table[] = {
    {"mkdir", SYS_mkdir}, {"mkdirat", SYS_mkdirat}, {"rmdir", SYS_rmdir},
    {"personality", SYS_personality}, {"socket", SYS_socket}, {"getpid", SYS_getpid},
    {"acct", SYS_acct}, {"kexec_load", SYS_kexec_load}, {"chdir", SYS_chdir},
    {"getcwd", SYS_getcwd}, {"uname", SYS_uname}, {NULL, 0}};

#define SYS_MAX_OPS 16
static struct { const char *op; long ret; int err; } sys_results[SYS_MAX_OPS];
static int sys_count;

static void sys_run(const char *op)
{
    char buf[512], *save = NULL, *tok;
    unsigned long a[6] = {0};
    char cwd_buf[PATH_MAX];
    long nr = -1;
    int n = 0;
    snprintf(buf, sizeof buf, "%s", op);
    tok = strtok_r(buf, ":", &save);
    for (int i = 0; tok && sys_table[i].name; i++)
        if (strcmp(sys_table[i].name, tok) == 0)
            nr = sys_table[i].nr;
    while ((tok = strtok_r(NULL, ":", &save)) && n < 6)
        a[n++] = tok[0] == '/' ? (unsigned long)tok : strtoull(tok, NULL, 0);
    if (nr == SYS_getcwd && n == 0) {
        a[0] = (unsigned long)cwd_buf;
        a[1] = sizeof cwd_buf;
    }
    if (sys_count >= SYS_MAX_OPS)
        return;
    sys_results[sys_count].op = op;
    if (nr < 0) {
        sys_results[sys_count].ret = -1;
        sys_results[sys_count].err = ENOSYS;
    } else {
        errno = 0;
        long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        sys_results[sys_count].ret = r;
        sys_results[sys_count].err = r < 0 ? errno : 0;
    }
    sys_count++;
}

static void sys_print(void)
{
    int first = 1;
    putchar('{');
    for (int i = 0; i < sys_count; i++) {
        key(sys_results[i].op, &first);
        printf("{\"ret\":%ld,\"errno\":%d}", sys_results[i].ret, sys_results[i].err);
    }
    putchar('}');
}

int main(int argc, char **argv)
{
    int exit_code = 0, sleep_s = 0, first = 1;
    char buf[PATH_MAX];
    struct utsname u;

    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "touch:", 6) == 0) {
            int fd = open(argv[i] + 6, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
            if (fd >= 0)
                close(fd);
        } else if (strncmp(argv[i], "exit:", 5) == 0) {
            exit_code = atoi(argv[i] + 5);
        } else if (strncmp(argv[i], "sleep:", 6) == 0) {
            sleep_s = atoi(argv[i] + 6);
        } else if (strncmp(argv[i], "sys:", 4) == 0) {
            sys_run(argv[i] + 4);
        }
    }

    putchar('{');
    key("pid", &first);
    printf("%d", getpid());
    key("ppid", &first);
    printf("%d", getppid());
    uname(&u);
    key("hostname", &first);
    jstr(u.nodename);
    key("domainname", &first);
    jstr(u.domainname);
    key("uid", &first);
    printf("%u", getuid());
    key("gid", &first);
    printf("%u", getgid());
    key("euid", &first);
    printf("%u", geteuid());
    key("egid", &first);
    printf("%u", getegid());
    gid_t groups[64];
    int ng = getgroups(64, groups);
    key("groups", &first);
    putchar('[');
    for (int i = 0; i < ng; i++)
        printf("%s%u", i ? "," : "", groups[i]);
    putchar(']');
    mode_t m = umask(0);
    umask(m);
    key("umask", &first);
    printf("\"%04o\"", m);
    key("cwd", &first);
    jstr(getcwd(buf, sizeof buf) ? buf : "");
    key("env", &first);
    putchar('[');
    for (char **e = environ; *e; e++) {
        if (e != environ)
            putchar(',');
        jstr(*e);
    }
    putchar(']');
    key("status", &first);
    status_fields();
    key("rlimits", &first);
    rlimits();
    key("oom_score_adj", &first);
    op_read("/proc/self/oom_score_adj");
    key("ns", &first);
    namespaces();
    key("mountinfo", &first);
    lines_of("/proc/self/mountinfo");
    key("fds", &first);
    fds();
    key("stat", &first);
    per_path(argc, argv, "stat:", op_stat);
    key("write", &first);
    per_path(argc, argv, "write:", op_write);
    key("read", &first);
    per_path(argc, argv, "read:", op_read);
    if (sys_count) {
        key("sys", &first);
        sys_print();
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "keyring") == 0) {
            key("keyring", &first);
            op_keyring();
        }
    }
    puts("}");
    fflush(stdout);
    if (sleep_s)
        sleep((unsigned)sleep_s);
    return exit_code;
}
