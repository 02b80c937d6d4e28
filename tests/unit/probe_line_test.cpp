// The probe line protocol: round trips, and every kind of malformed line.

#include "wire/probe_line.h"

#include <gtest/gtest.h>

#include <random>

using namespace ipcscope::wire;

namespace {
ProbeLineErrc errc(std::string_view line) {
    auto r = parseProbeLine(line);
    EXPECT_FALSE(r.ok()) << "accepted: " << line;
    return r.ok() ? ProbeLineErrc::Empty : r.error().code;
}
}  // namespace

TEST(ProbeLine, HandshakeRoundTrips) {
    ProbeHello in;
    in.transport = "shm";
    in.messageSize = 65536;
    in.role = ProbeRole::Sender;
    in.mode = ProbeMode::PingPong;
    in.pid = 4242;
    const std::string line = formatProbeHello(in);
    EXPECT_EQ(line, "ipcscope-probe 2 shm 65536 sender pingpong 4242\n");
    auto r = parseProbeLine(line);
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(std::get<ProbeHello>(*r), in);
    EXPECT_EQ(std::get<ProbeHello>(*r).version, 2u);
    auto rx = parseProbeLine("ipcscope-probe 2 udp 64 receiver bulk 1");
    ASSERT_TRUE(rx.ok()) << rx.error().message();
    EXPECT_EQ(std::get<ProbeHello>(*rx).role, ProbeRole::Receiver);
    EXPECT_EQ(std::get<ProbeHello>(*rx).mode, ProbeMode::Bulk);
}

TEST(ProbeLine, SampleReadyLatencyDoneAndErrorRoundTrip) {
    const ProbeSample s{250, 123456789, 42};
    EXPECT_EQ(formatProbeSample(s), "sample 250 123456789 42\n");
    EXPECT_EQ(std::get<ProbeSample>(*parseProbeLine(formatProbeSample(s))), s);
    const ProbeDone d{9223372036854775807ull, 5000, 7, 1, 2};
    EXPECT_EQ(formatProbeDone(d), "done 9223372036854775807 5000 7 1 2\n");
    EXPECT_EQ(std::get<ProbeDone>(*parseProbeLine(formatProbeDone(d))), d);
    const ProbeLatency l{1500, 9000, 250000, 1000};
    EXPECT_EQ(formatProbeLatency(l), "latency 1500 9000 250000 1000\n");
    EXPECT_EQ(std::get<ProbeLatency>(*parseProbeLine(formatProbeLatency(l))), l);
    EXPECT_EQ(std::get<ProbeReady>(*parseProbeLine(formatProbeReady("/tmp/x/fifo"))).endpoint, "/tmp/x/fifo");
    EXPECT_EQ(std::get<ProbeReady>(*parseProbeLine("ready 40123")).endpoint, "40123");
    auto e = parseProbeLine(formatProbeError("connect failed: refused\x01\xff"));
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(std::get<ProbeFailure>(*e).text, "connect failed: refused??");
    EXPECT_EQ(std::get<ProbeFailure>(*parseProbeLine("error")).text, "");
}

TEST(ProbeLine, CrLfIsTolerated) {
    auto r = parseProbeLine("done 10 20 1 0 0\r\n");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(std::get<ProbeDone>(*r), (ProbeDone{10, 20, 1, 0, 0}));
}

TEST(ProbeLine, MalformedLinesGetTypedErrors) {
    EXPECT_EQ(errc(""), ProbeLineErrc::Empty);
    EXPECT_EQ(errc("\n"), ProbeLineErrc::Empty);
    EXPECT_EQ(errc(std::string(600, 'a')), ProbeLineErrc::TooLong);
    EXPECT_EQ(errc(std::string("sample 1 2\0 3", 13)), ProbeLineErrc::BadCharacter);
    EXPECT_EQ(errc("sample 1\t2 3"), ProbeLineErrc::BadCharacter);
    EXPECT_EQ(errc("sampel 1 2 3"), ProbeLineErrc::UnknownKeyword);
    EXPECT_EQ(errc("SAMPLE 1 2 3"), ProbeLineErrc::UnknownKeyword);
    EXPECT_EQ(errc("readyx 1"), ProbeLineErrc::UnknownKeyword);
    // Version 1 (one process per run) is no longer spoken; the version is checked first.
    EXPECT_EQ(errc("ipcscope-probe 1 shm 10"), ProbeLineErrc::UnsupportedVersion);
    EXPECT_EQ(errc("ipcscope-probe 3 shm 10 sender bulk 1"), ProbeLineErrc::UnsupportedVersion);
    EXPECT_EQ(errc("ipcscope-probe one shm 10 sender bulk 1"), ProbeLineErrc::BadNumber);
    EXPECT_EQ(errc("ipcscope-probe 2 SHM 10 sender bulk 1"), ProbeLineErrc::BadTransport);
    EXPECT_EQ(errc("ipcscope-probe 2 a/b 10 sender bulk 1"), ProbeLineErrc::BadTransport);
    EXPECT_EQ(errc("ipcscope-probe 2  10 sender bulk 1"), ProbeLineErrc::BadTransport);
    EXPECT_EQ(errc("ipcscope-probe 2 " + std::string(33, 'x') + " 10 sender bulk 1"), ProbeLineErrc::BadTransport);
    EXPECT_EQ(errc("ipcscope-probe 2 shm 10 client bulk 1"), ProbeLineErrc::BadRole);
    EXPECT_EQ(errc("ipcscope-probe 2 shm 10 sender stream 1"), ProbeLineErrc::BadMode);
    EXPECT_EQ(errc("ipcscope-probe 2 shm 10 sender bulk -1"), ProbeLineErrc::BadNumber);
    EXPECT_EQ(errc("ipcscope-probe 2 shm x sender bulk 1"), ProbeLineErrc::BadNumber);
    EXPECT_EQ(errc("ipcscope-probe 2 shm 10 sender bulk"), ProbeLineErrc::MissingField);
    EXPECT_EQ(errc("ipcscope-probe 2 shm"), ProbeLineErrc::MissingField);
    EXPECT_EQ(errc("ipcscope-probe 2 shm 10 sender bulk 1 1"), ProbeLineErrc::ExtraField);
    EXPECT_EQ(errc("ready"), ProbeLineErrc::BadEndpoint);
    EXPECT_EQ(errc("ready "), ProbeLineErrc::BadEndpoint);
    EXPECT_EQ(errc("ready a b"), ProbeLineErrc::BadEndpoint);
    EXPECT_EQ(errc("sample 1 2"), ProbeLineErrc::MissingField);
    EXPECT_EQ(errc("sample"), ProbeLineErrc::MissingField);
    EXPECT_EQ(errc("sample 1 2 3 4"), ProbeLineErrc::ExtraField);
    EXPECT_EQ(errc("sample 1 2 3 4 5 6 7 8 9"), ProbeLineErrc::ExtraField);
    EXPECT_EQ(errc("sample 1 -2 3"), ProbeLineErrc::BadNumber);
    EXPECT_EQ(errc("sample 1 2x 3"), ProbeLineErrc::BadNumber);
    EXPECT_EQ(errc("sample 1  3"), ProbeLineErrc::BadNumber);
    EXPECT_EQ(errc("sample 1 2 3 "), ProbeLineErrc::ExtraField);
    EXPECT_EQ(errc("latency 1 2 3"), ProbeLineErrc::MissingField);
    EXPECT_EQ(errc("latency 1 2 3 x"), ProbeLineErrc::BadNumber);
    EXPECT_EQ(errc("done 9223372036854775808 1 0 0 0"), ProbeLineErrc::BadNumber);  // 2^63
    EXPECT_EQ(errc("done 99999999999999999999 1 0 0 0"), ProbeLineErrc::BadNumber);
    EXPECT_EQ(errc("done 1"), ProbeLineErrc::MissingField);
    EXPECT_EQ(errc("done 1 2"), ProbeLineErrc::MissingField);  // the version 1 done line
    EXPECT_EQ(errc("done 1 2 3 4 5 6"), ProbeLineErrc::ExtraField);
    auto r = parseProbeLine("sample 1 2x 3");
    EXPECT_NE(r.error().message().find("field 2 ('2x')"), std::string::npos) << r.error().message();
    EXPECT_EQ(r.error().toError().code, ipcscope::core::Errc::Malformed);
}

TEST(ProbeLine, RandomGarbageNeverCrashes) {
    std::mt19937 rng(1234);
    std::uniform_int_distribution<int> len(0, 700), byte(0, 255), pick(0, 3);
    const char* prefixes[] = {"sample ", "done ", "ipcscope-probe 2 ", "ready "};
    std::size_t accepted = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string s = pick(rng) == 0 ? std::string(prefixes[pick(rng)]) : std::string();
        const int n = len(rng);
        for (int k = 0; k < n; ++k) s += static_cast<char>(i % 2 ? byte(rng) : "0123456789 x"[byte(rng) % 12]);
        auto r = parseProbeLine(s);
        accepted += r.ok();
        if (!r.ok()) {
            EXPECT_FALSE(r.error().message().empty());
        }
    }
    EXPECT_LT(accepted, 3000u);
}
