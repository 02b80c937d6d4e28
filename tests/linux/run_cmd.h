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

/// prefix + this process's PID + a random number: a name no other test run uses.
std::string uniqueName(const char* prefix);

}  // namespace ipcscope::test
