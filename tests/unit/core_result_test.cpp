#include "core/result.h"

#include <cerrno>
#include <gtest/gtest.h>

using namespace ipcscope::core;

TEST(Result, HoldsAValueOrAnError) {
    Result<int> good = 42;
    ASSERT_TRUE(good.ok());
    EXPECT_EQ(*good, 42);
    Result<int> bad = Error::make(Errc::Timeout, "the pipe did not answer");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, Errc::Timeout);
    EXPECT_EQ(bad.valueOr(7), 7);
}

TEST(Result, ErrnoMapsToPortableCodes) {
    EXPECT_EQ(Error::fromErrno(EACCES, "x").code, Errc::PermissionDenied);
    EXPECT_EQ(Error::fromErrno(ENOENT, "x").code, Errc::NotFound);
    EXPECT_EQ(Error::fromErrno(ESRCH, "x").code, Errc::NotFound);
    EXPECT_EQ(Error::fromErrno(EIO, "x").code, Errc::Io);
    const auto e = Error::fromErrno(EACCES, "cannot open /proc/1/fd");
    EXPECT_EQ(e.nativeKind, NativeKind::Errno);
    EXPECT_EQ(e.native, EACCES);
    EXPECT_NE(e.message().find("cannot open /proc/1/fd: "), std::string::npos);
    EXPECT_NE(e.message().find("(errno "), std::string::npos);
}

TEST(Result, WindowsCodesMapAndPrint) {
    const auto w = Error::fromWin32(5, "OpenProcess 4");
    EXPECT_EQ(w.code, Errc::PermissionDenied);
    EXPECT_EQ(w.message(), "OpenProcess 4 (Win32 error 5)");
    const auto n = Error::fromNtStatus(0xC00000CBu, "list \\Device\\NamedPipe");
    EXPECT_EQ(n.code, Errc::NotSupported);
    EXPECT_EQ(n.message(), "list \\Device\\NamedPipe (NTSTATUS 0xC00000CB)");
    EXPECT_EQ(Error::fromNtStatus(0xC0000022u, "").code, Errc::PermissionDenied);
    EXPECT_EQ(Error::fromNtStatus(0xC0000022u, "").message(), "permission-denied (NTSTATUS 0xC0000022)");
}

TEST(Result, EveryCodeHasAName) {
    for (int c = 0; c <= static_cast<int>(Errc::Internal); ++c)
        EXPECT_FALSE(errcName(static_cast<Errc>(c)).empty());
    EXPECT_EQ(errcName(Errc::NotSupported), "not-supported");
}
