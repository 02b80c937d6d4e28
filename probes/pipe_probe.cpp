// ipcscope-probe-pipe: a sender thread writes messages into a pipe, the receiving thread reads
// them. Linux: an anonymous pipe (pipe2). Windows: a byte-mode named pipe (CreateNamedPipe),
// the sender connecting to it by name as another process would.

#include "probe_main.h"

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#if defined(_WIN32)
#include <windows.h>
#else
#include <fcntl.h>
#include <unistd.h>
#endif

namespace ipcscope::probe {
namespace {

using base::Error;
using base::Status;

#if defined(_WIN32)
struct Handle {
    HANDLE h = INVALID_HANDLE_VALUE;
    ~Handle() { reset(); }
    void reset() {
        if (h != INVALID_HANDLE_VALUE) CloseHandle(h);
        h = INVALID_HANDLE_VALUE;
    }
};
#else
struct Fd {
    int fd = -1;
    ~Fd() { reset(); }
    void reset() {
        if (fd >= 0) close(fd);
        fd = -1;
    }
};
#endif

void fill(std::vector<unsigned char>& m) {
    for (std::size_t i = 0; i < m.size(); ++i) m[i] = static_cast<unsigned char>(i * 131u);
}

Status transfer(const ProbeOptions& o, Reporter& reporter) {
    std::atomic<bool> stop{false};
    std::vector<unsigned char> buffer(o.messageSize);
    std::uint64_t got = 0;
#if defined(_WIN32)
    const std::string name = "\\\\.\\pipe\\ipcscope-probe-pipe-" + std::to_string(GetCurrentProcessId());
    const DWORD bufferSize = static_cast<DWORD>(std::min<std::uint64_t>(o.messageSize, 1u << 20));
    Handle server;
    server.h = CreateNamedPipeA(name.c_str(), PIPE_ACCESS_INBOUND, PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT, 1,
                                bufferSize, bufferSize, 0, nullptr);
    if (server.h == INVALID_HANDLE_VALUE) return Error::fromWin32(GetLastError(), "CreateNamedPipe " + name);
    Handle client;
    client.h = CreateFileA(name.c_str(), GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    if (client.h == INVALID_HANDLE_VALUE) return Error::fromWin32(GetLastError(), "CreateFile " + name);
    if (!ConnectNamedPipe(server.h, nullptr) && GetLastError() != ERROR_PIPE_CONNECTED)
        return Error::fromWin32(GetLastError(), "ConnectNamedPipe " + name);

    std::thread sender([&] {
        std::vector<unsigned char> message(o.messageSize);
        fill(message);
        std::uint64_t sent = 0;
        while (sent < o.bytes && !stop.load(std::memory_order_relaxed)) {
            const DWORD n = static_cast<DWORD>(std::min<std::uint64_t>(o.messageSize, o.bytes - sent));
            DWORD wrote = 0;
            if (!WriteFile(client.h, message.data(), n, &wrote, nullptr)) break;
            sent += wrote;
        }
        client.reset();  // the reader sees end of file
    });
    reporter.start();
    Status result = base::okStatus();
    while (got < o.bytes && !reporter.expired()) {
        const DWORD want = static_cast<DWORD>(std::min<std::uint64_t>(o.messageSize, o.bytes - got));
        DWORD n = 0;
        if (!ReadFile(server.h, buffer.data(), want, &n, nullptr)) {
            const DWORD err = GetLastError();
            if (err != ERROR_MORE_DATA) {
                if (err != ERROR_BROKEN_PIPE) result = Error::fromWin32(err, "ReadFile " + name);
                break;
            }
        }
        if (n == 0) break;
        got += n;
        reporter.add(n);
    }
    stop = true;
    server.reset();  // unblocks a sender stuck in WriteFile
#else
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return Error::fromErrno(errno, "pipe2");
    Fd readEnd{fds[0]};
    Fd writeEnd{fds[1]};
    // A larger pipe buffer than the 64 KiB default, when the system allows it.
    (void)fcntl(writeEnd.fd, F_SETPIPE_SZ, 1 << 20);

    std::thread sender([&] {
        std::vector<unsigned char> message(o.messageSize);
        fill(message);
        std::uint64_t sent = 0;
        while (sent < o.bytes && !stop.load(std::memory_order_relaxed)) {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(o.messageSize, o.bytes - sent));
            std::size_t off = 0;
            while (off < n) {
                const ssize_t w = write(writeEnd.fd, message.data() + off, n - off);
                if (w < 0 && errno == EINTR) continue;
                if (w <= 0) {
                    writeEnd.reset();
                    return;
                }
                off += static_cast<std::size_t>(w);
            }
            sent += n;
        }
        writeEnd.reset();  // the reader sees end of file
    });
    reporter.start();
    Status result = base::okStatus();
    while (got < o.bytes && !reporter.expired()) {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(o.messageSize, o.bytes - got));
        const ssize_t n = read(readEnd.fd, buffer.data(), want);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            result = Error::fromErrno(errno, "read from the pipe");
            break;
        }
        if (n == 0) break;
        got += static_cast<std::uint64_t>(n);
        reporter.add(static_cast<std::uint64_t>(n));
    }
    stop = true;
    readEnd.reset();  // a sender blocked in write gets EPIPE
#endif
    sender.join();
    if (result && got < o.bytes && !reporter.expired())
        return Error::make(base::Errc::Io, "the pipe closed after " + std::to_string(got) + " of " + std::to_string(o.bytes) + " bytes");
    return result;
}

}  // namespace
}  // namespace ipcscope::probe

int main(int argc, char** argv) {
    return ipcscope::probe::probeMain(argc, argv, [](const auto&) { return std::string("pipe"); }, ipcscope::probe::transfer);
}
