/* seccomp-listener.c - a seccomp agent for t/3200-seccomp.t.
 *
 *   seccomp-listener SOCKET OUT [ANSWER...]
 *
 * Listens on SOCKET (bound as SOCKET.tmp and renamed once listening, so
 * that a test can wait for SOCKET to appear), accepts one runtime, reads
 * its ContainerProcessState and the listener fd it passes (SCM_RIGHTS)
 * until EOF, and writes to OUT "state: JSON" and "fds: N". Then it answers
 * one notification per ANSWER, writing "notif: NR" for each: "continue"
 * lets the syscall run, a number fails it with that errno. It gives up
 * after 60 seconds. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/seccomp.h>

static FILE *out;

static int die(const char *what)
{
	fprintf(stderr, "seccomp-listener: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int listen_on(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char tmp[sizeof(addr.sun_path)];
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return errno = ENAMETOOLONG, die(path);
	strcpy(addr.sun_path, tmp);
	unlink(tmp);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(fd, 1) < 0 || rename(tmp, path) < 0)
		die(path);
	return fd;
}

/* The state, and the fd sent with its first part. */
static int receive(int conn)
{
	static char json[65536];
	size_t len = 0;
	int fd = -1, n_fds = 0;

	for (;;) {
		char cbuf[CMSG_SPACE(4 * sizeof(int))];
		struct iovec iov = { json + len, sizeof(json) - 1 - len };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		ssize_t n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);

		if (n < 0)
			die("recvmsg");
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
				continue;
			n_fds += (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
		}
		if (n == 0 || len + n >= sizeof(json) - 1)
			break;
		len += n;
	}
	json[len] = 0;
	fprintf(out, "state: %.*s\nfds: %d\n", (int)strcspn(json, "\n"), json, n_fds);
	fflush(out);
	return fd;
}

static void answer(int fd, const char *how)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, -1) < 0)
		die("poll");
	if (!(p.revents & POLLIN)) {
		fprintf(out, "notif: none, the filter is gone\n");
		exit(0);
	}
	memset(&req, 0, sizeof(req));
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		die("receive a notification");
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	if (!strcmp(how, "continue"))
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else
		resp.error = -atoi(how);
	fprintf(out, "notif: %d\n", req.data.nr);
	fflush(out);
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0)
		die("answer a notification");
}

int main(int argc, char **argv)
{
	int sock, conn, fd;

	if (argc < 3) {
		fprintf(stderr, "usage: seccomp-listener SOCKET OUT [ANSWER...]\n");
		return 2;
	}
	alarm(60);
	if (!(out = fopen(argv[2], "we")))
		die(argv[2]);
	sock = listen_on(argv[1]);
	conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		die("accept");
	fd = receive(conn);
	close(conn);
	if (fd < 0) {
		fprintf(out, "no fd\n");
		return 1;
	}
	for (int i = 3; i < argc; i++)
		answer(fd, argv[i]);
	return 0;
}
