#pragma once
// Runs a command with a timeout and captures its stdout, stderr and exit code.

#include <string>
#include <vector>

namespace ipcscope::test {

struct CmdResult {
    int exitCode = -1;  ///< -1 when killed by a signal or the timeout
    std::string out;
    std::string err;
};

CmdResult runCmd(const std::vector<std::string>& argv, int timeoutSeconds = 60,
                 const std::vector<std::string>& extraEnv = {});

}  // namespace ipcscope::test
