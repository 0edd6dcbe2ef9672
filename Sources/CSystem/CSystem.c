// slipway — the few Linux calls Glibc declares only under _GNU_SOURCE.
#define _GNU_SOURCE
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include "CSystem.h"

int csystem_accept4(int fd, int flags) { return accept4(fd, NULL, NULL, flags); }

int csystem_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }

void csystem_set_thread_name(const char *name) { pthread_setname_np(pthread_self(), name); }

int csystem_usable_cpu_count(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return -1;
    return CPU_COUNT(&set);
}
