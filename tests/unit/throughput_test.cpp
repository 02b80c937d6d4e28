// The throughput series built from probe lines, and its protocol-order checks.

#include "core/throughput.h"

#include <gtest/gtest.h>

using namespace ipcscope::core;

TEST(Throughput, CompleteRunGivesPointsAndTotals) {
    ThroughputSeries s;
    ASSERT_TRUE(s.feed("ipcscope-probe 2 shm 65536 receiver bulk 42").ok());
    EXPECT_EQ(s.state(), ProbeState::Running);
    ASSERT_TRUE(s.feed("sample 500000 52428800 800").ok());     // 50 MiB in 0.5 s
    ASSERT_TRUE(s.feed("sample 1000000 104857600 1600").ok()); // 100 MiB in 0.5 s
    ASSERT_TRUE(s.feed("done 157286400 1000000 0 0 0").ok());
    ASSERT_TRUE(s.finish().ok());
    EXPECT_EQ(s.state(), ProbeState::Done);
    ASSERT_EQ(s.points().size(), 2u);
    EXPECT_DOUBLE_EQ(s.points()[0].mibPerSecond, 100.0);
    EXPECT_DOUBLE_EQ(s.points()[1].mibPerSecond, 200.0);
    EXPECT_DOUBLE_EQ(s.points()[1].tSeconds, 1.0);
    EXPECT_DOUBLE_EQ(s.averageMiBps(), 150.0);
    EXPECT_DOUBLE_EQ(s.peakMiBps(), 200.0);
    EXPECT_EQ(s.sampledMessages(), 2400u);
    EXPECT_EQ(s.hello()->transport, "shm");
}

TEST(Throughput, ZeroLengthIntervalIsNotADivisionByZero) {
    ThroughputSeries s;
    ASSERT_TRUE(s.feed("ipcscope-probe 2 pipe 4096 receiver bulk 42").ok());
    ASSERT_TRUE(s.feed("sample 0 4096 1").ok());
    EXPECT_EQ(s.points()[0].mibPerSecond, 0.0);
    EXPECT_EQ(s.averageMiBps(), 0.0);
}

TEST(Throughput, ProbeErrorEndsTheRun) {
    ThroughputSeries s;
    ASSERT_TRUE(s.feed("ipcscope-probe 2 tcp 1024 receiver bulk 42").ok());
    ASSERT_TRUE(s.feed("error connect: refused").ok());
    EXPECT_EQ(s.state(), ProbeState::Failed);
    EXPECT_EQ(s.failure(), "connect: refused");
    EXPECT_FALSE(s.feed("sample 1 1 1").ok());
    EXPECT_TRUE(s.finish().ok());
}

TEST(Throughput, OrderViolationsAreErrors) {
    {
        ThroughputSeries s;
        auto st = s.feed("sample 1 2 3");
        ASSERT_FALSE(st.ok());
        EXPECT_NE(st.error().context.find("handshake"), std::string::npos) << st.error().context;
        EXPECT_EQ(s.state(), ProbeState::Failed);
    }
    {
        ThroughputSeries s;
        ASSERT_TRUE(s.feed("ipcscope-probe 2 tcp 1024 receiver bulk 42").ok());
        EXPECT_FALSE(s.feed("ipcscope-probe 2 tcp 1024 receiver bulk 42").ok());
    }
    {
        ThroughputSeries s;
        ASSERT_TRUE(s.feed("ipcscope-probe 2 tcp 1024 receiver bulk 42").ok());
        ASSERT_TRUE(s.feed("sample 100 1 1").ok());
        auto st = s.feed("sample 50 1 1");
        ASSERT_FALSE(st.ok());
        EXPECT_NE(st.error().context.find("goes back"), std::string::npos);
    }
    {
        ThroughputSeries s;
        ASSERT_TRUE(s.feed("ipcscope-probe 2 tcp 1024 receiver bulk 42").ok());
        ASSERT_TRUE(s.feed("sample 100 10 1").ok());
        EXPECT_FALSE(s.feed("done 11 100 0 0 0").ok());  // does not add up
    }
    {
        ThroughputSeries s;
        ASSERT_TRUE(s.feed("ipcscope-probe 2 tcp 1024 receiver bulk 42").ok());
        ASSERT_TRUE(s.feed("done 0 0 0 0 0").ok());
        EXPECT_FALSE(s.feed("sample 1 1 1").ok());  // after done
    }
    {
        ThroughputSeries s;
        auto st = s.feed("Segmentation fault (core dumped)");
        ASSERT_FALSE(st.ok());
        EXPECT_EQ(st.error().code, Errc::Malformed);
        EXPECT_NE(st.error().context.find("probe line 1"), std::string::npos) << st.error().context;
    }
}

TEST(Throughput, EndOfOutputWithoutDoneIsAnError) {
    ThroughputSeries s;
    EXPECT_FALSE(s.finish().ok());
    ThroughputSeries r;
    ASSERT_TRUE(r.feed("ipcscope-probe 2 shm 1 receiver bulk 42").ok());
    ASSERT_TRUE(r.feed("sample 10 1 1").ok());
    auto st = r.finish();
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().context.find("without a done line"), std::string::npos);
}

TEST(Throughput, ShortLastSampleIsFoldedIntoTheIntervalBeforeItOnceDone) {
    ThroughputSeries s;
    ASSERT_TRUE(s.feed("ipcscope-probe 2 tcp 65536 receiver bulk 42").ok());
    ASSERT_TRUE(s.feed("sample 500000 52428800 800").ok());   // 100 MiB/s
    ASSERT_TRUE(s.feed("sample 1000000 52428800 800").ok());  // 100 MiB/s
    EXPECT_EQ(s.settledPoints(), 1u) << "the last point may still be folded";
    // What the socket buffers held when the sender stopped, read in 10 ms: "400 MiB/s".
    ASSERT_TRUE(s.feed("sample 1010000 4194304 64").ok());
    EXPECT_EQ(s.points().size(), 3u);
    EXPECT_EQ(s.settledPoints(), 2u);
    ASSERT_TRUE(s.feed("done 109051904 1010000 1664 0 0").ok());
    ASSERT_EQ(s.points().size(), 2u);
    EXPECT_EQ(s.settledPoints(), 2u);
    EXPECT_DOUBLE_EQ(s.points()[1].tSeconds, 1.01);
    EXPECT_EQ(s.points()[1].bytes, 56623104u);
    EXPECT_EQ(s.points()[1].messages, 864u);
    EXPECT_DOUBLE_EQ(s.points()[1].mibPerSecond, 54.0 / 0.51);
    EXPECT_DOUBLE_EQ(s.peakMiBps(), 54.0 / 0.51);
    EXPECT_EQ(s.sampledBytes(), 109051904u);
}

TEST(Throughput, LastSampleOfHalfAnIntervalOrMoreStaysItsOwnPoint) {
    ThroughputSeries s;
    ASSERT_TRUE(s.feed("ipcscope-probe 2 shm 65536 receiver bulk 42").ok());
    ASSERT_TRUE(s.feed("sample 500000 52428800 800").ok());
    ASSERT_TRUE(s.feed("sample 750000 52428800 800").ok());  // 250 ms after a 500 ms interval: kept
    ASSERT_TRUE(s.feed("done 104857600 750000 1600 0 0").ok());
    ASSERT_EQ(s.points().size(), 2u);
    EXPECT_DOUBLE_EQ(s.peakMiBps(), 200.0);
    ThroughputSeries one;  // a run shorter than one interval: its only sample stays
    ASSERT_TRUE(one.feed("ipcscope-probe 2 shm 65536 receiver bulk 42").ok());
    ASSERT_TRUE(one.feed("sample 1000 1048576 16").ok());
    ASSERT_TRUE(one.feed("done 1048576 1000 16 0 0").ok());
    ASSERT_EQ(one.points().size(), 1u);
    EXPECT_DOUBLE_EQ(one.peakMiBps(), 1000.0);
}
