#pragma once
// Small builders the unit tests share.

#include "core/model.h"
#include "base/text.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ipcscope::test {

/// An object of `kind` named `name`, held by `holders`.
inline core::IpcObject object(core::Kind kind, std::string name, std::vector<core::Holder> holders) {
    core::IpcObject o;
    o.kind = kind;
    o.name = std::move(name);
    for (auto& h : holders) o.addHolder(std::move(h));
    return o;
}

/// The bytes of a hex string; a bad string fails the test.
inline std::vector<std::uint8_t> hexBytes(std::string_view h) {
    std::vector<std::uint8_t> out;
    EXPECT_TRUE(base::fromHex(h, out)) << h;
    return out;
}

}  // namespace ipcscope::test
