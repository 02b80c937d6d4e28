// ipcscope-probe-shm: two processes share one named shared-memory object (POSIX shm on Linux,
// a named section on Windows) holding two single-producer single-consumer rings of message
// slots, one per direction. The sender copies each message into a slot (the one copy); the
// receiver checks it in place and frees the slot. How a side with nothing to do waits (polls a
// little, then sleeps on a futex or a named event; --spin: polls) is in shm_wait.h.
//
// A slot is published by its own first word, not by a shared counter: every message starts with
// its sequence number (MessageHeader::seq), which is also its number in its direction (0, 1, 2,
// ... and the end marker's count), so the sender writes the rest of the message first and that
// word last (a release store), and the reader waits until the slot's first word is the number it
// expects (an acquire load). A 64-byte message and its publication are then one cache line, which
// is all that crosses between the cores; in bulk, the reader polls the slot it reads anyway. send()
// refuses a message that does not start with its number. The reader hands slots back through a
// counter of its own that the writer reads only when the ring looks full.

#include "probe_main.h"
#include "shm_wait.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <new>
#include <string>

#if defined(_WIN32)
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace ipcscope::probe {
namespace {

using base::Errc;
using base::Error;
using base::Status;

constexpr std::uint64_t kMagic = 0x3372696570637369ull;  // "ipcspir3"
constexpr std::size_t kControlBytes = 4096;
/// The first word of a slot that has never held a message (no message number is this large).
constexpr std::uint64_t kNeverWritten = ~std::uint64_t{0};

/// One direction's counters, each group on its own cache line: what the reader is done with, and
/// the two sleep words (the reader's, the writer's).
struct RingControl {
    alignas(64) std::atomic<std::uint64_t> read;
    alignas(64) std::atomic<std::uint32_t> dataSeq;
    std::atomic<std::uint32_t> readerWaiting;
    std::atomic<std::uint64_t> readerTarget;  ///< a sleeping reader wants message number this - 1 to be there
    alignas(64) std::atomic<std::uint32_t> spaceSeq;
    std::atomic<std::uint32_t> writerWaiting;
    std::atomic<std::uint64_t> writerTarget;  ///< a sleeping writer wants `read` to reach this
};

struct Control {
    std::uint64_t magic;
    std::uint64_t messageBytes;
    std::uint64_t slotBytes;
    std::uint64_t slots;
    alignas(64) std::atomic<std::uint32_t> attached;
    std::atomic<std::uint32_t> attachWaiting;
    RingControl ring[2];  ///< [0] sender to receiver, [1] back (ping-pong)
};
static_assert(sizeof(Control) <= kControlBytes);
static_assert(std::atomic<std::uint64_t>::is_always_lock_free && std::atomic<std::uint32_t>::is_always_lock_free);

/// The first word of a slot (slots are 64-byte aligned).
std::atomic_ref<std::uint64_t> stampOf(unsigned char* slot) { return std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t*>(slot)); }

class ShmLink final : public Link {
public:
    ~ShmLink() override {
#if defined(_WIN32)
        if (m_base) UnmapViewOfFile(m_base);
        if (m_section) CloseHandle(m_section);
#else
        if (m_base) munmap(m_base, m_size);
        if (!m_unlinkName.empty()) shm_unlink(m_unlinkName.c_str());
#endif
    }

    Status create(const ProbeOptions& o, const std::function<void(const std::string&)>& ready) {
        const std::uint64_t ring = wire::probeShmRingBytes(o.messageSize, o.mode);
        const std::uint64_t slot = wire::probeShmSlotBytes(o.messageSize);
        m_size = kControlBytes + 2 * static_cast<std::size_t>(ring);
#if defined(_WIN32)
        const std::string name = "Local\\ipcscope-probe-shm-" + std::to_string(GetCurrentProcessId());
        m_section = CreateFileMappingA(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE, static_cast<DWORD>(std::uint64_t{m_size} >> 32),
                                       static_cast<DWORD>(m_size & 0xffffffffu), name.c_str());
        if (!m_section) return Error::fromWin32(GetLastError(), "CreateFileMapping " + name);
        m_base = static_cast<unsigned char*>(MapViewOfFile(m_section, FILE_MAP_ALL_ACCESS, 0, 0, m_size));
        if (!m_base) return Error::fromWin32(GetLastError(), "MapViewOfFile " + name);
#else
        const std::string name = "/ipcscope-probe-shm-" + std::to_string(getpid());
        const int fd = shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0) return Error::fromErrno(errno, "shm_open " + name);
        m_unlinkName = name;
        if (ftruncate(fd, static_cast<off_t>(m_size)) != 0) {
            const int err = errno;
            close(fd);
            return Error::fromErrno(err, "ftruncate of the shared-memory object");
        }
        // Both ends map every page at once: a page fault in the middle of a run costs the other
        // side microseconds of polling, and a ping-pong through a ring of 64-byte slots would
        // take one every 64 round trips.
        void* p = mmap(nullptr, m_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
        const int err = errno;
        close(fd);
        if (p == MAP_FAILED) return Error::fromErrno(err, "mmap of the shared-memory object");
        m_base = static_cast<unsigned char*>(p);
#endif
        m_control = new (m_base) Control{};
        m_control->messageBytes = o.messageSize;
        m_control->slotBytes = slot;
        m_control->slots = ring / slot;
        for (std::uint64_t i = 0; i < 2 * m_control->slots; ++i)
            stampOf(m_base + kControlBytes + static_cast<std::size_t>(i * slot)).store(kNeverWritten, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_release);
        m_control->magic = kMagic;
        if (auto st = openSleepers(name, true); !st) return st;
        setUp(o, false);
        ready(name);
        // The sender maps the object, then removes its name; wait for it to attach.
        m_waiter.wait([&] { return m_control->attached.load(std::memory_order_acquire) != 0; }, m_control->attached,
                      m_control->attachWaiting, m_sleepAttach);
#if !defined(_WIN32)
        m_unlinkName.clear();
#endif
        return base::okStatus();
    }

    Status attach(const ProbeOptions& o) {
        const std::string& name = o.endpoint;
#if defined(_WIN32)
        m_section = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, name.c_str());
        if (!m_section) return Error::fromWin32(GetLastError(), "OpenFileMapping " + name);
        m_base = static_cast<unsigned char*>(MapViewOfFile(m_section, FILE_MAP_ALL_ACCESS, 0, 0, 0));
        if (!m_base) return Error::fromWin32(GetLastError(), "MapViewOfFile " + name);
        MEMORY_BASIC_INFORMATION info{};
        VirtualQuery(m_base, &info, sizeof info);
        m_size = info.RegionSize;
#else
        const int fd = shm_open(name.c_str(), O_RDWR | O_CLOEXEC, 0);
        if (fd < 0) return Error::fromErrno(errno, "shm_open " + name);
        struct stat st {};
        if (fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(kControlBytes)) {
            close(fd);
            return Error::make(Errc::Malformed, "the shared-memory object " + name + " is too small");
        }
        m_size = static_cast<std::size_t>(st.st_size);
        void* p = mmap(nullptr, m_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
        const int err = errno;
        close(fd);
        if (p == MAP_FAILED) return Error::fromErrno(err, "mmap of the shared-memory object");
        m_base = static_cast<unsigned char*>(p);
        shm_unlink(name.c_str());  // both ends have it mapped: nothing is left behind if one is killed
#endif
        m_control = reinterpret_cast<Control*>(m_base);
        if (m_control->magic != kMagic || m_control->messageBytes != o.messageSize ||
            m_control->slotBytes != wire::probeShmSlotBytes(o.messageSize) ||
            kControlBytes + 2 * m_control->slots * m_control->slotBytes > m_size)
            return Error::make(Errc::Malformed, "the shared-memory object " + name + " does not hold this probe's rings");
        if (auto st = openSleepers(name, false); !st) return st;
        setUp(o, true);
        m_control->attached.store(1, std::memory_order_release);
        m_waiter.notify(m_control->attached, m_control->attachWaiting, m_sleepAttach, [] { return true; });
        return base::okStatus();
    }

    Status send(const unsigned char* msg, std::size_t n) override {
        std::uint64_t number = 0;
        if (n >= sizeof number) std::memcpy(&number, msg, sizeof number);
        if (n < sizeof(MessageHeader) || n > m_messageBytes || number != m_txWritten)
            return Error::make(Errc::Malformed, "the shm ring takes messages of " + std::to_string(sizeof(MessageHeader)) + " to " +
                                                    std::to_string(m_messageBytes) + " bytes that start with their number (" +
                                                    std::to_string(m_txWritten) + " next)");
        RingControl& r = *m_tx;
        if (m_txWritten - m_txReadSeen >= m_slots) {
            // Sleep until a batch of slots is free, not just one: fewer wake-ups.
            m_waiter.wait([&] { return m_txWritten - (m_txReadSeen = r.read.load(std::memory_order_acquire)) < m_slots; }, r.spaceSeq,
                          r.writerWaiting, *m_txSpaceSleeper,
                          [&] { r.writerTarget.store(m_txWritten - m_slots + m_batch, std::memory_order_relaxed); });
        }
        unsigned char* slot = m_txData + (m_txWritten % m_slots) * m_slotBytes;
        std::memcpy(slot + sizeof number, msg + sizeof number, n - sizeof number);
        stampOf(slot).store(number, std::memory_order_release);
        ++m_txWritten;
        // The end marker always wakes the reader; other messages once its batch is there.
        const bool end = reinterpret_cast<const MessageHeader*>(msg)->flags & kEndFlag;
        m_waiter.notify(r.dataSeq, r.readerWaiting, *m_txDataSleeper,
                        [&] { return end || m_txWritten >= r.readerTarget.load(std::memory_order_relaxed); });
        return base::okStatus();
    }

    Status receive(MessageView& view) override {
        RingControl& r = *m_rx;
        unsigned char* slot = m_rxData + (m_rxRead % m_slots) * m_slotBytes;
        if (stampOf(slot).load(std::memory_order_acquire) != m_rxRead) {
            // The target is written only by a reader on its way to sleep: one written at every
            // wait would pull the line of readerWaiting, which the writer reads after every
            // message, back and forth between the cores (a second line per ping-pong message).
            m_waiter.wait([&] { return stampOf(slot).load(std::memory_order_acquire) == m_rxRead; }, r.dataSeq, r.readerWaiting,
                          *m_rxDataSleeper, [&] { r.readerTarget.store(m_rxRead + m_batch, std::memory_order_relaxed); });
        }
        MessageHeader h{};
        std::memcpy(&h, slot, sizeof h);
        view.data = slot;
        view.size = std::min<std::size_t>(h.length, m_messageBytes);
        return base::okStatus();
    }

    void release() override {
        RingControl& r = *m_rx;
        r.read.store(++m_rxRead, std::memory_order_release);
        m_waiter.notify(r.spaceSeq, r.writerWaiting, *m_rxSpaceSleeper,
                        [&] { return m_rxRead >= r.writerTarget.load(std::memory_order_relaxed); });
    }

private:
    Status openSleepers(const std::string& name, bool create) {
        for (int i = 0; i < 5; ++i)
            if (auto st = m_sleepers[i].open(name + "-" + std::to_string(i), create); !st) return st;
        return base::okStatus();
    }

    void setUp(const ProbeOptions& o, bool sender) {
        m_waiter = Waiter(o.spin);
        m_slots = m_control->slots;
        m_slotBytes = static_cast<std::size_t>(m_control->slotBytes);
        m_messageBytes = static_cast<std::size_t>(m_control->messageBytes);
        // A sleeping side is woken when a quarter of the ring is ready for it (bulk), or at
        // once (ping-pong: each message is awaited).
        m_batch = o.mode == ProbeMode::Bulk ? std::max<std::uint64_t>(1, m_slots / 4) : 1;
        unsigned char* rings = m_base + kControlBytes;
        const std::size_t ringBytes = static_cast<std::size_t>(m_slots) * m_slotBytes;
        const int tx = sender ? 0 : 1;
        const int rx = 1 - tx;
        m_tx = &m_control->ring[tx];
        m_rx = &m_control->ring[rx];
        m_txData = rings + static_cast<std::size_t>(tx) * ringBytes;
        m_rxData = rings + static_cast<std::size_t>(rx) * ringBytes;
        // Sleepers 0/1: data and space of ring 0; 2/3: of ring 1; 4: the attach word.
        m_txDataSleeper = &m_sleepers[2 * tx];
        m_txSpaceSleeper = &m_sleepers[2 * tx + 1];
        m_rxDataSleeper = &m_sleepers[2 * rx];
        m_rxSpaceSleeper = &m_sleepers[2 * rx + 1];
    }

    unsigned char* m_base = nullptr;
    std::size_t m_size = 0;
    Control* m_control = nullptr;
    Sleeper m_sleepers[5];
    Sleeper& m_sleepAttach = m_sleepers[4];
    Sleeper* m_txDataSleeper = nullptr;
    Sleeper* m_txSpaceSleeper = nullptr;
    Sleeper* m_rxDataSleeper = nullptr;
    Sleeper* m_rxSpaceSleeper = nullptr;
    RingControl* m_tx = nullptr;
    RingControl* m_rx = nullptr;
    unsigned char* m_txData = nullptr;
    unsigned char* m_rxData = nullptr;
    std::uint64_t m_slots = 0;
    std::uint64_t m_batch = 1;
    std::size_t m_slotBytes = 0;
    std::size_t m_messageBytes = 0;
    std::uint64_t m_txWritten = 0;
    std::uint64_t m_txReadSeen = 0;
    std::uint64_t m_rxRead = 0;
    Waiter m_waiter{false};
#if defined(_WIN32)
    HANDLE m_section = nullptr;
#else
    std::string m_unlinkName;
#endif
};

base::Result<std::unique_ptr<Link>> open(const ProbeOptions& o, const std::function<void(const std::string&)>& ready) {
    auto link = std::make_unique<ShmLink>();
    if (auto st = o.role == ProbeRole::Receiver ? link->create(o, ready) : link->attach(o); !st) return st.error();
    return std::unique_ptr<Link>(std::move(link));
}

}  // namespace
}  // namespace ipcscope::probe

int main(int argc, char** argv) { return ipcscope::probe::probeMain(argc, argv, {"shm"}, ipcscope::probe::open); }
