#include "ipc/tcp_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

const char *ipc_peering_address(const char *configured, const char *network)
{
    if (configured && *configured)
        return configured;
    return network && strcmp(network, "dev") == 0 ? "127.0.0.1" : "::";
}

int ipc_tcp_listen(const char *address, uint16_t port, int backlog)
{
    struct sockaddr_in v4 = {.sin_family = AF_INET, .sin_port = htons(port)};
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
    struct sockaddr *sa;
    socklen_t len;
    if (inet_pton(AF_INET, address, &v4.sin_addr) == 1) {
        sa = (struct sockaddr *)&v4;
        len = sizeof v4;
    } else if (inet_pton(AF_INET6, address, &v6.sin6_addr) == 1) {
        sa = (struct sockaddr *)&v6;
        len = sizeof v6;
    } else {
        return -EINVAL;
    }
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int one = 1, zero = 0;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        (sa->sa_family == AF_INET6 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) != 0) ||
        bind(fd, sa, len) != 0 || listen(fd, backlog) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}
