#pragma once
/// The filter language of the tables: whitespace-separated terms that must all match.
///
///   postgres              a substring of the name, kind, a holder's command or a PID
///   pid:1234              a process holds the object (exact PID)
///   kind:fifo             a substring of the field; fields: kind, name, family, cmd (or
///                         command, a holder's command) and every field of the detail pane
///                         (flow, peer, inode, ...)
///   -kind:anon-pipe       a leading '-' negates a term
///   name:"my file"        double quotes keep spaces in a value
///   pipe:[4242]           a word before ':' that is no field of the row: all of it is a substring
///
/// Matching ignores ASCII case.

#include "core/model.h"
#include "core/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace ipcscope::core {

class Filter {
public:
    struct Term {
        std::string field;  ///< lower case; empty for a bare substring
        std::string value;
        bool negate = false;
        friend bool operator==(const Term&, const Term&) = default;
    };

    /// Parses `text`; an error names the bad term (an empty value, an unclosed quote, a PID that
    /// is not a number).
    [[nodiscard]] static Result<Filter> parse(std::string_view text);

    [[nodiscard]] bool matches(const IpcObject& obj) const;
    [[nodiscard]] bool empty() const noexcept { return m_terms.empty(); }
    [[nodiscard]] const std::vector<Term>& terms() const noexcept { return m_terms; }

private:
    std::vector<Term> m_terms;
};

}  // namespace ipcscope::core
