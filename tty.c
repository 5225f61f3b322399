/* tty.c - terminals. With process.terminal the container's process gets
 * a pty made inside the container, from the container's own devpts, never
 * the host's; the master goes over an AF_UNIX socket with SCM_RIGHTS the
 * way runc sends it (the name "/dev/ptmx" as data, one fd), to the
 * caller's --console-socket (containerd, conmon) or to ocimin itself,
 * which relays it to its own stdio in a foreground run or exec. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <linux/magic.h>
#include <linux/openat2.h>

#include "ocimin.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* What runc sends along the fd: containerd's console.NewPty file name. */
static const char ptmx_name[] = "/dev/ptmx";

/* ---- in the container ------------------------------------------------ */

/* The container's /dev/ptmx (a link to pts/ptmx of its devpts), never
 * through a magic link that could lead back to a host fd. */
static int open_master(void)
{
	struct open_how how = {
		.flags = O_RDWR | O_NOCTTY | O_CLOEXEC,
		.resolve = RESOLVE_NO_MAGICLINKS,
	};
	unsigned int n, unlock = 0;
	int fd = sys_openat2(AT_FDCWD, ptmx_name, &how, sizeof(how));

	/* before Linux 5.6: the multiplexer of the devpts ocimin mounted on
	 * /dev/pts, which /dev/ptmx leads to anyway, by a path with no link */
	if (fd < 0 && errno == ENOSYS)
		fd = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return oci_syserr("open %s", ptmx_name);
	if (ioctl(fd, TIOCGPTN, &n) < 0) {
		close(fd);
		return oci_err("open %s: not a pty multiplexer", ptmx_name);
	}
	if (ioctl(fd, TIOCSPTLCK, &unlock) < 0) {
		oci_syserr("unlock the pty of %s", ptmx_name);
		close(fd);
		return -1;
	}
	return fd;
}

/* TIOCGPTPEER (Linux 4.13) opens the slave without a path lookup; the
 * fallback opens /dev/pts/N of the same devpts instance by name. */
static int open_slave(int master)
{
	struct open_how how = {
		.flags = O_RDWR | O_NOCTTY | O_CLOEXEC,
		.resolve = RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS,
	};
	char path[32];
	unsigned int n;
	int fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno != EINVAL && errno != ENOTTY)
		return oci_syserr("open the pty slave");
	if (ioctl(master, TIOCGPTN, &n) < 0)
		return oci_syserr("open the pty slave");
	snprintf(path, sizeof(path), "/dev/pts/%u", n);
	fd = sys_openat2(AT_FDCWD, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)	/* before Linux 5.6 */
		fd = open(path, O_RDWR | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return oci_syserr("open %s", path);
	return fd;
}

/* A bind mount of src onto dst by their fds alone, never by a path that
 * the container could have pointed elsewhere (CVE-2025-52565): with
 * open_tree and move_mount (Linux 5.2), else through /proc/self/fd when
 * that is procfs (EXDEV when it is not). */
static int bind_fd(int src, int dst)
{
	char a[32], b[32];
	struct statfs sf;
	int tree = sys_open_tree(src, "", OPEN_TREE_CLONE | O_CLOEXEC | AT_EMPTY_PATH), ret;

	if (tree >= 0) {
		ret = sys_move_mount(tree, "", dst, "",
				     MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
		close(tree);
		return ret;
	}
	if (errno != ENOSYS)
		return -1;
	if (statfs("/proc/self/fd", &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
		return errno = EXDEV, -1;
	snprintf(a, sizeof(a), "/proc/self/fd/%d", src);
	snprintf(b, sizeof(b), "/proc/self/fd/%d", dst);
	return mount(a, b, NULL, MS_BIND, NULL);
}

/* runtime-spec (config-linux.md): /dev/console is the pty, bind-mounted
 * onto a file made for it; an existing link is refused, not followed. */
static int bind_console(int slave)
{
	struct stat st;
	int fd = open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC), ret = 0;

	if (fd < 0 && errno == ENOENT) {
		fd = open("/dev/console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			  O_NOCTTY | O_CLOEXEC, 0666);
		if (fd >= 0)
			close(fd);
		fd = open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return oci_syserr("create /dev/console");
	if (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode)) {
		close(fd);
		return oci_err("bind the pty on /dev/console: not a file");
	}
	if (bind_fd(slave, fd) < 0)
		ret = oci_syserr("bind the pty on /dev/console");
	close(fd);
	return ret;
}

static int send_master(int sock, int master)
{
	if (tty_send_fd(sock, master, ptmx_name) < 0)
		return oci_syserr("send the pty master to the console socket");
	return 0;
}

/* A new session whose controlling terminal is the slave, as stdio. */
static int take_slave(int slave)
{
	if (getsid(0) != getpid() && setsid() < 0)
		return oci_syserr("start a session for the terminal");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return oci_syserr("make the pty the controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return oci_syserr("make the pty stdio");
	return 0;
}

int tty_setup(int sock, const struct process *p, bool console)
{
	struct winsize ws = { .ws_row = p->console_height, .ws_col = p->console_width };
	int master = -1, slave = -1, ret = -1;

	if ((master = open_master()) < 0 || (slave = open_slave(master)) < 0)
		goto out;
	/* as runc: a size with a zero in it is no size */
	if (p->has_console_size && ws.ws_row && ws.ws_col &&
	    ioctl(master, TIOCSWINSZ, &ws) < 0) {
		oci_syserr("set process.consoleSize");
		goto out;
	}
	/* the process owns its terminal (runc's fixStdioPermissions) */
	if (fchown(slave, p->uid, -1) < 0) {
		oci_syserr("chown the pty to uid %u", (unsigned)p->uid);
		goto out;
	}
	if ((console && bind_console(slave) < 0) || send_master(sock, master) < 0 ||
	    take_slave(slave) < 0)
		goto out;
	ret = 0;
out:
	if (master >= 0)
		close(master);
	if (slave > 2)
		close(slave);
	close(sock);
	return ret;
}

/* ---- in ocimin --------------------------------------------------------- */

int tty_connect(const char *path, const char *what)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = -1, pfd = -1, n;

	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path)) {
		/* a long path is reached through a fd of the socket file */
		pfd = open(path, O_PATH | O_CLOEXEC);
		if (pfd < 0)
			return oci_syserr("connect to %s %s", what, path);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d", pfd);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		oci_syserr("connect to %s %s", what, path);
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	if (pfd >= 0)
		close(pfd);
	return fd;
}

int tty_send_fd(int sock, int fd, const char *name)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { (void *)name, strlen(name) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

int tty_recv(int sock)
{
	char name[4096], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { name, sizeof(name) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	ssize_t n;
	int fd;

	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return oci_syserr("receive the pty master");
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int)) || (msg.msg_flags & MSG_CTRUNC))
		return oci_err("receive the pty master: no file descriptor came");
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static void copy_winsize(int master)
{
	struct winsize ws;

	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* Raw as containerd/console makes it, output processing kept: the
 * container's pty sends "\n" (ONLCR cleared, so that its output is the
 * same on a terminal and in a file) and this terminal adds the "\r". */
static bool set_raw(struct termios *saved)
{
	struct termios t;

	if (!isatty(0) || tcgetattr(0, saved) < 0)
		return false;
	t = *saved;
	cfmakeraw(&t);
	t.c_oflag |= OPOST;
	return tcsetattr(0, TCSANOW, &t) == 0;
}

static void clear_onlcr(int master)
{
	struct termios t;

	if (tcgetattr(master, &t) == 0) {
		t.c_oflag &= ~ONLCR;
		tcsetattr(master, TCSANOW, &t);
	}
}

/* One read and its write; false once the source is done (EOF, or EIO
 * from a master whose slaves are all closed) or the sink fails. */
static bool pump(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	return n > 0 && write_all(to, buf, n) == 0;
}

/* After the exit, what was written just before may still be on its way
 * through the pty, and a process left in the background may hold the
 * slave: read until it is closed or quiet for a moment. */
static void drain(int master)
{
	struct pollfd p = { .fd = master, .events = POLLIN };

	while (poll(&p, 1, 100) > 0 && pump(master, 1))
		;
}

/* A signal for the relay; true once pid has exited, its status in *st. */
static bool on_signal(int sfd, int master, pid_t pid, int *st)
{
	struct signalfd_siginfo si;

	if (read(sfd, &si, sizeof(si)) != sizeof(si))
		return false;
	if (si.ssi_signo == SIGCHLD)
		return waitpid(pid, st, WNOHANG) == pid;
	if (si.ssi_signo == SIGWINCH)
		copy_winsize(master);
	else
		kill(pid, si.ssi_signo);
	return false;
}

int tty_relay(int master, pid_t pid)
{
	struct termios saved;
	bool in = true, out = true, raw, done = false;
	int sfd, st = 0;
	sigset_t all;

	sigfillset(&all);
	sfd = signalfd(-1, &all, SFD_CLOEXEC);
	if (sfd < 0)
		return oci_syserr("relay the terminal"), 255;
	clear_onlcr(master);
	raw = set_raw(&saved);
	if (raw)
		copy_winsize(master);
	/* a child that exited before the signalfd existed */
	done = waitpid(pid, &st, WNOHANG) == pid;
	while (!done) {
		struct pollfd p[3] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = in ? 0 : -1, .events = POLLIN },
			{ .fd = out ? master : -1, .events = POLLIN },
		};

		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN)
			done = on_signal(sfd, master, pid, &st);
		if (p[1].revents)
			in = pump(0, master);
		if (p[2].revents)
			out = pump(master, 1);
	}
	if (out)
		drain(master);
	if (raw)
		tcsetattr(0, TCSANOW, &saved);
	close(sfd);
	if (!done)
		return oci_syserr("relay the terminal"), 255;
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}
