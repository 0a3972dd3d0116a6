#define _GNU_SOURCE
#include "cwarmlane.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pty.h>
#include <sched.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>
#include <linux/capability.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

const int WL_CLONE_NEWNS = CLONE_NEWNS, WL_CLONE_NEWUTS = CLONE_NEWUTS,
          WL_CLONE_NEWIPC = CLONE_NEWIPC, WL_CLONE_NEWUSER = CLONE_NEWUSER,
          WL_CLONE_NEWPID = CLONE_NEWPID, WL_CLONE_NEWNET = CLONE_NEWNET,
          WL_CLONE_NEWCGROUP = CLONE_NEWCGROUP, WL_CLONE_NEWTIME = CLONE_NEWTIME;
const int WL_O_PATH = O_PATH;

pid_t wl_clone_fork(unsigned long flags) {
    // A NULL stack makes clone behave like fork: the child runs on a copy of ours.
    return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

// Raw system calls for the warm-up helper, which runs on our TLS and must not set errno.
#if defined(__x86_64__)
static long raw_syscall3(long n, long a, long b, long c) {
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return ret;
}
#define WL_HAVE_RAW_SYSCALL 1
#elif defined(__aarch64__)
static long raw_syscall3(long n, long a, long b, long c) {
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
}
#define WL_HAVE_RAW_SYSCALL 1
#endif

#ifdef WL_HAVE_RAW_SYSCALL
struct warmup_args {
    pid_t parent;
    int iterations;
    long interval_us;
    char path[4096];
};

static int warmup_main(void *p) {
    struct warmup_args *a = p;
    raw_syscall3(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0);
    // The parent may have exited before the death signal was armed.
    if (raw_syscall3(SYS_getppid, 0, 0, 0) != a->parent) raw_syscall3(SYS_exit, 0, 0, 0);
#ifdef SYS_open
    long fd = raw_syscall3(SYS_open, (long)a->path, O_WRONLY | O_CLOEXEC, 0);
#else
    long fd = -1;
#endif
    if (fd < 0) fd = raw_syscall3(SYS_openat, AT_FDCWD, (long)a->path, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = a->interval_us * 1000};
        for (int i = 0; i < a->iterations; i++) {
            raw_syscall3(SYS_write, fd, (long)"0", 1);
            raw_syscall3(SYS_nanosleep, (long)&ts, 0, 0);
        }
    }
    raw_syscall3(SYS_exit, 0, 0, 0);
    return 0;
}
#endif

pid_t wl_warmup_spawn(const char *procs_path, int iterations, long interval_us,
                      void **mapping, size_t *mapping_size) {
#ifdef WL_HAVE_RAW_SYSCALL
    const size_t size = 64 * 1024;
    if (strlen(procs_path) >= sizeof(((struct warmup_args *)0)->path)) return -1;
    void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (m == MAP_FAILED) return -1;
    struct warmup_args *a = m;
    a->parent = getpid();
    a->iterations = iterations;
    a->interval_us = interval_us;
    strcpy(a->path, procs_path);
    // The stack grows down from the top of the mapping, away from the arguments.
    pid_t pid = clone(warmup_main, (char *)m + size, CLONE_VM | SIGCHLD, a);
    if (pid < 0) {
        munmap(m, size);
        return -1;
    }
    *mapping = m;
    *mapping_size = size;
    return pid;
#else
    (void)procs_path; (void)iterations; (void)interval_us; (void)mapping; (void)mapping_size;
    return -1;
#endif
}

pid_t wl_clone_fork_into_cgroup(unsigned long flags, int cgroup_fd) {
#if defined(SYS_clone3)
    struct clone_args args;
    memset(&args, 0, sizeof args);
    // The low byte of clone(2)'s flags is the exit signal; clone3 takes it apart.
    args.flags = (flags & ~0xffUL) | CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.cgroup = (uint64_t)cgroup_fd;
    // No stack: like fork, the child runs on a copy of ours.
    return (pid_t)syscall(SYS_clone3, &args, sizeof args);
#else
    (void)flags; (void)cgroup_fd;
    errno = ENOSYS;
    return -1;
#endif
}

int wl_setns(int fd, int nstype) { return setns(fd, nstype); }
int wl_unshare(int flags) { return unshare(flags); }
int wl_pivot_root(const char *n, const char *o) { return (int)syscall(SYS_pivot_root, n, o); }
int wl_prctl(int o, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5) {
    return prctl(o, a2, a3, a4, a5);
}

static int capcall(int set, uint32_t eff[2], uint32_t prm[2], uint32_t inh[2]) {
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (set) {
        for (int i = 0; i < 2; i++) {
            data[i].effective = eff[i];
            data[i].permitted = prm[i];
            data[i].inheritable = inh[i];
        }
        return (int)syscall(SYS_capset, &hdr, data);
    }
    int rc = (int)syscall(SYS_capget, &hdr, data);
    for (int i = 0; i < 2; i++) {
        eff[i] = data[i].effective;
        prm[i] = data[i].permitted;
        inh[i] = data[i].inheritable;
    }
    return rc;
}
int wl_capset(uint32_t e[2], uint32_t p[2], uint32_t i[2]) { return capcall(1, e, p, i); }
int wl_capget(uint32_t e[2], uint32_t p[2], uint32_t i[2]) { return capcall(0, e, p, i); }

int wl_setrlimit(int resource, uint64_t soft, uint64_t hard) {
    struct rlimit rl = {.rlim_cur = soft, .rlim_max = hard};
    return setrlimit(resource, &rl);
}
int wl_setgroups(size_t n, const gid_t *g) { return setgroups(n, g); }
int wl_sethostname(const char *n, size_t l) { return sethostname(n, l); }
int wl_setdomainname(const char *n, size_t l) { return setdomainname(n, l); }
int wl_setresuid(uid_t r, uid_t e, uid_t s) { return setresuid(r, e, s); }
int wl_setresgid(gid_t r, gid_t e, gid_t s) { return setresgid(r, e, s); }
int wl_mknod(const char *p, mode_t m, uint32_t ma, uint32_t mi) { return mknod(p, m, makedev(ma, mi)); }
void wl_device_numbers(uint64_t dev, uint32_t *ma, uint32_t *mi) { *ma = major(dev); *mi = minor(dev); }

int wl_fcntl_setfd_cloexec(int fd, int on) {
    int f = fcntl(fd, F_GETFD);
    if (f < 0) return -1;
    return fcntl(fd, F_SETFD, on ? (f | FD_CLOEXEC) : (f & ~FD_CLOEXEC));
}
int wl_fcntl_setfl_nonblock(int fd, int on) {
    int f = fcntl(fd, F_GETFL);
    if (f < 0) return -1;
    return fcntl(fd, F_SETFL, on ? (f | O_NONBLOCK) : (f & ~O_NONBLOCK));
}

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
int wl_cloexec_from(int first) {
    if (syscall(SYS_close_range, (unsigned)first, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return 0;
    // Older kernels: walk the table.
    long max = sysconf(_SC_OPEN_MAX);
    for (int fd = first; fd < max; fd++) wl_fcntl_setfd_cloexec(fd, 1);
    return 0;
}
int wl_pipe2(int fds[2], int cloexec) { return pipe2(fds, cloexec ? O_CLOEXEC : 0); }

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif
int wl_keyctl_join_session_keyring(const char *name) {
    return (int)syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name, 0, 0, 0);
}
int wl_open(const char *p, int flags, mode_t mode) {
    int fd;
    do { fd = open(p, flags, mode); } while (fd < 0 && errno == EINTR);
    return fd;
}

int wl_open_pty_master(const char *ptmx, char *slave, size_t len) {
    int fd = open(ptmx, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return -1;
    int unlock = 0, n = 0;
    if (ioctl(fd, TIOCSPTLCK, &unlock) < 0 || ioctl(fd, TIOCGPTN, &n) < 0) {
        int e = errno; close(fd); errno = e; return -1;
    }
    snprintf(slave, len, "/dev/pts/%d", n);
    return fd;
}
int wl_set_controlling_tty(int fd) { return ioctl(fd, TIOCSCTTY, 0); }
int wl_set_winsize(int fd, unsigned short rows, unsigned short cols) {
    struct winsize ws = {.ws_row = rows, .ws_col = cols};
    return ioctl(fd, TIOCSWINSZ, &ws);
}
int wl_get_winsize(int fd, unsigned short *rows, unsigned short *cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) < 0) return -1;
    *rows = ws.ws_row; *cols = ws.ws_col;
    return 0;
}

int wl_send_fd(int sock, int fd, const char *name) {
    char buf[CMSG_SPACE(sizeof(int))];
    memset(buf, 0, sizeof buf);
    struct iovec iov = {.iov_base = (void *)name, .iov_len = strlen(name) ? strlen(name) : 1};
    if (!strlen(name)) iov.iov_base = (void *)"\0";
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    ssize_t r;
    do { r = sendmsg(sock, &msg, MSG_NOSIGNAL); } while (r < 0 && errno == EINTR);
    return r < 0 ? -1 : 0;
}
int wl_recv_fd(int sock, char *name, size_t namelen) {
    char buf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {.iov_base = name, .iov_len = namelen > 1 ? namelen - 1 : 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf};
    ssize_t r;
    do { r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); } while (r < 0 && errno == EINTR);
    if (r < 0) return -1;
    if (namelen) name[r < (ssize_t)namelen ? r : (ssize_t)namelen - 1] = 0;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (!c || c->cmsg_type != SCM_RIGHTS) { errno = EBADMSG; return -1; }
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof(int));
    return fd;
}

static volatile pid_t forward_pid;
static void forward(int sig) { if (forward_pid > 0) kill(forward_pid, sig); }
int wl_forward_signals_to(pid_t pid) {
    forward_pid = pid;
    // Everything a terminal or an engine may send; SIGCHLD stays ours.
    static const int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGTSTP};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward;
    sa.sa_flags = SA_RESTART;
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (sigaction(sigs[i], &sa, NULL) < 0) return -1;
    return 0;
}

// WARMLANE_TIMELINE=1: one "timeline PID MICROSECONDS LABEL" line on stderr per mark, on
// CLOCK_MONOTONIC, so marks of the runtime and of the init line up. Plain libc: the init
// calls it between clone and exec.
void wl_timeline_mark(const char *label) {
    static int enabled = -1;
    if (enabled < 0) enabled = getenv("WARMLANE_TIMELINE") != NULL;
    if (!enabled) return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    char line[200];
    int n = snprintf(line, sizeof line, "timeline %d %lld %s\n", (int)getpid(),
                     (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000, label);
    if (n > 0) (void)!write(2, line, (size_t)n);
}
