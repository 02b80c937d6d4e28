#pragma once
/// The error types of the base layer, under the names the core and the layers above it use
/// (core::Result, core::Error, ...). They are the same types as base::Result, base::Error.

#include "base/result.h"

namespace ipcscope::core {

using base::Errc;
using base::errcFromErrno;
using base::errcName;
using base::Error;
using base::Expected;
using base::NativeKind;
using base::nativeKindName;
using base::okStatus;
using base::Result;
using base::Status;
using base::Unit;

}  // namespace ipcscope::core
