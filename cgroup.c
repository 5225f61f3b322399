/* cgroup.c - cgroup v2: a container's cgroup, linux.resources written to
 * its files the way runc and crun write them, its device rules compiled to
 * a BPF_PROG_TYPE_CGROUP_DEVICE program, and what pause, ps, kill --all,
 * update, events and delete need. Every file is reached through the
 * cgroup's directory fd, so that a path is resolved once.
 *
 * Where runc and crun differ, ocimin follows runc 1.4 (the
 * opencontainers/cgroups fs2 driver):
 *  - cpu.shares becomes cpu.weight by the log-quadratic formula of
 *    runc >= 1.3.2 and crun >= 1.23 (2 -> 1, 1024 -> 100, 262144 -> 10000);
 *  - memory.swap is memory+swap, so memory.swap.max = swap - limit;
 *  - pids.limit -1 is "max" and 0 is 0 (runtime-spec 1.3, runc 1.4);
 *  - blockIO.weight goes to io.bfq.weight, or without BFQ to io.weight
 *    scaled from 10..1000 to 1..10000; weightDevice likewise per device;
 *  - the device rules are replayed through runc's emulation of the v1
 *    devices controller, then runc's default allowed devices are appended.
 * Knobs cgroup v2 does not have (swappiness, disableOOMKiller, realtime*,
 * leafWeight, network) are refused, as crun does, where runc drops them
 * silently; kernel memory limits are ignored with a warning, as runc does. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <linux/bpf.h>

#include "ocimin.h"

#define DEFAULT_PARENT "/ocimin"       /* relative cgroupsPaths go here */
#define WAIT_MS 10000                  /* for freezing and emptying */

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- tables ---------------------------------------------------------- */

enum { C_CPU, C_CPUSET, C_IO, C_MEMORY, C_HUGETLB, C_PIDS, C_RDMA, C_MISC, C_N };

/* v2 controller names, and the v1 name of each in /proc/cgroups */
static const struct { const char *v2, *v1; } ctl_names[C_N] = {
	[C_CPU] = { "cpu", "cpu" },		[C_CPUSET] = { "cpuset", "cpuset" },
	[C_IO] = { "io", "blkio" },		[C_MEMORY] = { "memory", "memory" },
	[C_HUGETLB] = { "hugetlb", "hugetlb" },	[C_PIDS] = { "pids", "pids" },
	[C_RDMA] = { "rdma", "rdma" },		[C_MISC] = { "misc", "misc" },
};

/* Files that are not limits: writing them through "unified" would move,
 * kill or freeze processes behind ocimin's back. */
static const char *const unified_refused[] = {
	"cgroup.procs", "cgroup.threads", "cgroup.kill", "cgroup.freeze",
	"cgroup.subtree_control", "cgroup.type",
};

/* runc's AllowedDevices (libcontainer/specconv), appended to the config's
 * rules; one with a path is dropped when linux.devices has that path. */
static const struct {
	const char *path;
	char type;
	int64_t major, minor;
	const char *access;
} default_rules[] = {
	{ NULL, 'c', -1, -1, "m" },		{ NULL, 'b', -1, -1, "m" },
	{ "/dev/null", 'c', 1, 3, "rwm" },	{ "/dev/random", 'c', 1, 8, "rwm" },
	{ "/dev/full", 'c', 1, 7, "rwm" },	{ "/dev/tty", 'c', 5, 0, "rwm" },
	{ "/dev/zero", 'c', 1, 5, "rwm" },	{ "/dev/urandom", 'c', 1, 9, "rwm" },
	{ NULL, 'c', 136, -1, "rwm" },		/* /dev/pts/N */
	{ NULL, 'c', 5, 2, "rwm" },		/* /dev/ptmx */
	{ NULL, 'c', 10, 200, "rwm" },		/* /dev/net/tun, back in runc 1.2.4 */
};

/* ---- small helpers ----------------------------------------------------- */

struct cg {
	int fd;                       /* the cgroup directory */
	const char *dir;              /* its path, for messages */
};

/* 0 for OPT_UNSET: runc's "unset" for the numbers where 0 means nothing */
static int64_t unset0(int64_t v)
{
	return v == OPT_UNSET ? 0 : v;
}

/* A limit as cgroup v2 writes it, into buf: -1 is "max". */
static char *limit_str(char *buf, size_t len, int64_t v)
{
	if (v == -1)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%" PRId64, v);
	return buf;
}

static int open_dir(const char *dir)
{
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static int cg_open(struct cg *cg, const char *dir)
{
	cg->dir = dir;
	cg->fd = open_dir(dir);
	if (cg->fd < 0)
		return oci_syserr("open cgroup %s", dir);
	return 0;
}

/* dfd/name into buf, NUL-terminated: its length, or -1 with errno set. */
static ssize_t read_at(int dfd, const char *name, char *buf, size_t len)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	ssize_t r = 0;

	if (fd < 0)
		return -1;
	while (n < len - 1 && (r = read(fd, buf + n, len - 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		n += r;
	}
	close(fd);
	buf[n] = 0;
	return r < 0 ? -1 : (ssize_t)n;
}

/* One value in one write(2): the kernel parses each write on its own. */
static int write_at(int dfd, const char *name, const char *val)
{
	int fd = openat(dfd, name, O_WRONLY | O_CLOEXEC), err;
	ssize_t n;

	if (fd < 0)
		return -1;
	do
		n = write(fd, val, strlen(val));
	while (n < 0 && errno == EINTR);
	err = errno;
	close(fd);
	errno = err;
	return n < 0 ? -1 : 0;
}

/* Files the cpu controller gained after cgroup v2 itself: their key of
 * linux.resources.cpu and the release that added them, for the error
 * on an older kernel. */
static const struct { const char *file, *key, *since; } newer[] = {
	{ "cpu.max.burst", "burst", "5.14" },
	{ "cpu.idle", "idle", "5.15" },
};

static int cg_set(const struct cg *cg, const char *name, const char *val)
{
	if (write_at(cg->fd, name, val) == 0)
		return 0;
	for (size_t i = 0; errno == ENOENT && i < LEN(newer); i++)
		if (!strcmp(name, newer[i].file))
			return oci_err("linux.resources.cpu.%s: %s/%s is missing: it needs Linux %s",
				       newer[i].key, cg->dir, name, newer[i].since);
	return oci_syserr("write \"%s\" to %s/%s", val, cg->dir, name);
}

/* The value of "key N" in a flat-keyed file's text (cpu.stat,
 * memory.events, cgroup.events). */
static bool key_value(const char *text, const char *key, uint64_t *v)
{
	size_t n = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (!strncmp(p, key, n) && p[n] == ' ') {
			*v = strtoull(p + n + 1, NULL, 10);
			return true;
		}
	return false;
}

static bool file_key(int dfd, const char *name, const char *key, uint64_t *v)
{
	char buf[4096];

	return read_at(dfd, name, buf, sizeof(buf)) >= 0 && key_value(buf, key, v);
}

/* A "max"-or-number file (memory.max, pids.max) as a number: -1 for max. */
static int read_limit(int dfd, const char *name, int64_t *v)
{
	char buf[64];

	if (read_at(dfd, name, buf, sizeof(buf)) < 0)
		return -1;
	*v = strncmp(buf, "max", 3) ? strtoll(buf, NULL, 10) : -1;
	return 0;
}

/* The controllers listed in dfd/name (cgroup.controllers or
 * cgroup.subtree_control), as a bit mask of C_*. */
static unsigned controllers_in(int dfd, const char *name)
{
	char buf[1024], *save = NULL;
	unsigned mask = 0;

	if (read_at(dfd, name, buf, sizeof(buf)) < 0)
		return 0;
	for (char *w = strtok_r(buf, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
		for (int c = 0; c < C_N; c++)
			if (!strcmp(w, ctl_names[c].v2))
				mask |= 1u << c;
	return mask;
}

static int ctl_index(const char *name, size_t n)
{
	for (int c = 0; c < C_N; c++)
		if (strlen(ctl_names[c].v2) == n && !strncmp(name, ctl_names[c].v2, n))
			return c;
	return -1;
}

/* ---- where the cgroup is ------------------------------------------------ */

/* mountinfo escapes blanks and backslashes as \ooo */
static void unoctal(char *s)
{
	char *d = s;

	for (; *s; s++, d++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*d = *s;
		}
	}
	*d = 0;
}

/* The cgroup2 mount point, "" when there is none: /sys/fs/cgroup on a
 * unified host, /sys/fs/cgroup/unified on a hybrid one. Only a mount of
 * the hierarchy's root counts. */
static const char *cgroup2_mount(void)
{
	static char mnt[PATH_MAX];
	static bool looked;
	char line[8192], root[PATH_MAX], point[PATH_MAX];
	FILE *f;

	if (looked)
		return mnt;
	looked = true;
	if (!(f = fopen("/proc/self/mountinfo", "re")))
		return mnt;
	while (fgets(line, sizeof(line), f)) {
		const char *sep = oci_find(line, " - ");

		if (!sep || strncmp(sep + 3, "cgroup2 ", 8) ||
		    !oci_word(line, 3, root, sizeof(root)) ||
		    !oci_word(line, 4, point, sizeof(point)) ||
		    strcmp(root, "/"))
			continue;
		unoctal(point);
		if (!mnt[0] || !strcmp(point, "/sys/fs/cgroup"))
			snprintf(mnt, sizeof(mnt), "%s", point);
	}
	fclose(f);
	return mnt;
}

/* Appends path's components to buf, without "." and empty ones; ".." is
 * refused rather than resolved, so a path never leaves its parent. */
static int path_append(char *buf, size_t len, const char *path, const char *what)
{
	size_t n = strlen(buf), k;

	for (const char *p = path; *(p += strspn(p, "/")); p += k) {
		k = strcspn(p, "/");
		if (k == 2 && !strncmp(p, "..", 2))
			return oci_err("%s: \"..\" is not allowed in a cgroup path", what);
		if (k == 1 && *p == '.')
			continue;
		if (n + 1 + k >= len)
			return oci_err("%s: cgroup path too long", what);
		buf[n++] = '/';
		memcpy(buf + n, p, k);
		buf[n += k] = 0;
	}
	return 0;
}

/* "a-b.slice" as systemd nests it: /a.slice/a-b.slice ("-.slice" is the
 * root slice). */
static int slice_path(char *buf, size_t len, const char *slice, const char *what)
{
	size_t n = strlen(slice) - strlen(".slice");
	char part[256];

	if (!strcmp(slice, "-.slice"))
		return 0;
	if (slice[0] == '-' || oci_find(slice, "--") || slice[n - 1] == '-' || n >= sizeof(part))
		return oci_err("%s: invalid slice name \"%s\"", what, slice);
	for (size_t i = 0; i <= n; i++) {
		if (i < n && slice[i] != '-')
			continue;
		snprintf(part, sizeof(part), "%.*s.slice", (int)i, slice);
		if (path_append(buf, len, part, what) < 0)
			return -1;
	}
	return 0;
}

static bool has_suffix(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n > k && !strncmp(s + n - k, suffix, k);
}

/* --systemd-cgroup's "slice:prefix:name" mapped to the cgroup systemd
 * would make for it, as crun does without systemd: the scope
 * prefix-name.scope in the nested slice (system.slice when empty); a name
 * that is a slice is the unit itself (runc). */
static int systemd_path(char *buf, size_t len, const char *cp, const char *what)
{
	const char *c1 = strchr(cp, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	const char *name = c2 ? c2 + 1 : NULL;
	char slice[256] = "system.slice", unit[512];
	int n;

	if (!c2 || strchr(name, ':') || strchr(cp, '/') || !*name ||
	    !strcmp(name, ".") || !strcmp(name, ".."))
		return oci_err("%s: expected \"slice:prefix:name\" with --systemd-cgroup, got \"%s\"", what, cp);
	if (c1 > cp && (c1 - cp >= (int)sizeof(slice) || !has_suffix(cp, c1 - cp, ".slice")))
		return oci_err("%s: \"%.*s\" is not a slice name", what, (int)(c1 - cp), cp);
	if (c1 > cp)
		snprintf(slice, sizeof(slice), "%.*s", (int)(c1 - cp), cp);
	if (has_suffix(name, strlen(name), ".slice"))
		n = snprintf(unit, sizeof(unit), "%s", name);
	else if (c2 > c1 + 1)
		n = snprintf(unit, sizeof(unit), "%.*s-%s.scope", (int)(c2 - c1 - 1), c1 + 1, name);
	else
		n = snprintf(unit, sizeof(unit), "%s.scope", name);
	if (n >= (int)sizeof(unit))
		return oci_err("%s: unit name too long", what);
	if (slice_path(buf, len, slice, what) < 0)
		return -1;
	return path_append(buf, len, unit, what);
}

/* ---- what the limits need -------------------------------------------- */

/* The controllers r needs; what[c] names the member that needs c. */
static unsigned needed(const struct resources *r, const char **what)
{
	static char ukey[C_N][160];
	unsigned mask = 0;

#define NEED(c, cond, name) do { if (cond) { mask |= 1u << (c); what[c] = (name); } } while (0)
	NEED(C_MEMORY, unset0(r->mem_limit) || unset0(r->mem_reservation) ||
	     unset0(r->mem_swap), "memory");
	NEED(C_CPU, unset0(r->cpu_shares) || unset0(r->cpu_quota) ||
	     unset0(r->cpu_period) || r->cpu_burst != OPT_UNSET ||
	     r->cpu_idle != OPT_UNSET, "cpu");
	NEED(C_CPUSET, (r->cpu_cpus && *r->cpu_cpus) || (r->cpu_mems && *r->cpu_mems),
	     r->cpu_cpus && *r->cpu_cpus ? "cpu.cpus" : "cpu.mems");
	NEED(C_PIDS, r->pids_limit != OPT_UNSET, "pids");
	NEED(C_IO, unset0(r->blkio_weight) || r->n_blkio_weight_device ||
	     r->n_blkio_throttle[0] || r->n_blkio_throttle[1] ||
	     r->n_blkio_throttle[2] || r->n_blkio_throttle[3], "blockIO");
	NEED(C_HUGETLB, r->n_hugepages, "hugepageLimits");
	NEED(C_RDMA, r->n_rdma, "rdma");
#undef NEED
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *k = r->unified[i].key;
		int c = ctl_index(k, strcspn(k, "."));

		if (c < 0 || (mask & 1u << c))
			continue;
		mask |= 1u << c;
		snprintf(ukey[c], sizeof(ukey[c]), "unified[\"%s\"]", k);
		what[c] = ukey[c];
	}
	return mask;
}

/* Why controller c is not in dir's cgroup.controllers. */
static void why_missing(int c, const char *dir, const char *mnt, char *buf, size_t len)
{
	char line[256], name[64], hier[16], enabled[16];
	FILE *f = fopen("/proc/cgroups", "re");

	snprintf(buf, len, "the parent cgroup does not enable it in its cgroup.subtree_control");
	if (!strcmp(dir, mnt))
		snprintf(buf, len, "this kernel does not have it");
	while (f && fgets(line, sizeof(line), f)) {
		if (!oci_word(line, 0, name, sizeof(name)) ||
		    !oci_word(line, 1, hier, sizeof(hier)) ||
		    !oci_word(line, 3, enabled, sizeof(enabled)) ||
		    strcmp(name, ctl_names[c].v1))
			continue;
		if (!atoi(enabled))
			snprintf(buf, len, "it is disabled on this kernel's command line");
		else if (atoi(hier))
			snprintf(buf, len, "on this host it is bound to cgroup v1");
		break;
	}
	if (f)
		fclose(f);
}

/* Every controller the limits need must be offered where the cgroup will
 * be: in the cgroup itself when it exists, else in its nearest ancestor,
 * whose cgroup.subtree_control create then extends. */
static int check_available(const char *src, const struct resources *r,
			   const char *dir)
{
	const char *what[C_N] = { 0 }, *mnt = cgroup2_mount();
	char where[PATH_MAX], why[256];
	unsigned need = needed(r, what), have;
	int fd = -1, c;

	if (!need)
		return 0;
	for (c = 0; !(need & 1u << c); c++)
		;
	if (!dir[0])
		return oci_err("%s: linux.resources.%s: needs the %s controller of cgroup v2, and no cgroup2 filesystem is mounted",
			       src, what[c], ctl_names[c].v2);
	snprintf(where, sizeof(where), "%s", dir);
	while ((fd = open_dir(where)) < 0 && errno == ENOENT && strlen(where) > strlen(mnt))
		*strrchr(where, '/') = 0;
	if (fd < 0)
		return oci_syserr("open cgroup %s", where);
	have = controllers_in(fd, "cgroup.controllers");
	close(fd);
	if (!(need & ~have))
		return 0;
	for (c = 0; !(need & ~have & 1u << c); c++)
		;
	why_missing(c, where, mnt, why, sizeof(why));
	return oci_err("%s: linux.resources.%s: the %s controller is not available in cgroup v2 at %s (%s)",
		       src, what[c], ctl_names[c].v2, where, why);
}

/* ---- checks of values ------------------------------------------------ */

/* runc's ConvertMemorySwapToCgroupV2Value: the spec's swap is memory+swap,
 * v2's memory.swap.max is swap alone. 0 is "unset" for both. NULL, or why
 * the pair cannot be converted. */
static const char *swap_v2(int64_t swap, int64_t mem, int64_t *out)
{
	*out = swap;
	if (mem == -1 && swap == 0)
		*out = -1;
	else if (swap == -1 || swap == 0 || mem == -1)
		;
	else if (mem == 0)
		return "a swap limit needs a memory limit";
	else if (swap < mem)
		return "memory+swap must be at least the memory limit";
	else
		*out = swap - mem;
	return NULL;
}

/* "2MB" -> 2048: a hugepageLimits pageSize in kB, 0 when malformed. */
static uint64_t page_kb(const char *size)
{
	static const struct { const char *unit; uint64_t kb; } units[] = {
		{ "KB", 1 }, { "MB", 1024 }, { "GB", 1024 * 1024 },
	};
	char *end;
	uint64_t n = strtoull(size, &end, 10);

	if (end == size || *size < '0' || *size > '9')
		return 0;
	for (size_t i = 0; i < LEN(units); i++)
		if (!strcmp(end, units[i].unit))
			return n * units[i].kb;
	return 0;
}

static int check_hugepages(const char *src, const struct resources *r)
{
	char path[128];

	for (size_t i = 0; i < r->n_hugepages; i++) {
		uint64_t kb = page_kb(r->hugepages[i].page_size);

		snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB", kb);
		if (!kb || access(path, F_OK) < 0)
			return oci_err("%s: linux.resources.hugepageLimits[%zu].pageSize: this kernel has no \"%s\" huge pages",
				       src, i, r->hugepages[i].page_size);
	}
	return 0;
}

static int check_blkio(const char *src, const struct resources *r)
{
	if (r->blkio_leaf_weight != OPT_UNSET)
		return oci_err("%s: linux.resources.blockIO.leafWeight: cgroup v2 has no leaf weights", src);
	if (unset0(r->blkio_weight) && (r->blkio_weight < 10 || r->blkio_weight > 1000))
		return oci_err("%s: linux.resources.blockIO.weight: expected 10 to 1000", src);
	for (size_t i = 0; i < r->n_blkio_weight_device; i++) {
		const struct dev_weight *w = &r->blkio_weight_device[i];

		if (w->leaf_weight >= 0)
			return oci_err("%s: linux.resources.blockIO.weightDevice[%zu].leafWeight: cgroup v2 has no leaf weights", src, i);
		if (w->weight < 10 || w->weight > 1000)
			return oci_err("%s: linux.resources.blockIO.weightDevice[%zu].weight: expected 10 to 1000", src, i);
	}
	return 0;
}

static int check_unified(const char *src, const struct resources *r)
{
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *k = r->unified[i].key;

		if (!*k || strchr(k, '/') || !strcmp(k, ".") || !strcmp(k, ".."))
			return oci_err("%s: linux.resources.unified: \"%s\" is not a file name", src, k);
		for (size_t j = 0; j < LEN(unified_refused); j++)
			if (!strcmp(k, unified_refused[j]))
				return oci_err("%s: linux.resources.unified: \"%s\" is not a resource", src, k);
	}
	return 0;
}

/* What cgroup v2 cannot do is refused here, before anything exists.
 * with_swap: the memory limit is known (not an update that leaves it). */
static int check_values(const char *src, const struct resources *r, bool with_swap)
{
	int64_t v2;
	const char *why;

	if (r->mem_disable_oom_killer)
		return oci_err("%s: linux.resources.memory.disableOOMKiller: cgroup v2 cannot disable the OOM killer", src);
	if (r->mem_swappiness != OPT_UNSET)
		return oci_err("%s: linux.resources.memory.swappiness: cgroup v2 has no per-cgroup swappiness", src);
	if (with_swap && (why = swap_v2(unset0(r->mem_swap), unset0(r->mem_limit), &v2)))
		return oci_err("%s: linux.resources.memory.swap: %s", src, why);
	if (r->mem_kernel != OPT_UNSET || r->mem_kernel_tcp != OPT_UNSET)
		oci_warn("%s: linux.resources.memory.kernel and kernelTCP are ignored: cgroup v2 has no kernel memory limits", src);
	if (r->cpu_realtime_runtime != OPT_UNSET || r->cpu_realtime_period != OPT_UNSET)
		return oci_err("%s: linux.resources.cpu.realtime%s: cgroup v2 has no realtime budget",
			       src, r->cpu_realtime_runtime != OPT_UNSET ? "Runtime" : "Period");
	if (r->net_class_id != OPT_UNSET || r->n_net_priorities)
		return oci_err("%s: linux.resources.network: cgroup v2 has no net_cls or net_prio controller", src);
	for (size_t i = 0; i < r->n_rdma; i++)
		if (strpbrk(r->rdma[i].device, " \t\n") || !r->rdma[i].device[0])
			return oci_err("%s: linux.resources.rdma: invalid device name \"%s\"", src, r->rdma[i].device);
	if (check_blkio(src, r) < 0 || check_hugepages(src, r) < 0 || check_unified(src, r) < 0)
		return -1;
	return 0;
}

/* ---- devices: runc's emulation of the v1 devices controller ------------ */

#define ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)

struct emu_rule { char type; int64_t major, minor; unsigned acc; };

/* The state of a v1 devices cgroup: a default and the exceptions to it. */
struct emu {
	bool allow;                   /* the default */
	struct emu_rule *r;
	size_t n;
};

static unsigned acc_bits(const char *access)
{
	unsigned acc = 0;

	for (const char *a = access; *a; a++)
		acc |= *a == 'r' ? BPF_DEVCG_ACC_READ : *a == 'w' ? BPF_DEVCG_ACC_WRITE :
		       *a == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
	return acc;
}

/* a major or minor as devices.list shows it: -1 is "*" */
static const char *devnum(char *buf, size_t len, int64_t n)
{
	if (n < 0)
		snprintf(buf, len, "*");
	else
		snprintf(buf, len, "%" PRId64, n);
	return buf;
}

static struct emu_rule *emu_find(struct emu *e, char type, int64_t major, int64_t minor)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->r[i].type == type && e->r[i].major == major && e->r[i].minor == minor)
			return &e->r[i];
	return NULL;
}

/* Taking access away from an exception that a wildcard exception also
 * grants would do nothing in v1; runc refuses it rather than pretend. */
static int emu_remove(struct emu *e, const struct emu_rule *x, const char *what)
{
	const int64_t wild[3][2] = { { -1, x->minor }, { x->major, -1 }, { -1, -1 } };
	char maj[24], min[24];
	struct emu_rule *f;

	for (int k = 0; k < 3; k++) {
		if (wild[k][0] == x->major && wild[k][1] == x->minor)
			continue;
		f = emu_find(e, x->type, wild[k][0], wild[k][1]);
		if (f && (f->acc & x->acc))
			return oci_err("%s: cannot take access away from part of the wildcard rule %c %s:%s (runc refuses it too)",
				       what, f->type, devnum(maj, sizeof(maj), f->major),
				       devnum(min, sizeof(min), f->minor));
	}
	if ((f = emu_find(e, x->type, x->major, x->minor)) && !(f->acc &= ~x->acc))
		*f = e->r[--e->n];
	return 0;
}

static int emu_apply(struct emu *e, const struct emu_rule *x, bool allow, const char *what)
{
	struct emu_rule *f;

	if (x->type == 'a') {
		/* "all devices" sets the default and forgets the exceptions */
		e->allow = allow;
		e->n = 0;
		return 0;
	}
	if (allow == e->allow)
		return emu_remove(e, x, what);
	if ((f = emu_find(e, x->type, x->major, x->minor)))
		f->acc |= x->acc;
	else
		e->r[e->n++] = *x;
	return 0;
}

static bool device_listed(const struct spec *s, const char *path)
{
	for (size_t i = 0; i < s->n_devices; i++)
		if (!strcmp(s->devices[i].path, path))
			return true;
	return false;
}

/* The config's rules, then runc's defaults, replayed in order: the
 * emulator starts as v1's deny-all, so the result is a default and a set
 * of exceptions whose order no longer matters. */
static int emu_run(const struct spec *s, const char *src, struct emu *e)
{
	const struct resources *res = &s->resources;
	char what[PATH_MAX + 96], maj[24], min[24];

	e->allow = false;
	e->n = 0;
	if (!(e->r = calloc(res->n_devices + LEN(default_rules), sizeof(*e->r))))
		return oci_syserr("compile the device rules");
	for (size_t i = 0; i < res->n_devices; i++) {
		const struct dev_rule *d = &res->devices[i];
		struct emu_rule x = { d->type, d->major, d->minor, acc_bits(d->access) };

		snprintf(what, sizeof(what), "%s: linux.resources.devices[%zu]", src, i);
		if (emu_apply(e, &x, d->allow, what) < 0)
			return -1;
	}
	for (size_t i = 0; i < LEN(default_rules); i++) {
		struct emu_rule x = { default_rules[i].type, default_rules[i].major,
				      default_rules[i].minor, acc_bits(default_rules[i].access) };

		if (default_rules[i].path && device_listed(s, default_rules[i].path))
			continue;
		snprintf(what, sizeof(what), "%s: linux.resources.devices: runc's default rule %c %s:%s %s",
			 src, x.type, devnum(maj, sizeof(maj), x.major),
			 devnum(min, sizeof(min), x.minor), default_rules[i].access);
		if (emu_apply(e, &x, true, what) < 0)
			return -1;
	}
	return 0;
}

/* ---- devices: the BPF program ------------------------------------------ */

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), \
	.src_reg = (s), .off = (o), .imm = (i) })
#define LDX_W(d, s, o)    INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define ALU32_K(op, d, i) INSN(BPF_ALU | (op) | BPF_K, d, 0, 0, i)
#define MOV32_X(d, s)     INSN(BPF_ALU | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_K(d, i)     INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define JNE_K(d, i)       INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, 0, i)
#define JNE_X(d, s)       INSN(BPF_JMP | BPF_JNE | BPF_X, d, s, 0, 0)
#define EXIT              INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

struct prog {
	struct bpf_insn *insn;
	size_t n;
	size_t next[4];               /* this block's jumps to the next block */
	size_t n_next;
};

static void emit(struct prog *p, struct bpf_insn i)
{
	p->insn[p->n++] = i;
}

/* A jump to the end of the current block, patched by block_end(). */
static void emit_skip(struct prog *p, struct bpf_insn i)
{
	p->next[p->n_next++] = p->n;
	emit(p, i);
}

static void block_end(struct prog *p)
{
	for (size_t k = 0; k < p->n_next; k++)
		p->insn[p->next[k]].off = (int16_t)(p->n - p->next[k] - 1);
	p->n_next = 0;
}

/* One exception: if the device matches, return the opposite of the
 * default. r2 = type, r3 = access, r4 = major, r5 = minor. */
static void emit_rule(struct prog *p, const struct emu_rule *x, bool dflt)
{
	/* a number past INT32_MAX matches no device (majors have 12 bits,
	 * minors 20) and would be sign-extended by the 32-bit immediate */
	if (x->major > INT32_MAX || x->minor > INT32_MAX)
		return;
	emit_skip(p, JNE_K(BPF_REG_2, x->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK));
	if ((x->acc & ACC_ALL) != ACC_ALL) {
		/* every access bit asked for must be in the rule */
		emit(p, MOV32_X(BPF_REG_1, BPF_REG_3));
		emit(p, ALU32_K(BPF_AND, BPF_REG_1, (int32_t)x->acc));
		emit_skip(p, JNE_X(BPF_REG_1, BPF_REG_3));
	}
	if (x->major >= 0)
		emit_skip(p, JNE_K(BPF_REG_4, (int32_t)x->major));
	if (x->minor >= 0)
		emit_skip(p, JNE_K(BPF_REG_5, (int32_t)x->minor));
	emit(p, MOV64_K(BPF_REG_0, !dflt));
	emit(p, EXIT);
	block_end(p);
}

/* struct bpf_cgroup_dev_ctx { u32 access_type (type | access << 16);
 * u32 major; u32 minor; } */
static int compile(const struct emu *e, struct prog *p)
{
	p->n = p->n_next = 0;
	if (!(p->insn = calloc(8 + 8 * e->n, sizeof(*p->insn))))
		return oci_syserr("compile the device rules");
	emit(p, LDX_W(BPF_REG_2, BPF_REG_1, 0));
	emit(p, ALU32_K(BPF_AND, BPF_REG_2, 0xffff));
	emit(p, LDX_W(BPF_REG_3, BPF_REG_1, 0));
	emit(p, ALU32_K(BPF_RSH, BPF_REG_3, 16));
	emit(p, LDX_W(BPF_REG_4, BPF_REG_1, 4));
	emit(p, LDX_W(BPF_REG_5, BPF_REG_1, 8));
	for (size_t i = 0; i < e->n; i++)
		emit_rule(p, &e->r[i], e->allow);
	emit(p, MOV64_K(BPF_REG_0, e->allow));
	emit(p, EXIT);
	return 0;
}

static int load_filter(const struct prog *p, char *log, size_t len)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uintptr_t)p->insn;
	a.insn_cnt = p->n;
	a.license = (uintptr_t)"GPL";
	if (log) {
		a.log_buf = (uintptr_t)log;
		a.log_size = len;
		a.log_level = 1;
	}
	return sys_bpf(BPF_PROG_LOAD, &a, sizeof(a));
}

/* Root in the initial user namespace: only then may a failure to set a
 * device filter be an error (runc and crun let rootless callers off). */
static bool real_root(void)
{
	char map[64] = "";
	int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		read(fd, map, sizeof(map) - 1);
		close(fd);
	}
	return geteuid() == 0 && !strcmp(map, "         0          0 4294967295\n");
}

/* Before Linux 5.11 a BPF program was charged to its user's
 * RLIMIT_MEMLOCK, 64 KiB by default then: some 16 containers created at
 * once by root and a load fails with EPERM. As runc and crun do, the
 * limit is lifted, here for the one load, then put back, so that the init
 * forked later does not inherit it. */
static int load_unlocked(const struct prog *p)
{
	struct rlimit old, inf = { RLIM_INFINITY, RLIM_INFINITY };
	int prog, err;

	if (getrlimit(RLIMIT_MEMLOCK, &old) < 0 || old.rlim_cur == RLIM_INFINITY ||
	    setrlimit(RLIMIT_MEMLOCK, &inf) < 0) {
		errno = EPERM;
		return -1;
	}
	prog = load_filter(p, NULL, 0);
	err = errno;
	setrlimit(RLIMIT_MEMLOCK, &old);
	errno = err;
	return prog;
}

/* Loaded and attached with BPF_F_ALLOW_MULTI, so that a filter of an
 * ancestor (systemd's, a parent runtime's) still applies as well. The
 * verifier's log is asked for only to explain a refusal: a log that does
 * not fit fails a load that would have passed. */
static int attach_filter(const struct cg *cg, const struct prog *p)
{
	static char log[65536];
	union bpf_attr a;
	int prog, ret;

	if ((prog = load_filter(p, NULL, 0)) < 0 && errno == EPERM)
		prog = load_unlocked(p);
	if (prog < 0) {
		int err = errno;

		if (err == EPERM && !real_root()) {
			oci_debug("no device filter for cgroup %s: not root", cg->dir);
			return 0;
		}
		if (load_filter(p, log, sizeof(log)) < 0)
			oci_debug("device filter verifier log: %s", log);
		errno = err;
		return oci_syserr("load the device filter of cgroup %s", cg->dir);
	}
	memset(&a, 0, sizeof(a));
	a.target_fd = cg->fd;
	a.attach_bpf_fd = prog;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	ret = sys_bpf(BPF_PROG_ATTACH, &a, sizeof(a));
	if (ret < 0)
		oci_syserr("attach the device filter to cgroup %s", cg->dir);
	close(prog);
	return ret < 0 ? -1 : 0;
}

static int set_devices(const struct cg *cg, const struct spec *s)
{
	struct emu e = { 0 };
	struct prog p = { 0 };
	int ret = -1;

	if (emu_run(s, s->path, &e) == 0 && compile(&e, &p) == 0)
		ret = attach_filter(cg, &p);
	free(e.r);
	free(p.insn);
	return ret;
}

/* ---- limits ------------------------------------------------------------- */

static int set_pids(const struct cg *cg, const struct resources *r)
{
	char buf[32];

	if (r->pids_limit == OPT_UNSET)
		return 0;
	return cg_set(cg, "pids.max", limit_str(buf, sizeof(buf), r->pids_limit));
}

/* runc's CheckMemoryUsage: a limit at or below what is in use now would
 * only make the OOM killer run. */
static int check_usage(const struct cg *cg, int64_t limit, int64_t swap)
{
	int64_t use;

	if (read_limit(cg->fd, "memory.current", &use) < 0)
		return 0;
	if ((swap > 0 && swap <= use) || (limit > 0 && limit <= use))
		return oci_err("update %s: memory limit %" PRId64 " is not above the current usage %" PRId64,
			       cg->dir, swap > 0 && swap <= use ? swap : limit, use);
	return 0;
}

static int set_memory(const struct cg *cg, const struct resources *r, bool update)
{
	int64_t limit = unset0(r->mem_limit), swap = unset0(r->mem_swap), v2;
	int64_t low = unset0(r->mem_reservation);
	const char *why;
	char buf[32];

	if (!limit && !swap && !low)
		return 0;
	/* an update of swap alone is relative to the limit in force */
	if (update && swap > 0 && !limit && read_limit(cg->fd, "memory.max", &limit) < 0)
		return oci_syserr("read %s/memory.max", cg->dir);
	if (update && r->mem_check_before_update && check_usage(cg, limit, swap) < 0)
		return -1;
	if ((why = swap_v2(swap, limit, &v2)))
		return oci_err("set the swap limit of %s: %s", cg->dir, why);
	if (v2 || swap > 0) {
		limit_str(buf, sizeof(buf), v2);
		/* no swap accounting (swapaccount=0): "no swap" and "any swap"
		 * are what the container gets anyway */
		if (write_at(cg->fd, "memory.swap.max", buf) < 0 &&
		    !(errno == ENOENT && (v2 == -1 || v2 == 0)))
			return oci_syserr("write \"%s\" to %s/memory.swap.max", buf, cg->dir);
	}
	if (limit && cg_set(cg, "memory.max", limit_str(buf, sizeof(buf), limit)) < 0)
		return -1;
	if (low && cg_set(cg, "memory.low", limit_str(buf, sizeof(buf), low)) < 0)
		return -1;
	return 0;
}

#define LN2 0.693147180559945309417
#define LN10 2.30258509299404568402

/* ln(m) for m in [sqrt(1/2), sqrt(2)): 2 atanh((m - 1) / (m + 1)), a
 * series in t^2 < 0.03, so 20 terms are past double precision. */
static double ln_near1(double m)
{
	double t = (m - 1) / (m + 1), t2 = t * t, sum = 0;

	for (int k = 39; k > 0; k -= 2)
		sum = sum * t2 + 1.0 / k;
	return 2 * t * sum;
}

/* 10^e for e >= 0: 2^k e^x with x in [0, ln 2), e^x by its series. */
static double pow10_pos(double e)
{
	double x = e * LN10, term = 1, sum = 1;
	int k = (int)(x / LN2);

	x -= k * LN2;
	for (int j = 1; j < 24; j++) {
		term *= x / j;
		sum += term;
	}
	while (k-- > 0)
		sum *= 2;
	return sum;
}

/* cpu.shares (2..262144, default 1024) to cpu.weight (1..10000, default
 * 100): the quadratic in log2(shares) of runc >= 1.3.2 and crun >= 1.23,
 * which keeps the minimum, the default and the maximum where they were.
 * Without libm's log2 and pow (11 KB of the binary): these series are
 * within 6e-11 of them, 1024 is the only input whose 10^e is an integer
 * and every other one is 2e-6 or more from one, so the ceiling is runc's
 * for every input (checked for all of 2..262144 against libm). */
static uint64_t shares_to_weight(uint64_t shares)
{
	int n;
	double m, l, e, w;
	uint64_t r;

	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	n = 63 - __builtin_clzll(shares);
	m = (double)shares / (double)(UINT64_C(1) << n);
	if (m > 1.4142135623730951) {
		m /= 2;
		n++;
	}
	l = n + ln_near1(m) / LN2;
	e = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
	w = pow10_pos(e) - 1e-9;
	r = (uint64_t)w;
	return r + (r < w);
}

/* cpu.max is "QUOTA PERIOD"; what the resources leave out is runc's
 * default on create ("max 100000") and what is in force on update. */
static int set_cpu_max(const struct cg *cg, const struct resources *r, bool update)
{
	int64_t q = unset0(r->cpu_quota), p = unset0(r->cpu_period);
	char cur[64] = "max 100000", quota[32] = "max", val[64], num[32];
	unsigned long long period = 100000;

	if (!q && !p)
		return 0;
	if (update && read_at(cg->fd, "cpu.max", cur, sizeof(cur)) < 0)
		return oci_syserr("read %s/cpu.max", cg->dir);
	oci_word(cur, 0, quota, sizeof(quota));
	if (oci_word(cur, 1, num, sizeof(num)))
		period = strtoull(num, NULL, 10);
	if (q || !update)
		limit_str(quota, sizeof(quota), q > 0 ? q : -1);
	if (p)
		period = p;
	snprintf(val, sizeof(val), "%s %llu", quota, period);
	return cg_set(cg, "cpu.max", val);
}

static int set_cpu(const struct cg *cg, const struct resources *r, bool update)
{
	char buf[32];

	/* the kernel refuses a weight while cpu.idle is 1 */
	if (r->cpu_idle == 0 && cg_set(cg, "cpu.idle", "0") < 0)
		return -1;
	if (unset0(r->cpu_shares)) {
		snprintf(buf, sizeof(buf), "%" PRIu64, shares_to_weight(r->cpu_shares));
		if (cg_set(cg, "cpu.weight", buf) < 0)
			return -1;
	}
	if (set_cpu_max(cg, r, update) < 0)
		return -1;
	if (r->cpu_burst != OPT_UNSET) {
		snprintf(buf, sizeof(buf), "%" PRId64, r->cpu_burst);
		if (cg_set(cg, "cpu.max.burst", buf) < 0)
			return -1;
	}
	if (r->cpu_idle == 1 && cg_set(cg, "cpu.idle", "1") < 0)
		return -1;
	return 0;
}

static int set_cpuset(const struct cg *cg, const struct resources *r)
{
	if (r->cpu_cpus && *r->cpu_cpus && cg_set(cg, "cpuset.cpus", r->cpu_cpus) < 0)
		return -1;
	if (r->cpu_mems && *r->cpu_mems && cg_set(cg, "cpuset.mems", r->cpu_mems) < 0)
		return -1;
	return 0;
}

/* A weight to io.bfq.weight as it is, or without BFQ to io.weight scaled
 * from blkio's 10..1000 to 1..10000 (runc's ConvertBlkIOToIOWeightValue). */
static int set_io_weight(const struct cg *cg, const char *dev, int64_t w)
{
	char val[64];

	snprintf(val, sizeof(val), "%s%s%" PRId64, dev, *dev ? " " : "", w);
	if (write_at(cg->fd, "io.bfq.weight", val) == 0)
		return 0;
	if (errno != ENOENT)
		return oci_syserr("write \"%s\" to %s/io.bfq.weight", val, cg->dir);
	snprintf(val, sizeof(val), "%s%s%" PRId64, dev, *dev ? " " : "", 1 + (w - 10) * 9999 / 990);
	return cg_set(cg, "io.weight", val);
}

static int set_io(const struct cg *cg, const struct resources *r)
{
	static const char *const keys[4] = { "rbps", "wbps", "riops", "wiops" };
	char dev[48], val[96];

	if (unset0(r->blkio_weight) && set_io_weight(cg, "", r->blkio_weight) < 0)
		return -1;
	for (size_t i = 0; i < r->n_blkio_weight_device; i++) {
		const struct dev_weight *w = &r->blkio_weight_device[i];

		snprintf(dev, sizeof(dev), "%" PRId64 ":%" PRId64, w->major, w->minor);
		if (set_io_weight(cg, dev, w->weight) < 0)
			return -1;
	}
	for (int k = 0; k < 4; k++)
		for (size_t i = 0; i < r->n_blkio_throttle[k]; i++) {
			const struct dev_rate *t = &r->blkio_throttle[k][i];

			snprintf(val, sizeof(val), "%" PRId64 ":%" PRId64 " %s=%" PRIu64,
				 t->major, t->minor, keys[k], t->rate);
			if (cg_set(cg, "io.max", val) < 0)
				return -1;
		}
	return 0;
}

/* hugetlb.SIZE.max, and hugetlb.SIZE.rsvd.max where the kernel has it
 * (5.7), so that a reservation cannot get around the limit (runc 1.2). */
static int set_hugetlb(const struct cg *cg, const struct resources *r)
{
	char name[96], val[32];
	bool rsvd = true;

	for (size_t i = 0; i < r->n_hugepages; i++) {
		snprintf(val, sizeof(val), "%" PRIu64, r->hugepages[i].limit);
		snprintf(name, sizeof(name), "hugetlb.%s.max", r->hugepages[i].page_size);
		if (cg_set(cg, name, val) < 0)
			return -1;
		snprintf(name, sizeof(name), "hugetlb.%s.rsvd.max", r->hugepages[i].page_size);
		if (rsvd && write_at(cg->fd, name, val) < 0) {
			if (errno != ENOENT)
				return oci_syserr("write \"%s\" to %s/%s", val, cg->dir, name);
			rsvd = false;
		}
	}
	return 0;
}

static int set_rdma(const struct cg *cg, const struct resources *r)
{
	char val[256];

	for (size_t i = 0; i < r->n_rdma; i++) {
		const struct rdma *d = &r->rdma[i];
		int n = snprintf(val, sizeof(val), "%s", d->device);

		if (d->hca_handles != OPT_UNSET)
			n += snprintf(val + n, sizeof(val) - n, " hca_handle=%" PRId64, d->hca_handles);
		if (d->hca_objects != OPT_UNSET)
			snprintf(val + n, sizeof(val) - n, " hca_object=%" PRId64, d->hca_objects);
		if (cg_set(cg, "rdma.max", val) < 0)
			return -1;
	}
	return 0;
}

/* Written as given, line by line like runc, after everything else so
 * that it has the last word. */
static int set_unified(const struct cg *cg, const struct resources *r)
{
	char line[4096];

	for (size_t i = 0; i < r->n_unified; i++) {
		const char *v = r->unified[i].value;

		for (size_t k; *v; v += k + (v[k] == '\n')) {
			k = strcspn(v, "\n");
			if (!k)
				continue;
			snprintf(line, sizeof(line), "%.*s", (int)k, v);
			if (cg_set(cg, r->unified[i].key, line) < 0)
				return -1;
		}
	}
	return 0;
}

/* In runc's order. */
static int apply(const struct cg *cg, const struct resources *r, bool update)
{
	if (set_pids(cg, r) < 0 || set_memory(cg, r, update) < 0 || set_io(cg, r) < 0 ||
	    set_cpu(cg, r, update) < 0 || set_cpuset(cg, r) < 0 ||
	    set_hugetlb(cg, r) < 0 || set_rdma(cg, r) < 0 || set_unified(cg, r) < 0)
		return -1;
	return 0;
}

/* ---- creating and removing ---------------------------------------------- */

/* Enables in dfd's cgroup.subtree_control every controller it offers, as
 * runc and crun do, so that update and events find them later; one at a
 * time, so that one the kernel refuses does not take the others with it.
 * Only a refusal of one the limits need is an error. */
static int enable_controllers(int dfd, const char *dir, unsigned need)
{
	unsigned have = controllers_in(dfd, "cgroup.controllers");
	unsigned on = controllers_in(dfd, "cgroup.subtree_control");
	char val[32];

	for (int c = 0; c < C_N; c++) {
		if (!(have & ~on & 1u << c))
			continue;
		snprintf(val, sizeof(val), "+%s", ctl_names[c].v2);
		if (write_at(dfd, "cgroup.subtree_control", val) < 0 && (need & 1u << c))
			return oci_syserr("enable the %s controller in %s/cgroup.subtree_control",
					  ctl_names[c].v2, dir);
	}
	return 0;
}

static int populated(int dfd)
{
	uint64_t v;

	if (!file_key(dfd, "cgroup.events", "populated", &v))
		return -1;
	return v != 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Makes every missing directory of dir below the mount, with the
 * controllers enabled on the way down; the fd of dir, *made when that
 * last one is new. Parents stay, as runc leaves them. */
static int make_path(const char *dir, unsigned need, bool *made)
{
	const char *mnt = cgroup2_mount(), *p = dir + strlen(mnt);
	char path[PATH_MAX], name[NAME_MAX + 1];
	int fd = open_dir(mnt), sub;
	size_t k;

	if (fd < 0)
		return oci_syserr("open %s", mnt);
	snprintf(path, sizeof(path), "%s", mnt);
	for (; *(p += strspn(p, "/")); p += k) {
		k = strcspn(p, "/");
		snprintf(name, sizeof(name), "%.*s", (int)k, p);
		if (enable_controllers(fd, path, need) < 0)
			break;
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s", name);
		if (k > NAME_MAX) {
			errno = ENAMETOOLONG;
			oci_syserr("create cgroup %s", path);
			break;
		}
		*made = mkdirat(fd, name, 0755) == 0;
		if (!*made && errno != EEXIST) {
			oci_syserr("create cgroup %s", path);
			break;
		}
		if ((sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			oci_syserr("open cgroup %s", path);
			if (*made)
				unlinkat(fd, name, AT_REMOVEDIR);
			break;
		}
		close(fd);
		fd = sub;
		if (!p[k + strspn(p + k, "/")])
			return fd;
	}
	close(fd);
	return -1;
}

/* Calls fn for each pid in cgroup.procs of dfd and of every cgroup below
 * it: a container may make cgroups of its own (runc's GetAllPids). */
static int each_pid(int dfd, int (*fn)(pid_t pid, void *arg), void *arg)
{
	char line[32];
	struct dirent *de;
	int fd, sub, ret = 0;
	FILE *f;
	DIR *d;

	if ((fd = openat(dfd, "cgroup.procs", O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (!(f = fdopen(fd, "r")))
		return close(fd), -1;
	while (ret == 0 && fgets(line, sizeof(line), f))
		ret = fn(atoi(line), arg);
	fclose(f);
	if (ret < 0 || (fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	if (!(d = fdopendir(fd)))
		return close(fd), -1;
	while (ret == 0 && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		/* one that went away meanwhile has no processes left */
		if ((sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			continue;
		ret = each_pid(sub, fn, arg);
		close(sub);
	}
	closedir(d);
	return ret;
}

static int kill_one(pid_t pid, void *arg)
{
	kill(pid, *(int *)arg);
	return 0;
}

struct pidlist { pid_t *p; size_t n, cap; };

static int add_pid(pid_t pid, void *arg)
{
	struct pidlist *l = arg;

	if (l->n == l->cap) {
		pid_t *p = realloc(l->p, (l->cap ? 2 * l->cap : 64) * sizeof(*p));

		if (!p)
			return -1;
		l->p = p;
		l->cap = l->cap ? 2 * l->cap : 64;
	}
	l->p[l->n++] = pid;
	return 0;
}

static int wait_events(int dfd, const char *key, uint64_t want, int timeout_ms)
{
	uint64_t v;

	for (int ms = 0, step = 1; ms < timeout_ms; ms += step, step = step < 16 ? step * 2 : step) {
		if (!file_key(dfd, "cgroup.events", key, &v) || v == want)
			return 0;
		sleep_ms(step);
	}
	return -1;
}

static int freeze(const struct cg *cg, bool on)
{
	if (write_at(cg->fd, "cgroup.freeze", on ? "1" : "0") < 0) {
		if (errno == ENOENT)
			return oci_err("%s cgroup %s: cgroup.freeze needs Linux 5.2",
				       on ? "freeze" : "thaw", cg->dir);
		return oci_syserr("%s cgroup %s", on ? "freeze" : "thaw", cg->dir);
	}
	if (wait_events(cg->fd, "frozen", on, WAIT_MS) < 0) {
		/* half frozen helps no one: as runc, give up and thaw */
		if (on)
			write_at(cg->fd, "cgroup.freeze", "0");
		return oci_err("%s cgroup %s: still %sfrozen after %d s", on ? "freeze" : "thaw",
			       cg->dir, on ? "not " : "", WAIT_MS / 1000);
	}
	return 0;
}

static bool is_frozen(int dfd)
{
	char buf[8];

	return read_at(dfd, "cgroup.freeze", buf, sizeof(buf)) > 0 && buf[0] == '1';
}

/* SIGKILL through cgroup.kill (Linux 5.14), which no fork can outrun;
 * otherwise, as runc does, each pid of cgroup.procs while the cgroup is
 * frozen, so that none is forked behind the loop. */
static int signal_cgroup(const struct cg *cg, int sig)
{
	bool was = is_frozen(cg->fd);
	bool kill_file = sig == SIGKILL && !oci_test_missing("cgroup.kill");
	int ret = 0;

	if (kill_file && write_at(cg->fd, "cgroup.kill", "1") == 0)
		return 0;
	if (kill_file && errno != ENOENT)
		return oci_syserr("kill the processes of cgroup %s", cg->dir);
	if (!was && write_at(cg->fd, "cgroup.freeze", "1") == 0)
		wait_events(cg->fd, "frozen", 1, WAIT_MS);
	if (each_pid(cg->fd, kill_one, &sig) < 0)
		ret = oci_syserr("signal the processes of cgroup %s", cg->dir);
	if (!was)
		write_at(cg->fd, "cgroup.freeze", "0");
	return ret;
}

/* Removes the cgroups a container made below its own, then its own. */
static int remove_tree(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;

	if (fd >= 0 && (d = fdopendir(fd))) {
		while ((de = readdir(d)))
			if (de->d_type == DT_DIR && de->d_name[0] != '.')
				remove_tree(dirfd(d), de->d_name);
		closedir(d);
	} else if (fd >= 0) {
		close(fd);
	}
	/* EBUSY while the last exiting task is still being released */
	for (int i = 0; i < 100; i++) {
		if (unlinkat(dfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		sleep_ms(10);
	}
	return -1;
}

/* ---- exported ----------------------------------------------------------- */

int cgroup_resolve(const struct spec *s, const char *id, bool systemd,
		   char *buf, size_t len)
{
	const char *mnt = cgroup2_mount(), *cp = s->cgroups_path;
	char rel[PATH_MAX] = "", what[PATH_MAX + 32];
	int n;

	buf[0] = 0;
	snprintf(what, sizeof(what), "%s: linux.cgroupsPath", s->path);
	if (cp && *cp && systemd) {
		if (systemd_path(rel, sizeof(rel), cp, what) < 0)
			return -1;
	} else if (cp && *cp) {
		if ((cp[0] != '/' && path_append(rel, sizeof(rel), DEFAULT_PARENT, what) < 0) ||
		    path_append(rel, sizeof(rel), cp, what) < 0)
			return -1;
	} else if (path_append(rel, sizeof(rel), DEFAULT_PARENT, what) < 0 ||
		   path_append(rel, sizeof(rel), id, what) < 0) {
		return -1;
	}
	if (!rel[0])
		return oci_err("%s: the root cgroup cannot be a container's", what);
	if (!mnt[0])
		return 0;
	n = snprintf(buf, len, "%s%s", mnt, rel);
	if (n < 0 || (size_t)n >= len)
		return buf[0] = 0, oci_err("%s: cgroup path too long", what);
	return 0;
}

int cgroup_validate(const struct spec *s, const char *dir)
{
	const struct resources *r = &s->resources;
	struct emu e = { 0 };
	int ret;

	if (check_values(s->path, r, true) < 0 || check_available(s->path, r, dir) < 0)
		return -1;
	ret = emu_run(s, s->path, &e);
	free(e.r);
	if (ret == 0 && !dir[0] && r->n_devices)
		oci_warn("%s: linux.resources.devices: not enforced: no cgroup2 filesystem is mounted", s->path);
	return ret;
}

int cgroup_create(const struct spec *s, const char *dir)
{
	const char *what[C_N];
	bool made = false;
	struct cg cg = { .dir = dir };
	int busy;

	if (!dir[0])
		return 0;
	if ((cg.fd = make_path(dir, needed(&s->resources, what), &made)) < 0)
		return -1;
	if (!made && (busy = populated(cg.fd)) != 0) {
		if (busy > 0)
			oci_err("create cgroup %s: it exists and has processes", dir);
		else
			oci_syserr("read %s/cgroup.events", dir);
		close(cg.fd);
		return -1;
	}
	if (apply(&cg, &s->resources, false) < 0 || set_devices(&cg, s) < 0) {
		close(cg.fd);
		if (made)
			rmdir(dir);
		return -1;
	}
	close(cg.fd);
	return 0;
}

int cgroup_enter(const char *dir, pid_t pid)
{
	struct cg cg;
	char num[32];
	int ret = 0;

	if (!dir[0])
		return 0;
	if (cg_open(&cg, dir) < 0)
		return -1;
	snprintf(num, sizeof(num), "%d", pid);
	if (write_at(cg.fd, "cgroup.procs", num) < 0)
		ret = oci_syserr("move the container init into cgroup %s", dir);
	close(cg.fd);
	return ret;
}

/* Before Linux 6.3 (and its stable backports), a child that clone3
 * CLONE_INTO_CGROUP put in a cgroup with the cpuset controller kept its
 * parent's CPUs and memory nodes: 5.7 to 6.2 have the flag, not the fix.
 * There, unless ocimin's own are already the cgroup's, the init is
 * written to cgroup.procs instead, whose migration applies them. Both
 * lists are printed by the kernel the same way (%*pbl). */
bool cgroup_clone_into(int dfd)
{
	static const char *const lists[][2] = {
		{ "cpuset.cpus.effective", "\nCpus_allowed_list:\t" },
		{ "cpuset.mems.effective", "\nMems_allowed_list:\t" },
	};
	char buf[512], status[4096], *mine, *end;
	struct utsname u;
	unsigned long major, minor;
	int i;

	if (!(controllers_in(dfd, "cgroup.controllers") & 1U << C_CPUSET))
		return true;
	if (uname(&u) < 0)
		return false;
	major = strtoul(u.release, &end, 10);
	minor = *end == '.' ? strtoul(end + 1, NULL, 10) : 0;
	if (major > 6 || (major == 6 && minor >= 3))
		return true;
	if (read_at(AT_FDCWD, "/proc/self/status", status, sizeof(status)) < 0)
		return false;
	for (i = 0; i < 2; i++) {
		if (read_at(dfd, lists[i][0], buf, sizeof(buf)) < 0 ||
		    !(mine = oci_find(status, lists[i][1])))
			return false;
		mine += strlen(lists[i][1]);
		buf[strcspn(buf, "\n")] = 0;
		if (strncmp(mine, buf, strlen(buf)) || mine[strlen(buf)] != '\n')
			return false;
	}
	return true;
}

int cgroup_destroy(const char *dir)
{
	char parent[PATH_MAX], *slash;
	struct cg cg = { .dir = dir };
	int pfd, ret = 0;

	if (!dir[0] || (cg.fd = open_dir(dir)) < 0)
		return !dir[0] || errno == ENOENT ? 0 : oci_syserr("open cgroup %s", dir);
	if (populated(cg.fd) > 0) {
		ret = signal_cgroup(&cg, SIGKILL);
		/* a frozen task dies of SIGKILL too, but thawed it goes faster */
		write_at(cg.fd, "cgroup.freeze", "0");
		if (ret == 0 && wait_events(cg.fd, "populated", 0, WAIT_MS) < 0)
			ret = oci_err("remove cgroup %s: processes are left after SIGKILL", dir);
	}
	close(cg.fd);
	if (ret < 0)
		return -1;
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	*slash = 0;
	if ((pfd = open_dir(parent[0] ? parent : "/")) < 0)
		return oci_syserr("open cgroup %s", parent);
	if (remove_tree(pfd, slash + 1) < 0)
		ret = oci_syserr("remove cgroup %s", dir);
	close(pfd);
	return ret;
}

int cgroup_update(const char *dir, const char *src, const struct resources *r)
{
	struct cg cg;
	int ret;

	if (check_values(src, r, false) < 0 || check_available(src, r, dir) < 0)
		return -1;
	if (r->n_devices)
		oci_debug("%s: linux.resources.devices: ignored: device rules are set at create", src);
	if (cg_open(&cg, dir) < 0)
		return -1;
	ret = apply(&cg, r, true);
	close(cg.fd);
	return ret;
}

int cgroup_freeze(const char *dir, bool frozen)
{
	struct cg cg;
	int ret;

	if (cg_open(&cg, dir) < 0)
		return -1;
	ret = freeze(&cg, frozen);
	close(cg.fd);
	return ret;
}

bool cgroup_frozen(const char *dir)
{
	int fd = dir[0] ? open_dir(dir) : -1;
	bool ret = fd >= 0 && is_frozen(fd);

	if (fd >= 0)
		close(fd);
	return ret;
}

int cgroup_populated(const char *dir)
{
	int fd = open_dir(dir), ret;

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	ret = populated(fd);
	close(fd);
	return ret;
}

int cgroup_signal(const char *dir, int sig)
{
	struct cg cg;
	int ret;

	if (cg_open(&cg, dir) < 0)
		return -1;
	ret = signal_cgroup(&cg, sig);
	close(cg.fd);
	return ret;
}

int cgroup_pids(const char *dir, pid_t **pids, size_t *n)
{
	struct pidlist l = { 0 };
	int fd = open_dir(dir), ret;

	if (fd < 0)
		return oci_syserr("open cgroup %s", dir);
	ret = each_pid(fd, add_pid, &l);
	close(fd);
	if (ret < 0) {
		free(l.p);
		return oci_syserr("read the processes of cgroup %s", dir);
	}
	*pids = l.p;
	*n = l.n;
	return 0;
}

/* memory.stat's "key value" lines, as runc's "raw" map */
static void memory_stat(int dfd, struct cgroup_stats *st)
{
	char buf[16384], *save = NULL;

	if (read_at(dfd, "memory.stat", buf, sizeof(buf)) < 0)
		return;
	for (char *l = strtok_r(buf, "\n", &save); l && st->n_mem_stat < LEN(st->mem_stat);
	     l = strtok_r(NULL, "\n", &save)) {
		size_t k = strcspn(l, " ");

		if (!l[k] || k >= sizeof(st->mem_stat[0].name))
			continue;
		snprintf(st->mem_stat[st->n_mem_stat].name, sizeof(st->mem_stat[0].name), "%.*s", (int)k, l);
		st->mem_stat[st->n_mem_stat++].value = strtoull(l + k + 1, NULL, 10);
	}
}

static uint64_t limit_u64(int dfd, const char *name, uint64_t max)
{
	int64_t v;

	if (read_limit(dfd, name, &v) < 0)
		return 0;
	return v < 0 ? max : (uint64_t)v;
}

int cgroup_stats(const char *dir, struct cgroup_stats *st)
{
	struct pidlist l = { 0 };
	char cpu[4096];
	int64_t v;
	int fd = open_dir(dir);

	memset(st, 0, sizeof(*st));
	if (fd < 0)
		return oci_syserr("open cgroup %s", dir);
	/* cpu.stat is there without the cpu controller too */
	if (read_at(fd, "cpu.stat", cpu, sizeof(cpu)) >= 0) {
		key_value(cpu, "usage_usec", &st->cpu_usage_usec);
		key_value(cpu, "user_usec", &st->cpu_user_usec);
		key_value(cpu, "system_usec", &st->cpu_system_usec);
		key_value(cpu, "nr_periods", &st->cpu_periods);
		key_value(cpu, "nr_throttled", &st->cpu_throttled_periods);
		key_value(cpu, "throttled_usec", &st->cpu_throttled_usec);
	}
	if (read_limit(fd, "memory.current", &v) == 0) {
		st->has_memory = true;
		st->mem_usage = v;
		st->mem_limit = limit_u64(fd, "memory.max", UINT64_MAX);
		st->mem_max_usage = limit_u64(fd, "memory.peak", 0);
		st->swap_usage = limit_u64(fd, "memory.swap.current", 0);
		st->swap_limit = limit_u64(fd, "memory.swap.max", UINT64_MAX);
		file_key(fd, "memory.events", "oom_kill", &st->oom_kills);
		memory_stat(fd, st);
	}
	/* runc: without the pids controller, the processes counted, no limit */
	if (read_limit(fd, "pids.current", &v) == 0) {
		st->pids_current = v;
		st->pids_limit = limit_u64(fd, "pids.max", 0);
	} else {
		each_pid(fd, add_pid, &l);
		st->pids_current = l.n;
		free(l.p);
	}
	close(fd);
	return 0;
}

int cgroup_watch(const char *dir)
{
	char path[PATH_MAX];
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

	if (fd < 0)
		return oci_syserr("watch cgroup %s", dir);
	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	if (inotify_add_watch(fd, path, IN_MODIFY) < 0) {
		oci_syserr("watch %s", path);
		close(fd);
		return -1;
	}
	/* without the memory controller there is no OOM to report */
	snprintf(path, sizeof(path), "%s/memory.events", dir);
	inotify_add_watch(fd, path, IN_MODIFY);
	return fd;
}

/* ---- ocimin check ---------------------------------------------------------- */

/* Whether mountinfo has a cgroup v1 hierarchy next to (or instead of) v2. */
static bool probe_v1_mounted(void)
{
	char line[8192];
	bool v1 = false;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	while (f && fgets(line, sizeof(line), f)) {
		const char *sep = oci_find(line, " - ");

		if (sep && !strncmp(sep + 3, "cgroup ", 7))
			v1 = true;
	}
	if (f)
		fclose(f);
	return v1;
}

/* cgroup.kill (Linux 5.14) is in every cgroup but the root: ocimin's own
 * cgroup, or the first child of the root when ocimin is in the root. */
static void probe_cgroup_kill(struct check_item *it, size_t *n, int root)
{
	char self[PATH_MAX] = "", line[PATH_MAX + 8];
	FILE *f = fopen("/proc/self/cgroup", "re");
	struct dirent *de;
	DIR *d = NULL;
	int ok = -1, fd = -1;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::/", 4))
			snprintf(self, sizeof(self), "%.*s", (int)strcspn(line + 4, "\n"), line + 4);
	if (f)
		fclose(f);
	if (oci_test_missing("cgroup.kill"))
		ok = 0;
	else if (self[0])
		ok = faccessat(root, strcat(self, "/cgroup.kill"), F_OK, 0) == 0;
	else if ((fd = openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0 &&
		 (d = fdopendir(fd)))
		while (ok < 0 && (de = readdir(d)))
			if (de->d_type == DT_DIR && de->d_name[0] != '.') {
				snprintf(self, sizeof(self), "%s/cgroup.kill", de->d_name);
				ok = faccessat(root, self, F_OK, 0) == 0;
			}
	if (d)
		closedir(d);
	else if (fd >= 0)
		close(fd);
	if (ok < 0)
		check_add(it, n, "cgroup.kill", CHECK_INFO, false, "unknown: no cgroup below the root");
	else
		check_add(it, n, "cgroup.kill", ok, false, ok ? "Linux 5.14" :
			  "missing (Linux 5.14): kill freezes the cgroup and signals each pid");
}

void cgroup_check(struct check_item *it, size_t *n)
{
	const char *mnt = cgroup2_mount();
	bool v1 = probe_v1_mounted();
	char ctl[512] = "";
	int root;

	if (!mnt[0]) {
		check_add(it, n, "cgroup v2", CHECK_NO, false, v1 ?
			  "v1 only: containers run without a cgroup, limits are refused" :
			  "no cgroup filesystem: containers run without a cgroup");
		return;
	}
	check_add(it, n, "cgroup v2", CHECK_YES, false, "%s at %s",
		  !v1 && !strcmp(mnt, "/sys/fs/cgroup") ? "unified (pure v2)" :
		  v1 ? "hybrid (v1 hierarchies too)" : "v2", mnt);
	root = open_dir(mnt);
	if (root < 0 || read_at(root, "cgroup.controllers", ctl, sizeof(ctl)) < 0)
		ctl[0] = 0;
	ctl[strcspn(ctl, "\n")] = 0;
	check_add(it, n, "cgroup controllers", ctl[0] != 0, false, "%s",
		  ctl[0] ? ctl : "none: every resource limit is refused");
	if (root >= 0) {
		probe_cgroup_kill(it, n, root);
		close(root);
	}
}
