#pragma once
// How the two ends of the shm probe wait for each other. Also used as is by the futex ping-pong
// reference of the probe benchmark (tests/bench/probe_bench.cpp), so that the probe and its
// reference wait and wake the same way.
//
// A waiting side polls a short while (kSpinBeforeSleep pauses, a few microseconds), then
// announces itself in a `waiting` word and sleeps on a 32-bit sequence word: a futex on Linux,
// a named auto-reset event on Windows. The other side, after publishing something, looks at
// `waiting` (after a full fence) and bumps and wakes only a side that sleeps: no system call
// while the other side is polling. --spin (labelled as such in every output) never sleeps.
//
// Right after a side had to wake the other one, its next wait polls for up to kSpinAfterWake
// instead: the answer cannot come before the woken side is back on its CPU (about 6 us from
// FUTEX_WAKE on a 2-vCPU KVM guest, measured), and a side that went to sleep meanwhile would have
// to be woken in turn: from then on both would sleep on every message.

#include "base/result.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#if defined(_WIN32)
#include <windows.h>
#else
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace ipcscope::probe {

/// Polls before sleeping (a pause each: about 5 us in all on the AMD EPYC of docs/benchmarks.md).
inline constexpr int kSpinBeforeSleep = 256;
/// How long a side polls right after it woke the other side.
inline constexpr std::chrono::microseconds kSpinAfterWake{50};
/// A sleep never lasts longer than this (the word is looked at again).
inline constexpr std::uint32_t kSleepMs = 100;

inline void cpuRelax() noexcept {
#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64)
    __builtin_ia32_pause();
#endif
}

/// Sleeping until a 32-bit word in shared memory changes, and waking the sleeper.
/// Linux: a futex on the word itself. Windows: one named auto-reset event per word.
class Sleeper {
public:
#if defined(_WIN32)
    Sleeper() = default;
    Sleeper(const Sleeper&) = delete;
    Sleeper& operator=(const Sleeper&) = delete;
    ~Sleeper() {
        if (m_event) CloseHandle(m_event);
    }
    [[nodiscard]] base::Status open(const std::string& name, bool create) {
        m_event = create ? CreateEventA(nullptr, FALSE, FALSE, name.c_str()) : OpenEventA(EVENT_MODIFY_STATE | SYNCHRONIZE, FALSE, name.c_str());
        if (!m_event) return base::Error::fromWin32(GetLastError(), (create ? "CreateEvent " : "OpenEvent ") + name);
        return base::okStatus();
    }
    void wait(std::atomic<std::uint32_t>&, std::uint32_t) { WaitForSingleObject(m_event, kSleepMs); }
    void wake(std::atomic<std::uint32_t>&) { SetEvent(m_event); }

private:
    HANDLE m_event = nullptr;
#else
    [[nodiscard]] base::Status open(const std::string&, bool) { return base::okStatus(); }
    void wait(std::atomic<std::uint32_t>& word, std::uint32_t seen) {
        timespec ts{0, static_cast<long>(kSleepMs) * 1000000L};
        syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT, seen, &ts, nullptr, 0);
    }
    void wake(std::atomic<std::uint32_t>& word) {
        syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE, 1, nullptr, nullptr, 0);
    }
#endif
};

/// One side's waits and wake-ups (one per process: it remembers whether this side woke the
/// other one last, whichever word that was).
class Waiter {
public:
    explicit Waiter(bool spin) : m_spin(spin) {}

    /// Returns once `ready()` holds. `beforeSleep()` runs only on the way to sleeping, before this
    /// side announces itself: what it writes for the waker (a target) stays off the line the
    /// other side reads while this side merely polls.
    template <class Ready, class BeforeSleep>
    void wait(Ready ready, std::atomic<std::uint32_t>& seq, std::atomic<std::uint32_t>& waiting, Sleeper& sleeper,
              BeforeSleep beforeSleep) {
        if (m_spin) {
            while (!ready()) std::this_thread::yield();
            return;
        }
        for (int i = 0; i < kSpinBeforeSleep; ++i) {
            if (ready()) return;
            cpuRelax();
        }
        if (m_wokeOther) {
            m_wokeOther = false;
            const auto until = std::chrono::steady_clock::now() + kSpinAfterWake;
            do {
                for (int i = 0; i < 32; ++i) {
                    if (ready()) return;
                    cpuRelax();
                }
            } while (std::chrono::steady_clock::now() < until);
        }
        while (!ready()) {
            const std::uint32_t seen = seq.load(std::memory_order_relaxed);
            beforeSleep();
            waiting.store(1, std::memory_order_relaxed);
            std::atomic_thread_fence(std::memory_order_seq_cst);
            if (ready()) {
                waiting.store(0, std::memory_order_relaxed);
                return;
            }
            sleeper.wait(seq, seen);
            waiting.store(0, std::memory_order_relaxed);
        }
    }

    template <class Ready>
    void wait(Ready ready, std::atomic<std::uint32_t>& seq, std::atomic<std::uint32_t>& waiting, Sleeper& sleeper) {
        wait(ready, seq, waiting, sleeper, [] {});
    }

    /// After publishing: wakes the other side if it sleeps and `due()` (what it waits for has
    /// come; looked at only when it sleeps).
    template <class Due>
    void notify(std::atomic<std::uint32_t>& seq, std::atomic<std::uint32_t>& waiting, Sleeper& sleeper, Due due) {
        if (m_spin) return;
        std::atomic_thread_fence(std::memory_order_seq_cst);
        if (waiting.load(std::memory_order_relaxed) && due()) {
            seq.fetch_add(1, std::memory_order_relaxed);
            sleeper.wake(seq);
            m_wokeOther = true;
        }
    }

private:
    bool m_spin;
    bool m_wokeOther = false;
};

}  // namespace ipcscope::probe
