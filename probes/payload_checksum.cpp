// payloadChecksum: four 64-bit lane sums over the payload's 32-byte blocks, weighted, plus the
// tail bytes and the length. The receiver runs it over every byte it gets, so its loop is as
// fast as the machine allows: on x86-64 the lane sums are kept in vector registers (SSE2, which
// every x86-64 CPU has, or AVX2 when the CPU has it, picked once at the first call); elsewhere
// a plain loop. Every loop computes the same value.

#include "probe_main.h"

#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define IPCSCOPE_CHECKSUM_X86 1
#endif

namespace ipcscope::probe {
namespace {

/// Weighs the lane sums (a: word 0 of every 32-byte block ... d: word 3) and folds in the bytes
/// after the last whole block, from `i` on, and the length.
std::uint64_t finish(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d, const unsigned char* p, std::size_t i,
                     std::size_t n) noexcept {
    std::uint64_t tail = 0;
    for (; i < n; ++i) tail = tail * 257u + p[i] + 1u;
    return a * kChecksumLaneWeightA + b * 0xc2b2ae3d27d4eb4full + c * 0x165667b19e3779f9ull + d * 0xd6e8feb86659fd93ull +
           tail * 0xff51afd7ed558ccdull + n;
}

#if IPCSCOPE_CHECKSUM_X86
const __m128i* at128(const unsigned char* p) noexcept { return reinterpret_cast<const __m128i*>(p); }

/// Two 16-byte halves per block: lanes a,b in the first, c,d in the second; two blocks per
/// round so that four sums are in flight.
std::uint64_t checksumSse2(const unsigned char* p, std::size_t n) noexcept {
    __m128i ab0 = _mm_setzero_si128(), cd0 = ab0, ab1 = ab0, cd1 = ab0;
    std::size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        ab0 = _mm_add_epi64(ab0, _mm_loadu_si128(at128(p + i)));
        cd0 = _mm_add_epi64(cd0, _mm_loadu_si128(at128(p + i + 16)));
        ab1 = _mm_add_epi64(ab1, _mm_loadu_si128(at128(p + i + 32)));
        cd1 = _mm_add_epi64(cd1, _mm_loadu_si128(at128(p + i + 48)));
    }
    if (i + 32 <= n) {
        ab0 = _mm_add_epi64(ab0, _mm_loadu_si128(at128(p + i)));
        cd0 = _mm_add_epi64(cd0, _mm_loadu_si128(at128(p + i + 16)));
        i += 32;
    }
    alignas(16) std::uint64_t ab[2], cd[2];
    _mm_store_si128(reinterpret_cast<__m128i*>(ab), _mm_add_epi64(ab0, ab1));
    _mm_store_si128(reinterpret_cast<__m128i*>(cd), _mm_add_epi64(cd0, cd1));
    return finish(ab[0], ab[1], cd[0], cd[1], p, i, n);
}

__attribute__((target("avx2"))) __m256i load256(const unsigned char* p) noexcept {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

/// One 32-byte register per block, four blocks per round.
__attribute__((target("avx2"))) std::uint64_t checksumAvx2(const unsigned char* p, std::size_t n) noexcept {
    __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
    std::size_t i = 0;
    for (; i + 128 <= n; i += 128) {
        s0 = _mm256_add_epi64(s0, load256(p + i));
        s1 = _mm256_add_epi64(s1, load256(p + i + 32));
        s2 = _mm256_add_epi64(s2, load256(p + i + 64));
        s3 = _mm256_add_epi64(s3, load256(p + i + 96));
    }
    for (; i + 32 <= n; i += 32) s0 = _mm256_add_epi64(s0, load256(p + i));
    alignas(32) std::uint64_t s[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(s), _mm256_add_epi64(_mm256_add_epi64(s0, s1), _mm256_add_epi64(s2, s3)));
    return finish(s[0], s[1], s[2], s[3], p, i, n);
}
#endif

}  // namespace

std::uint64_t payloadChecksumPortable(const unsigned char* p, std::size_t n) noexcept {
    std::uint64_t a = 0, b = 0, c = 0, d = 0;
    std::size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        std::uint64_t w0, w1, w2, w3;
        std::memcpy(&w0, p + i, 8);
        std::memcpy(&w1, p + i + 8, 8);
        std::memcpy(&w2, p + i + 16, 8);
        std::memcpy(&w3, p + i + 24, 8);
        a += w0;
        b += w1;
        c += w2;
        d += w3;
    }
    return finish(a, b, c, d, p, i, n);
}

std::vector<ChecksumLoop> checksumLoops() {
    std::vector<ChecksumLoop> loops{{"portable", &payloadChecksumPortable}};
#if IPCSCOPE_CHECKSUM_X86
    loops.push_back({"sse2", &checksumSse2});
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2")) loops.push_back({"avx2", &checksumAvx2});
#endif
    return loops;
}

std::uint64_t payloadChecksum(const unsigned char* p, std::size_t n) noexcept {
    // The last loop checksumLoops() names is the fastest this CPU runs.
    static const ChecksumLoop::Fn fastest = checksumLoops().back().fn;
    return fastest(p, n);
}

}  // namespace ipcscope::probe
