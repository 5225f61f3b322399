/* json.c - the only file that knows JSON. Reads config.json, process.json
 * and state.json into structs; writes state, list, features, the spec
 * template and log lines.
 *
 * Reading: the text is checked against the JSON grammar, tokenized once by
 * jsmn into a flat array, strings are unescaped in place, and the tokens
 * are walked by tables of the properties each object may have. Unknown
 * properties are skipped, as the runtime-spec requires; a known one with
 * the wrong type or value is an error naming its JSON path. Everything
 * read lives until exit. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include "ocimin.h"

/* jsmn's strict mode still takes "[1 2]", {"a" 1} or "[1,]", so the text
 * is checked against the grammar first and jsmn only ever sees valid JSON.
 * Parent links keep jsmn linear: without them each ',' in an object scans
 * back to the object's start, quadratic in the number of keys. */
#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#ifndef SCHED_ISO
#define SCHED_ISO 4             /* named by the spec; not in mainline kernels */
#endif
#ifndef SCHED_FLAG_RESET_ON_FORK
#define SCHED_FLAG_RESET_ON_FORK 0x01
#define SCHED_FLAG_RECLAIM 0x02
#define SCHED_FLAG_DL_OVERRUN 0x04
#define SCHED_FLAG_KEEP_POLICY 0x08
#define SCHED_FLAG_KEEP_PARAMS 0x10
#define SCHED_FLAG_UTIL_CLAMP_MIN 0x20
#define SCHED_FLAG_UTIL_CLAMP_MAX 0x40
#endif
#ifndef IOPRIO_CLASS_RT
#define IOPRIO_CLASS_RT 1
#define IOPRIO_CLASS_BE 2
#define IOPRIO_CLASS_IDLE 3
#endif
/* <linux/mount.h> redefines musl's MS_* macros, so its few values are here */
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#define MOUNT_ATTR_NOEXEC 0x00000008
#define MOUNT_ATTR__ATIME 0x00000070
#define MOUNT_ATTR_RELATIME 0x00000000
#define MOUNT_ATTR_NOATIME 0x00000010
#define MOUNT_ATTR_STRICTATIME 0x00000020
#define MOUNT_ATTR_NODIRATIME 0x00000080
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif

#define JSON_MAX_SIZE (4 << 20)         /* bytes of one file */
#define JSON_MAX_DEPTH 64               /* nested objects and arrays */
#define ARENA_CHUNK (16 << 10)

/* ---- name tables --------------------------------------------------- */

struct name { const char *name; uint64_t value; };

#define CAP(n) { "CAP_" #n, CAP_##n }
static const struct name caps[] = {
	CAP(CHOWN), CAP(DAC_OVERRIDE), CAP(DAC_READ_SEARCH), CAP(FOWNER),
	CAP(FSETID), CAP(KILL), CAP(SETGID), CAP(SETUID), CAP(SETPCAP),
	CAP(LINUX_IMMUTABLE), CAP(NET_BIND_SERVICE), CAP(NET_BROADCAST),
	CAP(NET_ADMIN), CAP(NET_RAW), CAP(IPC_LOCK), CAP(IPC_OWNER),
	CAP(SYS_MODULE), CAP(SYS_RAWIO), CAP(SYS_CHROOT), CAP(SYS_PTRACE),
	CAP(SYS_PACCT), CAP(SYS_ADMIN), CAP(SYS_BOOT), CAP(SYS_NICE),
	CAP(SYS_RESOURCE), CAP(SYS_TIME), CAP(SYS_TTY_CONFIG), CAP(MKNOD),
	CAP(LEASE), CAP(AUDIT_WRITE), CAP(AUDIT_CONTROL), CAP(SETFCAP),
	CAP(MAC_OVERRIDE), CAP(MAC_ADMIN), CAP(SYSLOG), CAP(WAKE_ALARM),
	CAP(BLOCK_SUSPEND), CAP(AUDIT_READ), CAP(PERFMON), CAP(BPF),
	CAP(CHECKPOINT_RESTORE), { 0 }
};

static const struct name namespaces[] = {
	{ "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC },
	{ "mount", CLONE_NEWNS }, { "network", CLONE_NEWNET },
	{ "pid", CLONE_NEWPID }, { "time", CLONE_NEWTIME },
	{ "user", CLONE_NEWUSER }, { "uts", CLONE_NEWUTS }, { 0 }
};

#define RL(n) { "RLIMIT_" #n, RLIMIT_##n }
static const struct name rlimits[] = {
	RL(CPU), RL(FSIZE), RL(DATA), RL(STACK), RL(CORE), RL(RSS), RL(NPROC),
	RL(NOFILE), RL(MEMLOCK), RL(AS), RL(LOCKS), RL(SIGPENDING),
	RL(MSGQUEUE), RL(NICE), RL(RTPRIO), RL(RTTIME), { 0 }
};

static const struct name io_classes[] = {
	{ "IOPRIO_CLASS_RT", IOPRIO_CLASS_RT }, { "IOPRIO_CLASS_BE", IOPRIO_CLASS_BE },
	{ "IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE }, { 0 }
};

static const struct name sched_policies[] = {
	{ "SCHED_OTHER", SCHED_OTHER }, { "SCHED_FIFO", SCHED_FIFO },
	{ "SCHED_RR", SCHED_RR }, { "SCHED_BATCH", SCHED_BATCH },
	{ "SCHED_ISO", SCHED_ISO }, { "SCHED_IDLE", SCHED_IDLE },
	{ "SCHED_DEADLINE", SCHED_DEADLINE }, { 0 }
};

#define SF(n) { "SCHED_FLAG_" #n, SCHED_FLAG_##n }
static const struct name sched_flags[] = {
	SF(RESET_ON_FORK), SF(RECLAIM), SF(DL_OVERRUN), SF(KEEP_POLICY),
	SF(KEEP_PARAMS), SF(UTIL_CLAMP_MIN), SF(UTIL_CLAMP_MAX), { 0 }
};

static const struct name propagations[] = {
	{ "shared", MS_SHARED }, { "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE }, { "rslave", MS_SLAVE | MS_REC },
	{ "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE | MS_REC },
	{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
	{ 0 }
};

static const struct name device_types[] = {
	{ "c", 'c' }, { "b", 'b' }, { "u", 'u' }, { "p", 'p' }, { 0 }
};

static const struct name rule_types[] = {
	{ "a", 'a' }, { "c", 'c' }, { "b", 'b' }, { 0 }
};

static const struct name personalities[] = {
	{ "LINUX", PER_LINUX }, { "LINUX32", PER_LINUX32 }, { 0 }
};

static const struct name scmp_actions[] = {
	{ "SCMP_ACT_KILL", SECCOMP_RET_KILL_THREAD },
	{ "SCMP_ACT_KILL_PROCESS", SECCOMP_RET_KILL_PROCESS },
	{ "SCMP_ACT_KILL_THREAD", SECCOMP_RET_KILL_THREAD },
	{ "SCMP_ACT_TRAP", SECCOMP_RET_TRAP },
	{ "SCMP_ACT_ERRNO", SECCOMP_RET_ERRNO },
	{ "SCMP_ACT_TRACE", SECCOMP_RET_TRACE },
	{ "SCMP_ACT_ALLOW", SECCOMP_RET_ALLOW },
	{ "SCMP_ACT_LOG", SECCOMP_RET_LOG },
	{ "SCMP_ACT_NOTIFY", SECCOMP_RET_USER_NOTIF },
	{ 0 }
};

static const struct name scmp_ops[] = {
	{ "SCMP_CMP_NE", SCMP_OP_NE }, { "SCMP_CMP_LT", SCMP_OP_LT },
	{ "SCMP_CMP_LE", SCMP_OP_LE }, { "SCMP_CMP_EQ", SCMP_OP_EQ },
	{ "SCMP_CMP_GE", SCMP_OP_GE }, { "SCMP_CMP_GT", SCMP_OP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_OP_MASKED_EQ }, { 0 }
};

#define ARCH(n) { "SCMP_ARCH_" #n, AUDIT_ARCH_##n }
static const struct name scmp_arches[] = {
	{ "SCMP_ARCH_X86", AUDIT_ARCH_I386 }, ARCH(X86_64),
	{ "SCMP_ARCH_X32", OCI_ARCH_X32 }, ARCH(ARM), ARCH(AARCH64),
	ARCH(MIPS), ARCH(MIPS64), ARCH(MIPS64N32), ARCH(MIPSEL),
	ARCH(MIPSEL64), ARCH(MIPSEL64N32), ARCH(PPC), ARCH(PPC64),
	ARCH(PPC64LE), ARCH(S390), ARCH(S390X), ARCH(PARISC), ARCH(PARISC64),
	ARCH(RISCV64), ARCH(LOONGARCH64), { 0 }
};

#define SCF(n) { "SECCOMP_FILTER_FLAG_" #n, SECCOMP_FILTER_FLAG_##n }
static const struct name scmp_flags[] = {
	SCF(TSYNC), SCF(LOG), SCF(SPEC_ALLOW), SCF(WAIT_KILLABLE_RECV), { 0 }
};

/* Mount options, sorted (features lists them in this order). Names not
 * here are filesystem options, passed on as mount(2) data like runc does. */
enum { MO_FLAG, MO_BIND, MO_PROP, MO_ATTR, MO_IDMAP, MO_RIDMAP, MO_COPYUP };
struct mopt { const char *name; unsigned char kind; uint32_t set, clr; };

/* Recursive atime options set one atime mode, so they clear the field. */
#define ATIME(mode) MO_ATTR, (mode), MOUNT_ATTR__ATIME
static const struct mopt mopts[] = {
	{ "acl", MO_FLAG, MS_POSIXACL, 0 },
	{ "async", MO_FLAG, 0, MS_SYNCHRONOUS },
	{ "atime", MO_FLAG, 0, MS_NOATIME },
	{ "bind", MO_BIND, MS_BIND, 0 },
	{ "defaults", MO_FLAG, 0, 0 },
	{ "dev", MO_FLAG, 0, MS_NODEV },
	{ "diratime", MO_FLAG, 0, MS_NODIRATIME },
	{ "dirsync", MO_FLAG, MS_DIRSYNC, 0 },
	{ "exec", MO_FLAG, 0, MS_NOEXEC },
	{ "idmap", MO_IDMAP, 0, 0 },
	{ "iversion", MO_FLAG, MS_I_VERSION, 0 },
	{ "lazytime", MO_FLAG, MS_LAZYTIME, 0 },
	{ "loud", MO_FLAG, 0, MS_SILENT },
	{ "mand", MO_FLAG, MS_MANDLOCK, 0 },
	{ "noacl", MO_FLAG, 0, MS_POSIXACL },
	{ "noatime", MO_FLAG, MS_NOATIME, 0 },
	{ "nodev", MO_FLAG, MS_NODEV, 0 },
	{ "nodiratime", MO_FLAG, MS_NODIRATIME, 0 },
	{ "noexec", MO_FLAG, MS_NOEXEC, 0 },
	{ "noiversion", MO_FLAG, 0, MS_I_VERSION },
	{ "nolazytime", MO_FLAG, 0, MS_LAZYTIME },
	{ "nomand", MO_FLAG, 0, MS_MANDLOCK },
	{ "norelatime", MO_FLAG, 0, MS_RELATIME },
	{ "nostrictatime", MO_FLAG, 0, MS_STRICTATIME },
	{ "nosuid", MO_FLAG, MS_NOSUID, 0 },
	{ "nosymfollow", MO_FLAG, MS_NOSYMFOLLOW, 0 },
	{ "private", MO_PROP, MS_PRIVATE, 0 },
	{ "ratime", ATIME(MOUNT_ATTR_RELATIME) },
	{ "rbind", MO_BIND, MS_BIND | MS_REC, 0 },
	{ "rdev", MO_ATTR, 0, MOUNT_ATTR_NODEV },
	{ "rdiratime", MO_ATTR, 0, MOUNT_ATTR_NODIRATIME },
	{ "relatime", MO_FLAG, MS_RELATIME, 0 },
	{ "remount", MO_FLAG, MS_REMOUNT, 0 },
	{ "rexec", MO_ATTR, 0, MOUNT_ATTR_NOEXEC },
	{ "ridmap", MO_RIDMAP, 0, 0 },
	{ "rnoatime", ATIME(MOUNT_ATTR_NOATIME) },
	{ "rnodev", MO_ATTR, MOUNT_ATTR_NODEV, 0 },
	{ "rnodiratime", MO_ATTR, MOUNT_ATTR_NODIRATIME, 0 },
	{ "rnoexec", MO_ATTR, MOUNT_ATTR_NOEXEC, 0 },
	{ "rnorelatime", ATIME(MOUNT_ATTR_RELATIME) },
	{ "rnostrictatime", ATIME(MOUNT_ATTR_RELATIME) },
	{ "rnosuid", MO_ATTR, MOUNT_ATTR_NOSUID, 0 },
	{ "rnosymfollow", MO_ATTR, MOUNT_ATTR_NOSYMFOLLOW, 0 },
	{ "ro", MO_FLAG, MS_RDONLY, 0 },
	{ "rprivate", MO_PROP, MS_PRIVATE | MS_REC, 0 },
	{ "rrelatime", ATIME(MOUNT_ATTR_RELATIME) },
	{ "rro", MO_ATTR, MOUNT_ATTR_RDONLY, 0 },
	{ "rrw", MO_ATTR, 0, MOUNT_ATTR_RDONLY },
	{ "rshared", MO_PROP, MS_SHARED | MS_REC, 0 },
	{ "rslave", MO_PROP, MS_SLAVE | MS_REC, 0 },
	{ "rstrictatime", ATIME(MOUNT_ATTR_STRICTATIME) },
	{ "rsuid", MO_ATTR, 0, MOUNT_ATTR_NOSUID },
	{ "rsymfollow", MO_ATTR, 0, MOUNT_ATTR_NOSYMFOLLOW },
	{ "runbindable", MO_PROP, MS_UNBINDABLE | MS_REC, 0 },
	{ "rw", MO_FLAG, 0, MS_RDONLY },
	{ "shared", MO_PROP, MS_SHARED, 0 },
	{ "silent", MO_FLAG, MS_SILENT, 0 },
	{ "slave", MO_PROP, MS_SLAVE, 0 },
	{ "strictatime", MO_FLAG, MS_STRICTATIME, 0 },
	{ "suid", MO_FLAG, 0, MS_NOSUID },
	{ "symfollow", MO_FLAG, 0, MS_NOSYMFOLLOW },
	{ "sync", MO_FLAG, MS_SYNCHRONOUS, 0 },
	{ "tmpcopyup", MO_COPYUP, 0, 0 },
	{ "unbindable", MO_PROP, MS_UNBINDABLE, 0 },
	{ 0 }
};

/* ---- the parse ----------------------------------------------------- */

struct jp {
	const char *file;             /* as given, for errors */
	const char *bundle;           /* root.path is relative to it */
	char *js;                     /* the text; strings unescaped in place */
	jsmntok_t *t;
	int n;
	char path[512];               /* JSON path of the value being read */
	size_t plen;
	void *elems;                  /* array being filled, for element checks */
	size_t elem;                  /* index of the element being checked */
	char *arena;
	size_t arena_left;
};

/* A property of an object and where its value goes. Offsets are from the
 * start of the object's struct; "cnt" and "has" hold offset + 1 so that 0
 * means none. A table ends with { 0 }, or with { .what = "noun" } when
 * its keys are names, so an unknown one is an error ("unknown clock"). */
typedef int parse_fn(struct jp *p, int i, void *obj);
typedef int check_fn(struct jp *p, void *obj);
typedef void init_fn(void *obj);

enum { K_BOOL, K_STR, K_ABS, K_BUF, K_INT, K_UINT, K_ENUM, K_FLAGS, K_BITS,
       K_STRV, K_ABSV, K_UINTV, K_KV, K_OBJ, K_ARR, K_FN };

/* Some 270 of these are in the binary, so each kind's extras share one
 * union and offsets are 16 bits (a wider one is a -Woverflow error). */
struct field {
	const char *key;
	unsigned char kind;
	bool required;
	uint16_t off, size;           /* destination, its width or element size */
	uint16_t cnt, has;            /* count of an array; bool set when present */
	union {
		struct {
			int64_t lo, hi;       /* K_INT range; K_STRV: lo = least count */
		};
		uint64_t max;         /* K_UINT: largest value, 0 = the width's */
		struct {
			const struct name *names;  /* K_ENUM, K_FLAGS, K_BITS */
			const char *what;     /* noun for unknown names */
		};
		parse_fn *parse;      /* K_FN */
		struct {
			const struct field *sub;   /* K_OBJ, K_ARR: the properties */
			check_fn *check;      /* after the object is read */
		};
	};
};

#define AT(t, m) (offsetof(t, m) + 1)
#define OFF(t, m) .off = offsetof(t, m), .size = sizeof(((t *)0)->m)
#define REQ .required = true
#define F_BOOL(k, t, m, ...) { k, K_BOOL, OFF(t, m), __VA_ARGS__ }
#define F_STR(k, t, m, ...) { k, K_STR, OFF(t, m), __VA_ARGS__ }
#define F_ABS(k, t, m, ...) { k, K_ABS, OFF(t, m), __VA_ARGS__ }
#define F_BUF(k, t, m, ...) { k, K_BUF, OFF(t, m), __VA_ARGS__ }
#define F_INT(k, t, m, l, h, ...) { k, K_INT, OFF(t, m), .lo = (l), .hi = (h), __VA_ARGS__ }
#define F_UINT(k, t, m, ...) { k, K_UINT, OFF(t, m), __VA_ARGS__ }
#define F_ENUM(k, t, m, n, w, ...) { k, K_ENUM, OFF(t, m), .names = n, .what = w, __VA_ARGS__ }
#define F_FLAGS(k, t, m, n, w, ...) { k, K_FLAGS, OFF(t, m), .names = n, .what = w, __VA_ARGS__ }
#define F_BITS(k, t, m, n, w, ...) { k, K_BITS, OFF(t, m), .names = n, .what = w, __VA_ARGS__ }
#define F_STRV(k, t, m, c, ...) { k, K_STRV, OFF(t, m), .cnt = AT(t, c), __VA_ARGS__ }
#define F_ABSV(k, t, m, c, ...) { k, K_ABSV, OFF(t, m), .cnt = AT(t, c), __VA_ARGS__ }
#define F_UINTV(k, t, m, c, ...) { k, K_UINTV, OFF(t, m), .cnt = AT(t, c), __VA_ARGS__ }
#define F_KV(k, t, m, c, ...) { k, K_KV, OFF(t, m), .cnt = AT(t, c), __VA_ARGS__ }
#define F_OBJ(k, t, m, s, ...) { k, K_OBJ, OFF(t, m), .sub = s, __VA_ARGS__ }
#define F_SUB(k, s, ...) { k, K_OBJ, .sub = s, __VA_ARGS__ }     /* same struct */
#define F_ARR(k, t, m, c, et, s, ...) \
	{ k, K_ARR, .off = offsetof(t, m), .size = sizeof(et), .cnt = AT(t, c), \
	  .sub = s, __VA_ARGS__ }
#define F_FN(k, f, ...) { k, K_FN, .parse = f, __VA_ARGS__ }

static int walk(struct jp *p, int i, const struct field *f, void *obj);
static init_fn *init_of(const struct field *sub);

/* ---- errors and paths ---------------------------------------------- */

static int vjerr(struct jp *p, const char *fmt, va_list ap)
{
	char what[OCI_ERRMAX];

	vsnprintf(what, sizeof(what), fmt, ap);
	if (p->plen)
		oci_err("%s: %s: %s", p->file, p->path, what);
	else
		oci_err("%s: %s", p->file, what);
	return -1;
}

__attribute__((format(printf, 2, 3)))
static int jerr(struct jp *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vjerr(p, fmt, ap);
	va_end(ap);
	return -1;
}

/* Appends ".key" or "[index]" to the path; returns the length to restore. */
static size_t path_add(struct jp *p, int r)
{
	size_t old = p->plen, room = sizeof(p->path) - old;

	if (r > 0)
		p->plen += (size_t)r < room ? (size_t)r : room - 1;
	return old;
}

static size_t path_key(struct jp *p, const char *key)
{
	size_t room = sizeof(p->path) - p->plen;

	return path_add(p, snprintf(p->path + p->plen, room, "%s%s",
				    p->plen ? "." : "", key));
}

static size_t path_index(struct jp *p, size_t index)
{
	size_t room = sizeof(p->path) - p->plen;

	return path_add(p, snprintf(p->path + p->plen, room, "[%zu]", index));
}

static void path_pop(struct jp *p, size_t old)
{
	p->plen = old;
	p->path[old] = '\0';
}

/* An error about property key of the object being read. */
__attribute__((format(printf, 3, 4)))
static int jerr_key(struct jp *p, const char *key, const char *fmt, ...)
{
	size_t old = path_key(p, key);
	va_list ap;

	va_start(ap, fmt);
	vjerr(p, fmt, ap);
	va_end(ap);
	path_pop(p, old);
	return -1;
}

/* ---- memory -------------------------------------------------------- */

/* n zeroed objects of size bytes, carved from chunks never freed. */
static void *jalloc(struct jp *p, size_t n, size_t size)
{
	size_t need;
	void *r;

	if (size && n > (SIZE_MAX - 16) / size) {
		errno = ENOMEM;
		oci_syserr("read %s", p->file);
		return NULL;
	}
	need = (n * size + 15) & ~(size_t)15;
	if (need == 0)
		need = 16;
	if (need > p->arena_left) {
		size_t chunk = need > ARENA_CHUNK ? need : ARENA_CHUNK;

		p->arena = calloc(1, chunk);
		if (!p->arena) {
			oci_syserr("read %s", p->file);
			return NULL;
		}
		p->arena_left = chunk;
	}
	r = p->arena;
	p->arena += need;
	p->arena_left -= need;
	return r;
}

static char *jstrdup(struct jp *p, const char *a, const char *b)
{
	size_t la = strlen(a), lb = b ? strlen(b) : 0;
	char *s = jalloc(p, la + lb + 2, 1);

	if (s) {
		memcpy(s, a, la);
		if (b) {
			s[la] = '/';
			memcpy(s + la + 1, b, lb);
		}
	}
	return s;
}

/* ---- reading and checking the text --------------------------------- */

static int read_text(struct jp *p, size_t *lenp)
{
	struct stat st;
	size_t cap, len = 0;
	char *buf = NULL, *nbuf;
	ssize_t r;
	int fd, ret = -1;

	fd = open(p->file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return oci_syserr("open %s", p->file);
	if (fstat(fd, &st) < 0) {
		oci_syserr("stat %s", p->file);
		goto out;
	}
	if (S_ISREG(st.st_mode) && st.st_size > JSON_MAX_SIZE)
		goto too_big;
	/* one byte more than the size, to see the end in one read */
	cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
	if (!(buf = malloc(cap + 1))) {
		oci_syserr("read %s", p->file);
		goto out;
	}
	while ((r = read(fd, buf + len, cap - len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			oci_syserr("read %s", p->file);
			goto out;
		}
		len += r;
		if (len > JSON_MAX_SIZE)
			goto too_big;
		if (len == cap) {
			cap = cap * 2 > JSON_MAX_SIZE + 1 ? JSON_MAX_SIZE + 1 : cap * 2;
			if (!(nbuf = realloc(buf, cap + 1))) {
				oci_syserr("read %s", p->file);
				goto out;
			}
			buf = nbuf;
		}
	}
	buf[len] = '\0';
	p->js = buf;
	*lenp = len;
	buf = NULL;
	ret = 0;
	goto out;
too_big:
	oci_err("%s: larger than %d bytes", p->file, JSON_MAX_SIZE);
out:
	free(buf);
	close(fd);
	return ret;
}

static int hex4(const char *s)
{
	int v = 0;

	for (int k = 0; k < 4; k++) {
		int c = s[k] | 0x20;

		if (s[k] >= '0' && s[k] <= '9')
			v = v << 4 | (s[k] - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (c - 'a' + 10);
		else
			return -1;
	}
	return v;
}

static bool high_surrogate(int u) { return u >= 0xd800 && u <= 0xdbff; }
static bool low_surrogate(int u) { return u >= 0xdc00 && u <= 0xdfff; }

/* The \u escape whose 'u' is at s[*j]; *j ends on its last digit. */
static const char *check_u(const char *s, size_t n, size_t *j)
{
	int u = n - *j > 4 ? hex4(s + *j + 1) : -1;
	size_t end = *j + 4;

	if (u < 0)
		return "invalid \\u escape";
	if (u == 0)
		return "\\u0000 in a string";
	if (low_surrogate(u))
		return "unpaired surrogate in a \\u escape";
	if (high_surrogate(u)) {
		if (n - end <= 6 || s[end + 1] != '\\' || s[end + 2] != 'u' ||
		    !low_surrogate(hex4(s + end + 3)))
			return "unpaired surrogate in a \\u escape";
		end += 6;
	}
	*j = end;
	return NULL;
}

/* The string opening at s[*i]; *i ends past it, or on the fault. */
static const char *check_string(const char *s, size_t n, size_t *i)
{
	const char *why;
	size_t j;

	for (j = *i + 1; j < n && s[j] != '"'; j++) {
		if ((unsigned char)s[j] < 0x20) {
			*i = j;
			return "control character in a string";
		}
		if (s[j] != '\\')
			continue;
		if (++j == n)
			break;
		why = s[j] == 'u' ? check_u(s, n, &j)
		      : s[j] && strchr("\"\\/bfnrt", s[j]) ? NULL : "invalid escape";
		if (why) {
			*i = j - 1;
			return why;
		}
	}
	if (j >= n) {
		*i = n;
		return "unterminated string";
	}
	*i = j + 1;
	return NULL;
}

static size_t digits(const char *s, size_t n, size_t i)
{
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

/* A number or a literal at s[*i]. */
static const char *check_scalar(const char *s, size_t n, size_t *i)
{
	static const char *const literals[] = { "true", "false", "null" };
	size_t j = *i, d;

	for (size_t k = 0; k < 3; k++)
		if (!strncmp(s + j, literals[k], strlen(literals[k]))) {
			*i = j + strlen(literals[k]);
			return NULL;
		}
	j += j < n && s[j] == '-';
	if (j < n && s[j] == '0')
		j++;
	else if ((d = digits(s, n, j)) > j)
		j = d;
	else
		return "unexpected character";
	if (j < n && s[j] == '.' && (d = digits(s, n, j + 1)) > j + 1)
		j = d;
	else if (j < n && s[j] == '.')
		return "invalid number";
	if (j < n && (s[j] == 'e' || s[j] == 'E')) {
		j += 1 + (j + 1 < n && (s[j + 1] == '+' || s[j + 1] == '-'));
		if ((d = digits(s, n, j)) == j)
			return "invalid number";
		j = d;
	}
	*i = j;
	return NULL;
}

enum { W_VALUE, W_VALUE_OR_END, W_KEY, W_KEY_OR_END, W_COLON, W_NEXT };

/* NULL when s[0..n) is one JSON value nested at most JSON_MAX_DEPTH deep;
 * otherwise what is wrong, with *at its offset. */
static const char *check_json(const char *s, size_t n, size_t *at)
{
	static const char *const bad = "unexpected character";
	char open[JSON_MAX_DEPTH];
	int depth = 0, want = W_VALUE;
	const char *why = NULL;
	size_t i = 0;

	for (;;) {
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
			i++;
		*at = i;
		if (i == n)
			return depth == 0 && want == W_NEXT ? NULL : "unexpected end";
		if (want == W_COLON) {
			if (s[i++] != ':')
				return bad;
			want = W_VALUE;
		} else if (want == W_NEXT) {
			if (!depth)
				return bad;
			if (s[i] == ',')
				want = open[depth - 1] == '{' ? W_KEY : W_VALUE;
			else if (s[i] == (open[depth - 1] == '{' ? '}' : ']'))
				depth--;
			else
				return bad;
			i++;
		} else if ((want == W_VALUE_OR_END && s[i] == ']') ||
			   (want == W_KEY_OR_END && s[i] == '}')) {
			depth--;
			i++;
			want = W_NEXT;
		} else if (want == W_KEY || want == W_KEY_OR_END) {
			if (s[i] != '"')
				return bad;
			why = check_string(s, n, &i);
			want = W_COLON;
		} else if (s[i] == '{' || s[i] == '[') {
			if (depth == JSON_MAX_DEPTH)
				return "nested more than 64 levels deep";
			want = s[i] == '{' ? W_KEY_OR_END : W_VALUE_OR_END;
			open[depth++] = s[i++];
		} else {
			why = s[i] == '"' ? check_string(s, n, &i) : check_scalar(s, n, &i);
			want = W_NEXT;
		}
		if (why) {
			*at = i;
			return why;
		}
	}
}

static char *utf8(char *o, unsigned u)
{
	if (u < 0x80) {
		*o++ = u;
	} else if (u < 0x800) {
		*o++ = 0xc0 | u >> 6;
		*o++ = 0x80 | (u & 0x3f);
	} else if (u < 0x10000) {
		*o++ = 0xe0 | u >> 12;
		*o++ = 0x80 | (u >> 6 & 0x3f);
		*o++ = 0x80 | (u & 0x3f);
	} else {
		*o++ = 0xf0 | u >> 18;
		*o++ = 0x80 | (u >> 12 & 0x3f);
		*o++ = 0x80 | (u >> 6 & 0x3f);
		*o++ = 0x80 | (u & 0x3f);
	}
	return o;
}

/* Unescapes the checked string s[0..n) in place and terminates it: the
 * result is never longer than its escaped form. */
static void unescape(char *s, size_t n)
{
	static const char in[] = "\"\\/bfnrt", out[] = "\"\\/\b\f\n\r\t";
	char *o = s;
	size_t j = 0;
	unsigned u;

	while (j < n) {
		if (s[j] != '\\') {
			*o++ = s[j++];
			continue;
		}
		if (s[++j] != 'u') {
			*o++ = out[strchr(in, s[j++]) - in];
			continue;
		}
		u = hex4(s + j + 1);
		j += 5;
		if (high_surrogate(u)) {
			u = 0x10000 + ((u - 0xd800) << 10) + (hex4(s + j + 2) - 0xdc00);
			j += 6;
		}
		o = utf8(o, u);
	}
	*o = '\0';
}

/* Reads, checks and tokenizes p->file; every string and primitive token
 * is then a C string at p->js + start. */
static int load(struct jp *p)
{
	jsmn_parser parser;
	const char *why;
	size_t len = 0, at;
	int n;

	if (read_text(p, &len) < 0)
		return -1;
	if ((why = check_json(p->js, len, &at)))
		return oci_err("%s: invalid JSON at byte %zu: %s", p->file, at + 1, why);
	if (p->js[strspn(p->js, " \t\r\n")] != '{')
		return oci_err("%s: expected a JSON object", p->file);
	jsmn_init(&parser);
	n = jsmn_parse(&parser, p->js, len, NULL, 0);
	if (n > 0 && (p->t = calloc(n, sizeof(*p->t)))) {
		jsmn_init(&parser);
		n = jsmn_parse(&parser, p->js, len, p->t, n);
	} else if (n > 0) {
		return oci_syserr("read %s", p->file);
	}
	if (n <= 0)
		return oci_err("%s: invalid JSON at byte %u", p->file, parser.pos + 1);
	p->n = n;
	for (int i = 0; i < n; i++) {
		if (p->t[i].type == JSMN_STRING)
			unescape(p->js + p->t[i].start, p->t[i].end - p->t[i].start);
		else if (p->t[i].type == JSMN_PRIMITIVE)
			p->js[p->t[i].end] = '\0';
	}
	return 0;
}

/* ---- tokens -------------------------------------------------------- */

static const char *tok(const struct jp *p, int i)
{
	return p->js + p->t[i].start;
}

/* The index just past the value at i (with its children). */
static int skip(const struct jp *p, int i)
{
	for (int left = 1; left > 0; i++)
		left += p->t[i].size - 1;
	return i;
}

static bool is_null(const struct jp *p, int i)
{
	return p->t[i].type == JSMN_PRIMITIVE && *tok(p, i) == 'n';
}

static const struct name *name_find(const struct name *t, const char *s)
{
	for (; t->name; t++)
		if (!strcmp(t->name, s))
			return t;
	return NULL;
}

static const char *name_of(const struct name *t, uint64_t v)
{
	for (; t->name; t++)
		if (t->value == v)
			return t->name;
	return NULL;
}

/* ---- scalar values ------------------------------------------------- */

static void put_uint(void *dst, size_t size, uint64_t v)
{
	uint8_t b = v;
	uint16_t h = v;
	uint32_t w = v;

	if (size == 1)
		memcpy(dst, &b, 1);
	else if (size == 2)
		memcpy(dst, &h, 2);
	else if (size == 4)
		memcpy(dst, &w, 4);
	else
		memcpy(dst, &v, 8);
}

static void put_ptr(void *dst, const void *v)
{
	memcpy(dst, &v, sizeof(v));
}

/* The integer at i as a sign and a magnitude; -1 when it is no integer. */
static int get_num(struct jp *p, int i, bool *neg, uint64_t *mag)
{
	const char *s = tok(p, i);

	if (p->t[i].type != JSMN_PRIMITIVE)
		return -1;
	*neg = *s == '-';
	s += *neg;
	if (*s < '0' || *s > '9')
		return -1;
	for (*mag = 0; *s >= '0' && *s <= '9'; s++) {
		if (*mag > (UINT64_MAX - (*s - '0')) / 10)
			return -1;
		*mag = *mag * 10 + (*s - '0');
	}
	return *s ? -1 : 0;
}

static int get_int(struct jp *p, int i, const struct field *f, void *dst)
{
	uint64_t mag;
	int64_t v = 0;
	bool neg, ok;

	ok = get_num(p, i, &neg, &mag) == 0;
	if (ok && neg && mag <= (uint64_t)INT64_MAX + 1)
		v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	else if (ok && !neg && mag <= INT64_MAX)
		v = mag;
	else
		ok = false;
	if (!ok || v < f->lo || v > f->hi)
		return jerr(p, "expected an integer from %" PRId64 " to %" PRId64,
			    f->lo, f->hi);
	put_uint(dst, f->size, (uint64_t)v);
	return 0;
}

static uint64_t width_max(size_t size)
{
	return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
}

static int get_uint_max(struct jp *p, int i, uint64_t max, uint64_t *v)
{
	bool neg;

	if (get_num(p, i, &neg, v) < 0 || (neg && *v) || *v > max)
		return jerr(p, "expected an integer from 0 to %" PRIu64, max);
	return 0;
}

static int get_uint(struct jp *p, int i, const struct field *f, void *dst)
{
	uint64_t v;

	if (get_uint_max(p, i, f->max ? f->max : width_max(f->size), &v) < 0)
		return -1;
	put_uint(dst, f->size, v);
	return 0;
}

static int get_bool(struct jp *p, int i, bool *dst)
{
	const char *s = tok(p, i);

	if (p->t[i].type != JSMN_PRIMITIVE || (*s != 't' && *s != 'f'))
		return jerr(p, "expected true or false");
	*dst = *s == 't';
	return 0;
}

static int get_str(struct jp *p, int i, char **dst)
{
	if (p->t[i].type != JSMN_STRING)
		return jerr(p, "expected a string");
	*dst = (char *)tok(p, i);
	return 0;
}

static int get_abs(struct jp *p, int i, char **dst)
{
	if (p->t[i].type != JSMN_STRING || *tok(p, i) != '/')
		return jerr(p, "expected an absolute path");
	*dst = (char *)tok(p, i);
	return 0;
}

static int get_buf(struct jp *p, int i, char *dst, size_t size)
{
	if (p->t[i].type != JSMN_STRING || strlen(tok(p, i)) >= size)
		return jerr(p, "expected a string of at most %zu bytes", size - 1);
	strcpy(dst, tok(p, i));
	return 0;
}

static int get_name(struct jp *p, int i, const struct field *f, uint64_t *v)
{
	const struct name *nm;

	if (p->t[i].type != JSMN_STRING)
		return jerr(p, "expected a string");
	if (!(nm = name_find(f->names, tok(p, i))))
		return jerr(p, "unknown %s \"%s\"", f->what, tok(p, i));
	*v = nm->value;
	return 0;
}

static int get_enum(struct jp *p, int i, const struct field *f, void *dst)
{
	uint64_t v;

	if (get_name(p, i, f, &v) < 0)
		return -1;
	put_uint(dst, f->size, v);
	return 0;
}

/* ---- arrays and objects -------------------------------------------- */

static int want_array(struct jp *p, int i, const char *of)
{
	if (p->t[i].type != JSMN_ARRAY)
		return jerr(p, "expected an array%s", of);
	return 0;
}

/* K_FLAGS ORs the names' values, K_BITS sets the bits they number. */
static int get_flags(struct jp *p, int i, const struct field *f, void *dst)
{
	uint64_t mask = 0, v;
	int n = p->t[i].size;
	size_t old;

	if (want_array(p, i, " of strings") < 0)
		return -1;
	for (int k = 0, j = i + 1; k < n; k++, j = skip(p, j)) {
		old = path_index(p, k);
		if (get_name(p, j, f, &v) < 0)
			return -1;
		path_pop(p, old);
		mask |= f->kind == K_BITS ? UINT64_C(1) << v : v;
	}
	put_uint(dst, f->size, mask);
	return 0;
}

static int get_strv(struct jp *p, int i, const struct field *f, void *obj)
{
	int n = p->t[i].size;
	char **v;
	size_t old;

	if (p->t[i].type != JSMN_ARRAY || n < f->lo)
		return jerr(p, "expected a%s array of %s", f->lo ? " non-empty" : "n",
			    f->kind == K_ABSV ? "absolute paths" : "strings");
	if (!(v = jalloc(p, n + 1, sizeof(*v))))
		return -1;
	for (int k = 0, j = i + 1; k < n; k++, j++) {
		old = path_index(p, k);
		if ((f->kind == K_ABSV ? get_abs(p, j, &v[k]) : get_str(p, j, &v[k])) < 0)
			return -1;
		path_pop(p, old);
	}
	put_ptr((char *)obj + f->off, v);
	if (f->cnt)
		*(size_t *)((char *)obj + f->cnt - 1) = n;
	return 0;
}

static int get_uintv(struct jp *p, int i, const struct field *f, void *obj)
{
	int n = p->t[i].size;
	uint32_t *v;
	uint64_t x;
	size_t old;

	if (want_array(p, i, " of integers") < 0 || !(v = jalloc(p, n, sizeof(*v))))
		return -1;
	for (int k = 0, j = i + 1; k < n; k++, j++) {
		old = path_index(p, k);
		if (get_uint_max(p, j, UINT32_MAX, &x) < 0)
			return -1;
		path_pop(p, old);
		v[k] = x;
	}
	put_ptr((char *)obj + f->off, v);
	*(size_t *)((char *)obj + f->cnt - 1) = n;
	return 0;
}

/* An object whose values are all strings, keyed by names of its own. */
static int get_kv(struct jp *p, int i, const struct field *f, void *obj)
{
	int n = p->t[i].size;
	struct kv *v;

	if (p->t[i].type != JSMN_OBJECT)
		return jerr(p, "expected an object of strings");
	if (!(v = jalloc(p, n, sizeof(*v))))
		return -1;
	for (int k = 0, j = i + 1; k < n; k++, j += 2) {
		v[k].key = (char *)tok(p, j);
		if (p->t[j + 1].type != JSMN_STRING)
			return jerr_key(p, v[k].key, "expected a string");
		v[k].value = (char *)tok(p, j + 1);
	}
	put_ptr((char *)obj + f->off, v);
	*(size_t *)((char *)obj + f->cnt - 1) = n;
	return 0;
}

static int get_obj(struct jp *p, int i, const struct field *f, void *dst)
{
	init_fn *init = init_of(f->sub);

	if (init)
		init(dst);
	if (f->sub && walk(p, i, f->sub, dst) < 0)
		return -1;
	if (!f->sub && p->t[i].type != JSMN_OBJECT)
		return jerr(p, "expected an object");
	return f->check ? f->check(p, dst) : 0;
}

static int get_arr(struct jp *p, int i, const struct field *f, void *obj)
{
	init_fn *init = init_of(f->sub);
	int n = p->t[i].size;
	char *v, *e;
	size_t old;

	if (want_array(p, i, " of objects") < 0 || !(v = jalloc(p, n, f->size)))
		return -1;
	for (int k = 0, j = i + 1; k < n; k++, j = skip(p, j)) {
		e = v + k * f->size;
		old = path_index(p, k);
		if (init)
			init(e);
		if (walk(p, j, f->sub, e) < 0)
			return -1;
		p->elems = v;
		p->elem = k;
		if (f->check && f->check(p, e) < 0)
			return -1;
		path_pop(p, old);
	}
	put_ptr((char *)obj + f->off, v);
	*(size_t *)((char *)obj + f->cnt - 1) = n;
	return 0;
}

static int get_field(struct jp *p, int i, const struct field *f, void *obj)
{
	char *dst = (char *)obj + f->off;
	int r;

	switch (f->kind) {
	case K_BOOL: r = get_bool(p, i, (bool *)dst); break;
	case K_STR: r = get_str(p, i, (char **)dst); break;
	case K_ABS: r = get_abs(p, i, (char **)dst); break;
	case K_BUF: r = get_buf(p, i, dst, f->size); break;
	case K_INT: r = get_int(p, i, f, dst); break;
	case K_UINT: r = get_uint(p, i, f, dst); break;
	case K_ENUM: r = get_enum(p, i, f, dst); break;
	case K_FLAGS: case K_BITS: r = get_flags(p, i, f, dst); break;
	case K_STRV: case K_ABSV: r = get_strv(p, i, f, obj); break;
	case K_UINTV: r = get_uintv(p, i, f, obj); break;
	case K_KV: r = get_kv(p, i, f, obj); break;
	case K_OBJ: r = get_obj(p, i, f, dst); break;
	case K_ARR: r = get_arr(p, i, f, obj); break;
	default: r = f->parse(p, i, obj); break;
	}
	if (r == 0 && f->has)
		*(bool *)((char *)obj + f->has - 1) = true;
	return r;
}

static const struct field *field_find(const struct field *f, const char *key)
{
	while (f->key && strcmp(f->key, key))
		f++;
	return f;
}

/* Reads the object at i into obj by the table f. A null value is taken
 * as absent, like Go's encoding/json does. */
static int walk(struct jp *p, int i, const struct field *f, void *obj)
{
	const struct field *x;
	uint64_t seen = 0;
	int n = p->t[i].size;
	size_t old;

	if (p->t[i].type != JSMN_OBJECT)
		return jerr(p, "expected an object");
	for (int k = 0, j = i + 1; k < n; k++, j = skip(p, j + 1)) {
		x = field_find(f, tok(p, j));
		if (!x->key && x->what)
			return jerr(p, "unknown %s \"%s\"", x->what, tok(p, j));
		if (!x->key || is_null(p, j + 1))
			continue;
		seen |= UINT64_C(1) << (x - f);
		old = path_key(p, x->key);
		if (get_field(p, j + 1, x, obj) < 0)
			return -1;
		path_pop(p, old);
	}
	for (x = f; x->key; x++)
		if (x->required && !(seen & UINT64_C(1) << (x - f)))
			return jerr_key(p, x->key, "missing required property");
	return 0;
}

/* ---- config.json: process ------------------------------------------ */

/* Absent lists are empty ones, so that they can be handed to execve. */
static char *no_strings[] = { NULL };

static int process_check(struct jp *p, void *obj)
{
	struct process *pr = obj;

	(void)p;
	if (!pr->env)
		pr->env = no_strings;
	if (!pr->cwd)
		pr->cwd = "/";
	if (pr->apparmor_profile && !*pr->apparmor_profile)
		pr->apparmor_profile = NULL;
	return 0;
}

static int rlimit_check(struct jp *p, void *obj)
{
	struct rlim *r = obj, *all = p->elems;

	for (size_t k = 0; k < p->elem; k++)
		if (all[k].resource == r->resource)
			return jerr_key(p, "type", "duplicate rlimit \"%s\"",
					name_of(rlimits, r->resource));
	if (r->soft > r->hard)
		return jerr_key(p, "soft", "expected at most hard (%" PRIu64 ")", r->hard);
	return 0;
}

static const struct field console_fields[] = {
	F_UINT("height", struct process, console_height, REQ),
	F_UINT("width", struct process, console_width, REQ),
	{ 0 }
};

static const struct field user_fields[] = {
	F_UINT("uid", struct process, uid, REQ),
	F_UINT("gid", struct process, gid, REQ),
	F_UINT("umask", struct process, umask, .max = 0777,
	       .has = AT(struct process, has_umask)),
	F_UINTV("additionalGids", struct process, additional_gids, n_additional_gids),
	{ 0 }
};

#define CAPSET(k, set) F_BITS(k, struct process, caps[set], caps, "capability")
static const struct field caps_fields[] = {
	CAPSET("bounding", CAPSET_BOUNDING),
	CAPSET("effective", CAPSET_EFFECTIVE),
	CAPSET("inheritable", CAPSET_INHERITABLE),
	CAPSET("permitted", CAPSET_PERMITTED),
	CAPSET("ambient", CAPSET_AMBIENT),
	{ 0 }
};

static const struct field rlimit_fields[] = {
	F_ENUM("type", struct rlim, resource, rlimits, "rlimit", REQ),
	F_UINT("soft", struct rlim, soft, REQ),
	F_UINT("hard", struct rlim, hard, REQ),
	{ 0 }
};

static const struct field ioprio_fields[] = {
	F_ENUM("class", struct process, io_class, io_classes, "I/O priority class", REQ),
	F_INT("priority", struct process, io_priority, 0, 7),
	{ 0 }
};

static const struct field sched_fields[] = {
	F_ENUM("policy", struct process, sched_policy, sched_policies,
	       "scheduler policy", REQ),
	F_INT("nice", struct process, sched_nice, -20, 19),
	F_INT("priority", struct process, sched_priority, 0, 99),
	F_FLAGS("flags", struct process, sched_flags, sched_flags, "scheduler flag"),
	F_UINT("runtime", struct process, sched_runtime),
	F_UINT("deadline", struct process, sched_deadline),
	F_UINT("period", struct process, sched_period),
	{ 0 }
};

/* Checked here, so that a bad list fails create, not every exec later;
 * empty is as absent, as the spec says of final. */
static int affinity_check(struct jp *p, void *obj)
{
	struct process *pr = obj;
	const char *key[2] = { "initial", "final" }, *why;
	char *list[2] = { pr->exec_cpu_initial, pr->exec_cpu_final };
	cpu_set_t set;

	for (int k = 0; k < 2; k++)
		if (list[k] && *list[k] && (why = cpu_list_parse(list[k], &set)))
			return jerr_key(p, key[k], "%s, got \"%s\"", why, list[k]);
	return 0;
}

static const struct field affinity_fields[] = {
	F_STR("initial", struct process, exec_cpu_initial),
	F_STR("final", struct process, exec_cpu_final),
	{ 0 }
};

static const struct field process_fields[] = {
	F_BOOL("terminal", struct process, terminal),
	F_SUB("consoleSize", console_fields,
	      .has = AT(struct process, has_console_size)),
	F_SUB("user", user_fields),
	F_STRV("args", struct process, args, n_args, REQ, .lo = 1),
	F_STRV("env", struct process, env, n_env),
	F_ABS("cwd", struct process, cwd),
	F_SUB("capabilities", caps_fields, .has = AT(struct process, has_caps)),
	F_ARR("rlimits", struct process, rlimits, n_rlimits, struct rlim,
	      rlimit_fields, .check = rlimit_check),
	F_BOOL("noNewPrivileges", struct process, no_new_privileges),
	F_STR("apparmorProfile", struct process, apparmor_profile),
	F_INT("oomScoreAdj", struct process, oom_score_adj, -1000, 1000,
	      .has = AT(struct process, has_oom_score_adj)),
	F_STR("selinuxLabel", struct process, selinux_label),
	F_SUB("ioPriority", ioprio_fields, .has = AT(struct process, has_io_priority)),
	F_SUB("scheduler", sched_fields, .has = AT(struct process, has_scheduler)),
	F_SUB("execCPUAffinity", affinity_fields, .check = affinity_check),
	{ 0 }
};

/* ---- config.json: root, mounts, hooks ------------------------------- */

static int oci_version(struct jp *p, int i, void *obj)
{
	struct spec *s = obj;
	const char *v = tok(p, i);

	if (get_str(p, i, &s->oci_version) < 0)
		return -1;
	if (strncmp(v, "1.", 2) || v[2] < '0' || v[2] > '9')
		return jerr(p, "unsupported version \"%s\" (expected 1.x)", v);
	return 0;
}

static int root_path(struct jp *p, int i, void *obj)
{
	struct spec *s = obj;
	const char *v = tok(p, i);

	if (p->t[i].type != JSMN_STRING || !*v)
		return jerr(p, "expected a non-empty path");
	s->root_path = *v == '/' ? (char *)v : jstrdup(p, p->bundle, v);
	return s->root_path ? 0 : -1;
}

static void mount_option(struct mnt *m, const struct mopt *o)
{
	switch (o->kind) {
	case MO_FLAG:
		m->flags = (m->flags & ~(unsigned long)o->clr) | o->set;
		m->clear = (m->clear & ~(unsigned long)o->set) | o->clr;
		break;
	case MO_BIND:
		m->flags |= o->set;
		m->bind = true;
		break;
	case MO_PROP:
		m->propagation = o->set;
		break;
	case MO_ATTR:
		m->attr_set = (m->attr_set & ~o->clr) | o->set;
		m->attr_clr = (m->attr_clr & ~o->set) | o->clr;
		m->recursive_attr = true;
		break;
	case MO_RIDMAP:
		m->idmap_recursive = true;
		/* fall through */
	case MO_IDMAP:
		m->idmap = true;
		break;
	default:
		m->tmpcopyup = true;
		break;
	}
}

static const struct mopt *mopt_find(const char *name)
{
	for (const struct mopt *o = mopts; o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

/* Known options become flags; the others are joined into m->data. */
static int mount_options(struct jp *p, int i, void *obj)
{
	struct mnt *m = obj;
	const struct mopt *o;
	int n = p->t[i].size;
	size_t len = 0;
	char *d;

	if (want_array(p, i, " of strings") < 0)
		return -1;
	for (int k = 0, j = i + 1; k < n; k++, j++) {
		if (p->t[j].type != JSMN_STRING || !*tok(p, j)) {
			path_index(p, k);
			return jerr(p, "expected a non-empty string");
		}
		if ((o = mopt_find(tok(p, j))))
			mount_option(m, o);
		else
			len += strlen(tok(p, j)) + 1;
	}
	if (!len)
		return 0;
	if (!(m->data = d = jalloc(p, len, 1)))
		return -1;
	for (int j = i + 1; j <= i + n; j++) {
		if (mopt_find(tok(p, j)))
			continue;
		if (d > m->data)
			*d++ = ',';
		d = stpcpy(d, tok(p, j));
	}
	return 0;
}

static int mount_check(struct jp *p, void *obj)
{
	struct mnt *m = obj;

	(void)p;
	if (m->type && !strcmp(m->type, "bind")) {
		m->flags |= MS_BIND;
		m->bind = true;
	}
	return 0;
}

static const struct field idmap_fields[] = {
	F_UINT("containerID", struct idmap, container_id, REQ),
	F_UINT("hostID", struct idmap, host_id, REQ),
	F_UINT("size", struct idmap, size, REQ),
	{ 0 }
};

static const struct field mount_fields[] = {
	F_ABS("destination", struct mnt, destination, REQ),
	F_STR("type", struct mnt, type),
	F_STR("source", struct mnt, source),
	F_FN("options", mount_options),
	F_ARR("uidMappings", struct mnt, uid_mappings, n_uid_mappings,
	      struct idmap, idmap_fields, .has = AT(struct mnt, idmap)),
	F_ARR("gidMappings", struct mnt, gid_mappings, n_gid_mappings,
	      struct idmap, idmap_fields, .has = AT(struct mnt, idmap)),
	{ 0 }
};

static const struct field root_fields[] = {
	F_FN("path", root_path, REQ),
	F_BOOL("readonly", struct spec, root_readonly),
	{ 0 }
};

static int hook_check(struct jp *p, void *obj)
{
	struct hook *h = obj;

	(void)p;
	if (!h->args)
		h->args = no_strings;
	if (!h->env)
		h->env = no_strings;
	return 0;
}

static const struct field hook_fields[] = {
	F_ABS("path", struct hook, path, REQ),
	{ "args", K_STRV, OFF(struct hook, args) },
	{ "env", K_STRV, OFF(struct hook, env) },
	F_INT("timeout", struct hook, timeout, 1, INT_MAX),
	{ 0 }
};

#define HOOKS(k, h) F_ARR(k, struct spec, hooks[h], n_hooks[h], struct hook, \
			  hook_fields, .check = hook_check)
static const struct field hooks_fields[] = {
	HOOKS("prestart", HOOK_PRESTART),
	HOOKS("createRuntime", HOOK_CREATE_RUNTIME),
	HOOKS("createContainer", HOOK_CREATE_CONTAINER),
	HOOKS("startContainer", HOOK_START_CONTAINER),
	HOOKS("poststart", HOOK_POSTSTART),
	HOOKS("poststop", HOOK_POSTSTOP),
	{ 0 }
};

/* ---- config.json: linux -------------------------------------------- */

static int ns_check(struct jp *p, void *obj)
{
	struct ns *ns = obj, *all = p->elems;

	for (size_t k = 0; k < p->elem; k++)
		if (all[k].type == ns->type)
			return jerr_key(p, "type", "duplicate namespace type \"%s\"",
					ns_name(ns->type));
	return 0;
}

static void device_init(void *obj)
{
	struct device *d = obj;

	d->major = d->minor = OPT_UNSET;
}

static int device_check(struct jp *p, void *obj)
{
	struct device *d = obj;

	if (d->type == 'p') {
		d->major = d->minor = 0;
	} else if (d->major == OPT_UNSET || d->minor == OPT_UNSET) {
		return jerr_key(p, d->major == OPT_UNSET ? "major" : "minor",
				"missing required property");
	}
	d->mode &= 07777;
	return 0;
}

static void rule_init(void *obj)
{
	struct dev_rule *r = obj;

	r->type = 'a';
	r->major = r->minor = -1;
	strcpy(r->access, "rwm");
}

static int rule_access(struct jp *p, int i, void *obj)
{
	struct dev_rule *r = obj;
	const char *s = tok(p, i);
	size_t n = p->t[i].type == JSMN_STRING ? strlen(s) : 0;

	if (!n || n > 3 || strspn(s, "rwm") != n ||
	    (n > 1 && s[0] == s[1]) || (n > 2 && (s[0] == s[2] || s[1] == s[2])))
		return jerr(p, "expected a combination of r, w and m");
	strcpy(r->access, s);
	return 0;
}

static void weight_init(void *obj)
{
	struct dev_weight *w = obj;

	w->weight = w->leaf_weight = -1;
}

static int weight_check(struct jp *p, void *obj)
{
	struct dev_weight *w = obj;

	if (w->weight < 0 && w->leaf_weight < 0)
		return jerr(p, "expected weight or leafWeight");
	return 0;
}

static void rdma_init(void *obj)
{
	struct rdma *r = obj;

	r->hca_handles = r->hca_objects = OPT_UNSET;
}

static const struct field rdma_fields[] = {
	F_INT("hcaHandles", struct rdma, hca_handles, 0, UINT32_MAX),
	F_INT("hcaObjects", struct rdma, hca_objects, 0, UINT32_MAX),
	{ 0 }
};

/* linux.resources.rdma: an object keyed by device names. */
static int rdma(struct jp *p, int i, void *obj)
{
	struct resources *res = obj;
	int n = p->t[i].size;
	size_t old;

	if (p->t[i].type != JSMN_OBJECT)
		return jerr(p, "expected an object");
	if (!(res->rdma = jalloc(p, n, sizeof(*res->rdma))))
		return -1;
	for (int k = 0, j = i + 1; k < n; k++, j = skip(p, j + 1)) {
		struct rdma *r = &res->rdma[k];

		r->device = (char *)tok(p, j);
		rdma_init(r);
		old = path_key(p, r->device);
		if (walk(p, j + 1, rdma_fields, r) < 0)
			return -1;
		if (r->hca_handles == OPT_UNSET && r->hca_objects == OPT_UNSET)
			return jerr(p, "expected hcaHandles or hcaObjects");
		path_pop(p, old);
	}
	res->n_rdma = n;
	return 0;
}

static const struct field rule_fields[] = {
	F_BOOL("allow", struct dev_rule, allow, REQ),
	F_ENUM("type", struct dev_rule, type, rule_types, "device type"),
	F_INT("major", struct dev_rule, major, -1, UINT32_MAX),
	F_INT("minor", struct dev_rule, minor, -1, UINT32_MAX),
	F_FN("access", rule_access),
	{ 0 }
};

#define MEM(k, m) F_INT(k, struct resources, m, -1, INT64_MAX)
static const struct field memory_fields[] = {
	MEM("limit", mem_limit),
	MEM("reservation", mem_reservation),
	MEM("swap", mem_swap),
	MEM("kernel", mem_kernel),
	MEM("kernelTCP", mem_kernel_tcp),
	F_INT("swappiness", struct resources, mem_swappiness, 0, 100),
	F_BOOL("disableOOMKiller", struct resources, mem_disable_oom_killer),
	F_BOOL("useHierarchy", struct resources, mem_use_hierarchy),
	F_BOOL("checkBeforeUpdate", struct resources, mem_check_before_update),
	{ 0 }
};

/* uint64 in the spec, kept in an int64 so that "unset" can be told apart */
#define U63(k, m) F_INT(k, struct resources, m, 0, INT64_MAX)
static const struct field cpu_fields[] = {
	U63("shares", cpu_shares),
	F_INT("quota", struct resources, cpu_quota, -1, INT64_MAX),
	U63("burst", cpu_burst),
	U63("period", cpu_period),
	F_INT("realtimeRuntime", struct resources, cpu_realtime_runtime, -1, INT64_MAX),
	U63("realtimePeriod", cpu_realtime_period),
	F_STR("cpus", struct resources, cpu_cpus),
	F_STR("mems", struct resources, cpu_mems),
	F_INT("idle", struct resources, cpu_idle, 0, 1),
	{ 0 }
};

static const struct field pids_fields[] = {
	F_INT("limit", struct resources, pids_limit, -1, INT64_MAX, REQ),
	{ 0 }
};

#define MAJMIN(t) \
	F_INT("major", t, major, 0, UINT32_MAX, REQ), \
	F_INT("minor", t, minor, 0, UINT32_MAX, REQ)
static const struct field weight_fields[] = {
	MAJMIN(struct dev_weight),
	F_INT("weight", struct dev_weight, weight, 0, UINT16_MAX),
	F_INT("leafWeight", struct dev_weight, leaf_weight, 0, UINT16_MAX),
	{ 0 }
};

static const struct field rate_fields[] = {
	MAJMIN(struct dev_rate),
	F_UINT("rate", struct dev_rate, rate, REQ),
	{ 0 }
};

#define THROTTLE(k, n) F_ARR(k, struct resources, blkio_throttle[n], \
			     n_blkio_throttle[n], struct dev_rate, rate_fields)
static const struct field blkio_fields[] = {
	F_INT("weight", struct resources, blkio_weight, 0, UINT16_MAX),
	F_INT("leafWeight", struct resources, blkio_leaf_weight, 0, UINT16_MAX),
	F_ARR("weightDevice", struct resources, blkio_weight_device,
	      n_blkio_weight_device, struct dev_weight, weight_fields,
	      .check = weight_check),
	THROTTLE("throttleReadBpsDevice", 0),
	THROTTLE("throttleWriteBpsDevice", 1),
	THROTTLE("throttleReadIOPSDevice", 2),
	THROTTLE("throttleWriteIOPSDevice", 3),
	{ 0 }
};

static const struct field hugepage_fields[] = {
	F_STR("pageSize", struct hugepage, page_size, REQ),
	F_UINT("limit", struct hugepage, limit, REQ),
	{ 0 }
};

static const struct field prio_fields[] = {
	F_STR("name", struct net_prio, name, REQ),
	F_UINT("priority", struct net_prio, priority, REQ),
	{ 0 }
};

static const struct field network_fields[] = {
	F_INT("classID", struct resources, net_class_id, 0, UINT32_MAX),
	F_ARR("priorities", struct resources, net_priorities, n_net_priorities,
	      struct net_prio, prio_fields),
	{ 0 }
};

static const struct field resources_fields[] = {
	F_ARR("devices", struct resources, devices, n_devices, struct dev_rule,
	      rule_fields),
	F_SUB("memory", memory_fields),
	F_SUB("cpu", cpu_fields),
	F_SUB("pids", pids_fields),
	F_SUB("blockIO", blkio_fields),
	F_ARR("hugepageLimits", struct resources, hugepages, n_hugepages,
	      struct hugepage, hugepage_fields),
	F_SUB("network", network_fields),
	F_FN("rdma", rdma),
	F_KV("unified", struct resources, unified, n_unified),
	{ 0 }
};

static void resources_init(struct resources *r)
{
	int64_t *const numbers[] = {
		&r->mem_limit, &r->mem_reservation, &r->mem_swap, &r->mem_kernel,
		&r->mem_kernel_tcp, &r->mem_swappiness, &r->cpu_shares,
		&r->cpu_quota, &r->cpu_burst, &r->cpu_period,
		&r->cpu_realtime_runtime, &r->cpu_realtime_period, &r->cpu_idle,
		&r->pids_limit, &r->blkio_weight, &r->blkio_leaf_weight,
		&r->net_class_id,
	};

	for (size_t k = 0; k < sizeof(numbers) / sizeof(numbers[0]); k++)
		*numbers[k] = OPT_UNSET;
}

static bool takes_errno(uint32_t action)
{
	return action == SECCOMP_RET_ERRNO || action == SECCOMP_RET_TRACE;
}

static int scmp_rule_check(struct jp *p, void *obj)
{
	struct scmp_rule *r = obj;

	if (r->has_errno && !takes_errno(r->action))
		return jerr_key(p, "errnoRet", "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
	return 0;
}

static int seccomp_check(struct jp *p, void *obj)
{
	struct seccomp *sc = obj;

	if (sc->has_default_errno && !takes_errno(sc->default_action))
		return jerr_key(p, "defaultErrnoRet", "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
	if (sc->listener_metadata && !sc->listener_path)
		return jerr_key(p, "listenerMetadata", "only valid with listenerPath");
	return 0;
}

static int scmp_arches_parse(struct jp *p, int i, void *obj)
{
	static const struct field f = { .names = scmp_arches, .what = "architecture" };
	struct seccomp *sc = obj;
	int n = p->t[i].size;
	uint64_t v;
	size_t old;

	if (want_array(p, i, " of strings") < 0 ||
	    !(sc->arches = jalloc(p, n, sizeof(*sc->arches))))
		return -1;
	for (int k = 0, j = i + 1; k < n; k++, j++) {
		old = path_index(p, k);
		if (get_name(p, j, &f, &v) < 0)
			return -1;
		path_pop(p, old);
		sc->arches[k] = v;
	}
	sc->n_arches = n;
	return 0;
}

static const struct field scmp_arg_fields[] = {
	F_UINT("index", struct scmp_arg, index, .max = 5, REQ),
	F_UINT("value", struct scmp_arg, value, REQ),
	F_UINT("valueTwo", struct scmp_arg, value_two),
	F_ENUM("op", struct scmp_arg, op, scmp_ops, "seccomp operator", REQ),
	{ 0 }
};

static const struct field scmp_rule_fields[] = {
	F_STRV("names", struct scmp_rule, names, n_names, REQ, .lo = 1),
	F_ENUM("action", struct scmp_rule, action, scmp_actions, "seccomp action", REQ),
	F_UINT("errnoRet", struct scmp_rule, errno_ret, .max = SECCOMP_RET_DATA,
	       .has = AT(struct scmp_rule, has_errno)),
	F_ARR("args", struct scmp_rule, args, n_args, struct scmp_arg, scmp_arg_fields),
	{ 0 }
};

static const struct field seccomp_fields[] = {
	F_ENUM("defaultAction", struct seccomp, default_action, scmp_actions,
	       "seccomp action", REQ),
	F_UINT("defaultErrnoRet", struct seccomp, default_errno,
	       .max = SECCOMP_RET_DATA, .has = AT(struct seccomp, has_default_errno)),
	F_FN("architectures", scmp_arches_parse),
	F_FLAGS("flags", struct seccomp, flags, scmp_flags, "seccomp flag"),
	F_STR("listenerPath", struct seccomp, listener_path),
	F_STR("listenerMetadata", struct seccomp, listener_metadata),
	F_ARR("syscalls", struct seccomp, rules, n_rules, struct scmp_rule,
	      scmp_rule_fields, .check = scmp_rule_check),
	{ 0 }
};

static const struct field ns_fields[] = {
	F_ENUM("type", struct ns, type, namespaces, "namespace type", REQ),
	F_ABS("path", struct ns, path),
	{ 0 }
};

static const struct field device_fields[] = {
	F_ABS("path", struct device, path, REQ),
	F_ENUM("type", struct device, type, device_types, "device type", REQ),
	F_INT("major", struct device, major, 0, UINT32_MAX),
	F_INT("minor", struct device, minor, 0, UINT32_MAX),
	F_UINT("fileMode", struct device, mode, .has = AT(struct device, has_mode)),
	F_UINT("uid", struct device, uid, .has = AT(struct device, has_uid)),
	F_UINT("gid", struct device, gid, .has = AT(struct device, has_gid)),
	{ 0 }
};

/* Defaults set before an object is read, by its table: a property of
 * the object, kept out of struct field, which is then 8 bytes smaller. */
static init_fn *init_of(const struct field *sub)
{
	static const struct { const struct field *sub; init_fn *init; } inits[] = {
		{ weight_fields, weight_init }, { rule_fields, rule_init },
		{ device_fields, device_init },
	};

	for (size_t k = 0; k < sizeof(inits) / sizeof(inits[0]); k++)
		if (inits[k].sub == sub)
			return inits[k].init;
	return NULL;
}

static const struct field offset_fields[] = {
	F_INT("secs", struct time_offset, secs, INT64_MIN, INT64_MAX),
	F_UINT("nanosecs", struct time_offset, nanosecs, .max = 999999999),
	{ 0 }
};

static const struct field clock_fields[] = {
	F_OBJ("monotonic", struct spec, time_monotonic, offset_fields),
	F_OBJ("boottime", struct spec, time_boottime, offset_fields),
	{ .what = "clock" }
};

/* The spec defines no personality flag yet: any is unknown. */
static int personality_flags(struct jp *p, int i, void *obj)
{
	(void)obj;
	if (want_array(p, i, " of strings") < 0)
		return -1;
	if (p->t[i].size == 0)
		return 0;
	path_index(p, 0);
	if (p->t[i + 1].type != JSMN_STRING)
		return jerr(p, "expected a string");
	return jerr(p, "unknown personality flag \"%s\"", tok(p, i + 1));
}

static const struct field personality_fields[] = {
	F_ENUM("domain", struct spec, personality, personalities,
	       "personality domain", REQ),
	F_FN("flags", personality_flags),
	{ 0 }
};

static const struct field linux_fields[] = {
	F_ARR("namespaces", struct spec, namespaces, n_namespaces, struct ns,
	      ns_fields, .check = ns_check),
	F_ARR("uidMappings", struct spec, uid_mappings, n_uid_mappings,
	      struct idmap, idmap_fields),
	F_ARR("gidMappings", struct spec, gid_mappings, n_gid_mappings,
	      struct idmap, idmap_fields),
	F_SUB("timeOffsets", clock_fields, .has = AT(struct spec, has_time_offsets)),
	F_ARR("devices", struct spec, devices, n_devices, struct device,
	      device_fields, .check = device_check),
	F_STR("cgroupsPath", struct spec, cgroups_path),
	F_OBJ("resources", struct spec, resources, resources_fields,
	      .has = AT(struct spec, resources.present)),
	F_KV("sysctl", struct spec, sysctl, n_sysctl),
	F_OBJ("seccomp", struct spec, seccomp, seccomp_fields,
	      .has = AT(struct spec, seccomp.present), .check = seccomp_check),
	F_ENUM("rootfsPropagation", struct spec, rootfs_propagation, propagations,
	       "propagation"),
	F_ABSV("maskedPaths", struct spec, masked_paths, n_masked_paths),
	F_ABSV("readonlyPaths", struct spec, readonly_paths, n_readonly_paths),
	F_STR("mountLabel", struct spec, mount_label),
	F_SUB("personality", personality_fields,
	      .has = AT(struct spec, has_personality)),
	{ "intelRdt", K_OBJ, .has = AT(struct spec, has_intel_rdt) },
	{ "memoryPolicy", K_OBJ, .has = AT(struct spec, has_memory_policy) },
	{ "netDevices", K_OBJ, .has = AT(struct spec, has_net_devices) },
	{ 0 }
};

static const struct field spec_fields[] = {
	F_FN("ociVersion", oci_version, REQ),
	F_SUB("root", root_fields, REQ),
	F_ARR("mounts", struct spec, mounts, n_mounts, struct mnt, mount_fields,
	      .check = mount_check),
	F_OBJ("process", struct spec, process, process_fields,
	      .has = AT(struct spec, has_process), .check = process_check),
	F_STR("hostname", struct spec, hostname),
	F_STR("domainname", struct spec, domainname),
	F_SUB("hooks", hooks_fields),
	F_KV("annotations", struct spec, annotations, n_annotations),
	F_SUB("linux", linux_fields),
	{ 0 }
};

/* ---- state.json ---------------------------------------------------- */

static const struct field state_fields[] = {
	F_BUF("id", struct state, id, REQ),
	F_INT("pid", struct state, pid, 0, INT_MAX, REQ),
	F_UINT("start_time", struct state, start_time),
	F_BUF("bundle", struct state, bundle, REQ),
	F_BUF("rootfs", struct state, rootfs),
	F_BUF("created", struct state, created),
	F_UINT("owner", struct state, owner),
	F_BUF("cgroup", struct state, cgroup),
	F_KV("annotations", struct state, annotations, n_annotations),
	{ 0 }
};

/* ---- writing ------------------------------------------------------- */

/* A JSON writer: indent is NULL for one line. */
struct jw {
	FILE *f;
	const char *indent;
	int depth;
	bool empty;                   /* nothing yet in the open container */
};

static void jw_newline(struct jw *w)
{
	if (!w->indent)
		return;
	putc('\n', w->f);
	for (int k = 0; k < w->depth; k++)
		fputs(w->indent, w->f);
}

static void jw_item(struct jw *w, const char *key)
{
	if (w->depth) {
		if (!w->empty)
			putc(',', w->f);
		jw_newline(w);
	}
	w->empty = false;
	if (key) {
		json_string(w->f, key);
		fputs(w->indent ? ": " : ":", w->f);
	}
}

static void jw_open(struct jw *w, const char *key, char c)
{
	jw_item(w, key);
	putc(c, w->f);
	w->depth++;
	w->empty = true;
}

static void jw_close(struct jw *w, char c)
{
	w->depth--;
	if (!w->empty)
		jw_newline(w);
	putc(c, w->f);
	w->empty = false;
	if (!w->depth)
		putc('\n', w->f);
}

static void jw_str(struct jw *w, const char *key, const char *s)
{
	jw_item(w, key);
	json_string(w->f, s);
}

static void jw_num(struct jw *w, const char *key, long long v)
{
	jw_item(w, key);
	fprintf(w->f, "%lld", v);
}

static void jw_unum(struct jw *w, const char *key, unsigned long long v)
{
	jw_item(w, key);
	fprintf(w->f, "%llu", v);
}

static void jw_bool(struct jw *w, const char *key, bool v)
{
	jw_item(w, key);
	fputs(v ? "true" : "false", w->f);
}

/* An array of strings from a NULL-terminated list. */
static void jw_strs(struct jw *w, const char *key, const char *const *v)
{
	jw_open(w, key, '[');
	for (; *v; v++)
		jw_str(w, NULL, *v);
	jw_close(w, ']');
}

static void jw_names(struct jw *w, const char *key, const struct name *t)
{
	jw_open(w, key, '[');
	for (; t->name; t++)
		jw_str(w, NULL, t->name);
	jw_close(w, ']');
}

static void jw_enabled(struct jw *w, const char *key, bool v)
{
	jw_open(w, key, '{');
	jw_bool(w, "enabled", v);
	jw_close(w, '}');
}

static void jw_owner(struct jw *w, uint32_t uid)
{
	char buf[256];

	jw_str(w, "owner", owner_name(uid, buf, sizeof(buf)));
}

static void state_object(struct jw *w, const struct state *st, const char *status,
			 bool internal)
{
	jw_open(w, NULL, '{');
	jw_str(w, "ociVersion", OCI_SPEC_VERSION);
	jw_str(w, "id", st->id);
	jw_num(w, "pid", st->pid);
	if (status)
		jw_str(w, "status", status);
	jw_str(w, "bundle", st->bundle);
	jw_str(w, "rootfs", st->rootfs);
	jw_str(w, "created", st->created);
	if (st->n_annotations) {
		jw_open(w, "annotations", '{');
		for (size_t k = 0; k < st->n_annotations; k++)
			jw_str(w, st->annotations[k].key, st->annotations[k].value);
		jw_close(w, '}');
	}
	if (internal) {
		jw_unum(w, "owner", st->owner);
		jw_unum(w, "start_time", st->start_time);
		jw_str(w, "cgroup", st->cgroup);
	} else {
		jw_owner(w, st->owner);
	}
	jw_close(w, '}');
}

/* ---- the spec template (runc spec) --------------------------------- */

struct tmount { const char *dest, *type, *source, *options[8]; };

static const struct tmount template_mounts[] = {
	{ "/proc", "proc", "proc", { NULL } },
	{ "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k" } },
	{ "/dev/pts", "devpts", "devpts",
	  { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" } },
	{ "/dev/shm", "tmpfs", "shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" } },
	{ "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev" } },
	{ "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro" } },
	{ "/sys/fs/cgroup", "cgroup", "cgroup",
	  { "nosuid", "noexec", "nodev", "relatime", "ro" } },
};

/* Without a network namespace of its own a rootless container cannot
 * mount sysfs, so it gets the host's, read-only. */
static const struct tmount rootless_sys =
	{ "/sys", "none", "/sys", { "rbind", "nosuid", "noexec", "nodev", "ro" } };

static const char *const template_caps[] = {
	"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL
};

static const char *const template_masked[] = {
	"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
	"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
	"/proc/sched_debug", "/sys/firmware", "/proc/scsi",
	"/sys/devices/virtual/tpm", NULL
};

static const char *const template_readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL
};

static void template_process(struct jw *w)
{
	static const char *const args[] = { "sh", NULL };
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"TERM=xterm", NULL
	};

	jw_open(w, "process", '{');
	jw_bool(w, "terminal", true);
	jw_open(w, "user", '{');
	jw_num(w, "uid", 0);
	jw_num(w, "gid", 0);
	jw_close(w, '}');
	jw_strs(w, "args", args);
	jw_strs(w, "env", env);
	jw_str(w, "cwd", "/");
	jw_open(w, "capabilities", '{');
	jw_strs(w, "bounding", template_caps);
	jw_strs(w, "effective", template_caps);
	jw_strs(w, "permitted", template_caps);
	jw_close(w, '}');
	jw_open(w, "rlimits", '[');
	jw_open(w, NULL, '{');
	jw_str(w, "type", "RLIMIT_NOFILE");
	jw_num(w, "hard", 1024);
	jw_num(w, "soft", 1024);
	jw_close(w, '}');
	jw_close(w, ']');
	jw_bool(w, "noNewPrivileges", true);
	jw_close(w, '}');
}

static void template_mount(struct jw *w, const struct tmount *m, bool rootless)
{
	jw_open(w, NULL, '{');
	jw_str(w, "destination", m->dest);
	jw_str(w, "type", m->type);
	jw_str(w, "source", m->source);
	if (m->options[0]) {
		jw_open(w, "options", '[');
		for (const char *const *o = m->options; *o; o++)
			/* a rootless container cannot own files as other ids */
			if (!rootless || (strncmp(*o, "gid=", 4) && strncmp(*o, "uid=", 4)))
				jw_str(w, NULL, *o);
		jw_close(w, ']');
	}
	jw_close(w, '}');
}

static void template_idmap(struct jw *w, const char *key, uint32_t id)
{
	jw_open(w, key, '[');
	jw_open(w, NULL, '{');
	jw_unum(w, "containerID", 0);
	jw_unum(w, "hostID", id);
	jw_unum(w, "size", 1);
	jw_close(w, '}');
	jw_close(w, ']');
}

static void template_linux(struct jw *w, bool rootless)
{
	static const char *const ns[] = { "pid", "network", "ipc", "uts", "mount", "cgroup" };

	jw_open(w, "linux", '{');
	if (rootless) {
		template_idmap(w, "uidMappings", geteuid());
		template_idmap(w, "gidMappings", getegid());
	} else {
		jw_open(w, "resources", '{');
		jw_open(w, "devices", '[');
		jw_open(w, NULL, '{');
		jw_bool(w, "allow", false);
		jw_str(w, "access", "rwm");
		jw_close(w, '}');
		jw_close(w, ']');
		jw_close(w, '}');
	}
	jw_open(w, "namespaces", '[');
	for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		if (rootless && !strcmp(ns[k], "network"))
			continue;
		jw_open(w, NULL, '{');
		jw_str(w, "type", ns[k]);
		jw_close(w, '}');
	}
	if (rootless) {
		jw_open(w, NULL, '{');
		jw_str(w, "type", "user");
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_strs(w, "maskedPaths", template_masked);
	jw_strs(w, "readonlyPaths", template_readonly);
	jw_close(w, '}');
}

/* ---- exported ------------------------------------------------------ */

int spec_load(const char *path, const char *bundle, struct spec *s)
{
	struct jp p = { .file = path, .bundle = bundle };

	memset(s, 0, sizeof(*s));
	resources_init(&s->resources);
	if (!(s->path = jstrdup(&p, path, NULL)))
		return -1;
	if (load(&p) < 0 || walk(&p, 0, spec_fields, s) < 0)
		return -1;
	return 0;
}

int resources_load(const char *path, struct resources *r)
{
	struct jp p = { .file = path };

	memset(r, 0, sizeof(*r));
	resources_init(r);
	if (!path)
		return 0;
	if (load(&p) < 0 || walk(&p, 0, resources_fields, r) < 0)
		return -1;
	r->present = true;
	return 0;
}

int process_load(const char *path, struct process *pr)
{
	struct jp p = { .file = path };

	memset(pr, 0, sizeof(*pr));
	if (load(&p) < 0 || walk(&p, 0, process_fields, pr) < 0)
		return -1;
	return process_check(&p, pr);
}

/* Like runc, which reads only /etc/passwd too (no NSS): getpwuid would
 * bring musl's nscd client and passwd parser, 3 KB, for one name. */
const char *owner_name(uint32_t uid, char *buf, size_t size)
{
	char line[1024], *colon, *nr, *end;
	FILE *f = fopen("/etc/passwd", "re");
	bool rest = false;               /* line is the rest of a long one */

	snprintf(buf, size, "#%" PRIu32, uid);
	while (f && fgets(line, sizeof(line), f)) {
		bool whole = strchr(line, '\n') || feof(f), mine = false;

		if (!rest && (colon = strchr(line, ':')) && (nr = strchr(colon + 1, ':')) &&
		    *++nr >= '0' && *nr <= '9') {
			mine = strtoul(nr, &end, 10) == uid && *end == ':';
			*colon = '\0';
		}
		rest = !whole;
		if (mine) {
			snprintf(buf, size, "%s", line);
			break;
		}
	}
	if (f)
		fclose(f);
	return buf;
}

int cap_from_name(const char *name)
{
	const struct name *n = name_find(caps, name);

	return n ? (int)n->value : -1;
}

const char *cap_name(int cap)
{
	return cap < 0 ? NULL : name_of(caps, cap);
}

int ns_from_name(const char *name)
{
	const struct name *n = name_find(namespaces, name);

	return n ? (int)n->value : -1;
}

const char *ns_name(int clone_flag)
{
	return clone_flag <= 0 ? NULL : name_of(namespaces, clone_flag);
}

void json_string(FILE *f, const char *s)
{
	static const char in[] = "\"\\\b\f\n\r\t", out[] = "\"\\bfnrt";
	const char *e;

	putc('"', f);
	for (; *s; s++) {
		if ((e = strchr(in, *s))) {
			putc('\\', f);
			putc(out[e - in], f);
		} else if ((unsigned char)*s < 0x20) {
			fprintf(f, "\\u%04x", (unsigned char)*s);
		} else {
			putc(*s, f);
		}
	}
	putc('"', f);
}

void json_state_write(FILE *f, const struct state *st, const char *status,
		      bool internal)
{
	struct jw w = { .f = f, .indent = "  " };

	state_object(&w, st, status, internal);
}

void json_process_state(FILE *f, const struct spec *s, const char *id,
			pid_t pid, const char *bundle, const char *status)
{
	struct jw w = { .f = f };

	jw_open(&w, NULL, '{');
	jw_str(&w, "ociVersion", OCI_SPEC_VERSION);
	jw_open(&w, "fds", '[');
	jw_str(&w, NULL, "seccompFd");
	jw_close(&w, ']');
	jw_num(&w, "pid", pid);
	if (s->seccomp.listener_metadata)
		jw_str(&w, "metadata", s->seccomp.listener_metadata);
	jw_open(&w, "state", '{');
	jw_str(&w, "ociVersion", OCI_SPEC_VERSION);
	jw_str(&w, "id", id);
	jw_str(&w, "status", status);
	jw_num(&w, "pid", pid);
	jw_str(&w, "bundle", bundle);
	if (s->n_annotations) {
		jw_open(&w, "annotations", '{');
		for (size_t k = 0; k < s->n_annotations; k++)
			jw_str(&w, s->annotations[k].key, s->annotations[k].value);
		jw_close(&w, '}');
	}
	jw_close(&w, '}');
	jw_close(&w, '}');
}

int json_state_read(const char *path, struct state *st)
{
	struct jp p = { .file = path };

	memset(st, 0, sizeof(*st));
	if (load(&p) < 0 || walk(&p, 0, state_fields, st) < 0)
		return -1;
	return 0;
}

void json_list(FILE *f, const struct state *sts, const char **status, size_t n)
{
	struct jw w = { .f = f };

	jw_open(&w, NULL, '[');
	for (size_t k = 0; k < n; k++)
		state_object(&w, &sts[k], status[k], false);
	jw_close(&w, ']');
}

/* linux.seccomp as seccomp.c compiles it: every action, operator, arch
 * and flag parsed here. An arch this build does not run next to can never
 * reach the filter, so it is accepted and left out of it. */
static void features_seccomp(struct jw *w)
{
	jw_open(w, "seccomp", '{');
	jw_bool(w, "enabled", true);
	jw_names(w, "actions", scmp_actions);
	jw_names(w, "operators", scmp_ops);
	jw_names(w, "archs", scmp_arches);
	jw_names(w, "knownFlags", scmp_flags);
	jw_names(w, "supportedFlags", scmp_flags);
	jw_close(w, '}');
}

/* features says what this build does today, not what it parses: what is
 * parsed but refused until linux.c and ocimin.c carry it out is left out. */
void json_features(FILE *f)
{
	static const char *const hook_names[] = {
		"prestart", "createRuntime", "createContainer", "startContainer",
		"poststart", "poststop", NULL
	};

	struct jw w = { .f = f, .indent = "    " };

	jw_open(&w, NULL, '{');
	jw_str(&w, "ociVersionMin", "1.0.0");
	jw_str(&w, "ociVersionMax", OCI_SPEC_VERSION);
	jw_strs(&w, "hooks", hook_names);
	jw_open(&w, "mountOptions", '[');
	for (const struct mopt *o = mopts; o->name; o++)
		jw_str(&w, NULL, o->name);
	jw_close(&w, ']');
	jw_open(&w, "linux", '{');
	jw_open(&w, "namespaces", '[');
	for (const struct name *n = namespaces; n->name; n++)
		jw_str(&w, NULL, n->name);
	jw_close(&w, ']');
	jw_names(&w, "capabilities", caps);
	jw_open(&w, "cgroup", '{');
	jw_bool(&w, "v1", false);
	jw_bool(&w, "v2", true);
	jw_bool(&w, "systemd", false);
	jw_bool(&w, "systemdUser", false);
	jw_bool(&w, "rdma", false);
	jw_close(&w, '}');
	features_seccomp(&w);
	jw_enabled(&w, "apparmor", true);	/* applied where the host has it */
	jw_enabled(&w, "selinux", false);
	jw_enabled(&w, "intelRdt", false);
	jw_open(&w, "mountExtensions", '{');
	jw_enabled(&w, "idmap", true);
	jw_close(&w, '}');
	jw_close(&w, '}');
	jw_open(&w, "annotations", '{');
	jw_str(&w, "io.github.ocimin.version", OCIMIN_VERSION);
	jw_close(&w, '}');
	jw_close(&w, '}');
}

void json_spec_template(FILE *f, bool rootless)
{
	struct jw w = { .f = f, .indent = "\t" };
	const struct tmount *m;

	jw_open(&w, NULL, '{');
	jw_str(&w, "ociVersion", OCI_SPEC_VERSION);
	template_process(&w);
	jw_open(&w, "root", '{');
	jw_str(&w, "path", "rootfs");
	jw_bool(&w, "readonly", true);
	jw_close(&w, '}');
	jw_str(&w, "hostname", "ocimin");
	jw_open(&w, "mounts", '[');
	for (size_t k = 0; k < sizeof(template_mounts) / sizeof(*m); k++) {
		m = &template_mounts[k];
		if (rootless && !strcmp(m->dest, "/sys"))
			m = &rootless_sys;
		template_mount(&w, m, rootless);
	}
	jw_close(&w, ']');
	template_linux(&w, rootless);
	jw_close(&w, '}');
}

void json_log_line(FILE *f, const char *level, const char *msg, const char *time)
{
	struct jw w = { .f = f };

	jw_open(&w, NULL, '{');
	jw_str(&w, "level", level);
	jw_str(&w, "msg", msg);
	jw_str(&w, "time", time);
	jw_close(&w, '}');
}

/* ---- events: stats and oom lines as `runc events` prints them ------- */

/* runc's MemoryEntry: limit and failcnt always, usage and max if not 0 */
static void jstats_mem(FILE *f, const char *name, uint64_t limit, uint64_t usage, uint64_t max)
{
	fprintf(f, "\"%s\":{\"limit\":%" PRIu64, name, limit);
	if (usage)
		fprintf(f, ",\"usage\":%" PRIu64, usage);
	if (max)
		fprintf(f, ",\"max\":%" PRIu64, max);
	fprintf(f, ",\"failcnt\":0}");
}

static void jstats_u64(FILE *f, const char *key, uint64_t v, bool *first)
{
	if (v)
		fprintf(f, "%s\"%s\":%" PRIu64, *first ? "" : ",", key, v);
	if (v)
		*first = false;
}

/* One line as runc events prints it (types.Event of runc's events):
 * cgroup v2 reports swap as memory+swap, like v1 did. */
void json_stats(FILE *f, const char *id, const struct cgroup_stats *st)
{
	uint64_t swap_limit = st->swap_limit == UINT64_MAX || st->mem_limit == UINT64_MAX ?
			      UINT64_MAX : st->swap_limit + st->mem_limit;
	bool first = true;

	fprintf(f, "{\"type\":\"stats\",\"id\":");
	json_string(f, id);
	fprintf(f, ",\"data\":{\"cpu\":{\"usage\":{");
	jstats_u64(f, "total", st->cpu_usage_usec * 1000, &first);
	fprintf(f, "%s\"kernel\":%" PRIu64 ",\"user\":%" PRIu64 "},\"throttling\":{", first ? "" : ",",
	       st->cpu_system_usec * 1000, st->cpu_user_usec * 1000);
	first = true;
	jstats_u64(f, "periods", st->cpu_periods, &first);
	jstats_u64(f, "throttledPeriods", st->cpu_throttled_periods, &first);
	jstats_u64(f, "throttledTime", st->cpu_throttled_usec * 1000, &first);
	fprintf(f, "}},\"cpuset\":{},\"memory\":{");
	for (size_t k = 0; k < st->n_mem_stat; k++)
		if (!strcmp(st->mem_stat[k].name, "file") && st->mem_stat[k].value)
			fprintf(f, "\"cache\":%" PRIu64 ",", st->mem_stat[k].value);
	jstats_mem(f, "usage", st->has_memory ? st->mem_limit : 0, st->mem_usage, st->mem_max_usage);
	fputc(',', f);
	jstats_mem(f, "swap", st->has_memory ? swap_limit : 0, st->swap_usage + st->mem_usage, 0);
	fprintf(f, ",\"kernel\":{\"limit\":0,\"failcnt\":0},\"kernelTCP\":{\"limit\":0,\"failcnt\":0}");
	if (st->n_mem_stat) {
		fprintf(f, ",\"raw\":{");
		for (size_t k = 0; k < st->n_mem_stat; k++) {
			fputs(k ? "," : "", f);
			json_string(f, st->mem_stat[k].name);
			fprintf(f, ":%" PRIu64, st->mem_stat[k].value);
		}
		fputc('}', f);
	}
	fprintf(f, "},\"pids\":{");
	first = true;
	jstats_u64(f, "current", st->pids_current, &first);
	jstats_u64(f, "limit", st->pids_limit, &first);
	fprintf(f, "},\"blkio\":{},\"hugetlb\":{},\"intel_rdt\":{},\"network_interfaces\":null}}\n");
	fflush(f);
}

void json_event(FILE *f, const char *type, const char *id)
{
	fprintf(f, "{\"type\":\"%s\",\"id\":", type);
	json_string(f, id);
	fprintf(f, "}\n");
	fflush(f);
}

/* A list of CPUs as the kernel prints them ("0-3,7") into set; NULL, or
 * what is wrong with s. The numbers stop at 1023, the last that a
 * cpu_set_t holds (not CPU_SETSIZE - 1: musl's CPU_SETSIZE is 128, the
 * set's size in bytes). */
const char *cpu_list_parse(const char *s, cpu_set_t *set)
{
	static const char syntax[] = "expected a list of CPUs such as \"0-3,7\"";
	unsigned long lo, hi;
	char *end;

	CPU_ZERO(set);
	for (;;) {
		if (*s < '0' || *s > '9')
			return syntax;
		lo = hi = strtoul(s, &end, 10);
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return syntax;
			hi = strtoul(end + 1, &end, 10);
		}
		if (hi >= 8 * sizeof(*set))
			return "expected CPUs numbered up to 1023";
		if (lo > hi)
			return "expected ranges that go up";
		for (; lo <= hi; lo++)
			CPU_SET(lo, set);
		if (!*end)
			return NULL;
		if (*end != ',')
			return syntax;
		s = end + 1;
	}
}
