// slipway — Linux system headers that Glibc's Swift module does not export.
#ifndef SLIPWAY_CSYSTEM_H
#define SLIPWAY_CSYSTEM_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <string.h>

/// errno of the calling thread; read through a function so no Swift code runs between the
/// failing call and the read.
static inline int csystem_errno(void) { return errno; }

/// The maximum length of `sockaddr_un.sun_path`, including the terminating NUL.
static inline int csystem_sun_path_capacity(void) { return (int)sizeof(((struct sockaddr_un *)0)->sun_path); }

/// `accept4(2)` with no peer address; Glibc exports it only under _GNU_SOURCE.
int csystem_accept4(int fd, int flags);

/// Names the calling thread (at most 15 bytes) so `top -H` and debuggers show it.
void csystem_set_thread_name(const char *name);

/// How many CPUs this process may run on (its affinity mask: taskset, cpusets), or -1.
int csystem_usable_cpu_count(void);

/// `pipe2(2)`; Glibc exports it only under _GNU_SOURCE.
int csystem_pipe2(int fds[2], int flags);

#endif
