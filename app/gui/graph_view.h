#pragma once
// The Connection graph tab: processes as nodes, channels between them as edges (pipes, FIFOs,
// Unix sockets, loopback TCP, shared mappings), with the count and kinds on each edge. Either the
// chosen process and its neighbours, or the whole machine up to a cap of the busiest processes.
// Drawn with ImGui draw lists; a click on a node opens it in the process view.

#include "core/links.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ipcscope::gui {

class GraphView {
public:
    void onSnapshot(std::shared_ptr<const core::Snapshot> snap);
    /// Draws the graph around `focus` (0: none chosen). Returns the PID of a clicked node.
    [[nodiscard]] std::optional<std::int64_t> draw(std::int64_t focus);

private:
    struct Node {
        std::int64_t pid = 0;
        std::string label;
        float x = 0, y = 0;  // relative to the canvas centre, in units of the radius
    };
    struct Edge {
        std::size_t a = 0, b = 0;  // node indices
        std::size_t count = 0;
        std::string kinds;
    };
    void rebuild(std::int64_t focus);

    static constexpr std::size_t kMaxNodes = 48;

    std::shared_ptr<const core::Snapshot> m_snap;
    std::unique_ptr<core::LinkIndex> m_index;
    bool m_dirty = false;
    bool m_wholeMachine = false;
    bool m_builtWhole = false;
    std::int64_t m_builtFocus = -1;
    std::size_t m_hiddenNodes = 0;
    std::vector<Node> m_nodes;
    std::vector<Edge> m_edges;
};

}  // namespace ipcscope::gui
