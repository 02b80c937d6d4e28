// The pure parts of the probe executables: the payload checksum and the latency histogram.

#include "probe_main.h"

#include <gtest/gtest.h>

#include <vector>

using namespace ipcscope::probe;

TEST(ProbeParts, AnyChangedByteChangesTheChecksum) {
    std::vector<unsigned char> p(1000 + 7);
    for (std::size_t i = 0; i < p.size(); ++i) p[i] = static_cast<unsigned char>(i * 37u + 1u);
    const std::uint64_t sum = payloadChecksum(p.data(), p.size());
    for (std::size_t i = 0; i < p.size(); ++i)
        for (unsigned char flip : {0x01, 0x80, 0xff}) {
            p[i] ^= flip;
            EXPECT_NE(payloadChecksum(p.data(), p.size()), sum) << "byte " << i << " flipped by " << int(flip);
            p[i] ^= flip;
        }
    EXPECT_NE(payloadChecksum(p.data(), p.size() - 1), sum);  // the length counts too
    // Two 32-byte blocks swapped: the lanes are summed, so only the order of blocks is lost;
    // the sequence numbers catch reordering of messages, not of blocks within one.
}

TEST(ProbeParts, HistogramBucketsAndQuantiles) {
    // Exact below 128 ns; above, each bucket's highest value is within 1/64 of its lowest.
    for (std::uint64_t v : {0ull, 1ull, 127ull}) EXPECT_EQ(LatencyHistogram::valueOf(LatencyHistogram::bucketOf(v)), v);
    for (std::uint64_t v : {128ull, 129ull, 1000ull, 65535ull, 1234567ull, 987654321ull, 1ull << 40}) {
        const std::uint64_t hi = LatencyHistogram::valueOf(LatencyHistogram::bucketOf(v));
        EXPECT_GE(hi, v);
        EXPECT_LE(static_cast<double>(hi - v), static_cast<double>(v) / 64.0) << v;
        EXPECT_GT(LatencyHistogram::bucketOf(v * 2), LatencyHistogram::bucketOf(v));
    }
    LatencyHistogram h;
    EXPECT_EQ(h.quantile(0.5), 0u);
    for (std::uint64_t i = 1; i <= 1000; ++i) h.add(i * 1000);  // 1 us .. 1 ms
    EXPECT_EQ(h.count(), 1000u);
    const auto closeTo = [](std::uint64_t got, double want) { return static_cast<double>(got) >= want && static_cast<double>(got) <= want * 1.02; };
    EXPECT_TRUE(closeTo(h.quantile(0.5), 500000)) << h.quantile(0.5);
    EXPECT_TRUE(closeTo(h.quantile(0.99), 990000)) << h.quantile(0.99);
    EXPECT_TRUE(closeTo(h.quantile(0.999), 999000)) << h.quantile(0.999);
    EXPECT_TRUE(closeTo(h.quantile(1.0), 1000000)) << h.quantile(1.0);
}
