/* probe.c - copied into every test rootfs as /probe; prints what the
 * container's process sees as "key: value" lines, for the tests to grep.
 *
 *   /probe CMD [ARG] [CMD [ARG]]...
 *
 * Each command prints its lines in order; an unknown command exits 2.
 * The probe never changes anything but what `write`, `exit` and `syscall`
 * ask for. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>

extern char **environ;

struct name { int value; const char *name; };

static const struct name rlimits[] = {
	{ RLIMIT_AS, "RLIMIT_AS" }, { RLIMIT_CORE, "RLIMIT_CORE" },
	{ RLIMIT_CPU, "RLIMIT_CPU" }, { RLIMIT_DATA, "RLIMIT_DATA" },
	{ RLIMIT_FSIZE, "RLIMIT_FSIZE" }, { RLIMIT_LOCKS, "RLIMIT_LOCKS" },
	{ RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK" }, { RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE" },
	{ RLIMIT_NICE, "RLIMIT_NICE" }, { RLIMIT_NOFILE, "RLIMIT_NOFILE" },
	{ RLIMIT_NPROC, "RLIMIT_NPROC" }, { RLIMIT_RSS, "RLIMIT_RSS" },
	{ RLIMIT_RTPRIO, "RLIMIT_RTPRIO" }, { RLIMIT_RTTIME, "RLIMIT_RTTIME" },
	{ RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING" }, { RLIMIT_STACK, "RLIMIT_STACK" },
};

/* The errno names the tests assert on; anything else prints as a number. */
static const struct name errnos[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EIO, "EIO" },
	{ ENXIO, "ENXIO" }, { EBADF, "EBADF" }, { EACCES, "EACCES" },
	{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" },
	{ ENODEV, "ENODEV" }, { ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" },
	{ EINVAL, "EINVAL" }, { ENOSPC, "ENOSPC" }, { EROFS, "EROFS" },
	{ ELOOP, "ELOOP" }, { ENAMETOOLONG, "ENAMETOOLONG" },
	{ EOPNOTSUPP, "EOPNOTSUPP" }, { ENOSYS, "ENOSYS" }, { EFBIG, "EFBIG" },
	{ EMFILE, "EMFILE" }, { ETXTBSY, "ETXTBSY" }, { EXDEV, "EXDEV" },
};

static const char *errno_name(int e)
{
	static char buf[16];

	for (size_t i = 0; i < sizeof errnos / sizeof *errnos; i++)
		if (errnos[i].value == e)
			return errnos[i].name;
	snprintf(buf, sizeof buf, "errno%d", e);
	return buf;
}

/* Prints the lines of path whose key (text before ':') is in keys. */
static int print_status_keys(const char *path, const char *const *keys)
{
	char line[4096];
	FILE *f = fopen(path, "re");

	if (!f) {
		printf("%s: %s\n", path, errno_name(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		size_t n = strcspn(line, ":");

		for (const char *const *k = keys; *k; k++)
			if (strlen(*k) == n && !strncmp(line, *k, n)) {
				/* /proc/self/status separates with a tab */
				printf("%s: %s", *k, line + n + 1 + strspn(line + n + 1, "\t "));
				break;
			}
	}
	fclose(f);
	return 0;
}

static int p_ids(const char *arg)
{
	gid_t groups[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, groups);

	(void)arg;
	printf("uid: %u\ngid: %u\neuid: %u\negid: %u\ngroups:",
	       getuid(), getgid(), geteuid(), getegid());
	for (int i = 0; i < n; i++)
		printf(" %u", groups[i]);
	printf("\n");
	return n < 0 ? -1 : 0;
}

static int p_caps(const char *arg)
{
	static const char *const keys[] = { "CapInh", "CapPrm", "CapEff",
					    "CapBnd", "CapAmb", NULL };
	(void)arg;
	return print_status_keys("/proc/self/status", keys);
}

static int p_nnp(const char *arg)
{
	static const char *const keys[] = { "NoNewPrivs", NULL };
	(void)arg;
	return print_status_keys("/proc/self/status", keys);
}

static int p_seccomp(const char *arg)
{
	static const char *const keys[] = { "Seccomp", "Seccomp_filters", NULL };
	(void)arg;
	return print_status_keys("/proc/self/status", keys);
}

static int p_sigs(const char *arg)
{
	static const char *const keys[] = { "SigBlk", "SigIgn", NULL };
	(void)arg;
	return print_status_keys("/proc/self/status", keys);
}

static void print_limit(rlim_t v)
{
	if (v == RLIM_INFINITY)
		printf(" unlimited");
	else
		printf(" %llu", (unsigned long long)v);
}

static int p_rlimits(const char *arg)
{
	(void)arg;
	for (size_t i = 0; i < sizeof rlimits / sizeof *rlimits; i++) {
		struct rlimit r;

		if (getrlimit(rlimits[i].value, &r) < 0)
			return -1;
		printf("%s:", rlimits[i].name);
		print_limit(r.rlim_cur);
		print_limit(r.rlim_max);
		printf("\n");
	}
	return 0;
}

/* "fds: 3 4" then "fd 3: <target>" per fd, leaving out 0-2 and the fd
 * that reads the directory. */
static int p_fds(const char *arg)
{
	int fds[1024], n = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	(void)arg;
	if (!d) {
		printf("fds: %s\n", errno_name(errno));
		return -1;
	}
	while ((e = readdir(d)) && n < 1024) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] != '.' && fd > 2 && fd != dirfd(d))
			fds[n++] = fd;
	}
	closedir(d);
	printf("fds:");
	for (int i = 0; i < n; i++)
		printf(" %d", fds[i]);
	printf("\n");
	for (int i = 0; i < n; i++) {
		char path[64], target[4096];
		ssize_t len;

		snprintf(path, sizeof path, "/proc/self/fd/%d", fds[i]);
		len = readlink(path, target, sizeof target - 1);
		target[len < 0 ? 0 : len] = 0;
		printf("fd %d: %s\n", fds[i], target);
	}
	return 0;
}

static int p_umask(const char *arg)
{
	mode_t m = umask(0);

	(void)arg;
	umask(m);
	printf("umask: %04o\n", (unsigned)m);
	return 0;
}

static int p_cwd(const char *arg)
{
	char buf[4096];

	(void)arg;
	if (!getcwd(buf, sizeof buf)) {
		printf("cwd: %s\n", errno_name(errno));
		return -1;
	}
	printf("cwd: %s\n", buf);
	return 0;
}

/* "net: net:[4026531840]", one line per entry of /proc/self/ns. */
static int p_ns(const char *arg)
{
	DIR *d = opendir("/proc/self/ns");
	struct dirent *e;

	(void)arg;
	if (!d) {
		printf("ns: %s\n", errno_name(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		char path[300], target[256];
		ssize_t len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/self/ns/%s", e->d_name);
		len = readlink(path, target, sizeof target - 1);
		target[len < 0 ? 0 : len] = 0;
		printf("%s: %s\n", e->d_name, target);
	}
	closedir(d);
	return 0;
}

/* "mount: <point> <mount options> <type> <source> <super options>
 * [<propagation>...]" from /proc/self/mountinfo, in mount order; the
 * propagation fields are mountinfo's optional ones (shared:N, master:N,
 * unbindable). */
static int p_mounts(const char *arg)
{
	char line[8192];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	(void)arg;
	if (!f) {
		printf("mounts: %s\n", errno_name(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		char *field[16], *save = NULL, *tok;
		int n = 0, dash = -1;

		for (tok = strtok_r(line, " \n", &save); tok && n < 16;
		     tok = strtok_r(NULL, " \n", &save)) {
			if (!strcmp(tok, "-"))
				dash = n;
			field[n++] = tok;
		}
		if (dash < 6 || n < dash + 4)
			continue;
		printf("mount: %s %s %s %s %s", field[4], field[5],
		       field[dash + 1], field[dash + 2], field[dash + 3]);
		for (int i = 6; i < dash; i++)
			printf(" %s", field[i]);
		printf("\n");
	}
	fclose(f);
	return 0;
}

static int p_pid(const char *arg)
{
	(void)arg;
	printf("pid: %d\nppid: %d\n", (int)getpid(), (int)getppid());
	return 0;
}

static int p_env(const char *arg)
{
	(void)arg;
	for (char **e = environ; *e; e++)
		printf("env: %s\n", *e);
	return 0;
}

static int p_hostname(const char *arg)
{
	struct utsname u;

	(void)arg;
	if (uname(&u) < 0)
		return -1;
	printf("hostname: %s\ndomainname: %s\n", u.nodename, u.domainname);
	return 0;
}

static int p_oom(const char *arg)
{
	char buf[32] = "";
	int fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);

	(void)arg;
	if (fd >= 0)
		close(fd);
	if (n < 0) {
		printf("oom_score_adj: %s\n", errno_name(errno));
		return -1;
	}
	buf[n] = 0;
	printf("oom_score_adj: %s", buf);
	return 0;
}

static int p_personality(const char *arg)
{
	(void)arg;
	printf("personality: 0x%x\n", (unsigned)personality(0xffffffff));
	return 0;
}

/* "clocks: <monotonic seconds> <boottime seconds>", for time namespaces. */
static int p_clocks(const char *arg)
{
	struct timespec mono, boot;

	(void)arg;
	if (clock_gettime(CLOCK_MONOTONIC, &mono) < 0 ||
	    clock_gettime(CLOCK_BOOTTIME, &boot) < 0)
		return -1;
	printf("monotonic: %lld\nboottime: %lld\n",
	       (long long)mono.tv_sec, (long long)boot.tv_sec);
	return 0;
}

/* "iface lo: up" or "down", for each network interface. */
static int p_net(const char *arg)
{
	struct if_nameindex *ifs = if_nameindex();
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	(void)arg;
	if (!ifs || s < 0) {
		printf("net: %s\n", errno_name(errno));
		return -1;
	}
	for (struct if_nameindex *i = ifs; i->if_index; i++) {
		struct ifreq r;

		memset(&r, 0, sizeof r);
		snprintf(r.ifr_name, sizeof r.ifr_name, "%s", i->if_name);
		if (ioctl(s, SIOCGIFFLAGS, &r) < 0)
			printf("iface %s: %s\n", i->if_name, errno_name(errno));
		else
			printf("iface %s: %s\n", i->if_name,
			       r.ifr_flags & IFF_UP ? "up" : "down");
	}
	close(s);
	if_freenameindex(ifs);
	return 0;
}

static int p_cgroup(const char *arg)
{
	char line[4096];
	FILE *f = fopen("/proc/self/cgroup", "re");

	(void)arg;
	if (!f) {
		printf("cgroup: %s\n", errno_name(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f))
		printf("cgroup: %s", line);
	fclose(f);
	return 0;
}

/* "open PATH: ok" or "open PATH: ENOENT". */
static int p_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	printf("open %s: %s\n", path, fd < 0 ? errno_name(errno) : "ok");
	if (fd >= 0)
		close(fd);
	return 0;
}

/* "write PATH: ok": creates or truncates PATH and writes "probe\n". */
static int p_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int err = 0;

	if (fd < 0 || write(fd, "probe\n", 6) != 6)
		err = errno;
	if (fd >= 0 && close(fd) < 0 && !err)
		err = errno;
	printf("write %s: %s\n", path, err ? errno_name(err) : "ok");
	return 0;
}

/* "read PATH: N bytes", or the errno name. */
static int p_read(const char *path)
{
	char buf[4096];
	long long total = 0;
	ssize_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
		total += n;
	if (fd < 0 || n < 0)
		printf("read %s: %s\n", path, errno_name(errno));
	else
		printf("read %s: %lld bytes\n", path, total);
	if (fd >= 0)
		close(fd);
	return 0;
}

/* "ls PATH: a b c" (sorted, without . and ..), or the errno name. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int p_ls(const char *path)
{
	static char *names[4096];
	size_t n = 0;
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d) {
		printf("ls %s: %s\n", path, errno_name(errno));
		return 0;
	}
	while ((e = readdir(d)) && n < 4096)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	printf("ls %s:", path);
	for (size_t i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
	return 0;
}

/* "stat PATH: <type> <perm> <uid> <gid> <major:minor> [-> target]" with
 * type one of - d l c b p s; major:minor is the device's for c and b, 0:0
 * otherwise. Does not follow a final symlink. */
static int p_stat(const char *path)
{
	struct stat st;
	char type, target[4096] = "";

	if (lstat(path, &st) < 0) {
		printf("stat %s: %s\n", path, errno_name(errno));
		return 0;
	}
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR: type = 'd'; break;
	case S_IFLNK: type = 'l'; break;
	case S_IFCHR: type = 'c'; break;
	case S_IFBLK: type = 'b'; break;
	case S_IFIFO: type = 'p'; break;
	case S_IFSOCK: type = 's'; break;
	default: type = '-'; break;
	}
	printf("stat %s: %c %04o %u %u %u:%u", path, type,
	       (unsigned)(st.st_mode & 07777), st.st_uid, st.st_gid,
	       type == 'c' || type == 'b' ? major(st.st_rdev) : 0,
	       type == 'c' || type == 'b' ? minor(st.st_rdev) : 0);
	if (type == 'l') {
		ssize_t len = readlink(path, target, sizeof target - 1);

		target[len < 0 ? 0 : len] = 0;
		printf(" -> %s", target);
	}
	printf("\n");
	return 0;
}

/* Syscalls the seccomp tests call by name, numbered for this build's arch. */
static const struct name syscalls[] = {
	{ SYS_getppid, "getppid" }, { SYS_getpid, "getpid" },
	{ SYS_getpriority, "getpriority" }, { SYS_getuid, "getuid" },
	{ SYS_sched_yield, "sched_yield" }, { SYS_uname, "uname" },
	{ SYS_personality, "personality" }, { SYS_umask, "umask" },
	{ SYS_pidfd_open, "pidfd_open" }, { SYS_mount_setattr, "mount_setattr" },
};

/* "syscall NAME: ok RET" or "syscall NAME: ERRNO" for syscall NAME (one
 * of the names above, or a number) called with the comma-separated
 * arguments after it, e.g. `syscall getpriority,0,0x100000000`. What was
 * printed before is flushed first: the syscall may kill the probe. */
static int p_syscall(const char *arg)
{
	unsigned long long a[6] = { 0 };
	size_t n = strcspn(arg, ",");
	const char *p = arg + n;
	char name[64], *end;
	long nr = -1, r;

	snprintf(name, sizeof name, "%.*s", (int)n, arg);
	for (size_t i = 0; i < sizeof syscalls / sizeof *syscalls; i++)
		if (!strcmp(syscalls[i].name, name))
			nr = syscalls[i].value;
	if (nr < 0 && ((nr = strtol(name, &end, 0)) < 0 || *end || !*name)) {
		fprintf(stderr, "probe: syscall: unknown syscall %s\n", name);
		return -1;
	}
	for (int i = 0; *p == ',' && i < 6; i++) {
		a[i] = strtoull(p + 1, &end, 0);
		p = end;
	}
	fflush(stdout);
	errno = 0;
	r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (r == -1 && errno)
		printf("syscall %s: %s\n", name, errno_name(errno));
	else
		printf("syscall %s: ok %ld\n", name, r);
	return 0;
}

/* Exits at once with status ARG: with `fds` etc. before it, proves what ran. */
static int p_exit(const char *arg)
{
	fflush(stdout);
	_exit(atoi(arg));
}

struct cmd {
	const char *name;
	int (*fn)(const char *arg);
	int takes_arg;
};

static const struct cmd cmds[] = {
	{ "ids", p_ids, 0 },		{ "caps", p_caps, 0 },
	{ "rlimits", p_rlimits, 0 },	{ "fds", p_fds, 0 },
	{ "nnp", p_nnp, 0 },		{ "seccomp", p_seccomp, 0 },
	{ "sigs", p_sigs, 0 },		{ "umask", p_umask, 0 },
	{ "cwd", p_cwd, 0 },		{ "ns", p_ns, 0 },
	{ "mounts", p_mounts, 0 },	{ "pid", p_pid, 0 },
	{ "env", p_env, 0 },		{ "hostname", p_hostname, 0 },
	{ "oom", p_oom, 0 },		{ "personality", p_personality, 0 },
	{ "clocks", p_clocks, 0 },	{ "net", p_net, 0 },
	{ "cgroup", p_cgroup, 0 },	{ "open", p_open, 1 },
	{ "write", p_write, 1 },	{ "read", p_read, 1 },
	{ "ls", p_ls, 1 },		{ "stat", p_stat, 1 },
	{ "exit", p_exit, 1 },		{ "syscall", p_syscall, 1 },
};

static const struct cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

int main(int argc, char **argv)
{
	int status = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: probe CMD [ARG] [CMD [ARG]]...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		const struct cmd *c = find_cmd(argv[i]);

		if (!c) {
			fprintf(stderr, "probe: unknown command %s\n", argv[i]);
			return 2;
		}
		if (c->takes_arg && ++i >= argc) {
			fprintf(stderr, "probe: %s needs an argument\n", c->name);
			return 2;
		}
		if (c->fn(c->takes_arg ? argv[i] : NULL) < 0)
			status = 1;
	}
	return fflush(stdout) == 0 ? status : 1;
}
