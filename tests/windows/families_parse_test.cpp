// Pure parts of the Windows families, on buffers and values built here.
#include <gtest/gtest.h>
TEST(Placeholder, Builds) { EXPECT_TRUE(true); }
