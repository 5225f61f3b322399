/* recvtty.c - the other end of a terminal, for the tests (after runc's
 * contrib/cmd/recvtty). Static, so it runs in the busybox-only VM.
 *
 *   recvtty [OPTION]... SOCKET          listen on the AF_UNIX stream
 *       socket SOCKET, take the one pty master a runtime sends on it with
 *       SCM_RIGHTS, copy what comes out of it
 *   recvtty --exec [OPTION]... CMD...   run CMD on a new pty (its stdio and
 *       controlling terminal, in a new session), copy what comes out
 *   recvtty --pidfd [--ready FILE] [--kill SIGNUM [--kill-after FILE]]
 *       SOCKET   take the one pidfd a runtime sends on SOCKET
 *       (--pidfd-socket), print "recvtty: received NAME: pid N" (N from
 *       its fdinfo); with --kill, send SIGNUM through it (once FILE
 *       exists) and wait for the process to exit
 *
 *   --out FILE            write the output to FILE, not stdout
 *   --ready FILE          create FILE once SOCKET listens
 *   --input STR           type STR into the pty (\n, \r, \t, \\ and \NNN
 *                         octal escapes understood)
 *   --input-after FILE    type it once FILE exists, not at once
 *   --size ROWSxCOLS      the window size of the new pty (--exec)
 *   --resize ROWSxCOLS    change the window size once --resize-after's
 *   --resize-after FILE   FILE exists (the pty's session gets SIGWINCH)
 *
 * Prints "recvtty: received NAME: pty N" on stderr for the fd it takes.
 * Copies until the pty is closed on the other side, then exits 0, or with
 * CMD's status (128+N for signal N) with --exec; 1 on error, 2 on usage. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

static const char *out_path, *ready, *input_after, *resize_after, *kill_after;
static char *input;
static struct winsize size, resize;
static bool has_size, has_resize, pidfd_mode;
static int kill_sig;

static void die(const char *what)
{
	fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: recvtty [--out F] [--ready F] [--input S [--input-after F]] SOCKET\n"
		"       recvtty --pidfd [--ready F] [--kill SIGNUM [--kill-after F]] SOCKET\n"
		"       recvtty --exec [--out F] [--size RxC] [--resize RxC --resize-after F]\n"
		"               [--input S [--input-after F]] CMD [ARG]...\n");
	exit(2);
}

static void parse_size(const char *s, struct winsize *ws)
{
	char *end;
	unsigned long r = strtoul(s, &end, 10), c;

	if (end == s || *end != 'x')
		usage();
	s = end + 1;
	c = strtoul(s, &end, 10);
	if (end == s || *end || !r || !c || r > 65535 || c > 65535)
		usage();
	ws->ws_row = r;
	ws->ws_col = c;
}

/* In place: the escapes a shell argument cannot hold easily. */
static void unescape(char *s)
{
	char *d = s;

	while (*s) {
		if (*s != '\\' || !s[1]) {
			*d++ = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'n': *d++ = '\n'; s++; break;
		case 'r': *d++ = '\r'; s++; break;
		case 't': *d++ = '\t'; s++; break;
		default:
			if (*s >= '0' && *s <= '7') {
				int v = 0;
				for (int k = 0; k < 3 && *s >= '0' && *s <= '7'; k++)
					v = v * 8 + (*s++ - '0');
				*d++ = (char)v;
			} else {
				*d++ = *s++;
			}
		}
	}
	*d = 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

/* The pid a pidfd refers to, from the "Pid:" line of its fdinfo: -1
 * once the process is reaped, -2 when there is no such line (not a
 * pidfd). */
static long pidfd_pid(int fd)
{
	char path[64], line[256];
	long pid = -2;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (!(f = fopen(path, "re")))
		return -2;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %ld", &pid) == 1)
			break;
	fclose(f);
	return pid;
}

/* --pidfd: what the fd is, then, with --kill, the signal through it and
 * the wait for the exit (the pidfd polls readable). */
static void use_pidfd(int fd, const char *name)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	long pid = pidfd_pid(fd);

	if (pid == -2) {
		fprintf(stderr, "recvtty: received %s: not a pidfd\n", name);
		exit(1);
	}
	fprintf(stderr, "recvtty: received %s: pid %ld\n", name, pid);
	if (!kill_sig)
		return;
	while (kill_after && access(kill_after, F_OK) < 0)
		usleep(20000);
	if (syscall(SYS_pidfd_send_signal, fd, kill_sig, NULL, 0) < 0)
		die("pidfd_send_signal");
	while (poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			die("poll the pidfd");
	fprintf(stderr, "recvtty: pid %ld exited\n", pid);
}

/* One fd, sent with a name as runc's utils.SendFile does. */
static int recv_master(int conn)
{
	char name[4097], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { name, sizeof(name) - 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	unsigned int n;
	ssize_t len;
	int fd;

	do
		len = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	while (len < 0 && errno == EINTR);
	if (len < 0)
		die("recvmsg");
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)) ||
	    (msg.msg_flags & MSG_CTRUNC)) {
		fprintf(stderr, "recvtty: expected exactly one fd\n");
		exit(1);
	}
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	name[len] = 0;
	if (pidfd_mode) {
		use_pidfd(fd, name);
		return fd;
	}
	if (ioctl(fd, TIOCGPTN, &n) < 0) {
		fprintf(stderr, "recvtty: received %s: not a pty master\n", name);
		exit(1);
	}
	fprintf(stderr, "recvtty: received %s: pty %u\n", name, n);
	return fd;
}

static int listen_and_recv(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), conn, fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		die(path);
	}
	strcpy(sa.sun_path, path);
	unlink(path);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 1) < 0)
		die(path);
	if (ready && (fd = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) >= 0)
		close(fd);
	do
		conn = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	while (conn < 0 && errno == EINTR);
	if (conn < 0)
		die("accept");
	fd = recv_master(conn);
	close(conn);
	close(l);
	unlink(path);
	return fd;
}

static int exec_on_pty(char **argv, pid_t *child)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), slave;
	const char *name;

	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
	    !(name = ptsname(master)))
		die("open a pty");
	if (has_size && ioctl(master, TIOCSWINSZ, &size) < 0)
		die("set the window size");
	*child = fork();
	if (*child < 0)
		die("fork");
	if (*child)
		return master;
	if (setsid() < 0 || (slave = open(name, O_RDWR)) < 0 ||
	    ioctl(slave, TIOCSCTTY, 0) < 0)
		die(name);
	for (int fd = 0; fd < 3; fd++)
		dup2(slave, fd);
	if (slave > 2)
		close(slave);
	execvp(argv[0], argv);
	die(argv[0]);
	return -1;
}

static bool exists(const char *path)
{
	return !path || access(path, F_OK) == 0;
}

static void copy(int master, int out)
{
	bool typed = !input, resized = !has_resize;
	char buf[8192];

	for (;;) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		ssize_t n;

		if (!typed && exists(input_after)) {
			if (write_all(master, input, strlen(input)) < 0)
				die("type into the pty");
			typed = true;
		}
		if (!resized && exists(resize_after)) {
			if (ioctl(master, TIOCSWINSZ, &resize) < 0)
				die("resize the pty");
			resized = true;
		}
		if (poll(&p, 1, 50) <= 0)
			continue;
		n = read(master, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return;		/* EIO: every slave fd is closed */
		if (write_all(out, buf, n) < 0)
			die("write the output");
	}
}

int main(int argc, char **argv)
{
	bool exec_mode = false;
	int i, master, out = 1, st;
	pid_t child = -1;

	for (i = 1; i < argc && !strncmp(argv[i], "--", 2); i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "--")) {
			i++;
			break;
		}
		if (!strcmp(o, "--exec")) {
			exec_mode = true;
			continue;
		}
		if (!strcmp(o, "--pidfd")) {
			pidfd_mode = true;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(o, "--out"))
			out_path = v;
		else if (!strcmp(o, "--ready"))
			ready = v;
		else if (!strcmp(o, "--input"))
			unescape(input = argv[i]);
		else if (!strcmp(o, "--input-after"))
			input_after = v;
		else if (!strcmp(o, "--size"))
			parse_size(v, &size), has_size = true;
		else if (!strcmp(o, "--resize"))
			parse_size(v, &resize), has_resize = true;
		else if (!strcmp(o, "--resize-after"))
			resize_after = v;
		else if (!strcmp(o, "--kill-after"))
			kill_after = v;
		else if (!strcmp(o, "--kill")) {
			if ((kill_sig = atoi(v)) <= 0)
				usage();
		} else
			usage();
	}
	if (i >= argc || (!exec_mode && i != argc - 1) || (has_resize && !resize_after) ||
	    (pidfd_mode && exec_mode) || (kill_sig && !pidfd_mode) || (kill_after && !kill_sig))
		usage();
	if (out_path && (out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		die(out_path);
	master = exec_mode ? exec_on_pty(argv + i, &child) : listen_and_recv(argv[i]);
	if (pidfd_mode)
		return 0;
	copy(master, out);
	if (child < 0)
		return 0;
	if (waitpid(child, &st, 0) < 0)
		die("wait");
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}
