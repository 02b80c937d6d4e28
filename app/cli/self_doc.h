#pragma once
// The manual page and the shell completions, generated from the CLI11 definition itself, so
// they cannot drift from what the program accepts: every subcommand, option and value set
// registered on the app shows up ('ipcscope --man', 'ipcscope --completion bash|zsh|fish').

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ipcscope::cli {

/// Names the values an option or positional takes, for the man page and the completions,
/// without checking them (the command checks them itself, with its own message). Attach with
/// `->check(valueHint({...}))`; `--help` does not show it.
[[nodiscard]] CLI::Validator valueHint(const std::vector<std::string>& values);

/// The manual page of `app` and all its subcommands, as roff (man(7) macros).
[[nodiscard]] std::string manPage(CLI::App& app, std::string_view version);

/// The completion script of `app` for "bash", "zsh" or "fish"; empty for another shell.
[[nodiscard]] std::string completionScript(CLI::App& app, std::string_view shell);

}  // namespace ipcscope::cli
