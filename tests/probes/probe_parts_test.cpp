// The pure parts of the probe executables: the payload checksum and its stamps, and the latency
// histogram.

#include "probe_main.h"

#include <gtest/gtest.h>

#include <cstring>
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

TEST(ProbeParts, EveryChecksumLoopComputesTheSameValue) {
    // The definition, word by word: four lane sums over whole 32-byte blocks, weighted, then
    // the tail bytes and the length.
    auto definition = [](const unsigned char* p, std::size_t n) {
        std::uint64_t lane[4] = {0, 0, 0, 0};
        std::size_t i = 0;
        for (; i + 32 <= n; i += 32)
            for (std::size_t w = 0; w < 4; ++w) {
                std::uint64_t word = 0;
                std::memcpy(&word, p + i + 8 * w, 8);
                lane[w] += word;
            }
        std::uint64_t tail = 0;
        for (; i < n; ++i) tail = tail * 257u + p[i] + 1u;
        return lane[0] * kChecksumLaneWeightA + lane[1] * 0xc2b2ae3d27d4eb4full + lane[2] * 0x165667b19e3779f9ull +
               lane[3] * 0xd6e8feb86659fd93ull + tail * 0xff51afd7ed558ccdull + n;
    };
    const std::vector<ChecksumLoop> loops = checksumLoops();
    ASSERT_GE(loops.size(), 1u);
    EXPECT_STREQ(loops.front().name, "portable");
#if defined(__x86_64__)
    ASSERT_GE(loops.size(), 2u);
    EXPECT_STREQ(loops[1].name, "sse2");
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2")) {
        EXPECT_STREQ(loops.back().name, "avx2");
    }
#endif
    std::vector<unsigned char> buffer((1u << 20) + 64);
    for (std::size_t i = 0; i < buffer.size(); ++i) buffer[i] = static_cast<unsigned char>((i * 2654435761u) >> 13);
    std::vector<std::size_t> sizes;
    for (std::size_t n = 0; n <= 300; ++n) sizes.push_back(n);
    for (std::size_t n : {1000u, 4095u, 4096u, 65536u - 24u, 65536u, (1u << 20) - 24u, 1u << 20}) sizes.push_back(n);
    for (const ChecksumLoop& loop : loops)
        for (std::size_t n : sizes)
            for (std::size_t offset : {0u, 1u, 8u, 13u, 32u}) {  // unaligned starts as well
                const unsigned char* p = buffer.data() + offset;
                ASSERT_EQ(loop.fn(p, n), definition(p, n)) << loop.name << ", " << n << " bytes at offset " << offset;
            }
    EXPECT_EQ(payloadChecksum(buffer.data() + 3, 5000), definition(buffer.data() + 3, 5000));
}

TEST(ProbeParts, StampedPayloadsCarryTheChecksumTheStamperComputes) {
    for (std::size_t n : {8u, 31u, 32u, 33u, 40u, 255u, 256u, 287u, 288u, 289u, 1000u, 65536u - 24u, (1u << 20) - 24u}) {
        std::vector<unsigned char> p(n);
        for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<unsigned char>(i * 131u + 7u);
        PayloadStamper s(p.data(), n);
        EXPECT_EQ(s.stamps(), n < 32 ? 0u : (n - 32) / 256 + 1) << n;
        for (std::uint64_t seq : {0ull, 1ull, 2ull, 12345ull, (1ull << 63) + 5}) {
            const std::uint64_t stamped = s.stamp(seq);
            EXPECT_EQ(stamped, payloadChecksum(p.data(), n)) << n << " bytes, seq " << seq;
        }
    }
}

TEST(ProbeParts, AnOlderPayloadUnderANewerHeaderFailsTheCheck) {
    const std::size_t n = 64 * 1024 - 24;
    std::vector<unsigned char> p(n);
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<unsigned char>(i * 131u + 7u);
    PayloadStamper s(p.data(), n);
    s.stamp(7);
    const std::vector<unsigned char> older = p;  // what a slot held one lap (128 slots) before
    const std::uint64_t newer = s.stamp(7 + 128);
    EXPECT_NE(payloadChecksum(older.data(), n), newer);
    // Only one 256-byte part of the slot left over from the older message.
    for (std::size_t part : {std::size_t{0}, std::size_t{100}, n / 256 - 1}) {
        std::vector<unsigned char> torn = p;
        std::copy(older.begin() + static_cast<std::ptrdiff_t>(part * 256), older.begin() + static_cast<std::ptrdiff_t>(part * 256 + 256),
                  torn.begin() + static_cast<std::ptrdiff_t>(part * 256));
        EXPECT_NE(payloadChecksum(torn.data(), n), newer) << "part " << part;
    }
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
