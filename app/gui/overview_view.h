#pragma once
// The Overview tab, the first screen: one card per family with its object count, the change
// since the previous refresh, a sparkline of the count, the busiest processes, and what failed
// or was hidden. Clicking a card opens the family's tab.

#include "core/model.h"

#include <array>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace ipcscope::gui {

class OverviewView {
public:
    /// Called when a new snapshot arrives.
    void onSnapshot(const core::Snapshot& snap);
    /// Draws the cards; returns the family whose card was clicked.
    [[nodiscard]] std::optional<core::Family> draw(const core::Snapshot* snap);

private:
    struct Busy {
        std::int64_t pid = 0;
        std::string command;
        std::size_t objects = 0;
    };
    struct Card {
        std::size_t count = 0;
        long long change = 0;
        bool haveChange = false;
        std::deque<float> history;  ///< counts of the last refreshes, oldest first
        std::vector<Busy> busiest;  ///< top processes by objects held
        std::vector<std::string> errors;
    };
    static constexpr std::size_t kHistory = 120;
    static constexpr std::size_t kBusiest = 3;

    [[nodiscard]] bool drawCard(core::Family family, const Card& card, const core::Snapshot& snap, float width, float height) const;

    std::array<Card, core::kAllFamilies.size()> m_cards{};
    bool m_haveBaseline = false;
};

}  // namespace ipcscope::gui
