// The threaded code, run so that its threads meet: ThreadSanitizer (the linux-tsan preset)
// fails the test on any data race or lock-order inversion it sees.

#include "platform/sampler.h"
#include "net/monitor.h"
#include "probe_runner/runner.h"
#include "run_cmd.h"
#include "wire/mailslot.h"
#include "wire/netbios.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <thread>
#include <unistd.h>

using namespace ipcscope;

TEST(Threads, SamplerPublishesWhileReadersAndControlsRun) {
    core::Selection sel;
    sel.families = {core::Family::Pipes, core::Family::Mappings};
    core::Sampler sampler(sel, std::chrono::milliseconds(20));
    std::atomic<bool> stop{false};
    std::thread reader([&] {
        while (!stop) {
            auto s = sampler.latest();
            if (s) (void)s->objects.size();
            (void)sampler.busy();
        }
    });
    std::thread control([&] {
        for (int i = 0; i < 20 && !stop; ++i) {
            sampler.refreshNow();
            sampler.setInterval(std::chrono::milliseconds(10 + i));
            sampler.setPaused(i % 5 == 4);
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        sampler.setPaused(false);
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (sampler.generation() < 5 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    stop = true;
    reader.join();
    control.join();
    EXPECT_GE(sampler.generation(), 5u);
}

TEST(Threads, MonitorReadsWhileTheCallerDrains) {
    net::MonitorOptions o;
    o.bindIp = 0x7f000001;
    o.port = 0;
    o.queueLimit = 64;  // small, so the full-queue path runs too
    auto mon = net::DatagramMonitor::start(o);
    ASSERT_TRUE(mon) << mon.error().message();
    const auto to = (*mon)->bound();

    wire::MailslotWrite m;
    m.slot = "\\MAILSLOT\\tsan";
    m.data = {'x'};
    wire::Datagram d;
    d.source = {"A", 0, ""};
    d.destination = {"B", 0, ""};
    d.userData = wire::encodeMailslotWrite(m);
    auto bytes = wire::encodeDatagram(d);
    ASSERT_TRUE(bytes);
    constexpr int kSent = 2000;
    std::thread sender([&] {
        auto s = net::UdpSocket::open();
        if (!s) return;
        for (int i = 0; i < kSent; ++i) (void)s->sendTo(to, *bytes);
    });
    std::size_t drained = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
        (*mon)->waitFor(std::chrono::milliseconds(20));
        drained += (*mon)->drain(16).size();
        const auto c = (*mon)->counters();
        if (c.received + c.kernelDropped >= static_cast<std::uint64_t>(kSent) || std::chrono::steady_clock::now() > deadline) break;
    }
    sender.join();
    (*mon)->stop();
    drained += (*mon)->drain().size();
    const auto c = (*mon)->counters();
    EXPECT_EQ(c.received + c.kernelDropped, static_cast<std::uint64_t>(kSent));
    EXPECT_EQ(drained, c.received - c.dropped);
    EXPECT_FALSE((*mon)->failure().has_value());
}

TEST(Threads, ProbeRunCompletesAndACancelFromAnotherThreadStopsIt) {
    probe::RunSpec spec;
    spec.transport = "pipe";
    spec.probeDir = IPCSCOPE_PROBE_DIR;
    spec.bytes = 8ull << 20;
    spec.messageSize = 4096;
    spec.intervalMs = 20;
    spec.seconds = 20;
    core::ThroughputSeries series;
    std::atomic<int> lines{0};
    auto st = probe::runProbe(spec, series, [&](const core::ThroughputSeries&) { ++lines; });
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_GT(lines.load(), 0);

    spec.bytes = 1ull << 40;  // runs until cancelled
    spec.seconds = 60;
    std::atomic<bool> cancel{false};
    core::ThroughputSeries cancelled;
    std::thread runner([&] { (void)probe::runProbe(spec, cancelled, {}, &cancel); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel = true;
    runner.join();
}

#if IPCSCOPE_TSAN_HAVE_GUI
// The program itself: the sampler, the Throughput tab's probe worker and the log pane, from
// start to shutdown, drawn on SDL's offscreen driver (no X server).
TEST(Threads, GuiRunsAProbeAndShutsDownCleanly) {
    char dir[] = "/tmp/ipcscope-tsan-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    const std::string png = std::string(dir) + "/shot.png";
    auto r = test::runCmd({IPCSCOPE_BIN, "gui", "--screenshot", png, "--frames", "20", "--interval", "100", "--tab", "throughput",
                           "--probe", "pipe", "--size", "640x400"},
                          240, {"SDL_VIDEODRIVER=offscreen", "SDL_RENDER_DRIVER=software", "DISPLAY"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.err.find("ThreadSanitizer"), std::string::npos) << r.err;
    std::remove(png.c_str());
    ::rmdir(dir);
}
#endif
