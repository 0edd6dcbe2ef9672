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

int csystem_open(const char *path, int flags, unsigned mode) { return open(path, flags, (mode_t)mode); }

int csystem_fcntl(int fd, int command, int argument) { return fcntl(fd, command, argument); }

void csystem_set_thread_name(const char *name) { pthread_setname_np(pthread_self(), name); }

int csystem_usable_cpu_count(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return -1;
    return CPU_COUNT(&set);
}

// MARK: - Child processes

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

// Between fork and execve the child may only make async-signal-safe calls (signal-safety(7)):
// the parent has other threads, whose locks (malloc's among them) the child inherits held.
// So everything is prepared before fork, and a failure is reported as an errno through a
// close-on-exec pipe that execve closes on success.
static void child_fail(int report_fd, int error) {
    ssize_t ignored = write(report_fd, &error, sizeof error);
    (void)ignored;
    _exit(127);
}

static int move_above(int fd, int floor) {
    // F_DUPFD_CLOEXEC: the copy must not survive execve unless dup2 puts it at 0, 1 or 2.
    return fd >= floor ? fd : fcntl(fd, F_DUPFD_CLOEXEC, floor);
}

static void close_range_or_loop(unsigned first, unsigned last, unsigned limit) {
    if (first > last) return;
    if (syscall(SYS_close_range, first, last, 0) == 0) return;
    // Kernels before 5.9 have no close_range: close one by one up to the descriptor limit.
    for (unsigned fd = first; fd <= last && fd < limit; fd++) close((int)fd);
}

static void close_all_from(int first, int keep, unsigned limit) {
    // close_range(2) closes what libraries opened without O_CLOEXEC too.
    if (keep >= first) {
        if (keep > first) close_range_or_loop((unsigned)first, (unsigned)(keep - 1), limit);
        close_range_or_loop((unsigned)(keep + 1), ~0U, limit);
    } else {
        close_range_or_loop((unsigned)first, ~0U, limit);
    }
}

int csystem_spawn(const csystem_spawn_options *options, int *pid) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return errno;
    if (report[1] < 3) {
        // A caller without a stdin could get 0..2 here, which the child's dup2 would reuse.
        int moved = fcntl(report[1], F_DUPFD_CLOEXEC, 3);
        int error = errno;
        close(report[1]);
        if (moved < 0) { close(report[0]); return error; }
        report[1] = moved;
    }
    struct rlimit descriptors;
    unsigned limit = getrlimit(RLIMIT_NOFILE, &descriptors) == 0 && descriptors.rlim_cur < 1u << 20
        ? (unsigned)descriptors.rlim_cur : 1u << 20;
    // No handler of ours may run in the child before it resets them all.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        int fail_fd = report[1];
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = SIG_DFL;
        for (int signal_number = 1; signal_number < NSIG; signal_number++) {
            if (signal_number == SIGKILL || signal_number == SIGSTOP) continue;
            sigaction(signal_number, &action, NULL);
        }
        if (options->new_process_group && setpgid(0, 0) != 0) child_fail(fail_fd, errno);
        if (options->parent_death_signal) {
            if (prctl(PR_SET_PDEATHSIG, options->parent_death_signal) != 0) child_fail(fail_fd, errno);
            // The parent may have died before prctl: then nobody would ever send the signal.
            if (getppid() != parent) _exit(127);
        }
        if (options->directory && chdir(options->directory) != 0) child_fail(fail_fd, errno);
        // dup2 onto 0..2 in order must not clobber a source that sits at 0..2 itself.
        int sources[3] = {options->stdin_fd, options->stdout_fd, options->stderr_fd};
        for (int target = 0; target < 3; target++) {
            if (sources[target] < 3 && sources[target] != target) {
                sources[target] = move_above(sources[target], 3);
                if (sources[target] < 0) child_fail(fail_fd, errno);
            }
        }
        for (int target = 0; target < 3; target++) {
            if (sources[target] == target) {
                // dup2 onto itself keeps FD_CLOEXEC: clear it instead.
                if (fcntl(target, F_SETFD, 0) != 0) child_fail(fail_fd, errno);
            } else if (dup2(sources[target], target) < 0) {
                child_fail(fail_fd, errno);
            }
        }
        close_all_from(3, fail_fd, limit);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(options->path, options->argv, options->envp);
        child_fail(fail_fd, errno);
    }
    int fork_error = child < 0 ? errno : 0;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    close(report[1]);
    if (fork_error) {
        close(report[0]);
        return fork_error;
    }
    int child_error = 0;
    ssize_t count;
    do {
        count = read(report[0], &child_error, sizeof child_error);
    } while (count < 0 && errno == EINTR);
    close(report[0]);
    if (count > 0) {
        // execve (or a step before it) failed: reap the child, as posix_spawn would.
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
        return child_error ? child_error : ECHILD;
    }
    *pid = child;
    return 0;
}

int csystem_pidfd_open(int pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }
