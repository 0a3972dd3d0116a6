// What Swift's Glibc module lacks (it is compiled without _GNU_SOURCE) or cannot
// call (variadic functions, CMSG macros, ioctl requests). Kept deliberately small:
// every function is a thin wrapper; policy lives in Swift.
#pragma once
#include <stdint.h>
#include <sys/types.h>

// Namespace and clone flags (sched.h hides them without _GNU_SOURCE).
extern const int WL_CLONE_NEWNS, WL_CLONE_NEWUTS, WL_CLONE_NEWIPC, WL_CLONE_NEWUSER,
    WL_CLONE_NEWPID, WL_CLONE_NEWNET, WL_CLONE_NEWCGROUP, WL_CLONE_NEWTIME;
extern const int WL_O_PATH;

// prctl options (linux/prctl.h; kernel ABI values).
enum {
    WL_PR_SET_PDEATHSIG = 1, WL_PR_SET_KEEPCAPS = 8, WL_PR_CAPBSET_DROP = 24,
    WL_PR_SET_CHILD_SUBREAPER = 36, WL_PR_SET_NO_NEW_PRIVS = 38, WL_PR_GET_NO_NEW_PRIVS = 39,
    WL_PR_CAP_AMBIENT = 47, WL_PR_CAP_AMBIENT_RAISE = 2, WL_PR_CAP_AMBIENT_CLEAR_ALL = 4,
};

/// fork(2) semantics with namespace flags: returns the child's pid in the parent
/// and 0 in the child. Only safe while the caller is single-threaded.
pid_t wl_clone_fork(unsigned long flags);

/// Like wl_clone_fork, but the child starts inside the cgroup v2 directory open as
/// `cgroup_fd` (clone3 with CLONE_INTO_CGROUP), so nothing has to be moved afterwards.
/// -1 with errno ENOSYS, E2BIG or EINVAL where the kernel lacks it.
pid_t wl_clone_fork_into_cgroup(unsigned long flags, int cgroup_fd);

/// Starts the cgroup attach warm-up helper (see Cgroups/AttachWarmup.swift): a process that
/// shares our memory (CLONE_VM, so no page tables are copied and we take no copy-on-write
/// faults afterwards) and, on its own stack, writes "0" to `procs_path` every `interval_us`
/// microseconds, `iterations` times, using raw syscalls only (it shares our TLS, so it must
/// not touch errno). It dies with us. Returns its pid, or -1 where this is not supported;
/// `*mapping`/`*mapping_size` must be unmapped only after the helper has been reaped.
pid_t wl_warmup_spawn(const char *procs_path, int iterations, long interval_us,
                      void **mapping, size_t *mapping_size);
int wl_setns(int fd, int nstype);
int wl_unshare(int flags);
int wl_pivot_root(const char *new_root, const char *put_old);
int wl_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);
int wl_capset(uint32_t eff[2], uint32_t prm[2], uint32_t inh[2]);
int wl_capget(uint32_t eff[2], uint32_t prm[2], uint32_t inh[2]);
int wl_setrlimit(int resource, uint64_t soft, uint64_t hard);
int wl_setgroups(size_t n, const gid_t *gids);
int wl_sethostname(const char *name, size_t len);
int wl_setdomainname(const char *name, size_t len);
int wl_setresuid(uid_t r, uid_t e, uid_t s);
int wl_setresgid(gid_t r, gid_t e, gid_t s);
int wl_mknod(const char *path, mode_t mode, uint32_t major, uint32_t minor);
void wl_device_numbers(uint64_t dev, uint32_t *major, uint32_t *minor);
int wl_fcntl_setfd_cloexec(int fd, int on);
int wl_fcntl_setfl_nonblock(int fd, int on);
/// Marks every fd >= first close-on-exec.
int wl_cloexec_from(int first);
int wl_pipe2(int fds[2], int cloexec);
int wl_keyctl_join_session_keyring(const char *name);
int wl_open(const char *path, int flags, mode_t mode);

// Terminals.
int wl_open_pty_master(const char *ptmx_path, char *slave_name, size_t len);
int wl_set_controlling_tty(int fd);
int wl_set_winsize(int fd, unsigned short rows, unsigned short cols);
int wl_get_winsize(int fd, unsigned short *rows, unsigned short *cols);

// File descriptor passing over AF_UNIX (SCM_RIGHTS); the CMSG macros are not importable.
int wl_send_fd(int sock, int fd, const char *name);
int wl_recv_fd(int sock, char *name, size_t namelen);

// Signals as the Swift side needs them: forwarding handlers must be C function pointers.
int wl_forward_signals_to(pid_t pid);

// Timing marks for `scripts/bench/timeline.py` (WARMLANE_TIMELINE=1).
void wl_timeline_mark(const char *label);
