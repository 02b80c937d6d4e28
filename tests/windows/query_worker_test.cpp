// The worker that runs blocking handle queries: timeouts replace the thread, later queries
// still work, and the real queries answer on handles this test creates.

#include "base/text.h"
#include "platform/windows/handle_table.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <set>

using namespace ipcscope;
using namespace ipcscope::win;
using namespace std::chrono;

namespace {

NTSTATUS echoHandle(HANDLE h, void* buffer, ULONG size, ULONG* used) {
    const auto v = reinterpret_cast<std::uintptr_t>(h);
    if (size < sizeof v) return nt::kStatusBufferTooSmall;
    std::memcpy(buffer, &v, sizeof v);
    *used = sizeof v;
    return nt::kStatusSuccess;
}

// Stands for a name query stuck behind a synchronous read: it does not come back in time.
NTSTATUS stall(HANDLE, void*, ULONG, ULONG*) {
    Sleep(20000);
    return nt::kStatusSuccess;
}

NTSTATUS denied(HANDLE, void*, ULONG, ULONG*) { return nt::kStatusAccessDenied; }

NTSTATUS reverseInput(HANDLE, void* buffer, ULONG, ULONG* used) {
    auto* b = static_cast<std::uint8_t*>(buffer);
    for (ULONG i = 0; i < *used / 2; ++i) std::swap(b[i], b[*used - 1 - i]);
    return nt::kStatusSuccess;
}

// A name query that blocks on the handles a test chose: those are signalled events, the way a
// real query blocks on a file with a synchronous I/O pending.
NTSTATUS blockOnSignalled(HANDLE h, void* buffer, ULONG size, ULONG* used) {
    if (WaitForSingleObject(h, 0) == WAIT_OBJECT_0) Sleep(20000);
    if (size < 4) return nt::kStatusBufferTooSmall;
    std::memcpy(buffer, "o\0k\0", 4);
    *used = 4;
    return nt::kStatusSuccess;
}

// Hands the scan a duplicate of a signalled event for the entries in `blocking`, of an
// unsignalled one otherwise, and nothing for those in `gone`.
struct FakeTable {
    std::vector<HandleEntry> entries;
    std::set<std::uint64_t> blocking;
    std::set<std::uint64_t> gone;
    UniqueHandle stuck{CreateEventW(nullptr, TRUE, TRUE, nullptr)};
    UniqueHandle fine{CreateEventW(nullptr, TRUE, FALSE, nullptr)};

    void add(std::uint64_t object, bool blocks) {
        HandleEntry e;
        e.pid = 0x7000 + static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(this) & 0xFFF);
        e.handle = 4 * (entries.size() + 1);
        e.object = object;
        if (blocks) blocking.insert(e.handle);
        entries.push_back(e);
    }
    HandleOpener opener() const {
        return [this](const HandleEntry& e) -> UniqueHandle {
            if (gone.count(e.handle)) return {};
            HANDLE out = nullptr;
            DuplicateHandle(GetCurrentProcess(), blocking.count(e.handle) ? stuck.get() : fine.get(), GetCurrentProcess(),
                            &out, 0, FALSE, DUPLICATE_SAME_ACCESS);
            return UniqueHandle(out);
        };
    }
};

std::uintptr_t echoed(const std::vector<std::uint8_t>& bytes) {
    std::uintptr_t v = 0;
    if (bytes.size() == sizeof v) std::memcpy(&v, bytes.data(), sizeof v);
    return v;
}

}  // namespace

TEST(QueryWorker, RunsQueriesOnItsThread) {
    QueryWorker w(milliseconds(2000));
    for (std::uintptr_t i = 1; i <= 50; ++i) {
        auto r = w.run(&echoHandle, reinterpret_cast<HANDLE>(i * 4));
        ASSERT_TRUE(r) << r.error().message();
        EXPECT_EQ(echoed(*r), i * 4);
    }
    EXPECT_EQ(w.timeouts(), 0u);
}

TEST(QueryWorker, ATimeoutReplacesTheWorkerAndLaterQueriesWork) {
    QueryWorker w(milliseconds(200));
    ASSERT_TRUE(w.run(&echoHandle, reinterpret_cast<HANDLE>(0x10)));
    const auto start = steady_clock::now();
    auto stuck = w.run(&stall, nullptr);
    const auto waited = steady_clock::now() - start;
    ASSERT_FALSE(stuck);
    EXPECT_EQ(stuck.error().code, core::Errc::Timeout);
    EXPECT_GE(waited, milliseconds(150));
    EXPECT_LT(waited, milliseconds(3000));
    EXPECT_EQ(w.timeouts(), 1u);
    auto after = w.run(&echoHandle, reinterpret_cast<HANDLE>(0x42));
    ASSERT_TRUE(after) << after.error().message();
    EXPECT_EQ(echoed(*after), 0x42u);
}

TEST(QueryWorker, GivesUpAfterTheLeakGuard) {
    QueryWorker w(milliseconds(5));
    for (unsigned i = 0; i < QueryWorker::kMaxTimeouts; ++i) EXPECT_FALSE(w.run(&stall, nullptr));
    EXPECT_EQ(w.timeouts(), QueryWorker::kMaxTimeouts);
    const auto start = steady_clock::now();
    auto r = w.run(&echoHandle, reinterpret_cast<HANDLE>(0x8));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::Errc::Timeout);
    EXPECT_LT(steady_clock::now() - start, milliseconds(20));  // refused without waiting
}

TEST(QueryWorker, TheInputReachesTheQuery) {
    QueryWorker w(milliseconds(2000));
    const std::vector<std::uint8_t> in{1, 2, 3, 4, 5};
    auto r = w.run(&reverseInput, nullptr, in);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(*r, (std::vector<std::uint8_t>{5, 4, 3, 2, 1}));
    auto none = w.run(&reverseInput, nullptr);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
    EXPECT_FALSE(w.run(&reverseInput, nullptr, std::vector<std::uint8_t>(QueryWorker::kBufferSize + 1)));
}

TEST(QueryWorker, NtStatusFailuresAreTyped) {
    QueryWorker w;
    auto r = w.run(&denied, nullptr);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::Errc::PermissionDenied);
    EXPECT_EQ(r.error().nativeKind, core::NativeKind::NtStatus);
    EXPECT_EQ(r.error().native, 0xC0000022);
}

TEST(QueryWorker, NamesAndPipeInformationOfARealPipe) {
    const std::wstring name = L"ipcscope-test-worker-" + std::to_wstring(GetCurrentProcessId());
    const std::wstring path = L"\\\\.\\pipe\\" + name;
    UniqueHandle server(CreateNamedPipeW(path.c_str(), PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE,
                                         3, 1024, 2048, 0, nullptr));
    ASSERT_TRUE(server);
    UniqueHandle client(CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE | FILE_READ_ATTRIBUTES, 0, nullptr,
                                    OPEN_EXISTING, 0, nullptr));
    ASSERT_TRUE(client);

    QueryWorker w;
    auto n = queryObjectName(w, server.get());
    ASSERT_TRUE(n) << n.error().message();
    const DeviceName dev = splitDeviceName(*n);
    EXPECT_EQ(dev.device, NtDevice::NamedPipe) << base::utf16ToUtf8(*n);
    EXPECT_EQ(base::toLowerAscii(dev.rest), base::toLowerAscii(std::u16string(name.begin(), name.end())));

    auto s = queryPipeLocal(w, server.get());
    ASSERT_TRUE(s) << s.error().message();
    EXPECT_EQ(s->end, nt::kPipeServerEnd);
    EXPECT_EQ(s->maxInstances, 3u);
    EXPECT_EQ(s->curInstances, 1u);
    EXPECT_EQ(s->type, 1u);
    EXPECT_EQ(s->state, 3u);  // connected
    auto c = queryPipeLocal(w, client.get());
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ(c->end, nt::kPipeClientEnd);
    EXPECT_EQ(c->maxInstances, 3u);
}

TEST(QueryWorker, MailslotInformationOfARealMailslot) {
    const std::wstring path = L"\\\\.\\mailslot\\ipcscope-test-worker-" + std::to_wstring(GetCurrentProcessId());
    UniqueHandle slot(CreateMailslotW(path.c_str(), 300, 0, nullptr));
    ASSERT_TRUE(slot);
    QueryWorker w;
    auto empty = queryMailslot(w, slot.get());
    ASSERT_TRUE(empty) << empty.error().message();
    EXPECT_EQ(empty->maxMessageSize, 300u);
    EXPECT_FALSE(empty->nextSize);
    EXPECT_EQ(empty->messageCount, 0u);

    UniqueHandle writer(CreateFileW(path.c_str(), GENERIC_WRITE, FILE_SHARE_READ, nullptr, OPEN_EXISTING, 0, nullptr));
    ASSERT_TRUE(writer);
    DWORD n = 0;
    ASSERT_TRUE(WriteFile(writer.get(), "12345", 5, &n, nullptr));
    ASSERT_TRUE(WriteFile(writer.get(), "1234567", 7, &n, nullptr));
    auto two = queryMailslot(w, slot.get());
    ASSERT_TRUE(two);
    // NOTE: Wine 8.0 reports at most 1 message waiting; Windows counts them all.
    EXPECT_GE(two->messageCount, 1u);
    EXPECT_LE(two->messageCount, 2u);
    EXPECT_EQ(two->nextSize, std::optional<std::uint32_t>(5));
    EXPECT_EQ(two->readTimeoutMs, 0u);
    // The writing end does not answer: that is how the collector tells the ends apart.
    EXPECT_FALSE(queryMailslot(w, writer.get()));
}

TEST(ScanHandles, ATimeoutCountsOncePerKernelObjectAndEverythingElseIsAnswered) {
    FakeTable t;
    for (int i = 0; i < 20; ++i) {
        if (i == 2 || i == 5 || i == 9) t.add(0xA000, true);        // three handles of one stuck object
        else if (i == 12) t.add(0, true);                          // stuck, object address unknown (Wine)
        else if (i == 15 || i == 16) t.add(0xB000, true);          // two handles of another
        else t.add(i % 2 ? 0 : 0x1000 + static_cast<std::uint64_t>(i), false);
    }
    t.gone.insert(t.entries[18].handle);  // its process exited: skipped, not unexamined
    StuckHandles stuck;
    ScanReport report;
    const ScanLimits limits{milliseconds(150), seconds(30), 3};
    const auto start = steady_clock::now();
    auto answers = scanHandles(t.entries, t.opener(), &blockOnSignalled, limits, stuck, report);
    const auto took = steady_clock::now() - start;
    EXPECT_EQ(report.timedOut, 3u);     // 0xA000, 0xB000 and entry 12
    EXPECT_EQ(report.sameObject, 3u);   // the other handles of 0xA000 and 0xB000 were not asked
    EXPECT_EQ(report.skipped, 1u);
    EXPECT_EQ(report.answered, 13u);
    EXPECT_EQ(report.overBudget, 0u);
    EXPECT_EQ(report.knownStuck, 0u);
    EXPECT_EQ(report.unexamined(), 6u);
    EXPECT_LT(took, seconds(10));
    ASSERT_EQ(answers.size(), 13u);
    for (std::size_t i = 1; i < answers.size(); ++i) EXPECT_LT(answers[i - 1].index, answers[i].index);
    for (const auto& a : answers) {
        EXPECT_EQ(t.blocking.count(t.entries[a.index].handle), 0u) << a.index;
        EXPECT_EQ(a.bytes.size(), 4u);
    }
    const std::string why = report.describe("handle name scan");
    EXPECT_NE(why.find("6 handles were left unexamined"), std::string::npos) << why;
    EXPECT_NE(why.find("3 did not answer within 150 ms"), std::string::npos) << why;
    EXPECT_NE(why.find("3 share a kernel object"), std::string::npos) << why;

    // The next snapshot does not wait on them again.
    ScanReport again;
    auto second = scanHandles(t.entries, t.opener(), &blockOnSignalled, limits, stuck, again);
    EXPECT_EQ(again.timedOut, 0u);
    EXPECT_EQ(again.knownStuck, 3u);
    EXPECT_EQ(again.sameObject, 3u);
    EXPECT_EQ(again.answered, 13u);
    EXPECT_EQ(second.size(), 13u);
    EXPECT_NE(again.describe("scan").find("3 did not answer in an earlier snapshot"), std::string::npos);
}

TEST(ScanHandles, TheBudgetEndsTheScanAndSaysWhatWasLeft) {
    FakeTable t;
    for (int i = 0; i < 60; ++i) t.add(0x10000 + static_cast<std::uint64_t>(i), true);  // 60 stuck objects
    for (int i = 0; i < 10; ++i) t.add(0, false);                                       // and 10 fine handles
    StuckHandles stuck;
    ScanReport report;
    const ScanLimits limits{milliseconds(100), milliseconds(300), 2};
    const auto start = steady_clock::now();
    auto answers = scanHandles(t.entries, t.opener(), &blockOnSignalled, limits, stuck, report);
    const auto took = steady_clock::now() - start;
    // Without the budget this takes 60 x 100 ms / 2 workers = 3 s; with it, about 400 ms.
    EXPECT_LT(took, milliseconds(2500));
    EXPECT_GE(report.timedOut, 2u);
    EXPECT_LE(report.timedOut, 8u);  // (300 / 100 + 1) queries started per worker at most
    EXPECT_EQ(report.answered + report.timedOut + report.overBudget, 70u);
    EXPECT_GE(report.overBudget, 52u);
    EXPECT_EQ(report.answered, 0u);  // the fine handles came after the budget was spent
    EXPECT_TRUE(answers.empty());
    const std::string why = report.describe("handle name scan");
    EXPECT_NE(why.find(std::to_string(report.overBudget) + " were not asked: the scan's 300 ms budget was spent"),
              std::string::npos) << why;
}

TEST(ScanHandles, OneWorkerAndNoEntries) {
    FakeTable t;
    StuckHandles stuck;
    ScanReport empty;
    EXPECT_TRUE(scanHandles(t.entries, t.opener(), &blockOnSignalled, ScanLimits{}, stuck, empty).empty());
    EXPECT_EQ(empty.unexamined(), 0u);
    EXPECT_EQ(empty.describe("scan"), "");
    for (int i = 0; i < 5; ++i) t.add(0, false);
    ScanReport one;
    auto answers = scanHandles(t.entries, t.opener(), &blockOnSignalled, ScanLimits{milliseconds(2000), seconds(30), 1},
                               stuck, one);
    EXPECT_EQ(answers.size(), 5u);
    EXPECT_EQ(one.answered, 5u);
}
