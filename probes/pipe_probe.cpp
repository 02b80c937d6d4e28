// ipcscope-probe-pipe: the receiver creates the pipe, the sender opens it by name. Linux: a
// FIFO in a private temporary folder (two in ping-pong, one per direction; the sender asks for
// a 1 MiB pipe buffer); both names are removed once both ends are open. Windows: one duplex
// named pipe in byte mode with 1 MiB buffers.

#include "probe_main.h"

#include <algorithm>
#include <string>

#if defined(_WIN32)
#include <windows.h>
#else
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace ipcscope::probe {
namespace {

using core::Errc;
using core::Error;
using core::Status;

#if defined(_WIN32)

class PipeLink final : public StreamLink {
public:
    explicit PipeLink(std::size_t maxMessage) : StreamLink(maxMessage) {}
    ~PipeLink() override {
        if (m_pipe != INVALID_HANDLE_VALUE) CloseHandle(m_pipe);
    }

    Status create(const ProbeOptions& o, const std::function<void(const std::string&)>& ready) {
        const std::string name = "\\\\.\\pipe\\ipcscope-probe-pipe-" + std::to_string(GetCurrentProcessId());
        constexpr DWORD kBuffer = 1u << 20;
        (void)o;
        m_pipe = CreateNamedPipeA(name.c_str(), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT, 1, kBuffer, kBuffer, 0,
                                  nullptr);
        if (m_pipe == INVALID_HANDLE_VALUE) return Error::fromWin32(GetLastError(), "CreateNamedPipe " + name);
        ready(name);
        if (!ConnectNamedPipe(m_pipe, nullptr) && GetLastError() != ERROR_PIPE_CONNECTED)
            return Error::fromWin32(GetLastError(), "ConnectNamedPipe " + name);
        return core::okStatus();
    }

    Status connect(const ProbeOptions& o) {
        for (int attempt = 0; attempt < 50; ++attempt) {
            m_pipe = CreateFileA(o.endpoint.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
            if (m_pipe != INVALID_HANDLE_VALUE) return core::okStatus();
            if (GetLastError() != ERROR_PIPE_BUSY) break;
            WaitNamedPipeA(o.endpoint.c_str(), 100);
        }
        return Error::fromWin32(GetLastError(), "open of the named pipe " + o.endpoint);
    }

protected:
    core::Result<std::size_t> readSome(unsigned char* p, std::size_t n) override {
        DWORD got = 0;
        if (!ReadFile(m_pipe, p, static_cast<DWORD>(std::min<std::size_t>(n, 1u << 30)), &got, nullptr)) {
            if (GetLastError() == ERROR_BROKEN_PIPE) return std::size_t{0};
            return Error::fromWin32(GetLastError(), "ReadFile on the named pipe");
        }
        return std::size_t{got};
    }
    Status writeAll(const unsigned char* p, std::size_t n) override {
        while (n > 0) {
            DWORD put = 0;
            if (!WriteFile(m_pipe, p, static_cast<DWORD>(std::min<std::size_t>(n, 1u << 30)), &put, nullptr))
                return Error::fromWin32(GetLastError(), "WriteFile on the named pipe");
            p += put;
            n -= put;
        }
        return core::okStatus();
    }

private:
    HANDLE m_pipe = INVALID_HANDLE_VALUE;
};

#else

class PipeLink final : public StreamLink {
public:
    explicit PipeLink(std::size_t maxMessage) : StreamLink(maxMessage) {}
    ~PipeLink() override {
        if (m_in >= 0) close(m_in);
        if (m_out >= 0) close(m_out);
        removeNames();
    }

    Status create(const ProbeOptions& o, const std::function<void(const std::string&)>& ready) {
        char tmpl[] = "/tmp/ipcscope-probe-pipe-XXXXXX";
        if (!mkdtemp(tmpl)) return Error::fromErrno(errno, "mkdtemp");
        m_dir = tmpl;
        const bool back = o.mode == ProbeMode::PingPong;
        if (mkfifo((m_dir + "/ab").c_str(), 0600) != 0) return Error::fromErrno(errno, "mkfifo " + m_dir + "/ab");
        if (back && mkfifo((m_dir + "/ba").c_str(), 0600) != 0) return Error::fromErrno(errno, "mkfifo " + m_dir + "/ba");
        ready(m_dir);
        // Both ends open "ab" first, then "ba": each open waits for its peer, in the same order.
        if (auto st = openFifo(m_dir + "/ab", O_RDONLY, m_in); !st) return st;
        if (back)
            if (auto st = openFifo(m_dir + "/ba", O_WRONLY, m_out); !st) return st;
        removeNames();
        return core::okStatus();
    }

    Status connect(const ProbeOptions& o) {
        if (auto st = openFifo(o.endpoint + "/ab", O_WRONLY, m_out); !st) return st;
        (void)fcntl(m_out, F_SETPIPE_SZ, 1 << 20);  // as large as an unprivileged process may ask
        if (o.mode == ProbeMode::PingPong)
            if (auto st = openFifo(o.endpoint + "/ba", O_RDONLY, m_in); !st) return st;
        return core::okStatus();
    }

protected:
    core::Result<std::size_t> readSome(unsigned char* p, std::size_t n) override {
        while (true) {
            const ssize_t got = read(m_in, p, n);
            if (got >= 0) return static_cast<std::size_t>(got);
            if (errno != EINTR) return Error::fromErrno(errno, "read from the FIFO");
        }
    }
    Status writeAll(const unsigned char* p, std::size_t n) override {
        while (n > 0) {
            const ssize_t put = write(m_out, p, n);
            if (put < 0) {
                if (errno == EINTR) continue;
                return Error::fromErrno(errno, "write to the FIFO");
            }
            p += put;
            n -= static_cast<std::size_t>(put);
        }
        return core::okStatus();
    }

private:
    static Status openFifo(const std::string& path, int flags, int& fd) {
        do fd = ::open(path.c_str(), flags | O_CLOEXEC);
        while (fd < 0 && errno == EINTR);
        if (fd < 0) return Error::fromErrno(errno, "open " + path);
        return core::okStatus();
    }
    void removeNames() {
        if (m_dir.empty()) return;
        unlink((m_dir + "/ab").c_str());
        unlink((m_dir + "/ba").c_str());
        rmdir(m_dir.c_str());
        m_dir.clear();
    }

    int m_in = -1;
    int m_out = -1;
    std::string m_dir;
};

#endif

core::Result<std::unique_ptr<Link>> open(const ProbeOptions& o, const std::function<void(const std::string&)>& ready) {
    auto link = std::make_unique<PipeLink>(static_cast<std::size_t>(o.messageSize));
    if (auto st = o.role == ProbeRole::Receiver ? link->create(o, ready) : link->connect(o); !st) return st.error();
    return std::unique_ptr<Link>(std::move(link));
}

}  // namespace
}  // namespace ipcscope::probe

int main(int argc, char** argv) { return ipcscope::probe::probeMain(argc, argv, {"pipe"}, ipcscope::probe::open); }
