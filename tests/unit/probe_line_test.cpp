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
    const std::string line = formatProbeHello("shm", 65536);
    EXPECT_EQ(line, "ipcscope-probe 1 shm 65536\n");
    auto r = parseProbeLine(line);
    ASSERT_TRUE(r.ok()) << r.error().message();
    const auto& h = std::get<ProbeHello>(*r);
    EXPECT_EQ(h.transport, "shm");
    EXPECT_EQ(h.messageSize, 65536u);
    EXPECT_EQ(h.version, 1u);
}

TEST(ProbeLine, SampleDoneAndErrorRoundTrip) {
    const ProbeSample s{250, 123456789, 42};
    EXPECT_EQ(formatProbeSample(s), "sample 250 123456789 42\n");
    EXPECT_EQ(std::get<ProbeSample>(*parseProbeLine(formatProbeSample(s))), s);
    const ProbeDone d{9223372036854775807ull, 5000};
    EXPECT_EQ(std::get<ProbeDone>(*parseProbeLine(formatProbeDone(d))), d);
    auto e = parseProbeLine(formatProbeError("connect failed: refused\x01\xff"));
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(std::get<ProbeFailure>(*e).text, "connect failed: refused??");
    EXPECT_EQ(std::get<ProbeFailure>(*parseProbeLine("error")).text, "");
}

TEST(ProbeLine, CrLfIsTolerated) {
    auto r = parseProbeLine("done 10 20\r\n");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(std::get<ProbeDone>(*r), (ProbeDone{10, 20}));
}

TEST(ProbeLine, MalformedLinesGetTypedErrors) {
    EXPECT_EQ(errc(""), ProbeLineErrc::Empty);
    EXPECT_EQ(errc("\n"), ProbeLineErrc::Empty);
    EXPECT_EQ(errc(std::string(600, 'a')), ProbeLineErrc::TooLong);
    EXPECT_EQ(errc(std::string("sample 1 2\0 3", 13)), ProbeLineErrc::BadCharacter);
    EXPECT_EQ(errc("sample 1\t2 3"), ProbeLineErrc::BadCharacter);
    EXPECT_EQ(errc("sampel 1 2 3"), ProbeLineErrc::UnknownKeyword);
    EXPECT_EQ(errc("SAMPLE 1 2 3"), ProbeLineErrc::UnknownKeyword);
    EXPECT_EQ(errc("ipcscope-probe 2 shm 10"), ProbeLineErrc::UnsupportedVersion);
    EXPECT_EQ(errc("ipcscope-probe one shm 10"), ProbeLineErrc::BadNumber);
    EXPECT_EQ(errc("ipcscope-probe 1 SHM 10"), ProbeLineErrc::BadTransport);
    EXPECT_EQ(errc("ipcscope-probe 1 a/b 10"), ProbeLineErrc::BadTransport);
    EXPECT_EQ(errc("ipcscope-probe 1  10"), ProbeLineErrc::BadTransport);
    EXPECT_EQ(errc("ipcscope-probe 1 " + std::string(33, 'x') + " 10"), ProbeLineErrc::BadTransport);
    EXPECT_EQ(errc("ipcscope-probe 1 shm"), ProbeLineErrc::MissingField);
    EXPECT_EQ(errc("ipcscope-probe 1 shm 10 11"), ProbeLineErrc::ExtraField);
    EXPECT_EQ(errc("sample 1 2"), ProbeLineErrc::MissingField);
    EXPECT_EQ(errc("sample"), ProbeLineErrc::MissingField);
    EXPECT_EQ(errc("sample 1 2 3 4"), ProbeLineErrc::ExtraField);
    EXPECT_EQ(errc("sample 1 2 3 4 5 6 7 8 9"), ProbeLineErrc::ExtraField);
    EXPECT_EQ(errc("sample 1 -2 3"), ProbeLineErrc::BadNumber);
    EXPECT_EQ(errc("sample 1 2x 3"), ProbeLineErrc::BadNumber);
    EXPECT_EQ(errc("sample 1  3"), ProbeLineErrc::BadNumber);
    EXPECT_EQ(errc("sample 1 2 3 "), ProbeLineErrc::ExtraField);
    EXPECT_EQ(errc("done 9223372036854775808 1"), ProbeLineErrc::BadNumber);  // 2^63
    EXPECT_EQ(errc("done 99999999999999999999 1"), ProbeLineErrc::BadNumber);
    EXPECT_EQ(errc("done 1"), ProbeLineErrc::MissingField);
    auto r = parseProbeLine("sample 1 2x 3");
    EXPECT_NE(r.error().message().find("field 2 ('2x')"), std::string::npos) << r.error().message();
    EXPECT_EQ(r.error().toError().code, ipcscope::base::Errc::Malformed);
}

TEST(ProbeLine, RandomGarbageNeverCrashes) {
    std::mt19937 rng(1234);
    std::uniform_int_distribution<int> len(0, 700), byte(0, 255), pick(0, 3);
    const char* prefixes[] = {"sample ", "done ", "ipcscope-probe 1 ", "error "};
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
