/* linux.c - the container's side of Linux: its namespaces, its root
 * filesystem (mounts, devices, pivot_root, masked and read-only paths) and
 * its process attributes (rlimits, user, capabilities) up to execve.
 *
 * Everything here after linux_restore_ns() runs in the container's init,
 * a fork() of a single-threaded ocimin: errors go to oci_errbuf, paths in
 * the rootfs are resolved with openat2(RESOLVE_IN_ROOT) and mounted onto
 * through /proc/self/fd, so no symlink in the rootfs can point a mount out
 * of it (CVE-2021-30465). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <linux/capability.h>
#include <linux/ioprio.h>
#include <linux/openat2.h>

#include "ocimin.h"

/* linux/nsfs.h, linux/mount.h and linux/sched/types.h clash with musl's
 * ioctl, mount and sched headers, so what is needed is spelled here. */
#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE _IO(0xb7, 0x3)
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
struct mount_attr { uint64_t attr_set, attr_clr, propagation, userns_fd; };
struct sched_attr {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
};

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define PROPAGATION (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)
/* the per-mount flags a bind mount ignores until remounted */
#define MNT_ATTRS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | \
		   MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME | MS_NOSYMFOLLOW)
/* the ones a remount must repeat or it clears them */
#define MNT_KEEP (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

enum { MK_NONE, MK_DIR, MK_FILE };   /* what open_in_root creates */

/* ---- tables ---------------------------------------------------------- */

/* Namespaces that only apply to children, set by the parent before fork. */
static const struct { int type; const char *self; } child_ns[2] = {
	{ CLONE_NEWPID, "/proc/self/ns/pid_for_children" },
	{ CLONE_NEWTIME, "/proc/self/ns/time_for_children" },
};

/* The init's own namespaces, in setns order: mount last, since joining
 * one moves root and cwd, and every path is opened before any setns. */
static const int init_ns[] = {
	CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWNS,
};

/* Created unless linux.devices has the same path (runc's defaults). */
static const struct device default_devices[] = {
	{ .path = "/dev/null", .type = 'c', .major = 1, .minor = 3 },
	{ .path = "/dev/zero", .type = 'c', .major = 1, .minor = 5 },
	{ .path = "/dev/full", .type = 'c', .major = 1, .minor = 7 },
	{ .path = "/dev/random", .type = 'c', .major = 1, .minor = 8 },
	{ .path = "/dev/urandom", .type = 'c', .major = 1, .minor = 9 },
	{ .path = "/dev/tty", .type = 'c', .major = 5, .minor = 0 },
};

static const struct { const char *name, *target; } dev_links[] = {
	{ "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
	{ "core", "/proc/kcore" },          /* only if the kernel has one */
};

static const struct { unsigned long ms, st; } st_flags[] = {
	{ MS_RDONLY, ST_RDONLY }, { MS_NOSUID, ST_NOSUID },
	{ MS_NODEV, ST_NODEV }, { MS_NOEXEC, ST_NOEXEC },
};

/* sysctls that belong to a namespace other than net (net.* needs a
 * network namespace); a prefix ends with '.'. */
static const struct { const char *key; int ns; } ns_sysctls[] = {
	{ "kernel.msgmax", CLONE_NEWIPC }, { "kernel.msgmnb", CLONE_NEWIPC },
	{ "kernel.msgmni", CLONE_NEWIPC }, { "kernel.sem", CLONE_NEWIPC },
	{ "kernel.shmall", CLONE_NEWIPC }, { "kernel.shmmax", CLONE_NEWIPC },
	{ "kernel.shmmni", CLONE_NEWIPC }, { "kernel.shm_rmid_forced", CLONE_NEWIPC },
	{ "fs.mqueue.", CLONE_NEWIPC }, { "net.", CLONE_NEWNET },
	{ "kernel.domainname", CLONE_NEWUTS }, { "kernel.hostname", CLONE_NEWUTS },
};

static const char *const rlimit_names[RLIMIT_NLIMITS] = {
	[RLIMIT_CPU] = "RLIMIT_CPU", [RLIMIT_FSIZE] = "RLIMIT_FSIZE",
	[RLIMIT_DATA] = "RLIMIT_DATA", [RLIMIT_STACK] = "RLIMIT_STACK",
	[RLIMIT_CORE] = "RLIMIT_CORE", [RLIMIT_RSS] = "RLIMIT_RSS",
	[RLIMIT_NPROC] = "RLIMIT_NPROC", [RLIMIT_NOFILE] = "RLIMIT_NOFILE",
	[RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK", [RLIMIT_AS] = "RLIMIT_AS",
	[RLIMIT_LOCKS] = "RLIMIT_LOCKS", [RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
	[RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE", [RLIMIT_NICE] = "RLIMIT_NICE",
	[RLIMIT_RTPRIO] = "RLIMIT_RTPRIO", [RLIMIT_RTTIME] = "RLIMIT_RTTIME",
};

/* What linux_init_setup resolved for linux_init_exec. */
static char exec_path[PATH_MAX];
static char **exec_env;
/* The bundle, ocimin's cwd at fork: relative bind sources start there. */
static char bundle_dir[PATH_MAX];
/* Whether /proc/self/fd works in the container, once pivoted. */
static bool have_procfd = true;

/* ---- small helpers --------------------------------------------------- */

static const struct ns *ns_find(const struct spec *s, int type)
{
	for (size_t i = 0; i < s->n_namespaces; i++)
		if (s->namespaces[i].type == type)
			return &s->namespaces[i];
	return NULL;
}

static const char *nsname(int type)
{
	const char *n = ns_name(type);

	return n ? n : "unknown";
}

static const char *rlimit_name(int res)
{
	if (res >= 0 && res < RLIMIT_NLIMITS && rlimit_names[res])
		return rlimit_names[res];
	return "unknown rlimit";
}

static void close_keep_errno(int fd)
{
	int e = errno;

	if (fd >= 0)
		close(fd);
	errno = e;
}

static char *fdpath(char buf[32], int fd)
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

/* The path to mount onto: through the fd, unless the container lacks a
 * /proc, where the path is all there is (it is already inside the root). */
static const char *target_of(char buf[32], int fd, const char *path)
{
	return have_procfd ? fdpath(buf, fd) : path;
}

static int write_file(const char *path, const char *buf)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = write_all(fd, buf, strlen(buf));
	close_keep_errno(fd);
	return ret;
}

/* ---- parent: the pid and time namespaces of the child ---------------- */

/* Only possible before any process is in the new time namespace, so in
 * the parent, before the fork (time_namespaces(7)). */
static int set_time_offsets(const struct spec *s)
{
	char buf[128];
	int n;

	n = snprintf(buf, sizeof(buf), "monotonic %lld %u\nboottime %lld %u\n",
		     (long long)s->time_monotonic.secs, s->time_monotonic.nanosecs,
		     (long long)s->time_boottime.secs, s->time_boottime.nanosecs);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return oci_err("set linux.timeOffsets: offsets too long");
	if (write_file("/proc/self/timens_offsets", buf) < 0)
		return oci_syserr("set linux.timeOffsets");
	return 0;
}

static int enter_one_child_ns(const struct spec *s, const struct ns *n)
{
	int fd, ret;

	if (!n->path) {
		if (unshare(n->type) < 0)
			return oci_syserr("create %s namespace", nsname(n->type));
		if (n->type == CLONE_NEWTIME && s->has_time_offsets)
			return set_time_offsets(s);
		return 0;
	}
	fd = open(n->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return oci_syserr("join %s namespace %s", nsname(n->type), n->path);
	ret = setns(fd, n->type);
	if (ret < 0)
		oci_syserr("join %s namespace %s", nsname(n->type), n->path);
	close(fd);
	return ret;
}

/* Back to the saved namespaces; quiet, the caller reports. */
static int restore_ns(int saved[2])
{
	int ret = 0;

	for (int i = 0; i < 2; i++) {
		if (saved[i] < 0)
			continue;
		if (setns(saved[i], child_ns[i].type) < 0 && ret == 0)
			ret = -errno;
		close(saved[i]);
		saved[i] = -1;
	}
	return ret;
}

/* ---- init: namespaces ------------------------------------------------ */

static int loopback_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = -1;

	if (fd < 0)
		return oci_syserr("bring up lo: socket");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		goto out;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		oci_syserr("bring up lo");
	close(fd);
	return ret;
}

static int join_namespaces(const struct spec *s)
{
	int fds[LEN(init_ns)], ret = -1;
	size_t i, n = LEN(fds);

	for (i = 0; i < n; i++)
		fds[i] = -1;
	for (i = 0; i < n; i++) {
		const struct ns *ns = ns_find(s, init_ns[i]);

		if (!ns || !ns->path)
			continue;
		fds[i] = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			oci_syserr("join %s namespace %s", nsname(ns->type), ns->path);
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		if (fds[i] >= 0 && setns(fds[i], init_ns[i]) < 0) {
			oci_syserr("join %s namespace %s", nsname(init_ns[i]),
				   ns_find(s, init_ns[i])->path);
			goto out;
		}
	}
	ret = 0;
out:
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return ret;
}

static int new_namespaces(const struct spec *s)
{
	int flags = 0;

	for (size_t i = 0; i < LEN(init_ns); i++) {
		const struct ns *ns = ns_find(s, init_ns[i]);

		if (ns && !ns->path)
			flags |= init_ns[i];
	}
	if (flags && unshare(flags) < 0)
		return oci_syserr("create namespaces");
	if (flags & CLONE_NEWNET)
		return loopback_up();
	return 0;
}

/* ---- init: paths inside the rootfs ----------------------------------- */

/* An O_PATH fd of path, never leaving root, magic links refused. */
static int openat_in(int root, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return sys_openat2(root, path, &how, sizeof(how));
}

static int make_component(int parent, const char *name, int mk)
{
	int fd;

	if (mk == MK_FILE) {
		fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_CLOEXEC, 0755);
		if (fd >= 0)
			close(fd);
	} else {
		fd = mkdirat(parent, name, 0755);
	}
	return fd < 0 ? -1 : 0;
}

/* buf[i..end) is a dangling symlink in the directory parent: buf becomes
 * its target followed by the rest of the path (buf[end] was c), to be
 * walked again from root, as the kernel would but inside the rootfs. */
static int expand_link(int parent, char *buf, size_t i, size_t end, char c)
{
	char link[PATH_MAX], tmp[PATH_MAX];
	ssize_t n = readlinkat(parent, buf + i, link, sizeof(link) - 1);
	int len;

	if (n < 0)
		return errno == EINVAL ? (errno = EEXIST, -1) : -1;
	link[n] = 0;
	len = snprintf(tmp, sizeof(tmp), "%.*s%s%s%s", link[0] == '/' ? 0 : (int)i,
		       buf, link, c ? "/" : "", c ? buf + end + 1 : "");
	if (len < 0 || (size_t)len >= sizeof(tmp))
		return errno = ENAMETOOLONG, -1;
	memcpy(buf, tmp, len + 1);
	return 0;
}

/* Like mkdir -p, one component at a time, each looked up again in root so
 * a symlink met on the way, dangling or not, is followed inside the
 * rootfs only. The last component becomes a file when mk is MK_FILE.
 * -1 with errno set. */
static int mkpath_in(int root, const char *path, int mk)
{
	char buf[PATH_MAX];
	size_t i = 0, end;
	int parent, fd = -1, links = 0;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return errno = ENAMETOOLONG, -1;
	parent = openat_in(root, "/");
	while (parent >= 0) {
		i += strspn(buf + i, "/");
		if (!buf[i])
			return parent;
		end = i + strcspn(buf + i, "/");
		char c = buf[end];
		bool last = !buf[end + strspn(buf + end, "/")];

		buf[end] = 0;
		fd = openat_in(root, buf);
		if (fd < 0 && errno == ENOENT &&
		    (make_component(parent, buf + i, last ? mk : MK_DIR) == 0 ||
		     errno == EEXIST))
			fd = openat_in(root, buf);
		if (fd < 0 && errno == ENOENT) {
			if (++links > 40) {
				errno = ELOOP;
			} else if (expand_link(parent, buf, i, end, c) == 0) {
				close(parent);
				parent = openat_in(root, "/");
				i = 0;
				continue;
			}
		}
		buf[end] = c;
		close_keep_errno(parent);
		parent = fd;
		i = end;
	}
	return -1;
}

static int open_in_root(int root, const char *path, int mk)
{
	int fd = openat_in(root, path);

	if (fd >= 0 || errno != ENOENT || mk == MK_NONE)
		return fd;
	return mkpath_in(root, path, mk);
}

/* ---- init: mounts ---------------------------------------------------- */

static unsigned long st_to_ms(unsigned long f_flag)
{
	unsigned long ms = 0;

	for (size_t i = 0; i < LEN(st_flags); i++)
		if (f_flag & st_flags[i].st)
			ms |= st_flags[i].ms;
	return ms;
}

/* Bind mounts take their attributes from a remount, which must repeat
 * nosuid/nodev/noexec/ro or it clears them (and the kernel refuses to
 * clear locked ones). */
static int remount_bind(int fd, const char *path, unsigned long set,
			unsigned long clear)
{
	struct statvfs sv;
	unsigned long keep;
	char buf[32];

	if (fstatvfs(fd, &sv) < 0)
		return oci_syserr("remount %s", path);
	keep = st_to_ms(sv.f_flag) & MNT_KEEP & ~clear;
	if (mount(NULL, target_of(buf, fd, path), NULL,
		  MS_REMOUNT | MS_BIND | set | keep, NULL) < 0)
		return oci_syserr("remount %s", path);
	return 0;
}

/* r* options (rro, rnosuid...): mount_setattr(2), Linux 5.12. */
static int setattr_recursive(int fd, const struct mnt *m)
{
	struct mount_attr a = { .attr_set = m->attr_set, .attr_clr = m->attr_clr };

	if (sys_mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
		return oci_syserr("set recursive attributes of %s", m->destination);
	return 0;
}

/* Relative bind sources are relative to the bundle. */
static int bind_source(const struct mnt *m, char *buf, size_t size)
{
	int n;

	if (m->source[0] == '/')
		n = snprintf(buf, size, "%s", m->source);
	else
		n = snprintf(buf, size, "%s/%s", bundle_dir, m->source);
	if (n < 0 || (size_t)n >= size)
		return oci_err("mount %s on %s: path too long", m->source, m->destination);
	return 0;
}

static const char *mount_type(const struct mnt *m)
{
	/* ocimin is cgroup v2 only: a "cgroup" mount is the v2 hierarchy */
	if (m->type && !strcmp(m->type, "cgroup"))
		return "cgroup2";
	return m->type;
}

/* After the mount, the fd still names what is under it: attributes and
 * propagation go to the mount reopened. */
static int mount_after(int root, const struct mnt *m)
{
	unsigned long attrs = m->flags & MNT_ATTRS;
	int fd, ret = -1;
	char buf[32];

	if (!m->propagation && !m->recursive_attr && !(m->bind && attrs))
		return 0;
	fd = open_in_root(root, m->destination, MK_NONE);
	if (fd < 0)
		return oci_syserr("open %s after mounting it", m->destination);
	if (m->bind && attrs && remount_bind(fd, m->destination, attrs, m->clear) < 0)
		goto out;
	if (m->recursive_attr && setattr_recursive(fd, m) < 0)
		goto out;
	if (m->propagation &&
	    mount(NULL, fdpath(buf, fd), NULL, m->propagation, NULL) < 0) {
		oci_syserr("set propagation of %s", m->destination);
		goto out;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

static int copy_tree(int from, int to);

static int copy_file(int from, int to, const char *name)
{
	static char buf[65536];
	int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	int out = -1;
	ssize_t n = -1;

	if (in >= 0)
		out = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out >= 0)
		while ((n = read(in, buf, sizeof(buf))) > 0 && write_all(out, buf, n) == 0)
			;
	close_keep_errno(in);
	close_keep_errno(out);
	return n == 0 ? 0 : -1;
}

static int copy_dir(int from, int to, const char *name)
{
	int in, out, ret;

	if (mkdirat(to, name, 0700) < 0)
		return -1;
	in = openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (out < 0) {
		close_keep_errno(in);
		return -1;
	}
	ret = copy_tree(in, out);
	close_keep_errno(out);
	return ret;
}

/* One entry of a tmpcopyup, never following a symlink, with its owner
 * and mode (chmod after chown, which clears set-id bits). */
static int copy_entry(int from, int to, const char *name)
{
	char link[PATH_MAX];
	struct stat st;
	ssize_t n;
	int ret;

	if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		ret = copy_dir(from, to, name);
	} else if (S_ISREG(st.st_mode)) {
		ret = copy_file(from, to, name);
	} else if (S_ISLNK(st.st_mode)) {
		n = readlinkat(from, name, link, sizeof(link) - 1);
		if (n < 0)
			return -1;
		link[n] = 0;
		ret = symlinkat(link, to, name);
	} else {
		ret = mknodat(to, name, st.st_mode, st.st_rdev);
	}
	if (ret == 0)
		ret = fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
	if (ret == 0 && !S_ISLNK(st.st_mode))
		ret = fchmodat(to, name, st.st_mode & 07777, 0);
	return ret;
}

/* Copies directory from into directory to; closes from. */
static int copy_tree(int from, int to)
{
	DIR *d = fdopendir(from);
	struct dirent *e;
	int ret = 0;

	if (!d) {
		close_keep_errno(from);
		return -1;
	}
	while (ret == 0 && (errno = 0, e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			ret = copy_entry(dirfd(d), to, e->d_name);
	if (ret == 0 && errno)
		ret = -1;
	closedir(d);
	return ret;
}

/* tmpcopyup: the directory's old contents, read through a fd opened
 * before the tmpfs covered it. */
static int copy_up(int root, int old, const struct mnt *m)
{
	int fd = open_in_root(root, m->destination, MK_NONE), dir = -1, ret = -1;

	if (fd >= 0)
		dir = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0)
		ret = copy_tree(old, dir);
	else
		close(old);
	if (ret < 0)
		oci_syserr("tmpcopyup %s", m->destination);
	close_keep_errno(dir);
	close_keep_errno(fd);
	return ret;
}

static bool is_dev(const char *d)
{
	return !strncmp(d, "/dev", 4) && !d[4 + strspn(d + 4, "/")];
}

/* A read-only /dev is mounted writable for its devices and made
 * read-only with the root, as runc does. */
static unsigned long mount_flags(const struct mnt *m)
{
	unsigned long flags = m->flags & ~(PROPAGATION | MS_REMOUNT);

	return is_dev(m->destination) ? flags & ~MS_RDONLY : flags;
}

/* Like runc, a tmpfs on an existing directory gets its mode unless the
 * options say otherwise (the later mode= wins). */
static int mount_tmpfs(int root, int fd, const struct mnt *m, bool existed)
{
	char data[4096], buf[32];
	const char *d = m->data ? m->data : "";
	int old = -1, n = 0;
	struct stat st;

	if (existed && fstat(fd, &st) == 0)
		n = snprintf(data, sizeof(data), "mode=%04o%s%s", st.st_mode & 07777,
			     *d ? "," : "", d);
	else
		n = snprintf(data, sizeof(data), "%s", d);
	if (n < 0 || (size_t)n >= sizeof(data))
		return oci_err("mount %s on %s: options too long", m->source, m->destination);
	if (m->tmpcopyup) {
		old = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (old < 0)
			return oci_syserr("tmpcopyup %s", m->destination);
	}
	if (mount(m->source ? m->source : "tmpfs", fdpath(buf, fd), "tmpfs",
		  mount_flags(m), data) < 0) {
		oci_syserr("mount %s on %s", m->source ? m->source : "tmpfs", m->destination);
		close_keep_errno(old);
		return -1;
	}
	return old >= 0 ? copy_up(root, old, m) : 0;
}

static int mount_other(int fd, const struct mnt *m, const char *source)
{
	unsigned long flags = m->bind ? MS_BIND | (m->flags & MS_REC) : mount_flags(m);
	char buf[32];

	if (mount(source, fdpath(buf, fd), m->bind ? NULL : mount_type(m), flags,
		  m->bind ? NULL : m->data) < 0)
		return oci_syserr("mount %s on %s", m->source ? m->source : source,
				  m->destination);
	return 0;
}

static int mount_entry(int root, const struct mnt *m)
{
	const char *source = m->source ? m->source : "none";
	int mk = MK_DIR, fd, ret;
	bool existed = true;
	char src[PATH_MAX];
	struct stat st;

	if (m->bind) {
		if (bind_source(m, src, sizeof(src)) < 0)
			return -1;
		source = src;
		if (stat(source, &st) < 0)
			return oci_syserr("mount %s on %s", m->source, m->destination);
		mk = S_ISDIR(st.st_mode) ? MK_DIR : MK_FILE;
	}
	fd = openat_in(root, m->destination);
	if (fd < 0 && errno == ENOENT) {
		existed = false;
		fd = mkpath_in(root, m->destination, mk);
	}
	if (fd < 0)
		return oci_syserr("mount %s on %s", m->source ? m->source : source,
				  m->destination);
	if (!m->bind && m->type && !strcmp(m->type, "tmpfs"))
		ret = mount_tmpfs(root, fd, m, existed);
	else
		ret = mount_other(fd, m, source);
	close(fd);
	return ret < 0 ? -1 : mount_after(root, m);
}

/* ---- init: rootfs ---------------------------------------------------- */

static int mnt_id_of(int fd)
{
	char path[64], buf[512], *p;
	int f, n;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -1;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strstr(buf, "mnt_id:");
	return p ? atoi(p + 7) : -1;
}

/* pivot_root(2) refuses a new root whose parent mount is shared, and a
 * bind under a shared mount would propagate to the host: make the mount
 * holding the rootfs private (a slave if rootfsPropagation asks for
 * slaves, as runc does). Found by climbing ".." until the mount id in
 * fdinfo changes. */
static int make_parent_private(const char *rootfs, unsigned long prop)
{
	int fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC), up, id, ret = -1;
	struct stat a, b;
	char buf[32];

	if (fd < 0)
		return oci_syserr("open root.path %s", rootfs);
	id = mnt_id_of(fd);
	for (;;) {
		up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (up < 0 || fstat(fd, &a) < 0 || fstat(up, &b) < 0) {
			oci_syserr("find the mount of %s", rootfs);
			goto out;
		}
		if (mnt_id_of(up) != id || (a.st_dev == b.st_dev && a.st_ino == b.st_ino))
			break;
		close(fd);
		fd = up;
	}
	close(up);
	if (mount(NULL, fdpath(buf, fd), NULL, prop & MS_SLAVE ? MS_SLAVE : MS_PRIVATE,
		  NULL) < 0) {
		oci_syserr("make the mount of %s private", rootfs);
		goto out;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

/* runc's default is MS_SLAVE|MS_REC: host mounts still reach the
 * container, nothing goes back. */
static int prepare_root(const struct spec *s)
{
	unsigned long prop = s->rootfs_propagation ? s->rootfs_propagation
						   : MS_SLAVE | MS_REC;

	if (mount(NULL, "/", NULL, prop, NULL) < 0)
		return oci_syserr("set propagation of /");
	if (make_parent_private(s->root_path, s->rootfs_propagation) < 0)
		return -1;
	if (mount(s->root_path, s->root_path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return oci_syserr("mount %s on %s", s->root_path, s->root_path);
	return 0;
}

static bool dev_is_bound(const struct spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		if (s->mounts[i].bind && is_dev(s->mounts[i].destination))
			return true;
	}
	return false;
}

static mode_t device_type(char t)
{
	switch (t) {
	case 'b': return S_IFBLK;
	case 'p': return S_IFIFO;
	default: return S_IFCHR;        /* 'c' and 'u' */
	}
}

/* Without the right to mknod (nested containers), the host's node. */
static int bind_device(int parent, const char *name, const struct device *d)
{
	char buf[32];
	int fd;

	if (make_component(parent, name, MK_FILE) < 0 && errno != EEXIST)
		return oci_syserr("create %s", d->path);
	fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return oci_syserr("create %s", d->path);
	if (mount(d->path, fdpath(buf, fd), NULL, MS_BIND, NULL) < 0) {
		close_keep_errno(fd);
		return oci_syserr("mount %s on %s", d->path, d->path);
	}
	close(fd);
	return 0;
}

static int make_device(int root, const struct device *d)
{
	const char *name = strrchr(d->path, '/') + 1;
	char dir[PATH_MAX];
	mode_t mode = device_type(d->type) | (d->has_mode ? d->mode & 07777 : 0666);
	int parent, ret = -1;

	snprintf(dir, sizeof(dir), "%.*s", (int)(name - d->path), d->path);
	parent = open_in_root(root, dir, MK_DIR);
	if (parent < 0)
		return oci_syserr("create %s", d->path);
	if (mknodat(parent, name, mode, makedev(d->major, d->minor)) == 0) {
		if (fchownat(parent, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
			oci_syserr("chown %s", d->path);
		else
			ret = 0;
	} else if (errno == EEXIST) {
		ret = 0;
	} else if (errno == EPERM) {
		ret = bind_device(parent, name, d);
	} else {
		oci_syserr("mknod %s", d->path);
	}
	close(parent);
	return ret;
}

static bool device_listed(const struct spec *s, const char *path)
{
	for (size_t i = 0; i < s->n_devices; i++)
		if (!strcmp(s->devices[i].path, path))
			return true;
	return false;
}

static int make_devices(int root, const struct spec *s)
{
	mode_t old = umask(0);
	int ret = -1;

	for (size_t i = 0; i < LEN(default_devices); i++)
		if (!device_listed(s, default_devices[i].path) &&
		    make_device(root, &default_devices[i]) < 0)
			goto out;
	for (size_t i = 0; i < s->n_devices; i++)
		if (make_device(root, &s->devices[i]) < 0)
			goto out;
	ret = 0;
out:
	umask(old);
	return ret;
}

static int make_dev_links(int root)
{
	int dev = open_in_root(root, "/dev", MK_DIR), ret = -1;

	if (dev < 0)
		return oci_syserr("create /dev");
	for (size_t i = 0; i < LEN(dev_links); i++) {
		if (!strcmp(dev_links[i].target, "/proc/kcore") &&
		    access("/proc/kcore", F_OK) < 0)
			continue;
		if (symlinkat(dev_links[i].target, dev, dev_links[i].name) < 0 &&
		    errno != EEXIST) {
			oci_syserr("symlink /dev/%s", dev_links[i].name);
			goto out;
		}
	}
	/* the devpts of a newinstance mount is reached through pts/ptmx */
	if ((unlinkat(dev, "ptmx", 0) < 0 && errno != ENOENT) ||
	    symlinkat("pts/ptmx", dev, "ptmx") < 0) {
		oci_syserr("symlink /dev/ptmx");
		goto out;
	}
	ret = 0;
out:
	close(dev);
	return ret;
}

/* pivot_root(".", ".") stacks the old root on the new one. The lookup
 * of "." does not cross mounts, so the old root is reached through a fd
 * of it. It is made a slave before the detach: unmounting a shared tree
 * would unmount the host's mounts too. */
static int drop_old_root(const struct spec *s, int oldroot)
{
	if (fchdir(oldroot) < 0)
		return oci_syserr("chdir to the old root");
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return oci_syserr("make the old root a slave");
	if (umount2(".", MNT_DETACH) < 0)
		return oci_syserr("unmount the old root");
	if (chdir("/") < 0)
		return oci_syserr("chdir to %s", s->root_path);
	return 0;
}

/* The fallback where pivot_root is impossible (an initramfs root): the
 * old mounts stay, out of reach of the chroot. */
static int move_root(const struct spec *s)
{
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return oci_syserr("move %s to /", s->root_path);
	if (chroot(".") < 0 || chdir("/") < 0)
		return oci_syserr("chroot to %s", s->root_path);
	return 0;
}

static int enter_root(const struct spec *s, int root, bool no_pivot)
{
	int oldroot = -1, ret;

	if (!no_pivot && (oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return oci_syserr("open /");
	if (fchdir(root) < 0) {
		ret = oci_syserr("chdir to %s", s->root_path);
	} else if (no_pivot) {
		ret = move_root(s);
	} else if (sys_pivot_root(".", ".") == 0) {
		ret = drop_old_root(s, oldroot);
	} else if (errno != EINVAL) {
		ret = oci_syserr("pivot_root to %s", s->root_path);
	} else {
		oci_debug("pivot_root to %s: %s; moving it onto / instead",
			  s->root_path, strerror(errno));
		ret = move_root(s);
	}
	if (oldroot >= 0)
		close(oldroot);
	return ret;
}

static int setup_rootfs(struct init_ctx *ctx)
{
	const struct spec *s = ctx->spec;
	int root, ret = -1;

	if (prepare_root(s) < 0)
		return -1;
	/* opened after the bind, so that mounts land on the bind */
	root = open(s->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return oci_syserr("open root.path %s", s->root_path);
	for (size_t i = 0; i < s->n_mounts; i++)
		if (mount_entry(root, &s->mounts[i]) < 0)
			goto out;
	if (!dev_is_bound(s) && (make_devices(root, s) < 0 || make_dev_links(root) < 0))
		goto out;
	ret = enter_root(s, root, ctx->no_pivot);
out:
	close(root);
	return ret;
}

/* ---- init: after the pivot ------------------------------------------- */

static int open_devnull(int root)
{
	int fd = open_in_root(root, "/dev/null", MK_NONE);
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
		close(fd);
		return errno = ENODEV, -1;
	}
	return fd;
}

/* A directory gets an empty read-only tmpfs, anything else /dev/null,
 * checked to be the null device so that a planted /dev/null cannot
 * make the mask a bind of something else (CVE-2025-31133). */
static int mask_path(int root, const char *path)
{
	int fd = open_in_root(root, path, MK_NONE), null = -1, ret = -1;
	char buf[32], nbuf[32];
	struct stat st;

	if (fd < 0)
		return errno == ENOENT ? 0 : oci_syserr("mask %s", path);
	if (fstat(fd, &st) < 0) {
		oci_syserr("mask %s", path);
	} else if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", target_of(buf, fd, path), "tmpfs", MS_RDONLY, NULL) < 0)
			oci_syserr("mask %s", path);
		else
			ret = 0;
	} else if ((null = open_devnull(root)) < 0) {
		oci_syserr("mask %s: /dev/null", path);
	} else if (mount(target_of(nbuf, null, "/dev/null"), target_of(buf, fd, path),
			 NULL, MS_BIND, NULL) < 0) {
		oci_syserr("mask %s", path);
	} else {
		ret = 0;
	}
	if (null >= 0)
		close(null);
	close(fd);
	return ret;
}

static int readonly_path(int root, const char *path)
{
	int fd = open_in_root(root, path, MK_NONE), ret;
	char buf[32];

	if (fd < 0)
		return errno == ENOENT ? 0 : oci_syserr("make %s read-only", path);
	if (mount(target_of(buf, fd, path), target_of(buf, fd, path), NULL,
		  MS_BIND | MS_REC, NULL) < 0) {
		close_keep_errno(fd);
		return oci_syserr("make %s read-only", path);
	}
	close(fd);
	fd = open_in_root(root, path, MK_NONE);
	if (fd < 0)
		return oci_syserr("make %s read-only", path);
	ret = remount_bind(fd, path, MS_RDONLY, 0);
	close(fd);
	return ret;
}

/* net.ipv4.ip_forward -> /proc/sys/net/ipv4/ip_forward, never leaving
 * /proc/sys. */
static int write_sysctl(int dir, const struct kv *kv)
{
	struct open_how how = {
		.flags = O_WRONLY | O_TRUNC | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	char path[PATH_MAX];
	int fd, ret;

	if (snprintf(path, sizeof(path), "%s", kv->key) >= (int)sizeof(path))
		return oci_err("write sysctl %s: name too long", kv->key);
	for (char *p = path; *p; p++)
		if (*p == '.')
			*p = '/';
	fd = sys_openat2(dir, path, &how, sizeof(how));
	if (fd < 0)
		return oci_syserr("write sysctl %s", kv->key);
	ret = write_all(fd, kv->value, strlen(kv->value));
	if (ret < 0)
		oci_syserr("write sysctl %s=%s", kv->key, kv->value);
	close(fd);
	return ret;
}

static int apply_sysctls(const struct spec *s)
{
	int dir, ret = 0;

	if (!s->n_sysctl)
		return 0;
	dir = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return oci_syserr("write sysctl %s: open /proc/sys", s->sysctl[0].key);
	for (size_t i = 0; i < s->n_sysctl && ret == 0; i++)
		ret = write_sysctl(dir, &s->sysctl[i]);
	close(dir);
	return ret;
}

static int set_names(const struct spec *s)
{
	if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		return oci_syserr("set hostname %s", s->hostname);
	if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0)
		return oci_syserr("set domainname %s", s->domainname);
	return 0;
}

static int dev_readonly(const struct spec *s, int root)
{
	int fd, ret;

	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct mnt *m = &s->mounts[i];

		if (m->bind || !is_dev(m->destination) || !(m->flags & MS_RDONLY))
			continue;
		fd = open_in_root(root, "/dev", MK_NONE);
		if (fd < 0)
			return oci_syserr("remount /dev");
		ret = remount_bind(fd, "/dev", MS_RDONLY, 0);
		close(fd);
		return ret;
	}
	return 0;
}

static int set_paths(const struct spec *s, int root)
{
	for (size_t i = 0; i < s->n_readonly_paths; i++)
		if (readonly_path(root, s->readonly_paths[i]) < 0)
			return -1;
	for (size_t i = 0; i < s->n_masked_paths; i++)
		if (mask_path(root, s->masked_paths[i]) < 0)
			return -1;
	if (dev_readonly(s, root) < 0)
		return -1;
	if (s->root_readonly && remount_bind(root, "/", MS_RDONLY, 0) < 0)
		return -1;
	return 0;
}

/* In runc's order: sysctls before readonlyPaths, which may hold
 * /proc/sys; the root made read-only last. rootfsPropagation is applied
 * again to the new "/", which the bind made private, after the binds of
 * readonlyPaths, which an unbindable /proc would refuse. */
static int finish_rootfs(const struct spec *s)
{
	int root, ret;

	have_procfd = access("/proc/self/fd", X_OK) == 0;
	if (set_names(s) < 0 || apply_sysctls(s) < 0)
		return -1;
	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return oci_syserr("open /");
	ret = set_paths(s, root);
	close(root);
	if (ret == 0 && s->rootfs_propagation &&
	    mount(NULL, "/", NULL, s->rootfs_propagation, NULL) < 0)
		return oci_syserr("set propagation of /");
	return ret;
}

/* ---- init: the process ----------------------------------------------- */

static int set_sched(const struct process *p)
{
	struct sched_attr a = {
		.size = sizeof(a),
		.sched_policy = p->sched_policy,
		.sched_flags = p->sched_flags,
		.sched_nice = p->sched_nice,
		.sched_priority = p->sched_priority,
		.sched_runtime = p->sched_runtime,
		.sched_deadline = p->sched_deadline,
		.sched_period = p->sched_period,
	};

	if (sys_sched_setattr(0, &a, 0) < 0)
		return oci_syserr("set process.scheduler");
	return 0;
}

static int set_process_attrs(const struct spec *s)
{
	const struct process *p = &s->process;
	char buf[16];

	if (p->has_oom_score_adj) {
		snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
		if (write_file("/proc/self/oom_score_adj", buf) < 0)
			return oci_syserr("set process.oomScoreAdj");
	}
	if (s->has_personality && personality(s->personality) < 0)
		return oci_syserr("set linux.personality");
	if (p->has_io_priority &&
	    sys_ioprio_set(IOPRIO_WHO_PROCESS, 0,
			   IOPRIO_PRIO_VALUE(p->io_class, p->io_priority)) < 0)
		return oci_syserr("set process.ioPriority");
	if (p->has_scheduler && set_sched(p) < 0)
		return -1;
	return 0;
}

static int set_rlimits(const struct process *p)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = { p->rlimits[i].soft, p->rlimits[i].hard };

		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			return oci_syserr("set rlimit %s", rlimit_name(p->rlimits[i].resource));
	}
	return 0;
}

static const char *env_get(char **env, const char *name)
{
	size_t n = strlen(name);

	for (; env && *env; env++)
		if (!strncmp(*env, name, n) && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

static int is_executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	if (S_ISDIR(st.st_mode))
		return errno = EISDIR, -1;
	if (!S_ISREG(st.st_mode) || faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0)
		return errno = EACCES, -1;
	return 0;
}

/* Looked up now so that create, not start, fails on a missing binary. */
static int find_exec(const struct process *p)
{
	const char *name = p->args[0], *dir = env_get(p->env, "PATH");
	size_t len;

	if (strchr(name, '/')) {
		if (snprintf(exec_path, sizeof(exec_path), "%s", name) >= (int)sizeof(exec_path))
			return oci_err("exec %s: name too long", name);
		return is_executable(exec_path) < 0 ? oci_syserr("exec %s", name) : 0;
	}
	for (dir = dir ? dir : DEFAULT_PATH;; dir += len + 1) {
		len = strcspn(dir, ":");
		/* an empty PATH entry is the cwd */
		if (snprintf(exec_path, sizeof(exec_path), "%.*s/%s", (int)len,
			     len ? dir : ".", name) < (int)sizeof(exec_path) &&
		    *name && is_executable(exec_path) == 0)
			return 0;
		if (!dir[len])
			break;
	}
	return oci_err("exec %s: executable file not found in $PATH", name);
}

/* The home field of uid's line in the container's /etc/passwd. */
static void passwd_home(uid_t uid, char *home, size_t size)
{
	static char buf[65536];
	char *line, *next, *f[7];
	struct stat st;
	ssize_t n = -1;
	int fd = open("/etc/passwd", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		n = read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	for (line = buf; *line; line = next) {
		int i = 0;

		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = 0;
		for (char *p = line; i < 7 && p; i++) {
			f[i] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = 0;
		}
		if (i >= 6 && *f[2] && strtoul(f[2], NULL, 10) == uid && *f[5]) {
			snprintf(home, size, "%s", f[5]);
			return;
		}
	}
}

/* Like runc, HOME from the container's passwd when the env has none. A
 * fork of single-threaded ocimin: malloc is safe here. */
static int set_env(const struct process *p)
{
	static char home[PATH_MAX + 5];	/* in .bss, not 4 KiB of .data */
	size_t n = p->n_env;

	exec_env = p->env;
	if (env_get(p->env, "HOME"))
		return 0;
	memcpy(home, "HOME=/", 7);
	passwd_home(p->uid, home + 5, sizeof(home) - 5);
	exec_env = malloc((n + 2) * sizeof(*exec_env));
	if (!exec_env)
		return oci_syserr("set HOME");
	memcpy(exec_env, p->env, n * sizeof(*exec_env));
	exec_env[n] = home;
	exec_env[n + 1] = NULL;
	return 0;
}

static int cap_last(void)
{
	int cap = 0;

	while (cap < 63 && prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0)
		cap++;
	return cap;
}

static int drop_bounding(uint64_t keep, int last)
{
	for (int cap = 0; cap <= last; cap++) {
		if (keep & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return oci_syserr("drop %s from the bounding set", cap_name(cap));
	}
	return 0;
}

static int set_ids(const struct process *p)
{
	if (setgroups(p->n_additional_gids, (const gid_t *)p->additional_gids) < 0)
		return oci_syserr("set process.user.additionalGids");
	if (setresgid(p->gid, p->gid, p->gid) < 0)
		return oci_syserr("set gid %u", (unsigned)p->gid);
	if (setresuid(p->uid, p->uid, p->uid) < 0)
		return oci_syserr("set uid %u", (unsigned)p->uid);
	return 0;
}

static int set_caps(const uint64_t *caps, uint64_t valid)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	for (int i = 0; i < 2; i++) {
		d[i].effective = (caps[CAPSET_EFFECTIVE] & valid) >> (32 * i);
		d[i].permitted = (caps[CAPSET_PERMITTED] & valid) >> (32 * i);
		d[i].inheritable = (caps[CAPSET_INHERITABLE] & valid) >> (32 * i);
	}
	if (sys_capset(&h, d) < 0)
		return oci_syserr("set capabilities");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return oci_syserr("clear the ambient capabilities");
	for (int cap = 0; cap < 64; cap++)
		if ((caps[CAPSET_AMBIENT] & valid & (1ULL << cap)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			return oci_syserr("raise ambient capability %s", cap_name(cap));
	return 0;
}

/* An absent process.capabilities leaves every set empty. KEEPCAPS keeps
 * the permitted set across setresuid to a non-root uid. Capabilities the
 * kernel does not know are left out, as runc does. */
static int set_user(const struct process *p)
{
	static const uint64_t none[CAPSET_N];
	const uint64_t *caps = p->has_caps ? p->caps : none;
	int last = cap_last();
	uint64_t valid = last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;

	if (drop_bounding(caps[CAPSET_BOUNDING], last) < 0)
		return -1;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return oci_syserr("set keepcaps");
	if (set_ids(p) < 0 || set_caps(caps, valid) < 0)
		return -1;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return oci_syserr("clear keepcaps");
	return 0;
}

static int setup_process(const struct spec *s)
{
	const struct process *p = &s->process;

	if (chdir(p->cwd) < 0)
		return oci_syserr("chdir to cwd (\"%s\") set in config.json failed", p->cwd);
	if (find_exec(p) < 0 || set_env(p) < 0 || set_rlimits(p) < 0)
		return -1;
	if (set_user(p) < 0)
		return -1;
	umask(p->has_umask ? p->umask : 022);
	return 0;
}

/* ---- init: exec ------------------------------------------------------ */

static void close_from(unsigned int first)
{
	struct rlimit rl;

	if (sys_close_range(first, ~0U, 0) == 0)
		return;
	/* before Linux 5.9 */
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur > (1 << 20))
		rl.rlim_cur = 1 << 20;
	for (unsigned int fd = first; fd < rl.rlim_cur; fd++)
		close(fd);
}

static void reset_signals(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t set;

	for (int sig = 1; sig < _NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
}

/* ---- validation, in the parent --------------------------------------- */

static int verr(const struct spec *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int verr(const struct spec *s, const char *fmt, ...)
{
	char msg[OCI_ERRMAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return oci_err("%s: %s", s->path, msg);
}

/* A joined namespace must exist and be of its type. */
static int check_ns_path(const struct spec *s, size_t i)
{
	const struct ns *n = &s->namespaces[i];
	int fd = open(n->path, O_RDONLY | O_CLOEXEC), type;

	if (fd < 0)
		return verr(s, "linux.namespaces[%zu].path: %s: %s", i, n->path, strerror(errno));
	type = ioctl(fd, NS_GET_NSTYPE);
	close(fd);
	if (type < 0)
		return verr(s, "linux.namespaces[%zu].path: %s: not a namespace", i, n->path);
	if (type != n->type)
		return verr(s, "linux.namespaces[%zu].path: %s: not a %s namespace", i,
			    n->path, nsname(n->type));
	return 0;
}

static int check_namespaces(const struct spec *s)
{
	const struct ns *t = ns_find(s, CLONE_NEWTIME);

	for (size_t i = 0; i < s->n_namespaces; i++) {
		const struct ns *n = &s->namespaces[i];

		if (n->type == CLONE_NEWUSER)
			return verr(s, "linux.namespaces: user namespaces are not supported yet");
		if (ns_find(s, n->type) != n)
			return verr(s, "linux.namespaces: %s namespace given twice", nsname(n->type));
		if (n->path && check_ns_path(s, i) < 0)
			return -1;
	}
	if (s->n_uid_mappings || s->n_gid_mappings)
		return verr(s, "linux.%s: user namespaces are not supported yet",
			    s->n_uid_mappings ? "uidMappings" : "gidMappings");
	if (!ns_find(s, CLONE_NEWNS))
		return verr(s, "linux.namespaces: a mount namespace is required");
	if (t && access("/proc/self/ns/time", F_OK) < 0)
		return verr(s, "linux.namespaces: time namespaces are not supported by this kernel");
	if (s->has_time_offsets && (!t || t->path))
		return verr(s, "linux.timeOffsets: requires a new time namespace");
	if ((s->hostname || s->domainname) && !ns_find(s, CLONE_NEWUTS))
		return verr(s, "%s: requires a UTS namespace", s->hostname ? "hostname" : "domainname");
	return 0;
}

static int check_sysctl(const struct spec *s, const char *key)
{
	for (size_t i = 0; i < LEN(ns_sysctls); i++) {
		const char *k = ns_sysctls[i].key;
		size_t n = strlen(k);

		if (k[n - 1] == '.' ? strncmp(key, k, n) : strcmp(key, k))
			continue;
		if (!strcmp(key, "kernel.hostname"))
			return verr(s, "linux.sysctl: %s: conflicts with hostname", key);
		if (!ns_find(s, ns_sysctls[i].ns))
			return verr(s, "linux.sysctl: %s: requires a %s namespace", key,
				    nsname(ns_sysctls[i].ns));
		return 0;
	}
	return verr(s, "linux.sysctl: %s: not in a namespace of the container", key);
}

static int check_mounts(const struct spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct mnt *m = &s->mounts[i];

		if (m->idmap)
			return verr(s, "mounts[%zu]: idmapped mounts are not supported yet", i);
		if (m->bind && !m->source)
			return verr(s, "mounts[%zu].source: required for a bind mount", i);
		if (m->destination[strspn(m->destination, "/")] == 0)
			return verr(s, "mounts[%zu].destination: cannot mount over the root", i);
	}
	return 0;
}

static int check_devices(const struct spec *s)
{
	for (size_t i = 0; i < s->n_devices; i++) {
		const char *p = s->devices[i].path, *name = strrchr(p, '/');

		if (p[0] != '/' || !name || !name[1] || !strcmp(name, "/.") ||
		    !strcmp(name, "/.."))
			return verr(s, "linux.devices[%zu].path: %s: not a device path", i, p);
	}
	return 0;
}

/* Config items ocimin parses but does not apply yet. */
static int check_unsupported(const struct spec *s)
{
	const struct process *p = &s->process;

	if (s->seccomp.present)
		return verr(s, "linux.seccomp: not supported yet");
	if (s->has_intel_rdt)
		return verr(s, "linux.intelRdt: not supported");
	if (s->has_memory_policy)
		return verr(s, "linux.memoryPolicy: not supported yet");
	if (s->has_net_devices)
		return verr(s, "linux.netDevices: not supported yet");
	if (s->mount_label)
		return verr(s, "linux.mountLabel: SELinux is not supported yet");
	if (p->selinux_label)
		return verr(s, "process.selinuxLabel: SELinux is not supported yet");
	if (p->apparmor_profile)
		return verr(s, "process.apparmorProfile: AppArmor is not supported yet");
	if (s->has_personality && s->personality != PER_LINUX &&
	    s->personality != PER_LINUX32)
		return verr(s, "linux.personality: only LINUX and LINUX32 are supported");
	return 0;
}

/* ---- the interface (ocimin.h) ---------------------------------------- */

int linux_enter_child_ns(const struct spec *s, int saved[2])
{
	saved[0] = saved[1] = -1;
	for (int i = 0; i < 2; i++) {
		const struct ns *n = ns_find(s, child_ns[i].type);

		if (!n)
			continue;
		saved[i] = open(child_ns[i].self, O_RDONLY | O_CLOEXEC);
		if (saved[i] < 0) {
			if (errno == ENOENT && n->type == CLONE_NEWTIME)
				oci_err("create time namespace: not supported by this kernel");
			else
				oci_syserr("open %s", child_ns[i].self);
			goto fail;
		}
		if (enter_one_child_ns(s, n) < 0)
			goto fail;
	}
	return 0;
fail:
	restore_ns(saved);
	return -1;
}

int linux_restore_ns(int saved[2])
{
	int ret = restore_ns(saved);

	if (ret < 0) {
		errno = -ret;
		return oci_syserr("restore the namespaces of ocimin");
	}
	return 0;
}

/* runc's order: namespaces, the rootfs with its mounts and devices, the
 * pivot, what is done inside the new root, then the process: its
 * executable looked up, rlimits, and last its user and capabilities,
 * which take away the rights the rest needs. */
int linux_init_setup(struct init_ctx *ctx)
{
	const struct spec *s = ctx->spec;

	if (!getcwd(bundle_dir, sizeof(bundle_dir)))
		return oci_syserr("get the bundle directory");
	if (join_namespaces(s) < 0 || new_namespaces(s) < 0)
		return -1;
	/* before the pivot: /proc/self is the host's proc, always there */
	if (set_process_attrs(s) < 0)
		return -1;
	if (setup_rootfs(ctx) < 0 || finish_rootfs(s) < 0)
		return -1;
	return setup_process(s);
}

int linux_init_exec(struct init_ctx *ctx)
{
	const struct process *p = &ctx->spec->process;

	/* closed, not just close-on-exec: execve("/proc/self/fd/N") must
	 * find no host fd (CVE-2024-21626) */
	close_from(3 + (ctx->preserve_fds > 0 ? ctx->preserve_fds : 0));
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return oci_syserr("set noNewPrivileges");
	reset_signals();
	execve(exec_path, p->args, exec_env);
	return oci_syserr("exec %s", p->args[0]);
}

int linux_validate(const struct spec *s)
{
	struct stat st;

	if (stat(s->root_path, &st) < 0)
		return verr(s, "root.path: %s: %s", s->root_path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return verr(s, "root.path: %s: not a directory", s->root_path);
	if (check_unsupported(s) < 0 || check_namespaces(s) < 0 ||
	    check_mounts(s) < 0 || check_devices(s) < 0)
		return -1;
	for (size_t i = 0; i < s->n_sysctl; i++)
		if (check_sysctl(s, s->sysctl[i].key) < 0)
			return -1;
	return 0;
}
