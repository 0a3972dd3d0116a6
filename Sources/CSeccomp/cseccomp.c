#define _GNU_SOURCE
#include "cseccomp.h"
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
#define CSECCOMP_HAS_WAITKILL 1
#else
#define CSECCOMP_HAS_WAITKILL 0
#endif

int cseccomp_has_waitkill(void) { return CSECCOMP_HAS_WAITKILL; }

int cseccomp_set_waitkill(scmp_filter_ctx ctx) {
#if CSECCOMP_HAS_WAITKILL
    return seccomp_attr_set(ctx, SCMP_FLTATR_CTL_WAITKILL, 1);
#else
    (void)ctx;
    return -EOPNOTSUPP;
#endif
}

int cseccomp_send_fd_to_path(const char *path, int fd, const void *buf, size_t len) {
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof addr.sun_path) return -ENAMETOOLONG;
    strcpy(addr.sun_path, path);
    int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0) return -errno;
    int r;
    do { r = connect(sock, (struct sockaddr *)&addr, sizeof addr); } while (r < 0 && errno == EINTR);
    if (r < 0) { int e = errno; close(sock); return -e; }

    char ctl[CMSG_SPACE(sizeof(int))];
    memset(ctl, 0, sizeof ctl);
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    ssize_t n;
    do { n = sendmsg(sock, &msg, MSG_NOSIGNAL); } while (n < 0 && errno == EINTR);
    if (n < 0) { int e = errno; close(sock); return -e; }
    size_t sent = (size_t)n;
    while (sent < len) {  /* a stream socket may take the payload in pieces */
        n = send(sock, (const char *)buf + sent, len - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { int e = errno; close(sock); return -e; }
        sent += (size_t)n;
    }
    close(sock);
    return 0;
}

int cseccomp_fetch_fd(int pid, int targetfd) {
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0) return -errno;
    int fd = (int)syscall(SYS_pidfd_getfd, pidfd, targetfd, 0);
    int e = errno;
    close(pidfd);
    return fd < 0 ? -e : fd;
#else
    (void)pid; (void)targetfd;
    return -ENOSYS;
#endif
}
