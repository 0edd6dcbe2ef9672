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

/// Sets errno, for calls (readdir) that report an error only by changing it.
static inline void csystem_set_errno(int value) { errno = value; }

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

/// `open(2)` and `fcntl(2)` with an int argument; both are variadic in C, which Swift cannot
/// bind to a constant.
int csystem_open(const char *path, int flags, unsigned mode);
int csystem_fcntl(int fd, int command, int argument);

/// How `csystem_spawn` starts a child process.
typedef struct {
    /// An absolute path to the executable, resolved by the caller: nothing in the child may
    /// allocate, so there is no PATH search after fork.
    const char *path;
    /// NULL-terminated argument and environment vectors.
    char *const *argv;
    char *const *envp;
    /// The working directory, or NULL for the caller's.
    const char *directory;
    /// Descriptors that become the child's 0, 1 and 2. Every other descriptor is closed.
    int stdin_fd;
    int stdout_fd;
    int stderr_fd;
    /// Non-zero: the child leads a process group of its own, so it can be killed as a whole.
    int new_process_group;
    /// Non-zero: the signal the child gets when the spawning *thread* ends (PR_SET_PDEATHSIG).
    int parent_death_signal;
} csystem_spawn_options;

/// Starts a child with fork and execve: every signal handler back to its default, an empty
/// signal mask, every descriptor but 0, 1 and 2 closed. Returns 0 and the child's pid in
/// `*pid`, or the errno of the step that failed (execve's included: the child reports it
/// through a close-on-exec pipe, then exits with 127 and is reaped here).
int csystem_spawn(const csystem_spawn_options *options, int *pid);

/// `pidfd_open(2)`: a descriptor that becomes readable when process `pid` exits; -1 and errno
/// when the kernel has no pidfds.
int csystem_pidfd_open(int pid);

#endif
