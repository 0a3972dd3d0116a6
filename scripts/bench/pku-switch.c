// Times Intel/AMD MPK protection-domain switches (WRPKRU) on real hardware, for the
// workflow host's per-function domains. Prints a table; exits 2 where there is no PKU.
//   gcc -O2 -static -o pku-switch scripts/bench/pku-switch.c && ./pku-switch
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static inline uint32_t rdpkru(void) {
    uint32_t eax, edx, ecx = 0;
    __asm__ volatile(".byte 0x0f,0x01,0xee" : "=a"(eax), "=d"(edx) : "c"(ecx));
    return eax;
}
static inline void wrpkru(uint32_t pkru) {
    uint32_t ecx = 0, edx = 0;
    __asm__ volatile(".byte 0x0f,0x01,0xef" : : "a"(pkru), "c"(ecx), "d"(edx) : "memory");
}
static double now_ns(void) {
    struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}
static sigjmp_buf jb;
static volatile int fault_code;
static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)uc;
    fault_code = si->si_code;
    siglongjmp(jb, 1);
}

int main(void) {
    int key = (int)syscall(SYS_pkey_alloc, 0, 0);
    if (key < 0) { printf("no PKU: pkey_alloc: %s\n", strerror(errno)); return 2; }
    size_t len = 1 << 20;
    char *page = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(page, 1, len);
    if (syscall(SYS_pkey_mprotect, page, len, PROT_READ | PROT_WRITE, key) != 0) {
        printf("pkey_mprotect: %s\n", strerror(errno)); return 1;
    }
    uint32_t open_all = rdpkru() & ~(3u << (2 * key));
    uint32_t deny = open_all | (3u << (2 * key));
    const long n = 10 * 1000 * 1000;
    volatile char sink = 0;

    double t0 = now_ns();
    for (long i = 0; i < n; i++) { wrpkru(deny); wrpkru(open_all); }
    double wr = (now_ns() - t0) / (2.0 * n);

    t0 = now_ns();
    for (long i = 0; i < n; i++) { wrpkru(open_all); sink += page[(i * 64) & (len - 1)]; wrpkru(deny); }
    double enter_touch_leave = (now_ns() - t0) / n;
    wrpkru(open_all);

    t0 = now_ns();
    for (long i = 0; i < n; i++) { (void)rdpkru(); }
    double rd = (now_ns() - t0) / n;

    const long m = 200000;
    t0 = now_ns();
    for (long i = 0; i < m; i++) {
        syscall(SYS_pkey_mprotect, page, 4096, PROT_READ | PROT_WRITE, i & 1 ? key : 0);
    }
    double mprot = (now_ns() - t0) / m;

    struct sigaction sa; memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv; sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    syscall(SYS_pkey_mprotect, page, len, PROT_READ | PROT_WRITE, key);
    wrpkru(deny);
    int faulted = 0;
    if (sigsetjmp(jb, 1) == 0) { sink += page[0]; } else { faulted = 1; }
    wrpkru(open_all);

    printf("| measure | ns |\n|---|---:|\n");
    printf("| WRPKRU (one switch) | %.1f |\n", wr);
    printf("| enter domain + touch its memory + leave | %.1f |\n", enter_touch_leave);
    printf("| RDPKRU | %.1f |\n", rd);
    printf("| pkey_mprotect of one page (syscall) | %.1f |\n", mprot);
    printf("denied access faults: %s (si_code %d, SEGV_PKUERR=%d)\n", faulted ? "yes" : "NO", fault_code, 4);
    return faulted && fault_code == 4 ? 0 : 1;
}
