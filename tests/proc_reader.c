// SPDX-License-Identifier: GPL-2.0
/*
 * proc_reader - read /proc/scullmem with various credentials.
 *
 *   proc_reader unpriv   open and read it as uid/gid 65534
 *   proc_reader passed   open it as uid 65534, pass the descriptor to the
 *                        (root) parent over a unix socket, read it there
 *
 * The contents go to stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int drop(void)
{
	return setgroups(0, NULL) || setgid(65534) || setuid(65534);
}

static void cat_fd(int fd)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, stdout);
}

static int send_fd(int sock, int fd)
{
	char c = 0, ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char c, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

int main(int argc, char **argv)
{
	int sv[2], fd, st;
	pid_t pid;

	if (argc != 2)
		return 2;
	if (!strcmp(argv[1], "unpriv")) {
		if (drop())
			return perror("drop"), 1;
		fd = open("/proc/scullmem", O_RDONLY);
		if (fd < 0)
			return perror("open"), 1;
		cat_fd(fd);
		return 0;
	}
	if (strcmp(argv[1], "passed") || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 2;
	pid = fork();
	if (pid < 0)
		return perror("fork"), 1;
	if (pid == 0) {
		if (drop())
			_exit(1);
		fd = open("/proc/scullmem", O_RDONLY);
		_exit(fd < 0 || send_fd(sv[1], fd) ? 1 : 0);
	}
	/* A child that dies without sending ends recv_fd() with EOF. */
	close(sv[1]);
	fd = recv_fd(sv[0]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) || fd < 0)
		return fprintf(stderr, "proc_reader: the child failed\n"), 1;
	if (geteuid() != 0)
		return 1;
	cat_fd(fd);
	return 0;
}
