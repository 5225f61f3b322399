/* ocimin.c - command line, container state and the OCI lifecycle.
 *
 * create forks the container's init, which sets up everything and then
 * blocks reading <root>/<id>/exec.fifo; start writes a byte into it and
 * removes it. So "created" is: the init lives and exec.fifo exists.
 *
 * With startContainer or poststart hooks start also waits for the init to
 * exec: see start_watch. A startContainer hook that fails makes the init
 * write "E<error>" into exec.fifo for start to read, and exit.
 *
 * Parent/init protocol on one SOCK_SEQPACKET socketpair. With a user
 * namespace the init is a grandchild (the pid and time namespaces must be
 * made inside the user namespace to be owned by it, and only apply to
 * children), and a first child talks first:
 *   (1) child -> parent: SYNC_USERNS once it made the user namespace
 *       (not sent when it joined one).
 *   (2) parent -> child: one byte 'M' once it wrote the child's uid_map
 *       and gid_map.
 *   (3) child -> parent: SYNC_PID with the pid of the init it forked,
 *       then it exits; ocimin, a child subreaper, inherits the init.
 * Then, with or without:
 *   (4) parent -> init: one byte 'G', once the init may start its setup
 *       (the parent has placed it: namespaces, cgroup, id maps).
 *   (5) init -> parent: SYNC_MOUNTED when its mounts are done, before
 *       pivot_root; the parent runs the prestart and createRuntime hooks.
 *   (6) parent -> init: the container's struct state, for the init's
 *       createContainer hooks (run now) and startContainer hooks.
 *   (7) init -> parent: SYNC_READY when it is set up.
 *   (8) parent -> init: one byte 'D' once create is done (state saved,
 *       pid file written); then the init waits on the fifo. EOF instead
 *       is a create that died, and the init exits.
 * Instead of any message it sends, the init (or the first child) may send
 * SYNC_ERROR with the one-line reason, after which it _exits. A parent
 * that gives up kills it rather than answer.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "ocimin.h"

#define DEFAULT_ROOT "/run/ocimin"
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

enum { SYNC_READY = 1, SYNC_ERROR = 2, SYNC_USERNS, SYNC_PID, SYNC_MOUNTED };
struct sync_msg {
	int type;
	char msg[OCI_ERRMAX];
};

/* Global options, shared by every command. */
static struct {
	const char *root;
	const char *log_path;
	bool log_json;
	bool debug;
	bool systemd;                 /* --systemd-cgroup: see cgroup_resolve */
	FILE *log;
} g = { .root = DEFAULT_ROOT };

char *oci_errbuf;

/* ---- errors and logging ------------------------------------------------ */

/* Now in UTC. The civil date from days since 1970 by eras of 400 years
 * (146097 days) starting in March, so that leap days end a year: what
 * gmtime_r does, without its 1 KB of general time zone code. */
static void rfc3339(char *buf, size_t len)
{
	struct timespec ts;
	long long days, sec, era, doe, yoe, doy, mp;
	int year, mon, day;

	clock_gettime(CLOCK_REALTIME, &ts);
	days = ts.tv_sec / 86400;
	sec = ts.tv_sec % 86400;
	if (sec < 0) {
		sec += 86400;
		days--;
	}
	days += 719468;                 /* from 0000-03-01 */
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	year = yoe + era * 400 + (mp >= 10);
	mon = mp < 10 ? mp + 3 : mp - 9;
	day = doy - (153 * mp + 2) / 5 + 1;
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", year, mon, day,
		 (int)sec / 3600, (int)sec / 60 % 60, (int)sec % 60, ts.tv_nsec);
}

static void emit(const char *level, const char *msg)
{
	char now[64];

	if (oci_errbuf) {
		/* the init keeps its first error for the parent */
		if (!oci_errbuf[0] && strcmp(level, "debug"))
			snprintf(oci_errbuf, OCI_ERRMAX, "%s", msg);
		return;
	}
	if (g.log) {
		rfc3339(now, sizeof(now));
		if (g.log_json)
			json_log_line(g.log, level, msg, now);
		else
			fprintf(g.log, "time=\"%s\" level=%s msg=\"%s\"\n", now, level, msg);
		fflush(g.log);
	}
	if (!strcmp(level, "debug") && g.log)
		return;
	if (!g.log && g.log_json) {
		rfc3339(now, sizeof(now));
		json_log_line(stderr, level, msg, now);
		return;
	}
	fprintf(stderr, "ocimin: %s%s\n", strcmp(level, "warning") ? "" : "warning: ", msg);
}

static void vemit(const char *level, int errnum, const char *fmt, va_list ap)
{
	char msg[OCI_ERRMAX];
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);

	if (errnum && n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(errnum));
	/* one line, whatever a config.json or an argument holds: a newline
	 * there must not forge a second line in the log containerd reads */
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	emit(level, msg);
}

int oci_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit("error", 0, fmt, ap);
	va_end(ap);
	return -1;
}

int oci_syserr(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	vemit("error", errnum, fmt, ap);
	va_end(ap);
	errno = errnum;
	return -1;
}

void oci_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit("warning", 0, fmt, ap);
	va_end(ap);
}

void oci_debug(const char *fmt, ...)
{
	va_list ap;

	if (!g.debug)
		return;
	va_start(ap, fmt);
	vemit("debug", 0, fmt, ap);
	va_end(ap);
}

/* ---- steps --------------------------------------------------------------- *
 * OCIMIN_DEBUG_STOP (read once by main) is for tests that cut ocimin at a
 * named step; init_step, a page shared with the init, holds the last step
 * the init (or an exec'd process) reached, for the error when it dies. */
static const char *debug_stop;
static char *init_step;
#define STEP_MAX 64

void debug_step(const char *name)
{
	size_t n = strlen(name);

	if (init_step && oci_errbuf)
		snprintf(init_step, STEP_MAX, "%s", name);
	if (!debug_stop || strncmp(debug_stop, name, n) ||
	    (debug_stop[n] && strcmp(debug_stop + n, "/stop")))
		return;
	if (debug_stop[n]) {
		dprintf(2, "ocimin: debug: stopped at %s, pid %d\n", name, getpid());
		kill(getpid(), SIGSTOP);
		return;
	}
	kill(getpid(), SIGKILL);
	_exit(137);	/* the init of a pid namespace is immune to its own SIGKILL */
}

/* ---- small helpers ------------------------------------------------------ */

static int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[OCI_ERRMAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	oci_err("%s%s%s (see 'ocimin %s%s--help')", cmd ? cmd : "", cmd ? ": " : "",
		msg, cmd ? cmd : "", cmd ? " " : "");
	return 2;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

const char *oci_word(const char *line, int k, char *buf, size_t size)
{
	static const char blanks[] = " \t\n\v\f\r";
	size_t n;

	for (line += strspn(line, blanks); k-- > 0; line += strspn(line, blanks))
		line += strcspn(line, blanks);
	if (!(n = strcspn(line, blanks)))
		return NULL;
	if (n >= size)
		n = size - 1;
	memcpy(buf, line, n);
	buf[n] = '\0';
	return buf;
}

char *oci_find(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s; s++)
		if (!strncmp(s, needle, n))
			return (char *)s;
	return NULL;
}

/* An id names a directory under --root: keep it to what runc allows. */
static int check_id(const char *id)
{
	size_t n = strlen(id);

	if (!n || n > OCI_IDMAX || !strcmp(id, ".") || !strcmp(id, ".."))
		return oci_err("invalid container id \"%s\"", id);
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_+-.", *p))
			return oci_err("invalid container id \"%s\": only letters, digits and _+-. are allowed", id);
	return 0;
}

static int path_join(char *buf, size_t len, const char *a, const char *b)
{
	int n = snprintf(buf, len, "%s/%s", a, b);

	if (n < 0 || (size_t)n >= len)
		return oci_err("path %s/%s: too long", a, b);
	return 0;
}

/* realpath(3) by the kernel: what /proc/self/fd says an O_PATH fd of
 * path is. -1 with errno set. musl's realpath walks the path itself, in
 * 1.4 KB of the binary. */
static int real_path(const char *path, char *buf, size_t len)
{
	char link[32];
	int fd = open(path, O_PATH | O_CLOEXEC), e;
	ssize_t n = -1;

	if (fd < 0)
		return -1;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, len);
	e = errno;
	close(fd);
	if (n > 0 && (size_t)n < len && buf[0] == '/') {
		buf[n] = '\0';
		return 0;
	}
	/* not '/': "(unreachable)/..." when path is outside our root */
	errno = n < 0 ? e : (size_t)n >= len ? ENAMETOOLONG : ENOENT;
	return -1;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return oci_err("create %s: path too long", path);
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return oci_syserr("create %s", buf);
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return oci_syserr("create %s", buf);
	return 0;
}

/* Field 22 of /proc/<pid>/stat, and the state letter (field 3): together
 * they tell whether pid is still the process we started. Parsed by hand:
 * sscanf would pull musl's float scanner into the binary. */
static int proc_stat(pid_t pid, unsigned long long *start, char *state)
{
	char path[64], buf[1024], *p, *end;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	/* the command name may hold spaces and ')': skip to the last ')' */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -1;
	*state = p[2];
	for (int field = 3; field <= 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -1;
	}
	*start = strtoull(p + 1, &end, 10);
	return end == p + 1 ? -1 : 0;
}

/* ---- state ---------------------------------------------------------------- */

struct container {
	char dir[PATH_MAX];
	int dirfd;
	bool locked;                  /* we hold the flock of dirfd */
	struct state st;
};

/* A state dir holds this mark from its mkdir until create is done, which
 * holds the dir's flock all along: a mark whose lock is free is a create
 * that died (SIGKILL, a crash, a reboot); its container is "stopped". */
#define CREATING "creating"

static bool create_alive(const struct container *c)
{
	if (c->locked)
		return false;
	if (flock(c->dirfd, LOCK_SH | LOCK_NB) < 0)
		return errno == EWOULDBLOCK;
	flock(c->dirfd, LOCK_UN);
	return false;
}

/* After start's byte the init goes on even if start dies before it
 * removes exec.fifo: once the init has exec'd, no one holds the fifo
 * open, and opening it to write without a reader fails with ENXIO. */
static bool fifo_waited(const struct container *c)
{
	int fd = openat(c->dirfd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	return fd >= 0 || errno != ENXIO;
}

static bool init_alive(const struct state *st)
{
	unsigned long long start;
	char c;

	if (st->pid <= 0 || proc_stat(st->pid, &start, &c) < 0)
		return false;
	return start == st->start_time && c != 'Z' && c != 'X' && c != 'x';
}

static const char *status_of(const struct container *c)
{
	if (faccessat(c->dirfd, CREATING, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return create_alive(c) ? "creating" : "stopped";
	if (!init_alive(&c->st))
		return "stopped";
	if (cgroup_frozen(c->st.cgroup))
		return "paused";
	if (faccessat(c->dirfd, "exec.fifo", F_OK, AT_SYMLINK_NOFOLLOW) == 0 &&
	    fifo_waited(c))
		return "created";
	return "running";
}

/* container_load's lock: none, waited for as long as it takes (start
 * waits for a create in progress), or for LOCK_MS: a create stopped by
 * a signal or hung in a hook holds it forever, and delete, which cleans
 * up after such things, must not hang with it. */
enum { LOCK_NONE, LOCK_WAIT, LOCK_BOUNDED };
#define LOCK_MS 10000

static const struct { char letter; const char *word; } proc_states[] = {
	{ 'T', "stopped" }, { 't', "stopped by a debugger" }, { 'R', "running" },
	{ 'S', "sleeping" }, { 'D', "in uninterruptible sleep" }, { 0, "state unknown" },
};

/* The process that took the flock on fd, from /proc/locks, whose lines
 * read "N: FLOCK ADVISORY WRITE PID MAJOR:MINOR:INODE ..." (the device
 * in hex; waiters have "->" after N:); 0 when none is found. */
static pid_t lock_holder(int fd)
{
	char want[64], line[256], *tok[6], *save;
	struct stat sb;
	pid_t pid = 0;
	FILE *f;
	int n;

	if (fstat(fd, &sb) < 0 || !(f = fopen("/proc/locks", "re")))
		return 0;
	snprintf(want, sizeof(want), "%02x:%02x:%llu", major(sb.st_dev),
		 minor(sb.st_dev), (unsigned long long)sb.st_ino);
	while (pid <= 0 && fgets(line, sizeof(line), f)) {
		n = 0;
		for (char *t = strtok_r(line, " \n", &save); t && n < 6; t = strtok_r(NULL, " \n", &save))
			tok[n++] = t;
		if (n == 6 && !strcmp(tok[1], "FLOCK") && !strcmp(tok[5], want))
			pid = atoi(tok[4]);
	}
	fclose(f);
	return pid > 0 ? pid : 0;
}

/* The error of a lock still held after LOCK_MS, naming who holds it so
 * that the operator can let it finish or kill it. */
static int lock_busy(const struct container *c)
{
	char path[64], comm[32] = "?", st = 0;
	unsigned long long start;
	pid_t pid = lock_holder(c->dirfd);
	size_t k = 0;
	ssize_t n;
	int fd;

	if (!pid)
		return oci_err("lock %s: another process holds it after %d s", c->dir, LOCK_MS / 1000);
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		if ((n = read(fd, comm, sizeof(comm) - 1)) > 0)
			comm[n - (comm[n - 1] == '\n')] = 0;
		close(fd);
	}
	proc_stat(pid, &start, &st);
	while (proc_states[k].letter && proc_states[k].letter != st)
		k++;
	return oci_err("lock %s: pid %d (%s, %s) holds it after %d s; let it finish or kill it",
		       c->dir, pid, comm, proc_states[k].word, LOCK_MS / 1000);
}

static int lock_bounded(const struct container *c)
{
	for (int waited = 0; flock(c->dirfd, LOCK_EX | LOCK_NB) < 0; waited += 20) {
		if (errno != EWOULDBLOCK)
			return oci_syserr("lock %s", c->dir);
		if (waited >= LOCK_MS)
			return lock_busy(c);
		usleep(20000);
	}
	return 0;
}

/* Opens <root>/<id> and reads its state.json. lock (LOCK_*) takes an
 * exclusive flock on the directory so that start, kill and delete do not
 * race. */
static int container_load(const char *id, struct container *c, int lock)
{
	char path[PATH_MAX];

	c->dirfd = -1;
	c->locked = false;
	if (check_id(id) < 0 || path_join(c->dir, sizeof(c->dir), g.root, id) < 0)
		return -1;
	c->dirfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->dirfd < 0) {
		if (errno == ENOENT)
			return oci_err("container %s does not exist", id);
		return oci_syserr("open %s", c->dir);
	}
	if (lock == LOCK_WAIT && flock(c->dirfd, LOCK_EX) < 0)
		return oci_syserr("lock %s", c->dir);
	if (lock == LOCK_BOUNDED && lock_bounded(c) < 0)
		return -1;
	c->locked = lock != LOCK_NONE;
	if (path_join(path, sizeof(path), c->dir, "state.json") < 0)
		return -1;
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return oci_err("container %s is still being created or its create failed", id);
	return json_state_read(path, &c->st);
}

static int state_save(struct container *c)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd;

	if (path_join(tmp, sizeof(tmp), c->dir, "state.json.tmp") < 0)
		return -1;
	fd = openat(c->dirfd, "state.json.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		return oci_syserr("write %s", tmp);
	}
	json_state_write(f, &c->st, NULL, true);
	if (fflush(f) != 0 || ferror(f)) {
		oci_syserr("write %s", tmp);
		fclose(f);
		unlinkat(c->dirfd, "state.json.tmp", 0);
		return -1;
	}
	fclose(f);
	if (renameat(c->dirfd, "state.json.tmp", c->dirfd, "state.json") < 0) {
		oci_syserr("rename %s", tmp);
		unlinkat(c->dirfd, "state.json.tmp", 0);
		return -1;
	}
	return 0;
}

/* The pid file is written to a temp file and renamed, so a caller polling
 * for it never reads half a number. */
static int write_pid_file(const char *path, pid_t pid)
{
	char tmp[PATH_MAX], num[32];
	int fd, n = snprintf(tmp, sizeof(tmp), "%s.ocimin-tmp", path);

	if (n < 0 || (size_t)n >= sizeof(tmp))
		return oci_err("write pid file %s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return oci_syserr("write pid file %s", tmp);
	n = snprintf(num, sizeof(num), "%d", pid);
	if (write_all(fd, num, n) < 0 || close(fd) < 0) {
		oci_syserr("write pid file %s", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		oci_syserr("rename %s", tmp);
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Removes the state dir: what create made, in any state of completion. */
static int container_remove(const char *dir)
{
	static const char *const files[] = {
		"exec.fifo", "state.json", "state.json.tmp", "config.json", CREATING,
	};
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 0 : oci_syserr("open %s", dir);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlinkat(fd, files[i], 0);
	close(fd);
	if (rmdir(dir) < 0 && errno != ENOENT)
		return oci_syserr("remove %s", dir);
	return 0;
}

/* ---- signals --------------------------------------------------------------- */

static const struct { const char *name; int sig; } signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "IOT", SIGIOT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
	{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },
	{ "TERM", SIGTERM },
#ifdef SIGSTKFLT	/* not on mips */
	{ "STKFLT", SIGSTKFLT },
#endif
	{ "CHLD", SIGCHLD },
	{ "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP },
	{ "TTIN", SIGTTIN }, { "TTOU", SIGTTOU }, { "URG", SIGURG },
	{ "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM },
	{ "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
	{ "POLL", SIGPOLL }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
};

static int parse_signal(const char *s)
{
	char *end;
	long n;

	if (isdigit((unsigned char)*s)) {
		n = strtol(s, &end, 10);
		if (*end || n < 1 || n > _NSIG - 1)
			return oci_err("kill: invalid signal \"%s\"", s);
		return n;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (!strcasecmp(s, signals[i].name))
			return signals[i].sig;
	if (!strncasecmp(s, "RTMIN+", 6) || !strncasecmp(s, "RTMAX-", 6)) {
		n = strtol(s + 6, &end, 10);
		if (!*end && isdigit((unsigned char)s[6]) && n <= SIGRTMAX - SIGRTMIN)
			return s[5] == '+' ? SIGRTMIN + n : SIGRTMAX - n;
	}
	return oci_err("kill: unknown signal \"%s\"", s);
}

/* Signals the init through a pidfd checked against the recorded start
 * time, so a pid recycled since create is never signalled. */
static int signal_init(const struct state *st, int sig)
{
	int pidfd = sys_pidfd_open(st->pid, 0);

	if (pidfd < 0 && errno != ENOSYS)
		return oci_err("container %s is not running", st->id);
	if (!init_alive(st)) {
		if (pidfd >= 0)
			close(pidfd);
		return oci_err("container %s is not running", st->id);
	}
	if (pidfd < 0) {
		if (kill(st->pid, sig) < 0)
			return oci_syserr("kill %s", st->id);
		return 0;
	}
	if (sys_pidfd_send_signal(pidfd, sig, NULL, 0) < 0) {
		oci_syserr("kill %s", st->id);
		close(pidfd);
		return -1;
	}
	close(pidfd);
	return 0;
}

/* kill --all without a cgroup: every process in the init's pid namespace,
 * when the container has one of its own. */
static int signal_all(const struct state *st, int sig)
{
	char path[64], ns[64], other[64];
	struct dirent *de;
	ssize_t n;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", st->pid);
	n = readlink(path, ns, sizeof(ns) - 1);
	if (n < 0 || readlink("/proc/self/ns/pid", other, sizeof(other)) < 0)
		return signal_init(st, sig);
	ns[n] = 0;
	if (!strncmp(ns, other, n))
		return signal_init(st, sig);
	if (signal_init(st, sig) < 0)
		return -1;
	if (!(d = opendir("/proc")))
		return 0;
	while ((de = readdir(d))) {
		pid_t pid = atoi(de->d_name);
		if (pid <= 0 || pid == st->pid)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
		n = readlink(path, other, sizeof(other) - 1);
		if (n > 0 && (size_t)n == strlen(ns) && !strncmp(ns, other, n))
			kill(pid, sig);
	}
	closedir(d);
	return 0;
}

/* Waits up to timeout_ms for the init to be gone (or a zombie: the
 * init is not our child, its new parent reaps it). */
static int wait_gone(const struct state *st, int timeout_ms)
{
	for (int waited = 0; init_alive(st); waited += 10) {
		if (waited >= timeout_ms)
			return oci_err("container %s: init %d did not exit", st->id, st->pid);
		usleep(10000);
	}
	return 0;
}

/* The init's copy of the container's state, received at (6). Its
 * annotations point into the spec that ocimin parsed before forking,
 * which the init has at the same address. Its pid is the init's own as
 * the container sees it (1 in a pid namespace of its own), not the
 * host's: runtime.md (1.1) gives hooks run in the container's
 * namespaces, createContainer and startContainer, the pid as seen by the
 * container, and runc passes getpid() to them. */
static struct state init_state;

/* create's lock on the state dir (see CREATING): the init closes its copy,
 * or the lock would outlive a create that died. */
static int create_lock = -1;

/* ---- hooks ------------------------------------------------------------------- *
 * Where each kind runs (config.md, runtime.md): prestart and createRuntime
 * in ocimin during create, at (5) of the protocol; createContainer in the
 * init right after, before pivot_root, so their paths resolve on the host
 * but they run in the container's namespaces; startContainer in the init
 * after start released it, before it execs; poststart in start (or run)
 * once the init has exec'd; poststop in delete, once the container is
 * gone. Each gets the state on stdin, exactly its env, its args (or just
 * its path) and at most timeout seconds. A failure fails the operation,
 * except in poststop, where it is a warning. */

static const char *const hook_kinds[HOOK_N] = {
	[HOOK_PRESTART] = "prestart", [HOOK_CREATE_RUNTIME] = "createRuntime",
	[HOOK_CREATE_CONTAINER] = "createContainer",
	[HOOK_START_CONTAINER] = "startContainer", [HOOK_POSTSTART] = "poststart",
	[HOOK_POSTSTOP] = "poststop",
};

struct hook_io {
	const struct hook *h;
	const char *kind;
	pid_t pid;
	int pidfd, in, out;           /* -1 once done with */
	const char *json;             /* the state, for stdin */
	size_t len, done;
	char line[200];               /* the first line it printed */
	size_t n_line;
	bool line_done;
	char *err;                    /* OCI_ERRMAX bytes: why it failed */
};

/* Between fork and exec, in a fork of single-threaded ocimin. */
static void hook_child(const struct hook *h, int in, int out)
{
	static const struct sigaction dfl = { .sa_handler = SIG_DFL };
	char *path_only[] = { h->path, NULL };
	struct rlimit rl;
	sigset_t none;
	long max;

	/* above 2 first: a pipe end may be 0, 1 or 2 if ocimin's were closed */
	in = fcntl(in, F_DUPFD, 3);
	out = fcntl(out, F_DUPFD, 3);
	if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(127);
	if (sys_close_range(3, ~0U, 0) < 0)
		/* sysconf(_SC_OPEN_MAX), without its 1 KB table */
		for (max = getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ? -1 :
		     (long)rl.rlim_cur, in = 3; in < max && in < (1 << 20); in++)
			close(in);
	for (int sig = 1; sig < _NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(h->path, h->args[0] ? h->args : path_only, h->env);
	dprintf(2, "exec %s: %s\n", h->path, strerror(errno));
	_exit(127);
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void hook_keep(struct hook_io *io, const char *buf, size_t n)
{
	for (size_t i = 0; i < n && !io->line_done; i++) {
		if (buf[i] == '\n' || io->n_line == sizeof(io->line) - 1)
			io->line_done = true;
		else
			io->line[io->n_line++] = buf[i];
	}
}

/* One round: feeds stdin, reads the output, up to wait_ms. */
static void hook_poll(struct hook_io *io, int wait_ms)
{
	struct pollfd p[3] = {
		{ .fd = io->pidfd, .events = POLLIN },
		{ .fd = io->in, .events = POLLOUT },
		{ .fd = io->out, .events = POLLIN },
	};
	char buf[4096];
	ssize_t n;

	if (poll(p, 3, wait_ms) <= 0)
		return;
	if (p[1].revents) {
		n = write(io->in, io->json + io->done, io->len - io->done);
		if (n > 0)
			io->done += n;
		if ((n < 0 && errno != EAGAIN) || io->done == io->len) {
			close(io->in);
			io->in = -1;
		}
	}
	if (p[2].revents) {
		n = read(io->out, buf, sizeof(buf));
		if (n > 0) {
			hook_keep(io, buf, n);
		} else if (n == 0 || errno != EAGAIN) {
			close(io->out);
			io->out = -1;
		}
	}
}

/* Waits for the hook's exit, not for the end of its output: a hook may
 * leave a daemon behind that holds it. */
static int hook_wait(struct hook_io *io)
{
	long long deadline = io->h->timeout ? mono_ms() + io->h->timeout * 1000LL : 0;
	const char *sep;
	char buf[4096];
	int status;
	ssize_t n;

	while (waitpid(io->pid, &status, WNOHANG) != io->pid) {
		int wait_ms = -1;

		if (deadline && (wait_ms = deadline - mono_ms()) <= 0) {
			kill(io->pid, SIGKILL);
			waitpid(io->pid, NULL, 0);
			snprintf(io->err, OCI_ERRMAX, "run %s hook %s: timed out after %d s",
				 io->kind, io->h->path, io->h->timeout);
			return -1;
		}
		/* without a pidfd (before Linux 5.3) the exit is polled for */
		if (io->pidfd < 0 && (wait_ms < 0 || wait_ms > 10))
			wait_ms = 10;
		hook_poll(io, wait_ms);
	}
	while (io->out >= 0 && !io->line_done && (n = read(io->out, buf, sizeof(buf))) > 0)
		hook_keep(io, buf, n);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	io->line[io->n_line] = 0;
	sep = io->n_line ? ": " : "";
	if (WIFSIGNALED(status))
		snprintf(io->err, OCI_ERRMAX, "run %s hook %s: killed by signal %d%s%s",
			 io->kind, io->h->path, WTERMSIG(status), sep, io->line);
	else
		snprintf(io->err, OCI_ERRMAX, "run %s hook %s: exit status %d%s%s",
			 io->kind, io->h->path, WEXITSTATUS(status), sep, io->line);
	return -1;
}

/* Runs one hook; on failure err holds why. */
static int run_hook(const struct hook *h, const char *kind, const char *json,
		    size_t len, char *err)
{
	struct hook_io io = { .h = h, .kind = kind, .json = json, .len = len, .err = err };
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int in[2], out[2] = { -1, -1 }, ret;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		snprintf(err, OCI_ERRMAX, "run %s hook %s: pipe: %s", kind, h->path, strerror(errno));
		if (out[0] < 0) {
			close(in[0]);
			close(in[1]);
		}
		return -1;
	}
	io.pid = fork();
	if (io.pid == 0)
		hook_child(h, in[0], out[1]);
	close(in[0]);
	close(out[1]);
	io.in = in[1];
	io.out = out[0];
	if (io.pid < 0) {
		snprintf(err, OCI_ERRMAX, "run %s hook %s: fork: %s", kind, h->path, strerror(errno));
		close(io.in);
		close(io.out);
		return -1;
	}
	fcntl(io.in, F_SETFL, O_NONBLOCK);
	fcntl(io.out, F_SETFL, O_NONBLOCK);
	io.pidfd = sys_pidfd_open(io.pid, 0);
	/* a hook that does not read its stdin must not kill ocimin */
	sigaction(SIGPIPE, &ign, &old);
	ret = hook_wait(&io);
	sigaction(SIGPIPE, &old, NULL);
	if (io.in >= 0)
		close(io.in);
	if (io.out >= 0)
		close(io.out);
	if (io.pidfd >= 0)
		close(io.pidfd);
	return ret;
}

/* The hooks of one kind, in order, with st as `ocimin state` prints it
 * (status given). Stops at the first failure, but for poststop, whose
 * failures are warnings. */
static int run_hooks(const struct spec *s, int kind, const struct state *st,
		     const char *status)
{
	char err[OCI_ERRMAX], *json = NULL;
	size_t len = 0;
	int ret = 0;
	FILE *f;

	if (!s->n_hooks[kind])
		return 0;
	if (!(f = open_memstream(&json, &len)))
		return oci_syserr("run %s hooks", hook_kinds[kind]);
	json_state_write(f, st, status, false);
	if (fclose(f) != 0) {
		free(json);
		return oci_syserr("run %s hooks", hook_kinds[kind]);
	}
	for (size_t i = 0; i < s->n_hooks[kind] && ret == 0; i++) {
		oci_debug("run %s hook %s", hook_kinds[kind], s->hooks[kind][i].path);
		if (run_hook(&s->hooks[kind][i], hook_kinds[kind], json, len, err) == 0)
			continue;
		if (kind == HOOK_POSTSTOP)
			oci_warn("%s", err);
		else
			ret = oci_err("%s", err);
	}
	free(json);
	return ret;
}

/* config.json as create read it, kept in the state dir: start and delete
 * run the hooks of the container's config, not of the bundle's config of
 * the day (runtime.md: later changes do not affect the container). */
#define STATE_CONFIG "config.json"

static int config_save(struct container *c, const char *config)
{
	static char buf[65536];
	int in = open(config, O_RDONLY | O_CLOEXEC), out = -1, ret = -1;
	ssize_t n = -1;

	if (in >= 0)
		out = openat(c->dirfd, STATE_CONFIG, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out >= 0)
		while ((n = read(in, buf, sizeof(buf))) > 0 && write_all(out, buf, n) == 0)
			;
	if (n == 0 && close(out) == 0)
		ret = 0;
	else
		oci_syserr("copy %s to %s", config, c->dir);
	if (in >= 0)
		close(in);
	if (ret < 0 && out >= 0)
		close(out);
	return ret;
}

/* The container's saved config; without one (made by an older ocimin)
 * it has no hooks. */
static int config_load(const struct container *c, struct spec *s)
{
	char path[PATH_MAX];

	memset(s, 0, sizeof(*s));
	if (path_join(path, sizeof(path), c->dir, STATE_CONFIG) < 0)
		return -1;
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	return spec_load(path, c->st.bundle, s);
}

/* With startContainer or poststart hooks start waits until the init has
 * run its startContainer hooks and exec'd. Its exec.fifo fd is
 * close-on-exec, so then a reader of the fifo sees hangup. A reader only
 * sees hangup for writers opened after itself (pipe_poll compares
 * w_counter), so a writer is opened and closed once the reader is open.
 * -1 when start need not wait. */
static int start_watch(const struct container *c, const struct spec *s)
{
	int fd, w;

	if (!s->n_hooks[HOOK_START_CONTAINER] && !s->n_hooks[HOOK_POSTSTART])
		return -1;
	fd = openat(c->dirfd, "exec.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	w = openat(c->dirfd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (w >= 0)
		close(w);
	return fd;
}

/* After the start byte: the init's exec, or why it did not. The init
 * writes "E<error>" into the fifo when a startContainer hook fails. */
static int start_result(const struct container *c, int fd)
{
	struct pollfd p = { .fd = fd, .events = 0 };
	char buf[OCI_ERRMAX + 2];
	ssize_t n;

	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	if (buf[0] == 'E')
		return oci_err("%s", buf + 1);
	return oci_err("start container %s: its init exited before it started", c->st.id);
}

/* start's last steps, once the byte is written: wait for the exec when
 * hooks need it, then poststart; a failure stops the container. */
static int start_finish(struct container *c, const struct spec *s, int watch)
{
	if (watch >= 0 && start_result(c, watch) < 0)
		return -1;
	if (run_hooks(s, HOOK_POSTSTART, &c->st, "running") == 0)
		return 0;
	if (c->st.cgroup[0])
		cgroup_signal(c->st.cgroup, SIGKILL);
	else if (init_alive(&c->st))
		signal_all(&c->st, SIGKILL);
	return -1;
}

/* In the init, after start: startContainer hooks, their failure reported
 * through the fifo to start_result. */
static void init_start_hooks(struct init_ctx *ctx)
{
	char msg[OCI_ERRMAX + 1];

	if (run_hooks(ctx->spec, HOOK_START_CONTAINER, &init_state, "created") == 0)
		return;
	snprintf(msg, sizeof(msg), "E%s", oci_errbuf);
	write_all(ctx->fifo_fd, msg, strlen(msg));
	_exit(1);
}

/* delete's last steps: the state dir goes, then the poststop hooks run
 * with the container's saved config, or with spec when the caller (run)
 * still has it parsed. */
static int container_delete(struct container *c, const struct spec *spec)
{
	static struct spec s;
	bool hooks = spec ? true : config_load(c, &s) == 0;

	if (spec)
		s = *spec;

	if (container_remove(c->dir) < 0)
		return -1;
	debug_step("delete:state-removed");
	if (hooks)
		run_hooks(&s, HOOK_POSTSTOP, &c->st, "stopped");
	return 0;
}

/* ---- create ---------------------------------------------------------------- */

struct create_opts {
	const char *id;
	const char *bundle;
	const char *pid_file;
	const char *console_socket;
	const char *pidfd_socket;
	bool no_pivot;
	bool detach;
	bool keep;
	int preserve_fds;
	int relay;                    /* foreground run -t: where the master comes */
	int master;                   /* and the master, once received */
};

/* Terminals and passed fds, for create and exec. */

/* runc's rules: a terminal needs somewhere to go, a console socket a
 * terminal to receive. create is always detached. */
static int check_terminal(const struct process *p, const char *console, bool detach)
{
	if (detach && p->terminal && !console)
		return oci_err("cannot allocate tty if ocimin will detach without setting console socket");
	if ((!detach || !p->terminal) && console)
		return oci_err("cannot use console socket if ocimin will not detach or allocate tty");
	return 0;
}

/* systemd socket activation, passed on as runc does: when LISTEN_PID is
 * ocimin, its LISTEN_FDS fds from 3 on go to the container, before the
 * --preserve-fds ones. Their number, 0 without. */
static int listen_fds(void)
{
	const char *pid = getenv("LISTEN_PID"), *n = getenv("LISTEN_FDS");
	char *end;
	long v;

	if (!pid || !n || !*pid || strtol(pid, &end, 10) != getpid() || *end)
		return 0;
	v = strtol(n, &end, 10);
	return *n && !*end && v > 0 && v <= 1 << 20 ? v : 0;
}

/* fds 3 .. 3+n-1 must be the caller's: open, and inherited through its
 * exec of ocimin, so not close-on-exec as every fd ocimin opens is. */
static int check_passed_fds(int n)
{
	for (int fd = 3; fd < 3 + n; fd++) {
		int flags = fcntl(fd, F_GETFD);

		if (flags < 0)
			return oci_err("pass fd %d to the container: it is not open", fd);
		if (flags & FD_CLOEXEC)
			return oci_err("pass fd %d to the container: the caller did not pass it to ocimin", fd);
	}
	return 0;
}

/* Sets KEY=VALUE in p's env, in place of KEY's entry if there is one:
 * the last one wins, as runc's prepareEnv keeps it. kv lives until exit. */
static int env_set(struct process *p, char *kv)
{
	size_t len = strcspn(kv, "=");
	char **env;

	if (!kv[len] || !len)
		return oci_err("set environment variable \"%s\": expected NAME=VALUE", kv);
	for (size_t i = 0; i < p->n_env; i++)
		if (!strncmp(p->env[i], kv, len + 1)) {
			p->env[i] = kv;
			return 0;
		}
	env = malloc((p->n_env + 2) * sizeof(*env));
	if (!env)
		return oci_syserr("set environment variable %.*s", (int)len, kv);
	memcpy(env, p->env, p->n_env * sizeof(*env));
	env[p->n_env++] = kv;
	env[p->n_env] = NULL;
	p->env = env;
	return 0;
}

/* The pty master's way out: the caller's console socket, or, when
 * ocimin relays the terminal itself (foreground run or exec), a socket
 * pair whose other end *relay ocimin reads. -1s when no terminal. */
static int open_console(const char *socket_path, bool terminal, int *console_fd,
			int *relay)
{
	int sv[2];

	*console_fd = *relay = -1;
	if (socket_path)
		return (*console_fd = tty_connect(socket_path, "console socket")) < 0 ? -1 : 0;
	if (!terminal)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return oci_syserr("create the terminal socket");
	*relay = sv[0];
	*console_fd = sv[1];
	return 0;
}

/* --pidfd-socket (runc 1.2): a pidfd of the container's init, or of the
 * exec'd process, goes to the caller (containerd), who can then signal
 * and wait for it with no race against pid reuse. Connected before
 * anything is made, as runc does. */
static int pidfd_connect(const char *path)
{
	int fd;

	if (!path)
		return -1;
	if ((fd = sys_pidfd_open(getpid(), 0)) < 0)
		return oci_syserr("use pidfd socket %s: pidfd_open (Linux 5.3)", path);
	close(fd);
	return tty_connect(path, "pidfd socket");
}

/* The data along the fd is runc's init type: "standard" for the init,
 * "setns" for an exec'd process. sock -1: no --pidfd-socket. */
static int pidfd_send(int sock, pid_t pid, const char *kind)
{
	int fd, ret = 0;

	if (sock < 0)
		return 0;
	if ((fd = sys_pidfd_open(pid, 0)) < 0)
		return oci_syserr("open a pidfd of process %d", (int)pid);
	if (tty_send_fd(sock, fd, kind) < 0)
		ret = oci_syserr("send the pidfd of process %d to the pidfd socket", (int)pid);
	close(fd);
	return ret;
}

/* create's part in the above: LISTEN_FDS and LISTEN_PID in the
 * container's env ("1": the init, as runc puts it), the pty's socket. */
static int create_io(struct create_opts *o, struct spec *s, struct init_ctx *ctx)
{
	static char num[32];
	int n = listen_fds();

	if (n) {
		snprintf(num, sizeof(num), "LISTEN_FDS=%d", n);
		if (env_set(&s->process, num) < 0 ||
		    env_set(&s->process, "LISTEN_PID=1") < 0)
			return -1;
		ctx->preserve_fds += n;
	}
	return open_console(o->console_socket, s->process.terminal, &ctx->console_fd,
			    &o->relay);
}

/* Things ocimin parses but cannot do yet: refused before anything exists. */
static int check_supported(const struct spec *s, const struct create_opts *o)
{
	if (!s->has_process)
		return oci_err("%s: process: required to create a container", s->path);
	if (check_terminal(&s->process, o->console_socket, o->detach) < 0 ||
	    check_passed_fds(o->preserve_fds + listen_fds()) < 0)
		return -1;
	if (linux_validate(s) < 0)
		return -1;
	return 0;
}

static void init_fail(int sync_fd)
{
	struct sync_msg m = { .type = SYNC_ERROR };

	snprintf(m.msg, sizeof(m.msg), "%s", oci_errbuf[0] ? oci_errbuf : "container init failed");
	write_all(sync_fd, &m, sizeof(m));
	_exit(1);
}

/* How both children (the init, an exec'd process) begin: errors kept for
 * the parent to report instead of printed, the parent's fds (parent_end,
 * other when >= 0) closed, then one byte read from sync_fd, the parent's
 * word that it has placed the child. */
static void child_begin(int sync_fd, int parent_end, int other)
{
	static char errbuf[OCI_ERRMAX];
	char c;

	oci_errbuf = errbuf;
	close(parent_end);
	if (other >= 0)
		close(other);
	if (read(sync_fd, &c, 1) != 1)
		_exit(1);
}

/* The container's init, in the child. Never returns. */
static void init_main(struct init_ctx *ctx, int parent_end)
{
	struct sync_msg m = { .type = SYNC_READY };
	char c;

	/* (4) wait for the parent to have placed us */
	child_begin(ctx->sync_fd, parent_end, create_lock);
	debug_step("init:started");
	if (linux_init_setup(ctx) < 0)
		init_fail(ctx->sync_fd);
	debug_step("init:ready");
	/* (7) ready, (8) create is done and the container "created" */
	if (write_all(ctx->sync_fd, &m, sizeof(m)) < 0 || read(ctx->sync_fd, &c, 1) != 1)
		_exit(1);
	close(ctx->sync_fd);
	while (read(ctx->fifo_fd, &c, 1) < 0 && errno == EINTR)
		;
	init_start_hooks(ctx);
	linux_init_exec(ctx);
	dprintf(2, "ocimin: %s\n", oci_errbuf);
	_exit(127);
}

int init_create_hooks(struct init_ctx *ctx)
{
	struct sync_msg m = { .type = SYNC_MOUNTED };
	ssize_t n;

	debug_step("init:mounted");
	/* (5) */
	if (write_all(ctx->sync_fd, &m, sizeof(m)) < 0)
		return oci_syserr("create container: write to ocimin");
	/* (6) */
	do
		n = read(ctx->sync_fd, &init_state, sizeof(init_state));
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(init_state))
		return oci_err("create container: ocimin went away during setup");
	init_state.pid = getpid();
	return run_hooks(ctx->spec, HOOK_CREATE_CONTAINER, &init_state, "creating");
}

/* A process that quit during its setup (the init, the first child, an
 * exec'd process): its last step and how it ended, read without reaping
 * it (the caller's rollback does). */
static int setup_died(const char *who, pid_t pid)
{
	siginfo_t si = { 0 };
	char how[64] = "";

	if (pid > 0 && waitid(P_PID, pid, &si, WEXITED | WNOWAIT) == 0)
		snprintf(how, sizeof(how), si.si_code == CLD_EXITED ? ": exit status %d" :
			 ": killed by signal %d", si.si_status);
	return oci_err("%s exited during setup%s%s%s%s", who,
		       init_step && *init_step ? " (last step " : "",
		       init_step ? init_step : "", init_step && *init_step ? ")" : "", how);
}

/* Reads the next message of the init (or of the first child, pid): 0
 * when it is of type want (0: any but SYNC_ERROR). */
static int sync_recv(int fd, struct sync_msg *m, int want, pid_t pid)
{
	ssize_t n;

	do
		n = read(fd, m, sizeof(*m));
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(*m))
		return setup_died("create container: its init", pid);
	m->msg[sizeof(m->msg) - 1] = 0;
	if (m->type == SYNC_ERROR)
		return oci_err("%s", m->msg);
	if (want && m->type != want)
		return oci_err("create container: unexpected message %d from its init", m->type);
	return 0;
}

/* The first child of a container with a user namespace. Never returns. */
static void userns_child(struct init_ctx *ctx, int parent_end)
{
	static char errbuf[OCI_ERRMAX];
	struct sync_msg m = { .type = SYNC_USERNS };
	int made;
	pid_t pid;
	char c;

	oci_errbuf = errbuf;
	close(parent_end);
	if (create_lock >= 0)
		close(create_lock);
	if ((made = linux_userns_create(ctx->spec)) < 0)
		init_fail(ctx->sync_fd);
	/* (1) and (2) */
	if (made && (write_all(ctx->sync_fd, &m, sizeof(m)) < 0 ||
		     read(ctx->sync_fd, &c, 1) != 1))
		_exit(1);
	if (linux_userns_finish(ctx->spec) < 0)
		init_fail(ctx->sync_fd);
	pid = fork();
	if (pid == 0)
		init_main(ctx, -1);
	if (pid < 0) {
		oci_syserr("fork container init");
		init_fail(ctx->sync_fd);
	}
	/* (3) */
	m.type = SYNC_PID;
	memcpy(m.msg, &pid, sizeof(pid));
	_exit(write_all(ctx->sync_fd, &m, sizeof(m)) < 0);
}

/* ocimin's side of (1) to (3): the init's pid, or -1. */
static pid_t userns_parent(const struct spec *s, int fd, pid_t child)
{
	struct sync_msg m;
	pid_t pid;

	if (sync_recv(fd, &m, 0, child) < 0)
		return -1;
	if (m.type == SYNC_USERNS) {
		/* (2) */
		if (linux_userns_map(s, child) < 0)
			return -1;
		if (write_all(fd, "M", 1) < 0)
			return oci_syserr("create container: write to its init");
		if (sync_recv(fd, &m, SYNC_PID, child) < 0)
			return -1;
	} else if (m.type != SYNC_PID) {
		return oci_err("create container: unexpected message %d from its init", m.type);
	}
	memcpy(&pid, m.msg, sizeof(pid));
	return pid;
}

/* The init as a grandchild; as a child subreaper ocimin inherits it when
 * the first child exits, so that create can kill and reap it on failure
 * and run can wait for it. */
static pid_t spawn_init_userns(struct init_ctx *ctx, int sv[2])
{
	pid_t child, pid;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return oci_syserr("become a child subreaper");
	child = fork();
	if (child == 0) {
		ctx->sync_fd = sv[1];
		userns_child(ctx, sv[0]);
	}
	if (child < 0)
		return oci_syserr("fork container init");
	pid = userns_parent(ctx->spec, sv[0], child);
	if (pid < 0)
		kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return pid;
}

/* fork(), with the child born in the cgroup ctx->cgroup_fd (clone3
 * CLONE_INTO_CGROUP, Linux 5.7): no window outside it, and no write to
 * cgroup.procs, whose migration waits for an RCU grace period on the
 * cgroup threadgroup lock (milliseconds on a busy host). Where clone3 or
 * the flag is refused, or the kernel would not apply the cgroup's cpuset
 * to such a child, fork() and cgroup_enter() do it, and report why.
 * musl's cached tid stays the parent's in such a child: the init uses
 * no threads, raise() or abort() before its exec. */
static pid_t fork_init(struct init_ctx *ctx, int saved[2])
{
	struct oci_clone_args args = {
		.flags = OCI_CLONE_INTO_CGROUP, .exit_signal = SIGCHLD,
		.cgroup = (uint64_t)ctx->cgroup_fd,
	};
	pid_t pid;

	if (ctx->cgroup_fd >= 0 && cgroup_clone_into(ctx->cgroup_fd)) {
		pid = sys_clone3(&args);
		if (pid >= 0) {
			ctx->cgroup_placed = true;
			return pid;
		}
		/* A first fork into a new pid namespace that fails once its
		 * pid 1 was given out (pids.max reached in the cgroup) leaves
		 * a namespace where no fork succeeds again: fresh ones */
		if (errno != ENOSYS && (linux_restore_ns(saved) < 0 ||
					linux_enter_child_ns(ctx->spec, saved) < 0))
			return -1;
	}
	pid = fork();
	if (pid < 0)
		oci_syserr("fork container init");
	return pid;
}

/* Forks the init into its pid and time namespaces. */
static pid_t spawn_init(struct init_ctx *ctx, int sv[2])
{
	int saved[2] = { -1, -1 };
	pid_t pid;

	if (linux_idmap_prepare(ctx->spec) < 0)
		return -1;
	if (linux_userns(ctx->spec)) {
		pid = spawn_init_userns(ctx, sv);
		linux_idmap_release();
		return pid;
	}
	if (linux_enter_child_ns(ctx->spec, saved) < 0) {
		linux_idmap_release();
		return -1;
	}
	pid = fork_init(ctx, saved);
	if (pid == 0) {
		/* ocimin's own pid and time namespaces and the cgroup: no fd
		 * of the host's for a container process to find in the init
		 * (CVE-2024-21626) */
		for (int k = 0; k < 2; k++)
			if (saved[k] >= 0)
				close(saved[k]);
		if (ctx->cgroup_fd >= 0)
			close(ctx->cgroup_fd);
		ctx->sync_fd = sv[1];
		init_main(ctx, sv[0]);
	}
	linux_idmap_release();
	if (linux_restore_ns(saved) < 0 && pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

/* Runs the parent's side of (4) to (7); 0 once the init is ready.
 * *hooked once the prestart hooks may have run. */
static int sync_init(int fd, struct container *c, const struct spec *s, bool *hooked)
{
	struct sync_msg m;

	/* (4); MSG_NOSIGNAL: an init that died is an error, not SIGPIPE */
	if (send(fd, "G", 1, MSG_NOSIGNAL) < 0)
		return oci_syserr("start container init");
	/* (5) */
	if (sync_recv(fd, &m, SYNC_MOUNTED, c->st.pid) < 0)
		return -1;
	debug_step("create:mounted");
	*hooked = true;
	if (run_hooks(s, HOOK_PRESTART, &c->st, "creating") < 0 ||
	    run_hooks(s, HOOK_CREATE_RUNTIME, &c->st, "creating") < 0)
		return -1;
	/* (6) */
	if (send(fd, &c->st, sizeof(c->st), MSG_NOSIGNAL) < 0)
		return oci_syserr("start container init");
	/* (7) */
	return sync_recv(fd, &m, SYNC_READY, c->st.pid);
}

static void fill_state(struct container *c, const struct create_opts *o,
		       const struct spec *s, pid_t pid)
{
	char c_state;

	snprintf(c->st.id, sizeof(c->st.id), "%s", o->id);
	c->st.pid = pid;
	proc_stat(pid, &c->st.start_time, &c_state);
	snprintf(c->st.bundle, sizeof(c->st.bundle), "%s", o->bundle);
	snprintf(c->st.rootfs, sizeof(c->st.rootfs), "%s", s->root_path);
	rfc3339(c->st.created, sizeof(c->st.created));
	c->st.owner = getuid();
	c->st.annotations = s->annotations;
	c->st.n_annotations = s->n_annotations;
}

/* Makes <root>/<id> with its exec.fifo and the CREATING mark, and takes
 * its lock; fails if the id is taken. */
static int make_state_dir(struct container *c, const char *id)
{
	if (mkdir_p(g.root, 0700) < 0 || path_join(c->dir, sizeof(c->dir), g.root, id) < 0)
		return -1;
	if (mkdir(c->dir, 0700) < 0) {
		if (errno == EEXIST)
			return oci_err("container %s already exists", id);
		return oci_syserr("create %s", c->dir);
	}
	c->dirfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->dirfd < 0 || flock(c->dirfd, LOCK_EX) < 0 ||
	    mkfifoat(c->dirfd, "exec.fifo", 0600) < 0 ||
	    mknodat(c->dirfd, CREATING, S_IFREG | 0600, 0) < 0) {
		oci_syserr("create %s", c->dir);
		container_remove(c->dir);
		return -1;
	}
	c->locked = true;
	create_lock = c->dirfd;
	return 0;
}

/* Without root a container gets a cgroup only where one was delegated to
 * the caller (the cgroup, or its deepest existing parent, is writable);
 * otherwise it runs in the caller's. */
static void rootless_cgroup(char *dir)
{
	char path[PATH_MAX], *slash;

	if (geteuid() == 0 || !dir[0])
		return;
	snprintf(path, sizeof(path), "%s", dir);
	while (access(path, F_OK) < 0 && (slash = strrchr(path, '/')) && slash != path)
		*slash = 0;
	if (access(path, W_OK) == 0)
		return;
	oci_debug("no cgroup: %s is not writable", path);
	dir[0] = 0;
}

/* create, and the first half of run. On success *pidp is the init and
 * *fifo_fd an fd of exec.fifo (run writes to it to start). */
static int container_create(struct create_opts *o, struct container *c,
			    pid_t *pidp, int *fifo_fd, const struct spec **specp)
{
	static struct spec spec;
	struct init_ctx ctx = { .spec = &spec, .fifo_fd = -1, .sync_fd = -1, .console_fd = -1,
				.cgroup_fd = -1 };
	char bundle[PATH_MAX], config[PATH_MAX];
	int sv[2] = { -1, -1 }, pidfd_sock = -1, ret = -1;
	bool cgroup_made = false, hooked = false;
	pid_t pid = -1;

	o->relay = o->master = -1;
	if (check_id(o->id) < 0)
		return -1;
	if (real_path(o->bundle, bundle, sizeof(bundle)) < 0)
		return oci_syserr("open bundle %s", o->bundle);
	o->bundle = bundle;
	if (path_join(config, sizeof(config), bundle, "config.json") < 0 ||
	    spec_load(config, bundle, &spec) < 0 || check_supported(&spec, o) < 0 ||
	    seccomp_compile(&spec.seccomp, spec.path, OCI_SECCOMP_ARCHES, &ctx.seccomp) < 0)
		return -1;
	if (cgroup_resolve(&spec, o->id, g.systemd, c->st.cgroup, sizeof(c->st.cgroup)) < 0)
		return -1;
	rootless_cgroup(c->st.cgroup);
	if (cgroup_validate(&spec, c->st.cgroup) < 0)
		return -1;
	if (make_state_dir(c, o->id) < 0)
		return -1;
	debug_step("create:state-dir");
	if (config_save(c, config) < 0)
		goto out;
	if (cgroup_create(&spec, c->st.cgroup) < 0)
		goto out;
	cgroup_made = true;
	/* from now on state.json says what to remove if create dies: the
	 * cgroup, then the init */
	fill_state(c, o, &spec, 0);
	if (state_save(c) < 0)
		goto out;
	debug_step("create:cgroup");
	ctx.fifo_fd = openat(c->dirfd, "exec.fifo", O_RDWR | O_CLOEXEC);
	if (ctx.fifo_fd < 0) {
		oci_syserr("open %s/exec.fifo", c->dir);
		goto out;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		oci_syserr("create sync socket");
		goto out;
	}
	if (chdir(bundle) < 0) {
		oci_syserr("chdir to bundle %s", bundle);
		goto out;
	}
	ctx.preserve_fds = o->preserve_fds;
	ctx.no_pivot = o->no_pivot;
	ctx.console_socket = o->console_socket;
	ctx.id = o->id;
	if (create_io(o, &spec, &ctx) < 0)
		goto out;
	if (o->pidfd_socket && (pidfd_sock = pidfd_connect(o->pidfd_socket)) < 0)
		goto out;
	init_step = mmap(NULL, STEP_MAX, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (init_step == MAP_FAILED)
		init_step = NULL;
	if (c->st.cgroup[0])
		ctx.cgroup_fd = open(c->st.cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	pid = spawn_init(&ctx, sv);
	if (ctx.cgroup_fd >= 0)
		close(ctx.cgroup_fd);
	if (pid < 0)
		goto out;
	close(sv[1]);
	sv[1] = -1;
	/* before (1): the init runs no container code outside its cgroup,
	 * and the cgroup namespace it unshares then is rooted there */
	fill_state(c, o, &spec, pid);
	if (state_save(c) < 0)
		goto out;
	debug_step("create:forked");
	if ((!ctx.cgroup_placed && cgroup_enter(c->st.cgroup, pid) < 0) ||
	    sync_init(sv[0], c, &spec, &hooked) < 0)
		goto out;
	debug_step("create:synced");
	if (o->relay >= 0 && (o->master = tty_recv(o->relay)) < 0)
		goto out;
	if (pidfd_send(pidfd_sock, pid, "standard") < 0)
		goto out;
	if (o->pid_file && write_pid_file(o->pid_file, pid) < 0)
		goto out;
	debug_step("create:pid-file");
	/* (8), then the container is "created" */
	if (send(sv[0], "D", 1, MSG_NOSIGNAL) < 0) {
		oci_syserr("create container: its init exited");
		goto out;
	}
	if (unlinkat(c->dirfd, CREATING, 0) < 0) {
		oci_syserr("remove %s/%s", c->dir, CREATING);
		goto out;
	}
	flock(c->dirfd, LOCK_UN);
	c->locked = false;
	debug_step("create:done");
	*pidp = pid;
	if (specp)
		*specp = &spec;
	*fifo_fd = ctx.fifo_fd;
	ctx.fifo_fd = -1;
	ret = 0;
out:
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	if (ctx.fifo_fd >= 0)
		close(ctx.fifo_fd);
	if (ctx.console_fd >= 0)
		close(ctx.console_fd);
	if (o->relay >= 0)
		close(o->relay);
	if (pidfd_sock >= 0)
		close(pidfd_sock);
	if (ret < 0) {
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		if (cgroup_made)
			cgroup_destroy(c->st.cgroup);
		container_remove(c->dir);
		/* runtime.md: a failed hook stops the container, which is
		 * destroyed, then the poststop hooks run */
		if (hooked)
			run_hooks(&spec, HOOK_POSTSTOP, &c->st, "stopped");
	}
	return ret;
}

/* ---- commands ---------------------------------------------------------------- */

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
	const char *help;
};

static const struct command *current;

static int print_help(const struct command *cmd);

/* After getopt_long returned '?': an option it does not know, one whose
 * value is missing, or a flag given one (then optopt is its val; 0 for
 * an unknown long option). */
static void option_error(const char *cmd, int argc, char **argv, const char *shorts)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";

	if (!optopt)
		usage_error(cmd, "unknown option '%s'", arg);
	else if (!strncmp(arg, "--", 2) && strchr(arg, '='))
		usage_error(cmd, "option '%.*s' takes no value", (int)strcspn(arg, "="), arg);
	else if (!strncmp(arg, "--", 2))
		usage_error(cmd, "option '%s' needs a value", arg);
	else if (strchr(shorts, optopt))
		usage_error(cmd, "option '-%c' needs a value", optopt);
	else
		usage_error(cmd, "unknown option '-%c'", optopt);
}

/* Parses a command's options with a table; returns the index of the first
 * operand, -2 after --help, or -1 on a usage error (already reported). */
static int parse_opts(int argc, char **argv, const struct option *opts,
		      const char *shorts, void (*set)(int, const char *, void *),
		      void *arg)
{
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		if (c == 'h')
			return print_help(current), -2;
		if (c == '?' || c == ':')
			return option_error(current->name, argc, argv, shorts), -1;
		if (set)
			set(c, optarg, arg);
	}
	return optind;
}

static const char help_shown[] = "";

/* Exactly one operand, the container id; help_shown after --help. */
static const char *one_id(int argc, char **argv, int i)
{
	if (i == -2)
		return help_shown;
	if (i < 0)
		return NULL;
	if (argc - i != 1) {
		usage_error(current->name, argc - i ? "too many arguments" : "container id required");
		return NULL;
	}
	return argv[i];
}

static int opt_err;

static int parse_preserve(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s == 0 || *end || n < 0 || n > 1 << 20) {
		usage_error(current->name, "--preserve-fds: expected a number, got \"%s\"", s);
		opt_err = 1;
		return 0;
	}
	return n;
}

enum { O_NO_PIVOT = 256, O_NO_KEYRING, O_PRESERVE, O_KEEP, O_FORMAT, O_ROOTLESS,
       O_PIDFD_SOCKET };

static const struct option create_options[] = {
	{ "bundle", required_argument, NULL, 'b' },
	{ "pid-file", required_argument, NULL, 'p' },
	{ "console-socket", required_argument, NULL, 'c' },
	{ "no-pivot", no_argument, NULL, O_NO_PIVOT },
	{ "no-new-keyring", no_argument, NULL, O_NO_KEYRING },
	{ "preserve-fds", required_argument, NULL, O_PRESERVE },
	{ "detach", no_argument, NULL, 'd' },
	{ "keep", no_argument, NULL, O_KEEP },
	{ "pidfd-socket", required_argument, NULL, O_PIDFD_SOCKET },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

/* the options of a command that takes none but --help */
static const struct option help_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

static void set_create(int c, const char *v, void *arg)
{
	struct create_opts *o = arg;

	switch (c) {
	case 'b': o->bundle = v; break;
	case 'p': o->pid_file = v; break;
	case 'c': o->console_socket = v; break;
	case O_NO_PIVOT: o->no_pivot = true; break;
	case O_NO_KEYRING: break;	/* ocimin never creates a session keyring */
	case O_PRESERVE: o->preserve_fds = parse_preserve(v); break;
	case 'd': o->detach = true; break;
	case O_KEEP: o->keep = true; break;
	case O_PIDFD_SOCKET: o->pidfd_socket = v; break;
	}
}

/* Parses create's or run's options; run also takes -d and --keep. */
static int create_args(int argc, char **argv, struct create_opts *o, bool run)
{
	int i = parse_opts(argc, argv, create_options, run ? "+b:dh" : "+b:h", set_create, o);

	if (i < 0)
		return i;
	if (opt_err)
		return -1;
	if (!run && (o->detach || o->keep))
		return usage_error(current->name, "unknown option '%s'", o->detach ? "--detach" : "--keep"), -1;
	if (!(o->id = one_id(argc, argv, i)))
		return -1;
	if (o->pid_file && o->pid_file[0] != '/') {
		static char abs[PATH_MAX];
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd)) || path_join(abs, sizeof(abs), cwd, o->pid_file) < 0)
			return -1;
		o->pid_file = abs;
	}
	return 0;
}

static int cmd_create(int argc, char **argv)
{
	struct create_opts o = { .bundle = "." };
	struct container c = { .dirfd = -1 };
	int fifo_fd, i = create_args(argc, argv, &o, false);
	pid_t pid;

	if (i < 0)
		return i == -2 ? 0 : 2;
	o.detach = true;	/* for check_terminal: create leaves the container */
	return container_create(&o, &c, &pid, &fifo_fd, NULL) < 0;
}

static int start_created(struct container *c)
{
	static struct spec s;
	const char *status = status_of(c);
	int fd, watch;

	if (strcmp(status, "created"))
		return oci_err("cannot start container %s: it is %s, not created", c->st.id, status);
	if (config_load(c, &s) < 0)
		return -1;
	watch = start_watch(c, &s);
	fd = openat(c->dirfd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		oci_syserr("start container %s: open exec.fifo", c->st.id);
		goto fail;
	}
	if (write_all(fd, "S", 1) < 0) {
		oci_syserr("start container %s", c->st.id);
		close(fd);
		goto fail;
	}
	close(fd);
	debug_step("start:fifo-written");
	unlinkat(c->dirfd, "exec.fifo", 0);
	debug_step("start:fifo-removed");
	return start_finish(c, &s, watch);
fail:
	if (watch >= 0)
		close(watch);
	return -1;
}

static int cmd_start(int argc, char **argv)
{
	struct container c;
	const char *id = one_id(argc, argv, parse_opts(argc, argv, help_options, "+h", NULL, NULL));

	if (!id || id == help_shown)
		return id ? 0 : 2;
	if (container_load(id, &c, true) < 0)
		return 1;
	return start_created(&c) < 0;
}

/* After start: forwards signals to the init until it exits, returns the
 * exit status the way a shell reports it. */
static int wait_init(pid_t pid)
{
	sigset_t all;
	int status, sig;

	sigfillset(&all);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return oci_syserr("wait for container init"), 255;
		sig = sigwaitinfo(&all, NULL);
		if (sig > 0 && sig != SIGCHLD)
			kill(pid, sig);
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int cmd_run(int argc, char **argv)
{
	struct create_opts o = { .bundle = "." };
	struct container c = { .dirfd = -1 };
	const struct spec *s;
	sigset_t all, old;
	int fifo_fd, ret, watch, i = create_args(argc, argv, &o, true);
	bool failed = false;
	pid_t pid;

	if (i < 0)
		return i == -2 ? 0 : 2;
	/* a caller's SIG_IGN for SIGCHLD would reap the init behind our back */
	signal(SIGCHLD, SIG_DFL);
	/* blocked before the fork so no signal is lost; the init unblocks
	 * them before exec */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	/* the spec create parsed serves start and delete too: parsed once */
	if (container_create(&o, &c, &pid, &fifo_fd, &s) < 0)
		return 1;
	watch = start_watch(&c, s);
	if (write_all(fifo_fd, "S", 1) < 0) {
		oci_syserr("start container %s", o.id);
		kill(pid, SIGKILL);
	}
	close(fifo_fd);
	unlinkat(c.dirfd, "exec.fifo", 0);
	/* a failed hook stopped the container: it is still waited for and
	 * deleted, but run fails */
	failed = start_finish(&c, s, watch) < 0;
	if (o.detach)
		return failed;
	ret = o.master >= 0 ? tty_relay(o.master, pid) : wait_init(pid);
	if (!o.keep && cgroup_destroy(c.st.cgroup) == 0)
		container_delete(&c, s);
	return failed ? 1 : ret;
}

static int cmd_state(int argc, char **argv)
{
	struct container c;
	const char *id = one_id(argc, argv, parse_opts(argc, argv, help_options, "+h", NULL, NULL));

	if (!id || id == help_shown)
		return id ? 0 : 2;
	if (container_load(id, &c, false) < 0)
		return 1;
	json_state_write(stdout, &c.st, status_of(&c), false);
	return 0;
}

static const struct option kill_options[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

static void set_flag(int c, const char *v, void *arg)
{
	(void)v;
	(void)c;
	*(bool *)arg = true;
}

static int cmd_kill(int argc, char **argv)
{
	bool all = false;
	int i = parse_opts(argc, argv, kill_options, "+ah", set_flag, &all), sig = SIGTERM;
	struct container c;
	const char *status;

	if (i < 0)
		return i == -2 ? 0 : 2;
	if (argc - i < 1 || argc - i > 2)
		return usage_error("kill", argc - i ? "too many arguments" : "container id required");
	if (argc - i == 2 && (sig = parse_signal(argv[i + 1])) < 0)
		return 1;
	if (container_load(argv[i], &c, true) < 0)
		return 1;
	status = status_of(&c);
	if (!strcmp(status, "stopped"))
		return oci_err("cannot kill container %s: it is %s", c.st.id, status), 1;
	if (all && c.st.cgroup[0])
		return cgroup_signal(c.st.cgroup, sig) < 0;
	return (all ? signal_all(&c.st, sig) : signal_init(&c.st, sig)) < 0;
}

static const struct option delete_options[] = {
	{ "force", no_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

static int cmd_delete(int argc, char **argv)
{
	bool force = false;
	const char *id = one_id(argc, argv, parse_opts(argc, argv, delete_options, "+fh", set_flag, &force));
	struct container c;
	const char *status;
	char dir[PATH_MAX], err[OCI_ERRMAX] = "";
	int loaded;

	if (!id || id == help_shown)
		return id ? 0 : 2;
	/* quiet with --force: a create that died early leaves a dir without
	 * state.json, which is removed */
	oci_errbuf = force ? err : NULL;
	loaded = container_load(id, &c, LOCK_BOUNDED);
	oci_errbuf = NULL;
	/* never without the lock: its holder may be a create still going */
	if (loaded < 0) {
		if (!force || !c.locked || path_join(dir, sizeof(dir), g.root, id) < 0)
			return err[0] ? oci_err("%s", err), 1 : 1;
		return container_remove(dir) < 0;
	}
	status = status_of(&c);
	/* the init of a create that died ("stopped") may not be gone yet */
	if (strcmp(status, "stopped") || init_alive(&c.st)) {
		if (!force && strcmp(status, "stopped"))
			return oci_err("cannot delete container %s: it is %s (use --force)", id, status), 1;
		if ((c.st.cgroup[0] ? cgroup_signal(c.st.cgroup, SIGKILL) :
		     signal_all(&c.st, SIGKILL)) < 0 && init_alive(&c.st))
			return 1;
		if (wait_gone(&c.st, 10000) < 0)
			return 1;
	}
	debug_step("delete:killed");
	/* also what a payload without a pid namespace left running */
	if (cgroup_destroy(c.st.cgroup) < 0)
		return 1;
	debug_step("delete:cgroup-removed");
	return container_delete(&c, NULL) < 0;
}

static const struct option list_options[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

struct list_opts { bool json, quiet, bad; };

static void set_list(int c, const char *v, void *arg)
{
	struct list_opts *o = arg;

	if (c == 'q')
		o->quiet = true;
	else if (!strcmp(v, "json"))
		o->json = true;
	else if (strcmp(v, "table"))
		o->bad = true;
}

static void list_table(const struct state *sts, const char **status, size_t n)
{
	char owner[64];

	printf("%-12s %-10s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS",
	       "BUNDLE", "CREATED", "OWNER");
	for (size_t i = 0; i < n; i++) {
		owner_name(sts[i].owner, owner, sizeof(owner));
		printf("%-12s %-10d %-10s %-40s %-32s %s\n", sts[i].id,
		       strcmp(status[i], "stopped") ? sts[i].pid : 0, status[i],
		       sts[i].bundle, sts[i].created, owner);
	}
}

static int cmd_list(int argc, char **argv)
{
	struct list_opts o = { 0 };
	int i = parse_opts(argc, argv, list_options, "+f:qh", set_list, &o);
	struct container *cs = NULL;
	struct state *sts = NULL;
	const char **status = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	if (i < 0)
		return i == -2 ? 0 : 2;
	if (o.bad || argc != i)
		return usage_error("list", o.bad ? "--format: expected table or json" : "too many arguments");
	d = opendir(g.root);
	if (!d && errno != ENOENT)
		return oci_syserr("open %s", g.root), 1;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			cs = realloc(cs, cap * sizeof(*cs));
			if (!cs)
				return oci_err("list: out of memory"), 1;
		}
		oci_errbuf = (char[OCI_ERRMAX]){ 0 };	/* a broken entry is skipped */
		if (container_load(de->d_name, &cs[n], false) == 0)
			n++;
		else if (cs[n].dirfd >= 0)
			close(cs[n].dirfd);
		oci_errbuf = NULL;
	}
	if (d)
		closedir(d);
	sts = calloc(n + 1, sizeof(*sts));
	status = calloc(n + 1, sizeof(*status));
	if (!sts || !status)
		return oci_err("list: out of memory"), 1;
	for (size_t k = 0; k < n; k++) {
		sts[k] = cs[k].st;
		status[k] = status_of(&cs[k]);
	}
	if (o.quiet)
		for (size_t k = 0; k < n; k++)
			puts(sts[k].id);
	else if (o.json)
		json_list(stdout, sts, status, n);
	else
		list_table(sts, status, n);
	return 0;
}

static const struct option spec_options[] = {
	{ "bundle", required_argument, NULL, 'b' },
	{ "rootless", no_argument, NULL, O_ROOTLESS },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

struct spec_opts { const char *bundle; bool rootless; };

static void set_spec(int c, const char *v, void *arg)
{
	struct spec_opts *o = arg;

	if (c == 'b')
		o->bundle = v;
	else
		o->rootless = true;
}

static int cmd_spec(int argc, char **argv)
{
	struct spec_opts o = { .bundle = "." };
	int i = parse_opts(argc, argv, spec_options, "+b:h", set_spec, &o), fd;
	char path[PATH_MAX];
	FILE *f;

	if (i < 0)
		return i == -2 ? 0 : 2;
	if (argc != i)
		return usage_error("spec", "too many arguments");
	if (path_join(path, sizeof(path), o.bundle, "config.json") < 0)
		return 1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST)
		return oci_err("spec: %s exists; remove it first", path), 1;
	if (fd < 0 || !(f = fdopen(fd, "w")))
		return oci_syserr("spec: create %s", path), 1;
	json_spec_template(f, o.rootless);
	if (fclose(f) != 0)
		return oci_syserr("spec: write %s", path), 1;
	return 0;
}

static int cmd_features(int argc, char **argv)
{
	int i = parse_opts(argc, argv, help_options, "+h", NULL, NULL);

	if (i < 0)
		return i == -2 ? 0 : 2;
	if (argc != i)
		return usage_error("features", "too many arguments");
	json_features(stdout);
	return 0;
}

/* ---- commands on a container's cgroup ------------------------------------ */

static int need_cgroup(const struct container *c)
{
	if (!c->st.cgroup[0])
		return oci_err("%s %s: the container has no cgroup: no cgroup2 filesystem was mounted when it was created",
			       current->name, c->st.id);
	return 0;
}

/* pause and resume */
static int cmd_pause(int argc, char **argv)
{
	const char *id = one_id(argc, argv, parse_opts(argc, argv, help_options, "+h", NULL, NULL));
	bool pause = !strcmp(current->name, "pause");
	struct container c;
	const char *status;

	if (!id || id == help_shown)
		return id ? 0 : 2;
	if (container_load(id, &c, true) < 0 || need_cgroup(&c) < 0)
		return 1;
	status = status_of(&c);
	if (pause ? strcmp(status, "running") && strcmp(status, "created") : strcmp(status, "paused"))
		return oci_err("cannot %s container %s: it is %s", current->name, id, status), 1;
	return cgroup_freeze(c.st.cgroup, pause) < 0;
}

static const struct option ps_options[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

/* /proc/PID/cmdline with spaces, or [comm] for a process without one */
static void proc_cmdline(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, buf, len - 1);
		close(fd);
	}
	for (ssize_t k = 0; k < n; k++)
		if (!buf[k])
			buf[k] = k == n - 1 ? 0 : ' ';
	buf[n > 0 ? n : 0] = 0;
	if (n > 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, buf + 1, len - 3);
		close(fd);
	}
	if (n > 0 && buf[n] == '\n')
		n--;
	buf[0] = '[';
	snprintf(buf + (n > 0 ? n + 1 : 1), len - (n > 0 ? n + 1 : 1), "]");
}

static int cmd_ps(int argc, char **argv)
{
	struct list_opts o = { 0 };
	int i = parse_opts(argc, argv, ps_options, "+f:h", set_list, &o);
	const char *id;
	struct container c;
	char cmd[4096];
	pid_t *pids;
	size_t n;

	if (i < 0)
		return i == -2 ? 0 : 2;
	if (o.bad)
		return usage_error("ps", "--format: expected table or json");
	if (argc - i > 1)
		return usage_error("ps", "ps options after the id are not supported");
	if (!(id = one_id(argc, argv, i)))
		return 2;
	if (container_load(id, &c, false) < 0 || need_cgroup(&c) < 0 ||
	    cgroup_pids(c.st.cgroup, &pids, &n) < 0)
		return 1;
	if (o.json) {
		putchar('[');
		for (size_t k = 0; k < n; k++)
			printf("%s%d", k ? "," : "", pids[k]);
		puts("]");
		return 0;
	}
	printf("%-10s %s\n", "PID", "CMD");
	for (size_t k = 0; k < n; k++) {
		proc_cmdline(pids[k], cmd, sizeof(cmd));
		printf("%-10d %s\n", pids[k], cmd);
	}
	return 0;
}

/* update's flags, runc's: each sets one member of linux.resources. */
static const struct {
	const char *name;
	size_t off;                   /* in struct resources */
	char kind;                    /* 'b' bytes (512m, -1), 'i' integer, 's' string */
} update_flags[] = {
	{ "memory", offsetof(struct resources, mem_limit), 'b' },
	{ "memory-reservation", offsetof(struct resources, mem_reservation), 'b' },
	{ "memory-swap", offsetof(struct resources, mem_swap), 'b' },
	{ "kernel-memory", offsetof(struct resources, mem_kernel), 'b' },
	{ "kernel-memory-tcp", offsetof(struct resources, mem_kernel_tcp), 'b' },
	{ "cpu-share", offsetof(struct resources, cpu_shares), 'i' },
	{ "cpu-quota", offsetof(struct resources, cpu_quota), 'i' },
	{ "cpu-period", offsetof(struct resources, cpu_period), 'i' },
	{ "cpu-burst", offsetof(struct resources, cpu_burst), 'i' },
	{ "cpu-idle", offsetof(struct resources, cpu_idle), 'i' },
	{ "cpu-rt-period", offsetof(struct resources, cpu_realtime_period), 'i' },
	{ "cpu-rt-runtime", offsetof(struct resources, cpu_realtime_runtime), 'i' },
	{ "cpuset-cpus", offsetof(struct resources, cpu_cpus), 's' },
	{ "cpuset-mems", offsetof(struct resources, cpu_mems), 's' },
	{ "pids-limit", offsetof(struct resources, pids_limit), 'i' },
	{ "blkio-weight", offsetof(struct resources, blkio_weight), 'i' },
};

#define N_UPDATE_FLAGS (sizeof(update_flags) / sizeof(update_flags[0]))

struct update_opts {
	const char *resources;        /* --resources: the flags are ignored */
	struct resources r;
	bool bad;
};

/* "512m", "1G", "2048", "-1": docker's RAMInBytes, 1024-based */
static bool parse_bytes(const char *s, int64_t *v)
{
	static const char units[] = "bkmgtp";
	const char *u;
	char *end;
	long long n;

	if (!strcmp(s, "-1"))
		return *v = -1, true;
	n = strtoll(s, &end, 10);
	if (end == s || *s == '-' || n < 0)
		return false;
	if (*end == ' ')
		end++;
	u = *end ? strchr(units, tolower((unsigned char)*end)) : units;
	if (!u)
		return false;
	if (*end && *++end && tolower((unsigned char)*end) == 'i')
		end++;
	if (*end && u != units && tolower((unsigned char)*end) == 'b')
		end++;
	for (int k = u - units; k > 0; k--) {
		if (n > INT64_MAX / 1024)
			return false;
		n *= 1024;
	}
	*v = n;
	return !*end;
}

static void set_update(int c, const char *v, void *arg)
{
	struct update_opts *o = arg;
	size_t k = c - 256;
	char *p, *end;

	if (c == 'r') {
		o->resources = strcmp(v, "-") ? v : "/dev/stdin";
		return;
	}
	p = (char *)&o->r + update_flags[k].off;
	if (update_flags[k].kind == 's') {
		*(char **)p = (char *)v;
		return;
	}
	errno = 0;
	if (update_flags[k].kind == 'b' ? !parse_bytes(v, (int64_t *)p) :
	    (*(int64_t *)p = strtoll(v, &end, 10), errno || !*v || *end)) {
		usage_error("update", "--%s: invalid value \"%s\"", update_flags[k].name, v);
		o->bad = true;
	}
}

static int cmd_update(int argc, char **argv)
{
	static struct option opts[N_UPDATE_FLAGS + 3] = {
		{ "resources", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
	};
	struct update_opts o = { 0 };
	struct container c;
	const char *id, *status;
	int i;

	for (size_t k = 0; k < N_UPDATE_FLAGS; k++)
		opts[k + 2] = (struct option){ update_flags[k].name, required_argument, NULL, 256 + (int)k };
	resources_load(NULL, &o.r);
	i = parse_opts(argc, argv, opts, "+r:h", set_update, &o);
	if (i < 0 || o.bad)
		return i == -2 ? 0 : 2;
	if (!(id = one_id(argc, argv, i)))
		return 2;
	if (o.resources && resources_load(o.resources, &o.r) < 0)
		return 1;
	if (container_load(id, &c, true) < 0 || need_cgroup(&c) < 0)
		return 1;
	status = status_of(&c);
	if (!strcmp(status, "stopped"))
		return oci_err("cannot update container %s: it is stopped", id), 1;
	return cgroup_update(c.st.cgroup, o.resources ? o.resources : "update", &o.r) < 0;
}

static const struct option events_options[] = {
	{ "stats", no_argument, NULL, 's' },
	{ "interval", required_argument, NULL, 'i' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

struct events_opts { bool stats, bad; long long interval_ms; };

/* A Go duration as runc takes it: "5s", "100ms", "1m30s". */
static long long parse_duration(const char *s)
{
	static const struct { const char *unit; double ms; } units[] = {
		{ "ms", 1 }, { "us", 1e-3 }, { "ns", 1e-6 }, { "s", 1000 },
		{ "m", 60000 }, { "h", 3600000 },
	};
	double total = 0;

	while (*s) {
		/* digits and a fraction, as Go writes them; mant / div is then
		 * what strtod (and its 12 KB scanner) would read */
		double mant = 0, div = 1;
		const char *d = s += *s == '+';
		size_t k;

		for (; *s >= '0' && *s <= '9'; s++)
			mant = mant * 10 + (*s - '0');
		if (*s == '.')
			for (s++; *s >= '0' && *s <= '9'; s++, div *= 10)
				mant = mant * 10 + (*s - '0');
		if (s == d || (s == d + 1 && *d == '.'))
			return -1;
		for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
			if (!strncmp(s, units[k].unit, strlen(units[k].unit)))
				break;
		if (k == sizeof(units) / sizeof(units[0]))
			return -1;
		total += mant / div * units[k].ms;
		s += strlen(units[k].unit);
	}
	return total >= 1 && total < 1e12 ? (long long)total : -1;
}

static void set_events(int c, const char *v, void *arg)
{
	struct events_opts *o = arg;

	if (c == 's')
		o->stats = true;
	else if ((o->interval_ms = parse_duration(v)) < 0)
		o->bad = true;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Stats every interval, an "oom" line for each OOM kill as it happens
 * (memory.events changes), until every process of the container is gone. */
static int events_stream(const struct container *c, long long interval_ms)
{
	const char *dir = c->st.cgroup;
	struct cgroup_stats st;
	long long next = now_ms() + interval_ms;
	uint64_t ooms;
	char buf[4096];
	int fd = cgroup_watch(dir), ret = -1;

	if (fd < 0)
		return -1;
	if (cgroup_stats(dir, &st) < 0)
		goto out;
	ooms = st.oom_kills;
	for (bool live = true; live; ) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long wait = next - now_ms();

		if (poll(&p, 1, wait > 0 ? (int)(wait < INT_MAX ? wait : INT_MAX) : 0) < 0 && errno != EINTR) {
			oci_syserr("events %s: wait", c->st.id);
			goto out;
		}
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		/* read before the stats, so that an OOM kill that empties
		 * the cgroup is still reported */
		live = cgroup_populated(dir) > 0;
		if (cgroup_stats(dir, &st) < 0)
			goto out;
		for (; ooms < st.oom_kills; ooms++)
			json_event(stdout, "oom", c->st.id);
		if (live && now_ms() >= next) {
			json_stats(stdout, c->st.id, &st);
			next = now_ms() + interval_ms;
		}
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

static int cmd_events(int argc, char **argv)
{
	struct events_opts o = { .interval_ms = 5000 };
	int i = parse_opts(argc, argv, events_options, "+h", set_events, &o);
	struct cgroup_stats st;
	struct container c;
	const char *id;

	if (i < 0)
		return i == -2 ? 0 : 2;
	if (o.bad)
		return usage_error("events", "--interval: expected a duration such as 5s or 100ms");
	if (!(id = one_id(argc, argv, i)))
		return 2;
	if (container_load(id, &c, false) < 0 || need_cgroup(&c) < 0)
		return 1;
	if (!strcmp(status_of(&c), "stopped"))
		return oci_err("events %s: the container is stopped", id), 1;
	if (!o.stats)
		return events_stream(&c, o.interval_ms) < 0;
	if (cgroup_stats(c.st.cgroup, &st) < 0)
		return 1;
	json_stats(stdout, id, &st);
	return 0;
}

/* ---- exec ------------------------------------------------------------------ *
 * exec forks a child into the init's pid namespace, which joins the other
 * namespaces and the root of the init itself (linux_exec_join). Protocol
 * on one SOCK_SEQPACKET socketpair:
 *   (1) parent -> child: one byte 'G' once the child is in the container's
 *       cgroup, so that it runs nothing in the container outside of it.
 *   (2) child -> parent: SYNC_ERROR with the one-line reason, after which
 *       it _exits; or nothing: EOF when it closes the socket (it is
 *       close-on-exec) right before its execve. */

struct exec_opts {
	const char *process, *pid_file, *console_socket, *pidfd_socket, *cwd, *user;
	const char *apparmor, *label, *cgroup;
	char cgroup_dir[PATH_MAX];    /* where the process goes, "" for none */
	char **env, **caps;
	size_t n_env, n_caps;
	uint32_t *gids;
	size_t n_gids;
	int preserve_fds;
	bool detach, tty, nnp, ignore_paused;
	bool flags_used;              /* a flag --process makes pointless */
	bool bad;
};

enum { E_CONSOLE = 320, E_PID_FILE, E_CWD, E_NNP, E_APPARMOR, E_LABEL,
       E_PRESERVE, E_CGROUP, E_IGNORE_PAUSED, E_PIDFD_SOCKET };

static const struct option exec_options[] = {
	{ "process", required_argument, NULL, 'p' },
	{ "detach", no_argument, NULL, 'd' },
	{ "pid-file", required_argument, NULL, E_PID_FILE },
	{ "console-socket", required_argument, NULL, E_CONSOLE },
	{ "pidfd-socket", required_argument, NULL, E_PIDFD_SOCKET },
	{ "tty", no_argument, NULL, 't' },
	{ "cwd", required_argument, NULL, E_CWD },
	{ "env", required_argument, NULL, 'e' },
	{ "user", required_argument, NULL, 'u' },
	{ "additional-gids", required_argument, NULL, 'g' },
	{ "cap", required_argument, NULL, 'c' },
	{ "no-new-privs", no_argument, NULL, E_NNP },
	{ "apparmor", required_argument, NULL, E_APPARMOR },
	{ "process-label", required_argument, NULL, E_LABEL },
	{ "preserve-fds", required_argument, NULL, E_PRESERVE },
	{ "cgroup", required_argument, NULL, E_CGROUP },
	{ "ignore-paused", no_argument, NULL, E_IGNORE_PAUSED },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

static bool parse_id(const char *s, uint32_t *id)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	*id = v;
	return !errno && !*end && v <= UINT32_MAX;
}

static void set_exec(int c, const char *v, void *arg)
{
	struct exec_opts *o = arg;

	switch (c) {
	case 'p': o->process = v; return;
	case 'd': o->detach = true; return;
	case 't': o->tty = true; return;
	case E_PID_FILE: o->pid_file = v; return;
	case E_CONSOLE: o->console_socket = v; return;
	case E_PIDFD_SOCKET: o->pidfd_socket = v; return;
	case E_PRESERVE: o->preserve_fds = parse_preserve(v); return;
	case E_CGROUP: o->cgroup = v; return;
	case E_IGNORE_PAUSED: o->ignore_paused = true; return;
	}
	o->flags_used = true;
	switch (c) {
	case 'e': o->env[o->n_env++] = (char *)v; break;
	case 'u': o->user = v; break;
	case 'c': o->caps[o->n_caps++] = (char *)v; break;
	case 'g':
		if (!parse_id(v, &o->gids[o->n_gids++])) {
			usage_error("exec", "--additional-gids: expected a gid, got \"%s\"", v);
			o->bad = true;
		}
		break;
	case E_CWD: o->cwd = v; break;
	case E_NNP: o->nnp = true; break;
	case E_APPARMOR: o->apparmor = v; break;
	case E_LABEL: o->label = v; break;
	}
}

/* The index of the id; the command follows it, after an optional "--". */
static int exec_args(int argc, char **argv, struct exec_opts *o)
{
	int i;

	o->env = calloc(argc, sizeof(*o->env));
	o->caps = calloc(argc, sizeof(*o->caps));
	o->gids = calloc(argc, sizeof(*o->gids));
	if (!o->env || !o->caps || !o->gids)
		return oci_syserr("exec"), -1;
	i = parse_opts(argc, argv, exec_options, "+p:dte:u:g:c:h", set_exec, o);
	if (i < 0 || opt_err || o->bad)
		return i == -2 ? -2 : -1;
	if (i >= argc)
		return usage_error("exec", "container id required"), -1;
	if (i + 1 < argc && !strcmp(argv[i + 1], "--"))
		memmove(argv + i + 1, argv + i + 2, (argc - i - 1) * sizeof(*argv));
	if (!o->process && !argv[i + 1])
		return usage_error("exec", "a command is required, or --process"), -1;
	if (o->process && argv[i + 1])
		return usage_error("exec", "a command cannot go with --process"), -1;
	return i;
}

static int exec_user(const char *user, struct process *p)
{
	const char *colon = strchr(user, ':');
	char uid[32];

	if (colon && !parse_id(colon + 1, &p->gid))
		return oci_err("exec: --user %s: expected UID[:GID] as numbers", user);
	snprintf(uid, sizeof(uid), "%.*s", colon ? (int)(colon - user) : (int)strlen(user), user);
	if (!parse_id(uid, &p->uid))
		return oci_err("exec: --user %s: expected UID[:GID] as numbers", user);
	return 0;
}

/* --cap adds to bounding, effective and permitted, and to ambient where
 * inheritable has it (ambient needs it). */
static int exec_caps(const struct exec_opts *o, struct process *p)
{
	for (size_t i = 0; i < o->n_caps; i++) {
		int cap = cap_from_name(o->caps[i]);
		uint64_t bit;

		if (cap < 0)
			return oci_err("exec: --cap %s: unknown capability", o->caps[i]);
		bit = 1ULL << cap;
		p->caps[CAPSET_BOUNDING] |= bit;
		p->caps[CAPSET_EFFECTIVE] |= bit;
		p->caps[CAPSET_PERMITTED] |= bit;
		if (p->caps[CAPSET_INHERITABLE] & bit)
			p->caps[CAPSET_AMBIENT] |= bit;
		p->has_caps = true;
	}
	return 0;
}

static int exec_gids(const struct exec_opts *o, struct process *p)
{
	uint32_t *g;

	if (!o->n_gids)
		return 0;
	g = malloc((p->n_additional_gids + o->n_gids) * sizeof(*g));
	if (!g)
		return oci_syserr("exec: --additional-gids");
	if (p->n_additional_gids)	/* else additional_gids is NULL */
		memcpy(g, p->additional_gids, p->n_additional_gids * sizeof(*g));
	memcpy(g + p->n_additional_gids, o->gids, o->n_gids * sizeof(*g));
	p->additional_gids = g;
	p->n_additional_gids += o->n_gids;
	return 0;
}

/* runc's getProcess without --process: the container's own process with
 * the command and what the flags change; no terminal unless --tty. */
static int exec_from_flags(const struct exec_opts *o, struct process *p, char **args)
{
	p->args = args;
	for (p->n_args = 0; args[p->n_args]; p->n_args++)
		;
	p->terminal = o->tty;
	if (o->cwd && o->cwd[0] != '/')
		return oci_err("exec: --cwd %s: not an absolute path", o->cwd);
	if (o->cwd)
		p->cwd = (char *)o->cwd;
	if (o->apparmor)
		p->apparmor_profile = (char *)o->apparmor;
	if (o->label)
		p->selinux_label = (char *)o->label;
	if (o->nnp)
		p->no_new_privileges = true;
	if ((o->user && exec_user(o->user, p) < 0) || exec_gids(o, p) < 0 ||
	    exec_caps(o, p) < 0)
		return -1;
	for (size_t i = 0; i < o->n_env; i++)
		if (env_set(p, o->env[i]) < 0)
			return -1;
	return 0;
}

/* --process: the runtime-spec Process as callers send it. What it leaves
 * out comes from the container, as in runc's newInitConfig: capabilities,
 * rlimits, the AppArmor profile and SELinux label. */
static int exec_from_file(const struct exec_opts *o, struct process *p)
{
	struct process f;

	if (process_load(o->process, &f) < 0)
		return -1;
	if (o->flags_used)
		oci_warn("exec: with --process the --cwd, --env, --user, --additional-gids, --cap, --no-new-privs, --apparmor and --process-label flags are ignored, as runc ignores them");
	if (!f.has_caps) {
		f.has_caps = p->has_caps;
		memcpy(f.caps, p->caps, sizeof(f.caps));
	}
	if (!f.n_rlimits) {
		f.rlimits = p->rlimits;
		f.n_rlimits = p->n_rlimits;
	}
	if (!f.apparmor_profile)
		f.apparmor_profile = p->apparmor_profile;
	if (!f.selinux_label)
		f.selinux_label = p->selinux_label;
	*p = f;
	return 0;
}

/* A --cgroup sub-cgroup: [CONTROLLERS:]PATH, PATH below the container's
 * (cgroup v2 has one hierarchy: the controllers are not needed). */
static int exec_cgroup(const char *arg, const struct container *c, char *dir, size_t len)
{
	const char *sub = strchr(arg, ':') ? strchr(arg, ':') + 1 : arg, *p;

	if (!c->st.cgroup[0])
		return oci_err("exec: --cgroup %s: the container has no cgroup", arg);
	for (p = sub; *p; p += strcspn(p, "/"), p += strspn(p, "/"))
		if (!strncmp(p, "..", 2) && (!p[2] || p[2] == '/'))
			return oci_err("exec: --cgroup %s: must stay below the container's cgroup", arg);
	if (!*sub || *sub == '/')
		return oci_err("exec: --cgroup %s: expected a path below the container's cgroup", arg);
	return path_join(dir, len, c->st.cgroup, sub);
}

/* The container's config (saved by create; the bundle's for a container
 * made by an older ocimin) with the exec'd process in it. */
static int exec_spec(const struct exec_opts *o, const struct container *c,
		     struct spec *s, char **args)
{
	char path[PATH_MAX];

	if (path_join(path, sizeof(path), c->dir, STATE_CONFIG) < 0)
		return -1;
	if (access(path, F_OK) < 0 &&
	    path_join(path, sizeof(path), c->st.bundle, "config.json") < 0)
		return -1;
	if (spec_load(path, c->st.bundle, s) < 0)
		return -1;
	if (o->process ? exec_from_file(o, &s->process) : exec_from_flags(o, &s->process, args))
		return -1;
	if (s->process.selinux_label)
		return oci_err("exec: process.selinuxLabel: SELinux is not supported");
	return check_terminal(&s->process, o->console_socket, o->detach);
}

static int exec_check(struct exec_opts *o, const struct container *c)
{
	const char *status = status_of(c);

	if (!strcmp(status, "stopped"))
		return oci_err("cannot exec in a stopped container");
	if (!strcmp(status, "creating"))
		return oci_err("cannot exec in a container that is being created");
	if (!strcmp(status, "paused") && !o->ignore_paused)
		return oci_err("cannot exec in a paused container (use --ignore-paused to override)");
	if (o->cgroup)
		return exec_cgroup(o->cgroup, c, o->cgroup_dir, sizeof(o->cgroup_dir));
	snprintf(o->cgroup_dir, sizeof(o->cgroup_dir), "%s", c->st.cgroup);
	return 0;
}

/* process.execCPUAffinity: "initial" for ocimin from here on and so for
 * the process it forks, until the process is in the container's cgroup;
 * then "final" for the process or, with "initial" alone, every CPU (the
 * kernel leaves those of the cgroup's cpuset), the container's default
 * as the spec asks; untouched without either. */
static cpu_set_t exec_cpus;
static const char *exec_cpus_final;   /* what exec_cpus holds; NULL: unset */

/* sched_setaffinity for ocimin (initial) or the process (final), with
 * its EINVAL said in words. */
static int exec_set_cpus(const cpu_set_t *set, const char *list, const char *which)
{
	if (sched_setaffinity(0, sizeof(*set), set) == 0)
		return 0;
	if (errno == EINVAL)
		return oci_err("exec: set CPU affinity to %s (process.execCPUAffinity.%s): none of these CPUs is online and allowed by the cpuset",
			       list, which);
	return oci_syserr("exec: set CPU affinity to %s (process.execCPUAffinity.%s)", list, which);
}

static int exec_affinity(const struct process *pr)
{
	const char *initial = pr->exec_cpu_initial, *final = pr->exec_cpu_final, *why;
	cpu_set_t set;

	if (final && *final) {
		if ((why = cpu_list_parse(final, &exec_cpus)))
			return oci_err("exec: process.execCPUAffinity.final: %s, got \"%s\"", why, final);
		exec_cpus_final = final;
	}
	if (!initial || !*initial)
		return 0;
	if (!exec_cpus_final) {
		memset(&exec_cpus, 0xff, sizeof(exec_cpus));
		exec_cpus_final = "every CPU";
	}
	if ((why = cpu_list_parse(initial, &set)))
		return oci_err("exec: process.execCPUAffinity.initial: %s, got \"%s\"", why, initial);
	return exec_set_cpus(&set, initial, "initial");
}

/* The process that joins the container, in the child. Never returns. */
static void exec_main(struct init_ctx *ctx, struct exec_target *t, int parent_end,
		      int relay)
{
	/* (1) wait until placed in the container's cgroup */
	child_begin(ctx->sync_fd, parent_end, relay);
	if (exec_cpus_final && exec_set_cpus(&exec_cpus, exec_cpus_final, "final") < 0)
		init_fail(ctx->sync_fd);
	if (linux_exec_join(ctx, t) < 0)
		init_fail(ctx->sync_fd);
	debug_step("exec:joined");
	if (linux_exec_setup(ctx) < 0)
		init_fail(ctx->sync_fd);
	debug_step("exec:setup");
	/* the last step, which exec_sync looks for */
	debug_step("exec:execve");
	linux_init_exec(ctx);
	dprintf(2, "ocimin: %s\n", oci_errbuf);
	_exit(127);
}

/* Forks the process into the init's pid namespace. */
static pid_t exec_fork(struct init_ctx *ctx, struct exec_target *t, int sv[2], int relay)
{
	int saved[2], dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	pid_t pid = -1;

	/* CVE-2019-5736: the child is in the container's pid namespace from
	 * its birth; non-dumpable, its /proc/PID/exe, mem and fds stay
	 * closed to the container's processes until it has exec'd */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return oci_syserr("exec: make ocimin non-dumpable");
	if (linux_exec_enter_pidns(t, saved) == 0) {
		pid = fork();
		if (pid == 0) {
			ctx->sync_fd = sv[1];
			exec_main(ctx, t, sv[0], relay);
		}
		if (pid < 0)
			oci_syserr("exec: fork");
		if (linux_restore_ns(saved) < 0 && pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			pid = -1;
		}
	}
	prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
	return pid;
}

/* The parent's side: (1) once the process is in the container's cgroup
 * (or --cgroup's), (2) EOF when it has exec'd (the socket is
 * close-on-exec), or its error. */
static int exec_sync(const struct exec_opts *o, pid_t pid, int fd)
{
	struct sync_msg m;
	ssize_t n;

	if (cgroup_enter(o->cgroup_dir, pid) < 0)
		return -1;
	debug_step("exec:cgroup");
	/* (1) */
	if (send(fd, "G", 1, MSG_NOSIGNAL) < 0)
		return oci_syserr("exec: start the process");
	/* (2); EOF is also a process killed before its execve, which then
	 * did not reach its last step */
	do
		n = read(fd, &m, sizeof(m));
	while (n < 0 && errno == EINTR);
	if (n == 0 && (!init_step || !strcmp(init_step, "exec:execve")))
		return 0;
	if (n != (ssize_t)sizeof(m))
		return setup_died("exec: the process", pid);
	m.msg[sizeof(m.msg) - 1] = 0;
	return oci_err("%s", m.msg);
}

/* Once it has exec'd: the pid file, then, in the foreground, its exit
 * status (the terminal relayed); 0 detached, -1 on error. */
static int exec_wait(const struct exec_opts *o, pid_t pid, int relay)
{
	int master = -1, ret = 0;

	if (relay >= 0 && (master = tty_recv(relay)) < 0)
		return -1;
	if (o->pid_file && write_pid_file(o->pid_file, pid) < 0)
		ret = -1;
	else if (!o->detach)
		ret = master >= 0 ? tty_relay(master, pid) : wait_init(pid);
	if (master >= 0)
		close(master);
	return ret;
}

static void close_all(const int *fds, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (fds[k] >= 0)
			close(fds[k]);
}

/* Runs the process; its exit status in the foreground, 0 detached, 255
 * when ocimin fails. */
static int exec_start(const struct exec_opts *o, const struct container *c, struct spec *s)
{
	struct init_ctx ctx = { .spec = s, .sync_fd = -1, .fifo_fd = -1, .console_fd = -1,
				.preserve_fds = o->preserve_fds,
				.console_socket = o->console_socket };
	struct exec_target t = { .pidfd = -1, .root_fd = -1 };
	int sv[2] = { -1, -1 }, relay = -1, pidfd_sock = -1, ret = 255;
	pid_t pid = -1;

	ctx.id = c->st.id;
	if (exec_affinity(&s->process) < 0 ||
	    seccomp_compile(&s->seccomp, s->path, OCI_SECCOMP_ARCHES, &ctx.seccomp) < 0)
		goto out;
	if (linux_exec_open(c->st.pid, &t) < 0)
		goto out;
	/* after the opens: they are of the init, not of a reused pid */
	if (!init_alive(&c->st)) {
		oci_err("cannot exec in a stopped container");
		goto out;
	}
	if (open_console(o->console_socket, s->process.terminal, &ctx.console_fd, &relay) < 0)
		goto out;
	if (o->pidfd_socket && (pidfd_sock = pidfd_connect(o->pidfd_socket)) < 0)
		goto out;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		oci_syserr("exec: create sync socket");
		goto out;
	}
	init_step = mmap(NULL, STEP_MAX, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (init_step == MAP_FAILED)
		init_step = NULL;
	if ((pid = exec_fork(&ctx, &t, sv, relay)) < 0)
		goto out;
	debug_step("exec:forked");
	close(sv[1]);
	sv[1] = -1;
	if (ctx.console_fd >= 0)
		close(ctx.console_fd);
	ctx.console_fd = -1;
	if (exec_sync(o, pid, sv[0]) < 0 || pidfd_send(pidfd_sock, pid, "setns") < 0)
		goto out;
	debug_step("exec:started");
	if ((ret = exec_wait(o, pid, relay)) < 0)
		ret = 255;
	else
		pid = -1;
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	close_all((int[]){ t.pidfd, t.root_fd, sv[0], sv[1], relay, ctx.console_fd, pidfd_sock }, 7);
	return ret;
}

static int cmd_exec(int argc, char **argv)
{
	static struct spec spec;
	struct exec_opts o = { 0 };
	struct container c;
	int i = exec_args(argc, argv, &o);
	sigset_t all;

	if (i < 0)
		return i == -2 ? 0 : 2;
	/* as in run: the child is ours to reap, no signal is lost */
	signal(SIGCHLD, SIG_DFL);
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	if (container_load(argv[i], &c, false) < 0 || exec_check(&o, &c) < 0 ||
	    exec_spec(&o, &c, &spec, argv + i + 1) < 0 ||
	    check_passed_fds(o.preserve_fds) < 0)
		return 255;
	return exec_start(&o, &c, &spec);
}

/* ---- check: what this kernel and host offer ----------------------------- */

static const struct option check_options[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

static const char *const check_status[] = { "no", "yes", "-" };

static void check_json(const struct check_item *it, size_t n, bool ok)
{
	printf("{\"ok\":%s,\"features\":[", ok ? "true" : "false");
	for (size_t k = 0; k < n; k++) {
		printf("%s{\"name\":", k ? "," : "");
		json_string(stdout, it[k].name);
		printf(",\"status\":\"%s\",\"needed\":%s,\"detail\":",
		       it[k].status == CHECK_INFO ? "info" : check_status[it[k].status],
		       it[k].needed ? "true" : "false");
		json_string(stdout, it[k].detail);
		putchar('}');
	}
	puts("]}");
}

static int cmd_check(int argc, char **argv)
{
	struct list_opts o = { 0 };
	int i = parse_opts(argc, argv, check_options, "+f:h", set_list, &o);
	struct check_item it[CHECK_MAX];
	size_t n = 0;
	bool ok = true;

	if (i < 0)
		return i == -2 ? 0 : 2;
	if (o.bad || argc != i)
		return usage_error("check", o.bad ? "--format: expected table or json" : "too many arguments");
	linux_check(it, &n);
	cgroup_check(it, &n);
	for (size_t k = 0; k < n; k++)
		ok &= !(it[k].needed && it[k].status == CHECK_NO);
	if (o.json) {
		check_json(it, n, ok);
		return !ok;
	}
	printf("%-20s %-12s %s\n", "FEATURE", "STATUS", "DETAIL");
	for (size_t k = 0; k < n; k++)
		printf("%-20s %-12s %s\n", it[k].name, it[k].needed && it[k].status == CHECK_NO ?
		       "NO (needed)" : check_status[it[k].status], it[k].detail);
	puts(ok ? "ocimin can run the default container (ocimin spec) here." :
	     "ocimin cannot run the default container (ocimin spec) here: see NO (needed).");
	return !ok;
}

static const struct command commands[] = {
	{ "create", cmd_create, "create [--bundle DIR] [--pid-file FILE] [--console-socket SOCK] [--pidfd-socket SOCK] [--no-pivot] [--no-new-keyring] [--preserve-fds N] ID",
	  "Create a container: set it up and leave its init waiting for start." },
	{ "start", cmd_start, "start ID", "Start a created container's process." },
	{ "state", cmd_state, "state ID", "Print a container's state as JSON." },
	{ "kill", cmd_kill, "kill [--all] ID [SIGNAL]",
	  "Send SIGNAL (default TERM; a name with or without SIG, or a number) to the init, or with --all to every process." },
	{ "delete", cmd_delete, "delete [--force] ID", "Delete a stopped container; --force kills it first." },
	{ "run", cmd_run, "run [--bundle DIR] [--pid-file FILE] [--console-socket SOCK] [--pidfd-socket SOCK] [--detach] [--keep] [--no-pivot] [--preserve-fds N] ID",
	  "Create and start a container, wait for it and delete it; exits with its status." },
	{ "exec", cmd_exec, "exec [--process FILE] [--detach] [--pid-file FILE] [--console-socket SOCK] [--pidfd-socket SOCK] [--tty] [--cwd DIR] [--env NAME=VALUE]... [--user UID[:GID]] [--additional-gids GID]... [--cap CAP]... [--no-new-privs] [--apparmor PROFILE] [--preserve-fds N] [--cgroup SUB] [--ignore-paused] ID [--] [COMMAND [ARG]...]",
	  "Run a process in a created or running container; exits with its status, or 255 when ocimin fails." },
	{ "list", cmd_list, "list [--format table|json] [--quiet]", "List containers." },
	{ "ps", cmd_ps, "ps [--format table|json] ID", "List the processes of a container's cgroup." },
	{ "pause", cmd_pause, "pause ID", "Freeze every process of a container (cgroup.freeze)." },
	{ "resume", cmd_pause, "resume ID", "Thaw a paused container." },
	{ "update", cmd_update, "update [--resources FILE|-] [--memory N] [--memory-reservation N] [--memory-swap N] [--cpu-share N] [--cpu-quota N] [--cpu-period N] [--cpu-burst N] [--cpu-idle 0|1] [--cpuset-cpus LIST] [--cpuset-mems LIST] [--pids-limit N] [--blkio-weight N] ID",
	  "Change a container's cgroup limits: a LinuxResources JSON object, or runc's flags." },
	{ "events", cmd_events, "events [--stats] [--interval DURATION] ID",
	  "Print a container's stats once (--stats), or stats every interval (default 5s) and OOM events until it stops." },
	{ "check", cmd_check, "check [--format table|json]",
	  "Report what this kernel and host offer ocimin; fails when the default container cannot run." },
	{ "features", cmd_features, "features", "Print what this runtime supports, as runtime-spec features JSON." },
	{ "spec", cmd_spec, "spec [--bundle DIR] [--rootless]", "Write a default config.json into the bundle." },
};

static int print_help(const struct command *cmd)
{
	if (cmd) {
		printf("usage: ocimin [global options] %s\n\n%s\n", cmd->usage, cmd->help);
		return 0;
	}
	printf("usage: ocimin [global options] COMMAND [options] [ID]\n\n"
	       "ocimin runs OCI containers: a runc-compatible runtime in one static binary.\n\n"
	       "Global options:\n"
	       "  --root DIR          state directory (default " DEFAULT_ROOT ",\n"
	       "                      or $XDG_RUNTIME_DIR/ocimin without root)\n"
	       "  --log FILE          also write log lines to FILE\n"
	       "  --log-format FMT    text or json\n"
	       "  --debug             log debug messages\n"
	       "  --systemd-cgroup    cgroupsPath is \"slice:prefix:name\", placed as systemd would\n"
	       "  --version, --help\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-9s %s\n", commands[i].name, commands[i].help);
	return 0;
}

enum { G_ROOT = 256, G_LOG, G_LOG_FORMAT, G_DEBUG, G_SYSTEMD, G_VERSION, G_CRIU };

static const struct option global_options[] = {
	{ "root", required_argument, NULL, G_ROOT },
	{ "log", required_argument, NULL, G_LOG },
	{ "log-format", required_argument, NULL, G_LOG_FORMAT },
	{ "debug", no_argument, NULL, G_DEBUG },
	{ "systemd-cgroup", no_argument, NULL, G_SYSTEMD },
	{ "criu", required_argument, NULL, G_CRIU },
	{ "version", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

static const char *root_given;

/* Without root and without --root, state lives in $XDG_RUNTIME_DIR/ocimin
 * (as runc's does), where the caller may write. */
static void rootless_root(void)
{
	static char buf[PATH_MAX];
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (root_given || geteuid() == 0 || !xdg || xdg[0] != '/')
		return;
	if (path_join(buf, sizeof(buf), xdg, "ocimin") == 0)
		g.root = buf;
}

/* Global options; returns the index of the command, or -1/-2 as parse_opts. */
static int global_args(int argc, char **argv)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+vh", global_options, NULL)) != -1) {
		switch (c) {
		case G_ROOT:
			if (!*optarg)
				return usage_error(NULL, "--root: expected a directory, got an empty string"), -1;
			g.root = root_given = optarg;
			break;
		case G_LOG: g.log_path = optarg; break;
		case G_LOG_FORMAT:
			if (strcmp(optarg, "json") && strcmp(optarg, "text"))
				return usage_error(NULL, "--log-format: expected text or json"), -1;
			g.log_json = !strcmp(optarg, "json");
			break;
		case G_DEBUG: g.debug = true; break;
		case G_SYSTEMD: g.systemd = true; break;
		case G_CRIU: break;
		case 'v':
			printf("ocimin version " OCIMIN_VERSION "\nspec: " OCI_SPEC_VERSION "\n");
			return -2;
		case 'h': print_help(NULL); return -2;
		default:
			return option_error(NULL, argc, argv, "+vh"), -1;
		}
	}
	return optind;
}

/* CVE-2019-5736: a process in the container that catches the
 * /proc/PID/exe of an ocimin process there (an exec'd process before its
 * execve, or ocimin itself run by "#!/proc/self/exe" in the image) holds
 * the host's binary, which it can reopen for writing once ocimin has
 * exited. So the commands that put processes in a container first
 * re-execute ocimin from a read-only detached bind mount of its binary
 * (as root: linux_exe_ro_clone) or else from a sealed memfd copy: all a
 * container can reach then is a file no one can write through it. A
 * binary already on a read-only mount needs neither. As runc and crun
 * do. */
static int clone_self(char **argv)
{
	static const int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC), mfd = -1;
	struct stat st;
	off_t off = 0;

	if (exe < 0)
		return oci_syserr("open /proc/self/exe");
	if (fcntl(exe, F_GET_SEALS) == seals || linux_exe_readonly(exe)) {
		close(exe);
		prctl(PR_SET_NAME, "ocimin", 0, 0, 0);
		return 0;
	}
	if ((mfd = linux_exe_ro_clone()) >= 0) {
		close(exe);
		fexecve(mfd, argv, environ);
		oci_syserr("execute the read-only mount of ocimin");
		close(mfd);
		return -1;
	}
	/* MFD_EXEC: Linux 6.3 warns without it, older kernels refuse it */
	mfd = memfd_create("ocimin", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (mfd < 0 && errno == EINVAL)
		mfd = memfd_create("ocimin", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0 || fstat(exe, &st) < 0) {
		oci_syserr("copy ocimin into a memfd (CVE-2019-5736)");
		goto out;
	}
	while (off < st.st_size)
		if (sendfile(mfd, exe, &off, st.st_size - off) <= 0) {
			oci_syserr("copy ocimin into a memfd (CVE-2019-5736)");
			goto out;
		}
	if (fcntl(mfd, F_ADD_SEALS, seals) < 0) {
		oci_syserr("seal the memfd copy of ocimin");
		goto out;
	}
	fexecve(mfd, argv, environ);
	oci_syserr("execute the memfd copy of ocimin");
out:
	close(exe);
	if (mfd >= 0)
		close(mfd);
	return -1;
}

static bool runs_in_container(const struct command *c)
{
	return c->fn == cmd_create || c->fn == cmd_run || c->fn == cmd_exec;
}

int main(int argc, char **argv)
{
	int i = global_args(argc, argv);

	debug_stop = getenv("OCIMIN_DEBUG_STOP");
	if (i < 0)
		return i == -2 ? 0 : 2;
	rootless_root();
	if (g.log_path) {
		int fd = open(g.log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0 || !(g.log = fdopen(fd, "a")))
			return oci_syserr("open log %s", g.log_path), 1;
	}
	if (i >= argc)
		return usage_error(NULL, "a command is required");
	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++) {
		if (strcmp(argv[i], commands[k].name))
			continue;
		current = &commands[k];
		if (runs_in_container(current) && clone_self(argv) < 0)
			return current->fn == cmd_exec ? 255 : 1;
		return commands[k].fn(argc - i, argv + i);
	}
	return usage_error(NULL, "unknown command \"%s\"", argv[i]);
}
