// Test messages on Linux: FIFOs here, the X11 clipboard in clipboard_send.cpp. Sockets (unix,
// tcp, udp) are the net layer's (net/socket_io).

#include "core/inject.h"
#include "platform/linux/inject_x11.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
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

}  // namespace

core::Result<std::unique_ptr<Sender>> openSender(const core::Target& t, const SendOptions& o) {
    switch (t.kind) {
    case core::TargetKind::Fifo: return openFifo(t, o);
    case core::TargetKind::Clipboard: return lnx::openClipboardSender(t, o);
    default: break;
    }
    return core::Error::make(core::Errc::NotSupported,
                             std::string(core::targetKindName(t.kind)) + " targets are not supported on linux");
}

core::Result<std::unique_ptr<Listener>> openListener(const core::Target& t, const ListenOptions&) {
    switch (t.kind) {
    case core::TargetKind::Fifo: return listenFifo(t);
    default: break;
    }
    return core::Error::make(core::Errc::NotSupported,
                             "listening on " + std::string(core::targetKindName(t.kind)) + " targets is not supported on linux");
}

}  // namespace ipcscope::platform
