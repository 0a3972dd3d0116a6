// Thin wrappers over libseccomp for Swift: the SCMP_ACT_* / version macros are
// function-like or expression macros Swift cannot import. No policy here.
#pragma once
#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>

static inline uint32_t cseccomp_act_kill_thread(void) { return SCMP_ACT_KILL_THREAD; }
static inline uint32_t cseccomp_act_kill_process(void) { return SCMP_ACT_KILL_PROCESS; }
static inline uint32_t cseccomp_act_trap(void) { return SCMP_ACT_TRAP; }
static inline uint32_t cseccomp_act_errno(uint16_t e) { return SCMP_ACT_ERRNO(e); }
static inline uint32_t cseccomp_act_trace(uint16_t msg) { return SCMP_ACT_TRACE(msg); }
static inline uint32_t cseccomp_act_allow(void) { return SCMP_ACT_ALLOW; }
static inline uint32_t cseccomp_act_log(void) { return SCMP_ACT_LOG; }
static inline uint32_t cseccomp_act_notify(void) { return SCMP_ACT_NOTIFY; }

/// The version of the libseccomp headers this was compiled against.
static inline void cseccomp_header_version(unsigned *maj, unsigned *min, unsigned *mic) {
    *maj = SCMP_VER_MAJOR; *min = SCMP_VER_MINOR; *mic = SCMP_VER_MICRO;
}

/// SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs libseccomp >= 2.6 (SCMP_FLTATR_CTL_WAITKILL).
/// Returns -EOPNOTSUPP when the headers predate it.
int cseccomp_set_waitkill(scmp_filter_ctx ctx);
/// 1 when this build's libseccomp knows SCMP_FLTATR_CTL_WAITKILL.
int cseccomp_has_waitkill(void);

/// connect(2)s a SOCK_STREAM AF_UNIX socket to path and sends buf with fd attached
/// (SCM_RIGHTS) in one sendmsg; the seccomp-notify handoff of the runtime-spec.
/// Returns 0 or -errno.
int cseccomp_send_fd_to_path(const char *path, int fd, const void *buf, size_t len);

/// Duplicates fd `targetfd` of process `pid` into the caller (pidfd_open + pidfd_getfd,
/// Linux >= 5.6; needs ptrace access to pid), close-on-exec. Returns the new fd or -errno.
int cseccomp_fetch_fd(int pid, int targetfd);
