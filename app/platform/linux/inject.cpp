// Test messages on Linux: FIFOs and Unix sockets here; tcp/udp come from net/socket_io.

#include "core/inject.h"
#include "linux/inject_x11.h"
#include "net/socket_io.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>

namespace ipcscope::platform {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

milliseconds left(Clock::time_point deadline) {
    return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
}

class FifoSender final : public Sender {
public:
    FifoSender(int fd, std::string target, milliseconds timeout) : m_fd(fd), m_target(std::move(target)), m_timeout(timeout) {}
    ~FifoSender() override { ::close(m_fd); }

    core::Result<SendResult> send(std::span<const std::uint8_t> bytes) override {
        const auto start = Clock::now();
        const auto deadline = start + m_timeout;
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::write(m_fd, bytes.data() + done, bytes.size() - done);
            if (n >= 0) {
                done += static_cast<std::size_t>(n);
                continue;
            }
            if (errno == EPIPE) return core::Error::make(core::Errc::NotFound, m_target + " has no reader any more");
            if (errno != EAGAIN && errno != EINTR) return core::Error::fromErrno(errno, "cannot write to " + m_target);
            pollfd p{m_fd, POLLOUT, 0};
            if (::poll(&p, 1, static_cast<int>(left(deadline).count())) <= 0 && Clock::now() >= deadline)
                return core::Error::make(core::Errc::Timeout, m_target + " stayed full for " + std::to_string(m_timeout.count()) +
                                                                  " ms (" + std::to_string(done) + " of " +
                                                                  std::to_string(bytes.size()) + " bytes written)");
        }
        SendResult r;
        r.written = done;
        r.via = "fifo";
        r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
        return r;
    }

private:
    int m_fd;
    std::string m_target;
    milliseconds m_timeout;
};

core::Result<std::unique_ptr<Sender>> openFifo(const core::Target& t, const SendOptions& o) {
    const std::string text = core::formatTarget(t);
    if (o.expectReply) return core::Error::make(core::Errc::InvalidArgument, "a FIFO has no way back: --expect-reply does not apply to " + text);
    struct stat st {};
    if (::stat(t.name.c_str(), &st) != 0) return core::Error::fromErrno(errno, text + " does not exist");
    if (!S_ISFIFO(st.st_mode)) return core::Error::make(core::Errc::InvalidArgument, t.name + " is not a FIFO");
    // A non-blocking open for writing fails with ENXIO while no process has the FIFO open for
    // reading (fifo(7)); retry until the deadline rather than block in open().
    const auto deadline = Clock::now() + o.timeout;
    for (;;) {
        const int fd = ::open(t.name.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0) return std::unique_ptr<Sender>(std::make_unique<FifoSender>(fd, text, o.timeout));
        if (errno != ENXIO) return core::Error::fromErrno(errno, "cannot open " + text);
        if (Clock::now() >= deadline)
            return core::Error::make(core::Errc::Timeout, text + " has no reader (waited " + std::to_string(o.timeout.count()) + " ms)");
        std::this_thread::sleep_for(milliseconds(10));
    }
}

/// sockaddr_un for a path or an abstract name; false when the name does not fit.
bool unixAddress(const core::Target& t, sockaddr_un& sa, socklen_t& len) {
    sa = {};
    sa.sun_family = AF_UNIX;
    const std::size_t room = sizeof sa.sun_path - (t.abstract ? 1 : 1);
    if (t.name.size() > room) return false;
    if (t.abstract) {
        std::memcpy(sa.sun_path + 1, t.name.data(), t.name.size());
        len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + t.name.size());
    } else {
        std::memcpy(sa.sun_path, t.name.data(), t.name.size());
        len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + t.name.size() + 1);
    }
    return true;
}

std::string_view typeName(int type) {
    return type == SOCK_STREAM ? "stream" : type == SOCK_DGRAM ? "datagram" : type == SOCK_SEQPACKET ? "seqpacket" : "socket";
}

core::Result<std::unique_ptr<Sender>> openUnix(const core::Target& t, const SendOptions& o) {
    const std::string text = core::formatTarget(t);
    sockaddr_un sa{};
    socklen_t len = 0;
    if (!unixAddress(t, sa, len)) return core::Error::make(core::Errc::InvalidArgument, "the socket name of " + text + " is too long");
    // The target does not say its type: connecting with a socket of the wrong type fails with
    // EPROTOTYPE (unix(7)), so try each type and keep the one the kernel accepts.
    core::Error last = core::Error::make(core::Errc::NotFound, text + " does not exist");
    for (int type : {SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM}) {
        const int fd = ::socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
        if (fd < 0) return core::Error::fromErrno(errno, "cannot create a Unix socket");
        if (type == SOCK_DGRAM) {
            // Autobind to an abstract address so a listener can answer (--expect-reply).
            sa_family_t family = AF_UNIX;
            (void)::bind(fd, reinterpret_cast<const sockaddr*>(&family), sizeof family);
        }
        auto c = net::connectWithin(fd, &sa, static_cast<int>(len), o.timeout, text);
        if (c) {
            int actual = type;
            socklen_t al = sizeof actual;
            ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &actual, &al);
            return net::makeSocketSender(fd, actual == SOCK_STREAM, "unix " + std::string(typeName(actual)), o, text);
        }
        ::close(fd);
        // A path names one socket, so the wrong type is EPROTOTYPE. An abstract name is looked
        // up together with the type, so the wrong type answers ECONNREFUSED.
        const bool wrongType = c.error().native == EPROTOTYPE || (t.abstract && c.error().native == ECONNREFUSED);
        if (!wrongType) return c.error();
        if (last.native != EPROTOTYPE) last = c.error();
    }
    return last;
}

/// A FIFO this process created; the reader end is opened read-write so it never sees EOF
/// between writers.
class FifoListener final : public Listener {
public:
    FifoListener(int fd, std::string path) : m_fd(fd), m_path(std::move(path)) {}
    ~FifoListener() override {
        ::close(m_fd);
        ::unlink(m_path.c_str());
    }
    std::string endpoint() const override { return "fifo:" + m_path; }
    core::Result<std::optional<Received>> receive(milliseconds timeout) override {
        pollfd p{m_fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::optional<Received>();
        std::vector<std::uint8_t> buf(65536);
        const ssize_t n = ::read(m_fd, buf.data(), buf.size());
        if (n <= 0) return std::optional<Received>();
        buf.resize(static_cast<std::size_t>(n));
        return std::optional<Received>(Received{std::move(buf), {}, 0});
    }
    core::Status reply(const Received&, std::span<const std::uint8_t>) override {
        return core::Error::make(core::Errc::NotSupported, "a FIFO has no way back to the writer");
    }

private:
    int m_fd;
    std::string m_path;
};

core::Result<std::unique_ptr<Listener>> listenFifo(const core::Target& t) {
    if (::mkfifo(t.name.c_str(), 0600) != 0) return core::Error::fromErrno(errno, "cannot create the FIFO " + t.name);
    const int fd = ::open(t.name.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        ::unlink(t.name.c_str());
        return core::Error::fromErrno(err, "cannot open the FIFO " + t.name);
    }
    return std::unique_ptr<Listener>(std::make_unique<FifoListener>(fd, t.name));
}

core::Result<std::unique_ptr<Listener>> listenUnix(const core::Target& t, int type) {
    const std::string text = core::formatTarget(t);
    sockaddr_un sa{};
    socklen_t len = 0;
    if (!unixAddress(t, sa, len)) return core::Error::make(core::Errc::InvalidArgument, "the socket name of " + text + " is too long");
    const int fd = ::socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (fd < 0) return core::Error::fromErrno(errno, "cannot create a Unix socket");
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&sa), len) != 0 || (type != SOCK_DGRAM && ::listen(fd, 16) != 0)) {
        const int err = errno;
        ::close(fd);
        return core::Error::fromErrno(err, "cannot listen on " + text);
    }
    std::function<void()> cleanup;
    if (!t.abstract) cleanup = [path = t.name] { ::unlink(path.c_str()); };
    return net::makeSocketListener(fd, type != SOCK_DGRAM, text, std::move(cleanup));
}

}  // namespace

core::Result<std::unique_ptr<Sender>> openSender(const core::Target& t, const SendOptions& o) {
    switch (t.kind) {
    case core::TargetKind::Fifo: return openFifo(t, o);
    case core::TargetKind::Unix: return openUnix(t, o);
    case core::TargetKind::Clipboard: return lnx::openClipboardSender(t, o);
    case core::TargetKind::Tcp:
    case core::TargetKind::Udp: return net::openInetSender(t, o);
    default: break;
    }
    return core::Error::make(core::Errc::NotSupported,
                             std::string(core::targetKindName(t.kind)) + " targets are not supported on linux");
}

core::Result<std::unique_ptr<Listener>> openListener(const core::Target& t, const ListenOptions& o) {
    switch (t.kind) {
    case core::TargetKind::Fifo: return listenFifo(t);
    case core::TargetKind::Unix:
        return listenUnix(t, o.socketType == "dgram" || o.socketType == "datagram" ? SOCK_DGRAM
                             : o.socketType == "seqpacket"                        ? SOCK_SEQPACKET
                                                                                  : SOCK_STREAM);
    case core::TargetKind::Tcp:
    case core::TargetKind::Udp: return net::openInetListener(t);
    default: break;
    }
    return core::Error::make(core::Errc::NotSupported,
                             "listening on " + std::string(core::targetKindName(t.kind)) + " targets is not supported on linux");
}

}  // namespace ipcscope::platform
