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
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/ioprio.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>

#include "ocimin.h"

/* linux/nsfs.h, linux/mount.h and linux/sched/types.h clash with musl's
 * ioctl, mount and sched headers, so what is needed is spelled here. */
#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE _IO(0xb7, 0x3)
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef MOUNT_ATTR_SIZE_VER0   /* glibc's sys/mount.h has it (the ASan build) */
struct mount_attr { uint64_t attr_set, attr_clr, propagation, userns_fd; };
#endif
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
/* The init is in the container's user namespace (made or joined by the
 * first child); setgroups(2) is denied in it; it has no network, no cgroup
 * namespace of its own, so sysfs, cgroup2 are bound from the host. */
static bool in_userns, groups_denied, host_sys, host_cgroup;
/* Its cgroup before it has a cgroup namespace, in a user namespace. */
static char cgroup_self[PATH_MAX];

/* ---- small helpers --------------------------------------------------- */

static const struct ns *ns_find(const struct spec *s, int type)
{
	for (size_t i = 0; i < s->n_namespaces; i++)
		if (s->namespaces[i].type == type)
			return &s->namespaces[i];
	return NULL;
}

static bool new_ns(const struct spec *s, int type)
{
	const struct ns *n = ns_find(s, type);

	return n && !n->path;
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

/* CVE-2025-52881: what ocimin writes or mounts through in /proc must be
 * procfs, not a file of a mount laid over /proc, which would take the
 * write (a sysctl, an LSM label) or the mount elsewhere. */
static bool on_procfs(int fd)
{
	struct statfs sf;

	return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

/* A file in /proc; EXDEV when it is not on procfs. */
static int write_file(const char *path, const char *buf)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	if (!on_procfs(fd)) {
		close(fd);
		return errno = EXDEV, -1;
	}
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

/* Joins the namespaces of types[0..n) given by path, in that order, all
 * opened before the first setns. */
static int join_namespaces(const struct spec *s, const int *types, size_t n)
{
	int fds[8], ret = -1;
	size_t i;

	for (i = 0; i < n; i++)
		fds[i] = -1;
	for (i = 0; i < n; i++) {
		const struct ns *ns = ns_find(s, types[i]);

		if (!ns || !ns->path)
			continue;
		fds[i] = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			oci_syserr("join %s namespace %s", nsname(ns->type), ns->path);
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		if (fds[i] >= 0 && setns(fds[i], types[i]) < 0) {
			oci_syserr("join %s namespace %s", nsname(types[i]),
				   ns_find(s, types[i])->path);
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

/* ---- user namespaces ------------------------------------------------- *
 * With a user namespace the init is a grandchild of ocimin: a first child
 * joins the namespaces given by path, makes the user namespace, whose maps
 * ocimin writes from outside, then makes the pid and time namespaces, so
 * that they are owned by the user namespace (the kernel checks the owner
 * of the pid namespace when the init mounts /proc), and forks the init,
 * which makes the other namespaces, owned by it too. */

/* User first: its rights are what joining the others it owns takes.
 * Mount last, as in init_ns. */
static const int userns_join[] = {
	CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWTIME, CLONE_NEWIPC, CLONE_NEWUTS,
	CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWNS,
};

/* "0 1000 1\n" lines; -1 when they do not fit. */
static int idmap_lines(char *buf, size_t size, const struct idmap *m, size_t n)
{
	size_t len = 0;

	buf[0] = 0;
	for (size_t i = 0; i < n; i++) {
		int k = snprintf(buf + len, size - len, "%u %u %u\n", m[i].container_id,
				 m[i].host_id, m[i].size);

		if (k < 0 || (size_t)k >= size - len)
			return -1;
		len += k;
	}
	return 0;
}

/* The kernel takes a map in one write(2), once. */
static int write_map(pid_t pid, const char *file, const char *what,
		     const struct idmap *m, size_t n)
{
	char path[64], buf[4096];

	if (idmap_lines(buf, sizeof(buf), m, n) < 0)
		return oci_err("write %s: too many mappings", what);
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	if (write_file(path, buf) == 0)
		return 0;
	if (errno == EPERM && geteuid() != 0)
		return oci_err("write %s to %s: %s (without root only one range of size 1, the caller's own id, can be mapped)",
			       what, path, strerror(errno));
	return oci_syserr("write %s to %s", what, path);
}

static bool have_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (sys_capget(&h, d) < 0)
		return false;
	return d[cap / 32].effective & (1U << (cap % 32));
}

/* Writes the maps of the user namespace that pid made. Without
 * CAP_SETGID setgroups(2) must be denied in it first, or the kernel
 * refuses a gid_map (user_namespaces(7), Linux 3.19). */
static int write_maps(pid_t pid, const struct idmap *uid, size_t n_uid,
		      const struct idmap *gid, size_t n_gid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/setgroups", pid);
	if (!have_cap(CAP_SETGID) && write_file(path, "deny") < 0)
		return oci_syserr("write %s", path);
	if (write_map(pid, "uid_map", "linux.uidMappings", uid, n_uid) < 0 ||
	    write_map(pid, "gid_map", "linux.gidMappings", gid, n_gid) < 0)
		return -1;
	return 0;
}

/* Whether the user namespace of pid ("self" when 0) denies setgroups(2);
 * read from the host's /proc, before the container's replaces it. */
static bool setgroups_denied(pid_t pid)
{
	char path[64], buf[8] = "";
	int fd;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/setgroups", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/setgroups");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return !strncmp(buf, "deny", 4);
}

/* ---- idmapped mounts ------------------------------------------------- *
 * An idmapped bind mount is a detached copy of the source (open_tree)
 * given a user namespace's mapping (mount_setattr, Linux 5.12) and then
 * attached in the container (move_mount). The first two need
 * CAP_SYS_ADMIN over the source's filesystem, which the container's user
 * namespace does not have, so ocimin makes the copies before forking and
 * the init inherits them. */

/* Detached trees, indexed like spec->mounts, -1 where not idmapped. */
static int *idmap_trees;
static const struct mnt *idmap_base;
static size_t n_idmap_trees;

/* A user namespace with the mappings, as an fd: made by a child that
 * stops once it is in it, so that its maps can be written. */
static int mapping_userns(const struct mnt *m, const struct idmap *uid,
			  size_t n_uid, const struct idmap *gid, size_t n_gid)
{
	char path[64];
	int status, fd = -1;
	pid_t pid = fork();

	if (pid == 0) {
		if (unshare(CLONE_NEWUSER) == 0)
			kill(getpid(), SIGSTOP);
		_exit(1);
	}
	if (pid < 0)
		return oci_syserr("mount %s on %s: fork", m->source, m->destination);
	if (waitpid(pid, &status, WUNTRACED) < 0 || !WIFSTOPPED(status)) {
		oci_err("mount %s on %s: cannot create a user namespace for its idmapping",
			m->source, m->destination);
		goto out;
	}
	if (write_maps(pid, uid, n_uid, gid, n_gid) < 0)
		goto out;
	snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		oci_syserr("open %s", path);
out:
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return fd;
}

static int idmap_error(const struct mnt *m, const char *what)
{
	if (errno == ENOSYS)
		return oci_err("mount %s on %s: idmapped mounts need Linux 5.12 (open_tree, mount_setattr)",
			       m->source, m->destination);
	if (errno == EINVAL)
		return oci_err("mount %s on %s: %s: the filesystem or the kernel does not support idmapped mounts (Linux 5.12; tmpfs since 6.3)",
			       m->source, m->destination, what);
	/* open_tree's clone needs CAP_SYS_ADMIN over ocimin's mount
	 * namespace, mount_setattr over the source's filesystem: an
	 * unprivileged user has neither over the host's (runc refuses
	 * idmapped mounts to a non-root caller outright) */
	if (errno == EPERM)
		return oci_err("mount %s on %s: %s: %s (idmapped mounts need CAP_SYS_ADMIN over the mount namespace and the source's filesystem, which an unprivileged user does not have)",
			       m->source, m->destination, what, strerror(EPERM));
	return oci_syserr("mount %s on %s: %s", m->source, m->destination, what);
}

/* Without mappings of its own the mount takes the container's. */
static int idmap_tree(const struct spec *s, const struct mnt *m)
{
	bool own = m->n_uid_mappings;
	struct mount_attr a = { .attr_set = MOUNT_ATTR_IDMAP };
	int tree, userns;

	tree = sys_open_tree(AT_FDCWD, m->source, OPEN_TREE_CLONE | O_CLOEXEC |
			     (m->flags & MS_REC ? AT_RECURSIVE : 0));
	if (tree < 0)
		return idmap_error(m, "clone");
	userns = mapping_userns(m, own ? m->uid_mappings : s->uid_mappings,
				own ? m->n_uid_mappings : s->n_uid_mappings,
				own ? m->gid_mappings : s->gid_mappings,
				own ? m->n_gid_mappings : s->n_gid_mappings);
	if (userns < 0) {
		close(tree);
		return -1;
	}
	a.userns_fd = userns;
	if (sys_mount_setattr(tree, "", AT_EMPTY_PATH |
			      (m->idmap_recursive ? AT_RECURSIVE : 0), &a, sizeof(a)) < 0) {
		idmap_error(m, "set its idmapping");
		close(tree);
		tree = -1;
	}
	close(userns);
	return tree;
}

/* In the init: the copy made before the fork, attached on fd. */
static int mount_idmapped(int fd, const struct mnt *m)
{
	int *tree = &idmap_trees[m - idmap_base];

	if (sys_move_mount(*tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH |
			   MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return oci_syserr("mount %s on %s", m->source, m->destination);
	close(*tree);
	*tree = -1;
	return 0;
}

/* ---- init: paths inside the rootfs ----------------------------------- */

/* openat2 (Linux 5.6) missing: path walked one component at a time from
 * root with O_NOFOLLOW, each symlink read through its own O_PATH fd and
 * spliced into the rest of the path, ".." stopping at root: the kernel's
 * RESOLVE_IN_ROOT done by hand. Without follow (RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS) a symlink is ELOOP and ".." EXDEV. A rename that
 * races the walk can move it, which openat2 would not allow; old kernels
 * get runc's (filepath-securejoin's) guarantee, no less. */
static int walk_step(int root, int *cur, char *rest, size_t i, size_t k,
		     bool follow, int *links)
{
	char link[PATH_MAX], tmp[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd;

	fd = openat(*cur, rest + i, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISLNK(st.st_mode)) {
		close(*cur);
		*cur = fd;
		return 0;
	}
	n = follow ? readlinkat(fd, "", link, sizeof(link) - 1) : (errno = ELOOP, -1);
	close(fd);
	if (n < 0 || ++*links > 40)
		return n < 0 ? -1 : (errno = ELOOP, -1);
	link[n] = 0;
	if (snprintf(tmp, sizeof(tmp), "%s/%s", link, rest + k) >= (int)sizeof(tmp))
		return errno = ENAMETOOLONG, -1;
	strcpy(rest, tmp);
	if (link[0] == '/') {
		fd = dup(root);
		if (fd < 0)
			return -1;
		close(*cur);
		*cur = fd;
	}
	return 1;
}

static int walk_in(int root, const char *path, bool follow)
{
	char rest[PATH_MAX], up[PATH_MAX] = "";
	int cur = openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC), links = 0;
	size_t i = 0, k;

	if (snprintf(rest, sizeof(rest), "%s", path) >= (int)sizeof(rest))
		return close(cur), errno = ENAMETOOLONG, -1;
	while (cur >= 0) {
		i += strspn(rest + i, "/");
		if (!rest[i])
			return cur;
		k = i + strcspn(rest + i, "/");
		if (rest[k])
			rest[k++] = 0;
		if (!strcmp(rest + i, ".")) {
			i = k;
			continue;
		}
		if (!strcmp(rest + i, "..") && !follow)
			return close(cur), errno = EXDEV, -1;
		if (!strcmp(rest + i, "..")) {
			/* up one level: walk the resolved prefix again from root */
			char *slash = strrchr(up, '/');
			*(slash ? slash : up) = 0;
			close(cur);
			cur = walk_in(root, up, false);
			i = k;
			continue;
		} else {
			int r = walk_step(root, &cur, rest, i, k, follow, &links);

			if (r < 0)
				return close_keep_errno(cur), -1;
			if (r > 0) {
				if (rest[0] == '/')
					up[0] = 0;
				i = 0;
				continue;
			}
			if (strlen(up) + k - i + 2 >= sizeof(up))
				return close(cur), errno = ENAMETOOLONG, -1;
			strcat(strcat(up, "/"), rest + i);
		}
		i = k;
	}
	return -1;
}

/* A sysctl file without openat2: no symlink, no "..", beneath dir. */
static int sysctl_open_walk(int dir, char *path)
{
	char *slash = strrchr(path, '/'), *last = slash ? slash + 1 : path;
	int parent, fd;

	if (!strcmp(last, "..") || !strcmp(last, "."))
		return errno = EXDEV, -1;
	if (slash)
		*slash = 0;
	parent = walk_in(dir, slash ? path : "", false);
	if (slash)
		*slash = '/';
	if (parent < 0)
		return -1;
	fd = openat(parent, last, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	close_keep_errno(parent);
	return fd;
}

/* An O_PATH fd of path, never leaving root, magic links refused. */
static int openat_in(int root, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = sys_openat2(root, path, &how, sizeof(how));

	return fd < 0 && errno == ENOSYS ? walk_in(root, path, true) : fd;
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

	if (sys_mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) == 0)
		return 0;
	if (errno == ENOSYS)
		return oci_err("set recursive attributes of %s: r* mount options need Linux 5.12 (mount_setattr)",
			       m->destination);
	return oci_syserr("set recursive attributes of %s", m->destination);
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

static int bind_host_fs(int root, int fd, const struct mnt *m, const char *host)
{
	char buf[32];
	int again, ret;

	if (mount(host, fdpath(buf, fd), NULL, MS_BIND | MS_REC, NULL) < 0)
		return oci_syserr("mount %s on %s (bound from the host: %s cannot be mounted in this user namespace)",
				  host, m->destination, m->type);
	again = open_in_root(root, m->destination, MK_NONE);
	if (again < 0)
		return oci_syserr("open %s after mounting it", m->destination);
	ret = remount_bind(again, m->destination, m->flags & MNT_ATTRS, m->clear);
	close(again);
	return ret;
}

/* In a user namespace sysfs mounts only with a network namespace of its
 * own (the kernel checks who owns the current one): without, the host's
 * is bound, read-only if asked, as runc does. */
static bool host_sysfs(const struct mnt *m)
{
	return host_sys && !m->bind && m->type && !strcmp(m->type, "sysfs");
}

/* The host's cgroup2 mount point, field 5 of its mountinfo line, followed
 * by sub; "" when there is none. */
static void cgroup2_path(char *buf, size_t size, const char *sub)
{
	char line[4096], *p;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	buf[0] = 0;
	while (f && fgets(line, sizeof(line), f)) {
		if (!oci_find(line, " - cgroup2 "))
			continue;
		p = line;
		for (int i = 0; i < 4 && p; i++)
			if ((p = strchr(p, ' ')))
				p++;
		if (p && snprintf(buf, size, "%.*s%s", (int)strcspn(p, " "), p,
				  strcmp(sub, "/") ? sub : "") >= (int)size)
			buf[0] = 0;
		break;
	}
	if (f)
		fclose(f);
}

/* In a user namespace cgroup2 mounts only in a cgroup namespace of its
 * own, and not even then where the host mounted it with nsdelegate
 * (EBUSY): as runc does, the host's is bound instead, at the container's
 * own cgroup when it has a cgroup namespace, whose view that is. */
static int mount_cgroup_userns(int root, int fd, const struct mnt *m)
{
	const char *source = m->source ? m->source : "cgroup";
	char buf[32], host[PATH_MAX];

	if (!host_cgroup &&
	    mount(source, fdpath(buf, fd), "cgroup2", mount_flags(m), m->data) == 0)
		return 0;
	if (!host_cgroup && errno != EPERM && errno != EBUSY)
		return oci_syserr("mount %s on %s", source, m->destination);
	cgroup2_path(host, sizeof(host), host_cgroup ? "/" : cgroup_self);
	if (!host[0])
		return oci_err("mount %s on %s: no cgroup2 mount on the host to bind in a user namespace",
			       source, m->destination);
	return bind_host_fs(root, fd, m, host);
}

/* The init's cgroup, from /proc/self/cgroup before it has a cgroup
 * namespace: "0::/path" on cgroup v2. */
static void read_cgroup_self(void)
{
	char line[PATH_MAX];
	FILE *f = fopen("/proc/self/cgroup", "re");

	snprintf(cgroup_self, sizeof(cgroup_self), "/");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(cgroup_self, sizeof(cgroup_self), "%s", line + 3);
	}
	if (f)
		fclose(f);
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
	if (m->idmap)
		ret = mount_idmapped(fd, m);
	else if (host_sysfs(m))
		ret = bind_host_fs(root, fd, m, "/sys");
	else if (in_userns && !m->bind && m->type && !strcmp(mount_type(m), "cgroup2"))
		ret = mount_cgroup_userns(root, fd, m);
	else if (!m->bind && m->type && !strcmp(m->type, "tmpfs"))
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
	p = oci_find(buf, "mnt_id:");
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
	/* after a recursive slave/private/unbindable nothing is shared any
	 * more: the climb is only needed when something may still be */
	if (((prop & MS_SHARED) || !(prop & MS_REC)) &&
	    make_parent_private(s->root_path, s->rootfs_propagation) < 0)
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
	/* (5) and (6) of ocimin.c's protocol: prestart and createRuntime
	 * hooks in ocimin, then createContainer hooks here */
	if (init_create_hooks(ctx) < 0)
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
/* Whether mounts may go through /proc/self/fd once pivoted: only if that
 * is procfs, else a planted /proc could point them anywhere
 * (CVE-2025-52881); without, paths are used, inside the new root. */
static bool procfd_ok(void)
{
	int fd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	bool ok = fd >= 0 && on_procfs(fd);

	if (fd >= 0)
		close(fd);
	return ok;
}

static int write_sysctl(int dir, const struct kv *kv)
{
	struct open_how how = {
		.flags = O_WRONLY | O_TRUNC | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_NO_XDEV,
	};
	char path[PATH_MAX];
	int fd, ret;

	if (snprintf(path, sizeof(path), "%s", kv->key) >= (int)sizeof(path))
		return oci_err("write sysctl %s: name too long", kv->key);
	for (char *p = path; *p; p++)
		if (*p == '.')
			*p = '/';
	fd = sys_openat2(dir, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = sysctl_open_walk(dir, path);
	if (fd < 0 && errno == EXDEV)
		return oci_err("write sysctl %s: /proc/sys/%s is under a mount over /proc/sys (CVE-2025-52881)", kv->key, path);
	if (fd < 0)
		return oci_syserr("write sysctl %s", kv->key);
	if (!on_procfs(fd)) {
		close(fd);
		return oci_err("write sysctl %s: /proc/sys/%s is not on procfs (CVE-2025-52881)", kv->key, path);
	}
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
	if (!on_procfs(dir)) {
		close(dir);
		return oci_err("write sysctl %s: /proc/sys is not procfs (CVE-2025-52881)", s->sysctl[0].key);
	}
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

	have_procfd = procfd_ok();
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

static bool apparmor_enabled(void)
{
	char c = 0;
	int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = 0;
		close(fd);
	}
	return c == 'Y';
}

/* AppArmor's change_onexec: the profile applies from the execve on.
 * Written while /proc is the host's; attr/apparmor/ since Linux 5.8. */
static int apparmor_exec(const char *profile)
{
	char buf[4096];
	int n = snprintf(buf, sizeof(buf), "exec %s", profile);

	if (!apparmor_enabled())
		return oci_err("set AppArmor profile %s: AppArmor is not enabled on this host", profile);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return oci_err("set AppArmor profile %s: name too long", profile);
	if (write_file("/proc/thread-self/attr/apparmor/exec", buf) < 0 &&
	    (errno != ENOENT || write_file("/proc/thread-self/attr/exec", buf) < 0))
		return oci_syserr("set AppArmor profile %s", profile);
	return 0;
}

static int set_process_attrs(const struct spec *s)
{
	const struct process *p = &s->process;
	char buf[16];

	if (p->apparmor_profile && apparmor_exec(p->apparmor_profile) < 0)
		return -1;

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

		/* prlimit: musl's setrlimit brings its all-threads
		 * machinery (2 KB) for kernels before 2.6.36 */
		if (prlimit(0, p->rlimits[i].resource, &rl, NULL) < 0)
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

/* The highest capability the kernel knows: the valid ones are a prefix
 * of 0..63, so a binary search takes six prctl calls, not forty. */
static int cap_last(void)
{
	int lo = 0, hi = 64;	/* lo is valid, hi is not */

	while (hi - lo > 1) {
		int mid = (lo + hi) / 2;
		if (prctl(PR_CAPBSET_READ, mid, 0, 0, 0) >= 0)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
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
	/* where setgroups is denied the groups stay, unless some are asked for */
	/* raw syscalls: musl's wrappers broadcast to every thread with
	 * signals blocked around it, for a process that has just one */
	if ((!groups_denied || p->n_additional_gids) &&
	    syscall(SYS_setgroups, p->n_additional_gids, p->additional_gids) < 0)
		return oci_syserr("set process.user.additionalGids");
	if (syscall(SYS_setresgid, p->gid, p->gid, p->gid) < 0)
		return oci_syserr("set gid %u", (unsigned)p->gid);
	if (syscall(SYS_setresuid, p->uid, p->uid, p->uid) < 0)
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

/* A cwd reached through a leaked directory fd is outside the root: the
 * kernel's getcwd then does not start with "/" (CVE-2024-21626). */
static int check_cwd(const char *cwd)
{
	char buf[PATH_MAX];

	if (syscall(SYS_getcwd, buf, sizeof(buf)) < 0)
		return oci_syserr("chdir to cwd \"%s\"", cwd);
	if (buf[0] != '/')
		return oci_err("chdir to cwd \"%s\": it is outside the container's root", cwd);
	return 0;
}

/* ---- init: seccomp --------------------------------------------------- */

/* The filter ocimin compiled (ctx->seccomp), and with SCMP_ACT_NOTIFY
 * rules the agent's socket, connected before anything moves the root
 * (listenerPath is a host path), with the ContainerProcessState to send. */
static const struct sock_fprog *filter;
static bool filter_loaded;
static int listener_sock = -1;
static char *listener_msg;
static size_t listener_len;

static bool uses_notify(const struct seccomp *sc)
{
	for (size_t i = 0; i < sc->n_rules; i++)
		if (sc->rules[i].action == SECCOMP_RET_USER_NOTIF)
			return true;
	return false;
}

/* Loading a filter takes noNewPrivileges or CAP_SYS_ADMIN: without the
 * first, it is loaded before the capabilities are dropped, as runc does;
 * else as late as can be, right before execve, so that the profile need
 * not allow what ocimin does before. */
static bool seccomp_late(const struct process *p)
{
	return p->no_new_privileges ||
	       (p->has_caps && (p->caps[CAPSET_EFFECTIVE] & (1ULL << CAP_SYS_ADMIN)));
}

/* At the start of the init (or of an exec'd process), with the host's
 * /proc and root still there; status is the container's as the agent
 * will be told. */
static int seccomp_prepare(struct init_ctx *ctx, const char *status)
{
	const struct spec *s = ctx->spec;
	const char *path = s->seccomp.listener_path;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char self[32];
	ssize_t n;
	FILE *f;

	filter = ctx->seccomp.len ? &ctx->seccomp : NULL;
	if (!filter || !uses_notify(&s->seccomp))
		return 0;
	/* the pid the runtime sees: /proc is still the host's */
	n = readlink("/proc/self", self, sizeof(self) - 1);
	if (n < 0)
		return oci_syserr("seccomp listener: read /proc/self");
	self[n] = 0;
	if (strlen(path) >= sizeof(addr.sun_path))
		return oci_err("connect to linux.seccomp.listenerPath %s: path too long", path);
	strcpy(addr.sun_path, path);
	listener_sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listener_sock < 0 || connect(listener_sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return oci_syserr("connect to linux.seccomp.listenerPath %s", path);
	f = open_memstream(&listener_msg, &listener_len);
	if (!f)
		return oci_syserr("seccomp listener: render the state");
	json_process_state(f, s, ctx->id ? ctx->id : "", atoi(self), bundle_dir, status);
	if (fclose(f) != 0)
		return oci_syserr("seccomp listener: render the state");
	return 0;
}

/* The listener fd in SCM_RIGHTS with the first part of the message. */
static int send_listener(int fd, const char *path)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { listener_msg, listener_len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	size_t done = 0;

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	while (done < listener_len) {
		ssize_t n = sendmsg(listener_sock, &mh, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return oci_syserr("send the seccomp listener to %s", path);
		done += n;
		iov.iov_base = listener_msg + done;
		iov.iov_len = listener_len - done;
		mh.msg_control = NULL;
		mh.msg_controllen = 0;
	}
	return 0;
}

/* From here on every syscall may go to the agent, which can answer only
 * once it has the listener: sendmsg comes first (seccomp.c refuses NOTIFY
 * on it), and the socket is closed, as the spec asks, after. */
static int seccomp_load(const struct spec *s)
{
	unsigned int flags = s->seccomp.flags;
	int fd, ret;

	if (!filter || filter_loaded)
		return 0;
	if (uses_notify(&s->seccomp) && listener_sock < 0)
		return oci_err("load the seccomp filter: its listener is not connected");
	if (listener_sock >= 0)
		/* TSYNC and NEW_LISTENER exclude each other: the init has one thread */
		flags = (flags & ~SECCOMP_FILTER_FLAG_TSYNC) | SECCOMP_FILTER_FLAG_NEW_LISTENER;
	else
		/* only about a listener, and refused without one */
		flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	fd = sys_seccomp(SECCOMP_SET_MODE_FILTER, flags, (void *)filter);
	if (fd < 0)
		return oci_syserr("load the seccomp filter");
	filter_loaded = true;
	if (listener_sock < 0)
		return 0;
	ret = send_listener(fd, s->seccomp.listener_path);
	close(fd);
	close(listener_sock);
	listener_sock = -1;
	return ret;
}

static int setup_process(const struct spec *s)
{
	const struct process *p = &s->process;

	if (chdir(p->cwd) < 0)
		return oci_syserr("chdir to cwd (\"%s\") set in config.json failed", p->cwd);
	if (check_cwd(p->cwd) < 0)
		return -1;
	if (find_exec(p) < 0 || set_env(p) < 0 || set_rlimits(p) < 0)
		return -1;
	if (!seccomp_late(p) && seccomp_load(s) < 0)
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

/* Signals ignored by ocimin's caller stay ignored across execve, handled
 * ones do not: only the ignored ones (SigIgn of /proc/self/status) need a
 * reset; all of them when that cannot be read. */
static uint64_t ignored_signals(void)
{
	char buf[4096], *p;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return ~0ULL;
	buf[n] = 0;
	p = oci_find(buf, "\nSigIgn:");
	return p ? strtoull(p + 9, NULL, 16) : ~0ULL;
}

/* The raw syscall: musl's sigaction refuses 32-34, which it keeps for
 * itself but a glibc caller (make, say) may leave ignored. An all-zero
 * kernel sigaction is SIG_DFL with no flags on every architecture. */
static void reset_signals(void)
{
	static const unsigned long dfl[8];
	uint64_t ign = ignored_signals();
	sigset_t set;

	for (int sig = 1; sig < _NSIG && sig <= 64; sig++)
		if (ign & (1ULL << (sig - 1)))
			syscall(SYS_rt_sigaction, sig, dfl, NULL, _NSIG / 8);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
}

/* ---- exec: joining a running container ------------------------------- */

/* The init's namespaces an exec'd process joins itself, in setns order
 * when one at a time: user first, for the rights joining the others
 * takes; mount last, as it moves root and cwd. pid only applies to
 * children: ocimin joins it for its child (linux_exec_enter_pidns). */
static const struct { int type; const char *name; } exec_ns[] = {
	{ CLONE_NEWUSER, "user" }, { CLONE_NEWIPC, "ipc" }, { CLONE_NEWUTS, "uts" },
	{ CLONE_NEWNET, "net" }, { CLONE_NEWCGROUP, "cgroup" },
	{ CLONE_NEWTIME, "time" }, { CLONE_NEWNS, "mnt" },
};

/* type when pid is in another namespace of that type than ocimin, 0
 * when in the same one or the kernel has no such type, -1 on error. */
static int ns_if_other(pid_t pid, int type, const char *name)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	if (stat(path, &b) < 0)
		return errno == ENOENT ? 0 : oci_syserr("exec: stat %s", path);
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
	if (stat(path, &a) < 0)
		return oci_syserr("exec: stat %s", path);
	return a.st_ino != b.st_ino || a.st_dev != b.st_dev ? type : 0;
}

/* A pidfd, or before Linux 5.3 the /proc/<pid> dir that stands in for
 * one (linux_exec_open): lookups in it fail once that process is gone,
 * whoever has its pid now. */
static bool pidfd_alive(int pidfd)
{
	struct stat st;

	if (sys_pidfd_send_signal(pidfd, 0, NULL, 0) == 0)
		return true;
	return errno == ENOSYS && fstatat(pidfd, "stat", &st, 0) == 0;
}

/* /proc/<pid>/ns/<name>, known to be the init's: its pidfd, opened
 * first, says the init has not exited, so the pid was not reused. */
static int open_init_ns(const struct exec_target *t, const char *name)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", t->pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return oci_syserr("join the container: open %s", path);
	if (!pidfd_alive(t->pidfd)) {
		close(fd);
		return oci_err("join the container: its init has exited");
	}
	return fd;
}

/* All at once through the pidfd (Linux 5.8), so that the process is
 * never half in; else one at a time, every fd opened first. */
static int join_init_ns(const struct exec_target *t)
{
	int flags = t->ns & ~CLONE_NEWPID, fds[LEN(exec_ns)], ret = -1;
	size_t i;

	if (!flags || setns(t->pidfd, flags) == 0)
		return 0;
	if (errno != EINVAL)
		return oci_syserr("join the namespaces of the container");
	for (i = 0; i < LEN(exec_ns); i++)
		fds[i] = -1;
	for (i = 0; i < LEN(exec_ns); i++)
		if ((flags & exec_ns[i].type) && (fds[i] = open_init_ns(t, exec_ns[i].name)) < 0)
			goto out;
	for (i = 0; i < LEN(exec_ns); i++)
		if (fds[i] >= 0 && setns(fds[i], exec_ns[i].type) < 0) {
			oci_syserr("join the %s namespace of the container", exec_ns[i].name);
			goto out;
		}
	ret = 0;
out:
	for (i = 0; i < LEN(exec_ns); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return ret;
}

static void close_between(unsigned int lo, unsigned int hi)
{
	struct rlimit rl;

	if (lo > hi || sys_close_range(lo, hi, 0) == 0)
		return;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur > (1 << 20))
		rl.rlim_cur = 1 << 20;
	for (unsigned int fd = lo; fd <= hi && fd < rl.rlim_cur; fd++)
		close(fd);
}

/* Everything but stdio, the preserved fds and the sockets to ocimin and
 * to a seccomp agent is
 * closed before anything is opened or resolved in the container, so that
 * no fd of ocimin's (its state dir, log, the init's pidfd) can be reached
 * through /proc/self/fd (CVE-2024-21626). */
static void close_stray_fds(const struct init_ctx *ctx)
{
	unsigned int lo = 3 + (ctx->preserve_fds > 0 ? ctx->preserve_fds : 0);
	int keep[3] = { ctx->sync_fd, ctx->console_fd, listener_sock }, k;

	for (int i = 1; i < 3; i++)		/* sorted */
		for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			k = keep[j];
			keep[j] = keep[j - 1];
			keep[j - 1] = k;
		}
	for (int i = 0; i < 3; i++) {
		if (keep[i] < (int)lo)
			continue;
		close_between(lo, keep[i] - 1);
		lo = keep[i] + 1;
	}
	close_between(lo, ~0U);
}

/* After the rootfs, before it turns read-only: the pty, bound on
 * /dev/console too (config-linux.md). */
static int setup_console(struct init_ctx *ctx)
{
	int ret;

	if (ctx->console_fd < 0)
		return 0;
	ret = tty_setup(ctx->console_fd, &ctx->spec->process, true);
	ctx->console_fd = -1;
	return ret;
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

/* A new user namespace needs both maps, which a joined one has. */
static int check_userns(const struct spec *s)
{
	const struct ns *u = ns_find(s, CLONE_NEWUSER);
	const char *key = s->n_uid_mappings ? "uidMappings" : "gidMappings";

	if (!u && (s->n_uid_mappings || s->n_gid_mappings))
		return verr(s, "linux.%s: requires a user namespace", key);
	if (!u)
		return 0;
	if (access("/proc/self/ns/user", F_OK) < 0)
		return verr(s, "linux.namespaces: user namespaces are not supported by this kernel");
	if (u->path && (s->n_uid_mappings || s->n_gid_mappings))
		return verr(s, "linux.%s: cannot be set for the joined user namespace %s",
			    key, u->path);
	if (!u->path && (!s->n_uid_mappings || !s->n_gid_mappings))
		return verr(s, "linux.%s: required with a new user namespace",
			    s->n_uid_mappings ? "gidMappings" : "uidMappings");
	return 0;
}

static int check_namespaces(const struct spec *s)
{
	const struct ns *t = ns_find(s, CLONE_NEWTIME);

	for (size_t i = 0; i < s->n_namespaces; i++) {
		const struct ns *n = &s->namespaces[i];

		if (ns_find(s, n->type) != n)
			return verr(s, "linux.namespaces: %s namespace given twice", nsname(n->type));
		if (n->path && check_ns_path(s, i) < 0)
			return -1;
	}
	if (check_userns(s) < 0)
		return -1;
	if (!ns_find(s, CLONE_NEWNS))
		return verr(s, "linux.namespaces: a mount namespace is required");
	if (t && (access("/proc/self/ns/time", F_OK) < 0 || oci_test_missing("time")))
		return verr(s, "linux.namespaces: time namespaces need Linux 5.6 with CONFIG_TIME_NS, which this kernel lacks");
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

static int check_idmap(const struct spec *s, size_t i)
{
	const struct mnt *m = &s->mounts[i];

	if (!m->bind)
		return verr(s, "mounts[%zu]: idmap: only bind mounts can be idmapped", i);
	if (!m->n_uid_mappings != !m->n_gid_mappings)
		return verr(s, "mounts[%zu].%s: required with %s", i,
			    m->n_uid_mappings ? "gidMappings" : "uidMappings",
			    m->n_uid_mappings ? "uidMappings" : "gidMappings");
	if (!m->n_uid_mappings && !s->n_uid_mappings)
		return verr(s, "mounts[%zu]: idmap without uidMappings takes the user namespace mappings of the container, which has none", i);
	return 0;
}

static int check_mounts(const struct spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct mnt *m = &s->mounts[i];

		if (m->bind && !m->source)
			return verr(s, "mounts[%zu].source: required for a bind mount", i);
		if (m->idmap && check_idmap(s, i) < 0)
			return -1;
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
	if (p->apparmor_profile && !apparmor_enabled())
		return verr(s, "process.apparmorProfile: AppArmor is not enabled on this host");
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
				oci_err("create time namespace: needs Linux 5.6 with CONFIG_TIME_NS, which this kernel lacks");
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
	if (seccomp_prepare(ctx, seccomp_late(&s->process) ? "created" : "creating") < 0)
		return -1;
	/* with a user namespace the first child joined them */
	in_userns = ns_find(s, CLONE_NEWUSER);
	groups_denied = setgroups_denied(0);
	host_sys = in_userns && !new_ns(s, CLONE_NEWNET);
	host_cgroup = in_userns && !new_ns(s, CLONE_NEWCGROUP);
	if (in_userns)
		read_cgroup_self();
	if ((!in_userns && join_namespaces(s, init_ns, LEN(init_ns)) < 0) ||
	    new_namespaces(s) < 0)
		return -1;
	debug_step("init:namespaces");
	/* before the pivot: /proc/self is the host's proc, always there */
	if (set_process_attrs(s) < 0 || setup_rootfs(ctx) < 0)
		return -1;
	debug_step("init:pivoted");
	if (setup_console(ctx) < 0 || finish_rootfs(s) < 0)
		return -1;
	debug_step("init:rootfs");
	return setup_process(s);
}

int linux_init_exec(struct init_ctx *ctx)
{
	const struct process *p = &ctx->spec->process;
	unsigned int first = 3 + (ctx->preserve_fds > 0 ? ctx->preserve_fds : 0);

	/* the seccomp agent's socket, if still to be used, is kept at first */
	if (listener_sock >= 0 && (unsigned)listener_sock != first) {
		if (dup3(listener_sock, first, O_CLOEXEC) < 0)
			return oci_syserr("keep the seccomp listener socket");
		close(listener_sock);
		listener_sock = first;
	}
	/* closed, not just close-on-exec: execve("/proc/self/fd/N") must
	 * find no host fd (CVE-2024-21626) */
	close_from(first + (listener_sock >= 0));
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return oci_syserr("set noNewPrivileges");
	reset_signals();
	if (seccomp_load(ctx->spec) < 0)
		return -1;
	execve(exec_path, p->args, exec_env);
	return oci_syserr("exec %s", p->args[0]);
}

int linux_exec_open(pid_t pid, struct exec_target *t)
{
	char path[64];
	int type;

	t->pid = pid;
	t->ns = 0;
	t->root_fd = -1;
	t->pidfd = sys_pidfd_open(pid, 0);
	if (t->pidfd < 0 && errno == ENOSYS) {
		/* before Linux 5.3: the /proc/<pid> dir pins the process as
		 * well; setns refuses it (EINVAL), so the init's namespaces
		 * are joined one /proc/<pid>/ns file at a time */
		snprintf(path, sizeof(path), "/proc/%d", pid);
		t->pidfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (t->pidfd < 0)
		return oci_syserr("exec: open the container's init %d", pid);
	snprintf(path, sizeof(path), "/proc/%d/root", pid);
	t->root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t->root_fd < 0)
		return oci_syserr("exec: open %s", path);
	if ((type = ns_if_other(pid, CLONE_NEWPID, "pid")) < 0)
		return -1;
	t->ns |= type;
	for (size_t i = 0; i < LEN(exec_ns); i++) {
		if ((type = ns_if_other(pid, exec_ns[i].type, exec_ns[i].name)) < 0)
			return -1;
		t->ns |= type;
	}
	return 0;
}

/* One namespace of the init: through the pidfd since Linux 5.8, the
 * path before. -1 with errno set when setns fails, -2 when reported. */
static int setns_init(const struct exec_target *t, int type, const char *name)
{
	int fd, ret;

	if (setns(t->pidfd, type) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
	if ((fd = open_init_ns(t, name)) < 0)
		return -2;
	ret = setns(fd, type);
	close_keep_errno(fd);
	return ret;
}

int linux_exec_enter_pidns(struct exec_target *t, int saved[2])
{
	const char *name = "pid";
	int ret;

	saved[0] = saved[1] = -1;
	if (!(t->ns & CLONE_NEWPID))
		return 0;
	saved[0] = open(child_ns[0].self, O_RDONLY | O_CLOEXEC);
	if (saved[0] < 0)
		return oci_syserr("open %s", child_ns[0].self);
	ret = setns_init(t, CLONE_NEWPID, "pid");
	/* rootless: the pid namespace is its user namespace's, which an
	 * unprivileged ocimin may only join from inside. It stays there
	 * (the host's is not its to enter again), the same uid to the host
	 * for all it does next; the child then has no user namespace left
	 * to join. */
	if (ret == -1 && errno == EPERM && (t->ns & CLONE_NEWUSER)) {
		name = "user";
		if ((ret = setns_init(t, CLONE_NEWUSER, name)) == 0) {
			t->ns &= ~CLONE_NEWUSER;
			close(saved[0]);
			saved[0] = -1;
			name = "pid";
			ret = setns_init(t, CLONE_NEWPID, name);
		}
	}
	if (ret == 0)
		return 0;
	if (ret == -1)
		oci_syserr("join the %s namespace of the container", name);
	restore_ns(saved);
	return -1;
}

int linux_exec_join(struct init_ctx *ctx, struct exec_target *t)
{
	/* not from t->ns: a rootless ocimin is in the user namespace already */
	groups_denied = setgroups_denied(t->pid);
	/* before the mount namespace: /proc/self is the host's */
	if (seccomp_prepare(ctx, "running") < 0 ||
	    set_process_attrs(ctx->spec) < 0 || join_init_ns(t) < 0)
		return -1;
	/* the init's root, which pivot_root or the chroot fallback made, by
	 * the fd opened in the host's /proc: the container's is its to fake */
	if (fchdir(t->root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return oci_syserr("enter the root of the container");
	close(t->root_fd);
	close(t->pidfd);
	t->root_fd = t->pidfd = -1;
	return 0;
}

/* As the init's setup ends (runc's setns init): a new session, with the
 * pty as its terminal when there is one, then the process's cwd, user and
 * capabilities. */
int linux_exec_setup(struct init_ctx *ctx)
{
	int ret = 0;

	close_stray_fds(ctx);
	if (ctx->console_fd >= 0) {
		ret = tty_setup(ctx->console_fd, &ctx->spec->process, false);
		ctx->console_fd = -1;
	} else if (setsid() < 0) {
		ret = oci_syserr("exec: start a session");
	}
	return ret < 0 ? -1 : setup_process(ctx->spec);
}

int linux_validate(const struct spec *s)
{
	struct stat st, host;

	if (stat(s->root_path, &st) < 0)
		return verr(s, "root.path: %s: %s", s->root_path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return verr(s, "root.path: %s: not a directory", s->root_path);
	/* "/", "../../..", or a symlink to it: never the container's root */
	if (stat("/", &host) == 0 && st.st_dev == host.st_dev && st.st_ino == host.st_ino)
		return verr(s, "root.path: %s: is the host's root directory", s->root_path);
	if (check_unsupported(s) < 0 || check_namespaces(s) < 0 ||
	    check_mounts(s) < 0 || check_devices(s) < 0)
		return -1;
	for (size_t i = 0; i < s->n_sysctl; i++)
		if (check_sysctl(s, s->sysctl[i].key) < 0)
			return -1;
	return 0;
}

bool linux_userns(const struct spec *s)
{
	return ns_find(s, CLONE_NEWUSER);
}

int linux_userns_create(const struct spec *s)
{
	if (join_namespaces(s, userns_join, LEN(userns_join)) < 0)
		return -1;
	if (!new_ns(s, CLONE_NEWUSER))
		return 0;
	if (unshare(CLONE_NEWUSER) < 0)
		return oci_syserr("create user namespace");
	return 1;
}

int linux_userns_map(const struct spec *s, pid_t pid)
{
	return write_maps(pid, s->uid_mappings, s->n_uid_mappings,
			  s->gid_mappings, s->n_gid_mappings);
}

/* Root of the user namespace, where 0 is mapped: what the init then
 * creates in the rootfs must be owned by a mapped id (else EOVERFLOW). */
int linux_userns_finish(const struct spec *s)
{
	if (syscall(SYS_setresgid, 0, 0, 0) < 0 && errno != EINVAL)
		return oci_syserr("become root of the user namespace");
	if (syscall(SYS_setresuid, 0, 0, 0) < 0 && errno != EINVAL)
		return oci_syserr("become root of the user namespace");
	for (size_t i = 0; i < LEN(child_ns); i++) {
		const struct ns *n = ns_find(s, child_ns[i].type);

		if (n && !n->path && enter_one_child_ns(s, n) < 0)
			return -1;
	}
	return 0;
}

int linux_idmap_prepare(const struct spec *s)
{
	size_t i;

	for (i = 0; i < s->n_mounts && !s->mounts[i].idmap; i++)
		;
	if (i == s->n_mounts)
		return 0;
	idmap_trees = malloc(s->n_mounts * sizeof(*idmap_trees));
	if (!idmap_trees)
		return oci_syserr("prepare idmapped mounts");
	idmap_base = s->mounts;
	n_idmap_trees = s->n_mounts;
	for (i = 0; i < s->n_mounts; i++)
		idmap_trees[i] = -1;
	for (i = 0; i < s->n_mounts; i++) {
		if (!s->mounts[i].idmap)
			continue;
		idmap_trees[i] = idmap_tree(s, &s->mounts[i]);
		if (idmap_trees[i] < 0) {
			linux_idmap_release();
			return -1;
		}
	}
	return 0;
}

void linux_idmap_release(void)
{
	for (size_t i = 0; idmap_trees && i < n_idmap_trees; i++)
		if (idmap_trees[i] >= 0)
			close(idmap_trees[i]);
	free(idmap_trees);
	idmap_trees = NULL;
}

/* ---- ocimin's own binary (CVE-2019-5736) ------------------------------- */

/* A read-only bind mount of ocimin's binary that no mount namespace holds
 * (open_tree, Linux 5.2; mount_setattr, 5.12), as runc's bindfd was: what
 * a container reaches through /proc/PID/exe of a process run from it
 * cannot be opened for writing (EROFS, whatever its capabilities short of
 * CAP_SYS_ADMIN over the host), and no mount table grows. Unlike a memfd
 * copy, its pages are the page cache's: nothing is copied, and under an
 * emulator no code is translated again. -1 with errno set, and nothing
 * printed, without CAP_SYS_ADMIN or on an older kernel. */
int linux_exe_ro_clone(void)
{
	struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
	int fd = sys_open_tree(AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | O_CLOEXEC);

	if (fd >= 0 && sys_mount_setattr(fd, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0) {
		int err = errno;

		close(fd);
		errno = err;
		fd = -1;
	}
	return fd;
}

/* Whether exe, ocimin's running binary, is one no container can write: a
 * file on a read-only mount (a container cannot make a mount of another
 * namespace, or a detached one, writable without CAP_SYS_ADMIN over the
 * host, with which it needs no exploit). */
bool linux_exe_readonly(int exe)
{
	struct statvfs sv;

	return fstatvfs(exe, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

/* ---- ocimin check --------------------------------------------------------- */

bool oci_test_missing(const char *feature)
{
	static const char *list;
	size_t n = strlen(feature);

	if (!list && !(list = getenv("OCIMIN_TEST_MISSING")))
		list = "";
	for (const char *p = list; *p; p += strcspn(p, ","), p += *p == ',')
		if (!strncmp(p, feature, n) && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

void check_add(struct check_item *it, size_t *n, const char *name, int status,
	       bool needed, const char *fmt, ...)
{
	va_list ap;

	if (*n >= CHECK_MAX)
		return;
	snprintf(it[*n].name, sizeof(it[*n].name), "%s", name);
	it[*n].status = status;
	it[*n].needed = needed;
	va_start(ap, fmt);
	vsnprintf(it[*n].detail, sizeof(it[*n].detail), fmt, ap);
	va_end(ap);
	(*n)++;
}

/* The namespaces of `ocimin spec`'s config are needed; user only for a
 * user other than root, whose spec is --rootless. */
static const struct { const char *file, *name, *since; bool needed; } check_ns[] = {
	{ "cgroup", "cgroup", "4.6", true },
	{ "ipc", "ipc", "2.6.19", true },
	{ "mnt", "mount", "2.4.19", true },
	{ "net", "network", "2.6.29", true },
	{ "pid", "pid", "2.6.24", true },
	{ "time", "time", "5.6", false },
	{ "user", "user", "3.8", false },
	{ "uts", "uts", "2.6.19", true },
};

static void probe_namespaces(struct check_item *it, size_t *n)
{
	char path[64], name[40];

	for (size_t i = 0; i < LEN(check_ns); i++) {
		bool ok;

		snprintf(path, sizeof(path), "/proc/self/ns/%s", check_ns[i].file);
		snprintf(name, sizeof(name), "namespace %s", check_ns[i].name);
		ok = access(path, F_OK) == 0 && !oci_test_missing(check_ns[i].file);
		check_add(it, n, name, ok, check_ns[i].needed ||
			  (!strcmp(check_ns[i].file, "user") && geteuid() != 0),
			  ok ? "%s" : "no %s: needs Linux %s and its CONFIG_*_NS",
			  path, check_ns[i].since);
	}
}

/* Whether this user may make a user namespace, tried in a child. */
static void probe_userns(struct check_item *it, size_t *n)
{
	int status = 0, err;
	pid_t pid = fork();

	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) < 0 ? (errno & 0x7f) : 0);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		err = pid < 0 ? errno : EINTR;
	else
		err = WEXITSTATUS(status);
	check_add(it, n, "user namespaces", !err, geteuid() != 0,
		  err ? "unshare(CLONE_NEWUSER) as uid %u: %s (see /proc/sys/user/max_user_namespaces)"
		      : "unshare(CLONE_NEWUSER) works as uid %u%s",
		  (unsigned)geteuid(), err ? strerror(err) : "");
}

static bool probe_read_line(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r = fd < 0 ? -1 : read(fd, buf, len - 1);

	if (fd >= 0)
		close(fd);
	if (r < 0)
		return false;
	buf[r] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return true;
}

/* A seccomp flag is known when SECCOMP_SET_MODE_FILTER with it and no
 * program fails with EFAULT rather than EINVAL (libseccomp's probe). */
static const struct { const char *name; unsigned flags; } check_scflags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", 1 },
	{ "SECCOMP_FILTER_FLAG_LOG", 2 },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4 },
	{ "SECCOMP_FILTER_FLAG_NEW_LISTENER", 8 },
	{ "SECCOMP_FILTER_FLAG_TSYNC_ESRCH", 16 },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 32 | 8 },
};

static void probe_seccomp(struct check_item *it, size_t *n)
{
	char acts[256] = "", flags[320] = "";
	bool ok = prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0 &&
		  sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, NULL) < 0 && errno == EFAULT;

	check_add(it, n, "seccomp", ok, false, ok ? "filter mode (CONFIG_SECCOMP_FILTER)" :
		  "no seccomp filters: linux.seccomp is refused");
	if (!ok)
		return;
	if (!probe_read_line("/proc/sys/kernel/seccomp/actions_avail", acts, sizeof(acts)))
		snprintf(acts, sizeof(acts), "unknown: no actions_avail (Linux 4.14)");
	check_add(it, n, "seccomp actions", CHECK_INFO, false, "%s", acts);
	for (size_t i = 0; i < LEN(check_scflags); i++) {
		errno = 0;
		if (sys_seccomp(SECCOMP_SET_MODE_FILTER, check_scflags[i].flags, NULL) < 0 &&
		    errno == EFAULT)
			snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags), "%s%s",
				 flags[0] ? " " : "", check_scflags[i].name + 20);
	}
	check_add(it, n, "seccomp flags", CHECK_INFO, false, "%s", flags[0] ? flags : "none");
}

static long probe_call(int which)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	long r;

	switch (which) {
	case 0: r = sys_pidfd_open(getpid(), 0); break;
	case 1: return sys_pidfd_send_signal(-1, 0, NULL, 0);
	case 2: return syscall(SYS_clone3, NULL, 0);
	case 3: return sys_close_range(1, 0, 0);
	case 4: r = sys_openat2(AT_FDCWD, "/", &how, sizeof(how)); break;
	case 5: return sys_open_tree(-1, NULL, 0);
	case 6: return syscall(SYS_fsopen, NULL, 0);
	default: return sys_mount_setattr(-1, "", 0, NULL, 0);
	}
	if (r >= 0)
		close(r);
	return r;
}

/* Called with arguments that fail harmlessly: only ENOSYS means absent. */
static const struct { const char *name, *since, *fallback; } check_calls[] = {
	{ "pidfd_open", "5.3", "kill and exec check the start time in /proc/PID/stat" },
	{ "pidfd_send_signal", "5.1", "kill(2) after a start time check" },
	{ "clone3", "5.3", "fork(2) then a cgroup write" },
	{ "close_range", "5.9", "a loop over /proc/self/fd" },
	{ "openat2", "5.6", "resolved component by component in the root" },
	{ "open_tree", "5.2", "idmapped mounts are refused" },
	{ "fsopen", "5.2", "mount(2)" },
	{ "mount_setattr", "5.12", "idmapped mounts and r* options are refused" },
};

static void probe_syscalls(struct check_item *it, size_t *n)
{
	for (size_t i = 0; i < LEN(check_calls); i++) {
		bool ok;

		errno = 0;
		ok = probe_call(i) >= 0 || errno != ENOSYS;
		check_add(it, n, check_calls[i].name, ok, false,
			  ok ? "Linux %s" : "missing (Linux %s): %s",
			  check_calls[i].since, check_calls[i].fallback);
	}
	errno = 0;
	check_add(it, n, "idmapped mounts", probe_call(7) >= 0 || errno != ENOSYS, false,
		  "mount_setattr(MOUNT_ATTR_IDMAP), Linux 5.12, on filesystems that allow it (ext4, xfs, btrfs; tmpfs 6.3)");
}

/* pivot_root cannot move the initramfs (rootfs) away: ocimin then moves
 * the rootfs over / and chroots. */
static void probe_pivot(struct check_item *it, size_t *n)
{
	char line[4096], point[PATH_MAX], type[64] = "";
	FILE *f = fopen("/proc/self/mountinfo", "re");

	while (f && fgets(line, sizeof(line), f)) {
		const char *sep = oci_find(line, " - ");

		if (sep && oci_word(line, 4, point, sizeof(point)) &&
		    !strcmp(point, "/"))
			oci_word(sep + 3, 0, type, sizeof(type));
	}
	if (f)
		fclose(f);
	if (!strcmp(type, "rootfs") || !strcmp(type, "ramfs"))
		check_add(it, n, "pivot_root", CHECK_NO, false,
			  "/ is the initramfs (%s): move over / and chroot instead", type);
	else
		check_add(it, n, "pivot_root", CHECK_YES, false, "/ is %s", type[0] ? type : "unknown");
}

void linux_check(struct check_item *it, size_t *n)
{
	char rel[128];

	if (probe_read_line("/proc/sys/kernel/osrelease", rel, sizeof(rel)))
		check_add(it, n, "kernel", CHECK_INFO, false, "Linux %s", rel);
	probe_namespaces(it, n);
	probe_userns(it, n);
	probe_seccomp(it, n);
	probe_syscalls(it, n);
	probe_pivot(it, n);
}
