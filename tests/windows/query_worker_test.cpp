// The worker that runs blocking handle queries: timeouts replace the thread, later queries
// still work, and the real queries answer on handles this test creates.

#include "base/text.h"
#include "platform/windows/handle_table.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>

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

TEST(QueryWorker, GivesUpAfterRepeatedTimeouts) {
    QueryWorker w(milliseconds(30));
    for (int i = 0; i < 16; ++i) EXPECT_FALSE(w.run(&stall, nullptr));
    EXPECT_EQ(w.timeouts(), 16u);
    const auto start = steady_clock::now();
    auto r = w.run(&echoHandle, reinterpret_cast<HANDLE>(0x8));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::Errc::Timeout);
    EXPECT_LT(steady_clock::now() - start, milliseconds(20));  // refused without waiting
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
