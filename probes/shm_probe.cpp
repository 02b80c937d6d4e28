// ipcscope-probe-shm: a sender thread copies messages into a ring in a shared-memory object,
// the receiving thread copies them out. Each side maps the object on its own, as two processes
// would (POSIX shm_open + mmap on Linux, CreateFileMapping + MapViewOfFile on Windows).

#include "probe_main.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#if defined(_WIN32)
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace ipcscope::probe {
namespace {

using base::Error;
using base::Status;

constexpr std::size_t kHeader = 128;                // write count at 0, read count at 64 (own cache lines)
constexpr std::size_t kMinRing = std::size_t{8} << 20;

/// One shared-memory object mapped twice.
class SharedRegion {
public:
    ~SharedRegion() {
#if defined(_WIN32)
        if (m_a) UnmapViewOfFile(m_a);
        if (m_b) UnmapViewOfFile(m_b);
        if (m_handle) CloseHandle(m_handle);
#else
        if (m_a) munmap(m_a, m_size);
        if (m_b) munmap(m_b, m_size);
        if (!m_name.empty()) shm_unlink(m_name.c_str());
#endif
    }

    Status open(std::size_t size) {
        m_size = size;
#if defined(_WIN32)
        m_name = "Local\\ipcscope-probe-shm-" + std::to_string(GetCurrentProcessId());
        m_handle = CreateFileMappingA(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE, static_cast<DWORD>(std::uint64_t{size} >> 32),
                                      static_cast<DWORD>(size & 0xffffffffu), m_name.c_str());
        if (!m_handle) return Error::fromWin32(GetLastError(), "CreateFileMapping " + m_name);
        m_a = static_cast<unsigned char*>(MapViewOfFile(m_handle, FILE_MAP_ALL_ACCESS, 0, 0, size));
        m_b = static_cast<unsigned char*>(MapViewOfFile(m_handle, FILE_MAP_ALL_ACCESS, 0, 0, size));
        if (!m_a || !m_b) return Error::fromWin32(GetLastError(), "MapViewOfFile " + m_name);
#else
        m_name = "/ipcscope-probe-shm-" + std::to_string(getpid());
        const int fd = shm_open(m_name.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0) {
            const int err = errno;
            m_name.clear();
            return Error::fromErrno(err, "shm_open");
        }
        if (ftruncate(fd, static_cast<off_t>(size)) != 0) {
            const int err = errno;
            close(fd);
            return Error::fromErrno(err, "ftruncate of the shared-memory object");
        }
        void* a = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        void* b = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        const int err = errno;
        close(fd);
        if (a == MAP_FAILED || b == MAP_FAILED) {
            if (a != MAP_FAILED) munmap(a, size);
            if (b != MAP_FAILED) munmap(b, size);
            return Error::fromErrno(err, "mmap of the shared-memory object");
        }
        m_a = static_cast<unsigned char*>(a);
        m_b = static_cast<unsigned char*>(b);
        // The mappings keep the memory; without the name nothing is left behind if the probe is
        // killed (the maps still show it as "/dev/shm/ipcscope-probe-shm-PID (deleted)").
        shm_unlink(m_name.c_str());
        m_name.clear();
#endif
        return base::okStatus();
    }

    unsigned char* senderView() const { return m_a; }
    unsigned char* receiverView() const { return m_b; }

private:
    std::string m_name;
    std::size_t m_size = 0;
    unsigned char* m_a = nullptr;
    unsigned char* m_b = nullptr;
#if defined(_WIN32)
    HANDLE m_handle = nullptr;
#endif
};

/// The ring as one side sees it through its own view.
struct RingView {
    unsigned char* base;
    std::size_t capacity;
    std::atomic_ref<std::uint64_t> written() const { return std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t*>(base)); }
    std::atomic_ref<std::uint64_t> read() const { return std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t*>(base + 64)); }
    unsigned char* data() const { return base + kHeader; }
};

void backoff(unsigned& spins) {
    if (++spins > 64) std::this_thread::yield();
}

Status transfer(const ProbeOptions& o, Reporter& reporter) {
    const std::size_t ring = std::max<std::size_t>(kMinRing, 2 * static_cast<std::size_t>(o.messageSize));
    SharedRegion region;
    if (auto st = region.open(kHeader + ring); !st) return st;
    std::atomic<bool> stop{false};

    std::thread sender([&] {
        const RingView v{region.senderView(), ring};
        std::vector<unsigned char> message(o.messageSize);
        for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<unsigned char>(i * 131u);
        std::uint64_t sent = 0;
        while (sent < o.bytes && !stop.load(std::memory_order_relaxed)) {
            const std::uint64_t n = std::min<std::uint64_t>(o.messageSize, o.bytes - sent);
            unsigned spins = 0;
            while (ring - (sent - v.read().load(std::memory_order_acquire)) < n) {
                if (stop.load(std::memory_order_relaxed)) return;
                backoff(spins);
            }
            const std::size_t at = static_cast<std::size_t>(sent % ring);
            const std::size_t first = std::min<std::size_t>(static_cast<std::size_t>(n), ring - at);
            std::memcpy(v.data() + at, message.data(), first);
            std::memcpy(v.data(), message.data() + first, static_cast<std::size_t>(n) - first);
            sent += n;
            v.written().store(sent, std::memory_order_release);
        }
    });

    const RingView v{region.receiverView(), ring};
    std::vector<unsigned char> buffer(o.messageSize);
    reporter.start();
    std::uint64_t got = 0;
    bool timedOut = false;
    while (got < o.bytes) {
        const std::uint64_t n = std::min<std::uint64_t>(o.messageSize, o.bytes - got);
        unsigned spins = 0;
        while (v.written().load(std::memory_order_acquire) - got < n) {
            if ((spins & 1023u) == 0 && reporter.expired()) {
                timedOut = true;
                break;
            }
            backoff(spins);
        }
        if (timedOut) break;
        const std::size_t at = static_cast<std::size_t>(got % ring);
        const std::size_t first = std::min<std::size_t>(static_cast<std::size_t>(n), ring - at);
        std::memcpy(buffer.data(), v.data() + at, first);
        std::memcpy(buffer.data() + first, v.data(), static_cast<std::size_t>(n) - first);
        got += n;
        v.read().store(got, std::memory_order_release);
        reporter.add(n);
        if (reporter.expired()) break;
    }
    stop = true;
    sender.join();
    return base::okStatus();
}

}  // namespace
}  // namespace ipcscope::probe

int main(int argc, char** argv) {
    return ipcscope::probe::probeMain(argc, argv, [](const auto&) { return std::string("shm"); }, ipcscope::probe::transfer);
}
