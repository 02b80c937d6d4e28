#pragma once
// The Mailslots tab: local mailslots (Windows), the live datagram monitor and the broadcast
// form. Sockets are opened and messages sent on a worker thread, never on the UI thread.

#include "core/datagram_render.h"
#include "core/model.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ipcscope::net {
class DatagramMonitor;
}

namespace ipcscope::gui {

class ObjectsView;

class MailslotsView {
public:
    MailslotsView();
    ~MailslotsView();
    MailslotsView(const MailslotsView&) = delete;
    MailslotsView& operator=(const MailslotsView&) = delete;

    /// Draws the tab; `snap` may be null before the first snapshot.
    void draw(const core::Snapshot* snap, ObjectsView& objects);
    /// Starts the monitor on `port` (asynchronously).
    void startMonitor(int port);
    [[nodiscard]] std::size_t shownDatagrams() const { return m_rows.size(); }

private:
    struct Row {
        core::ReceivedDatagram datagram;
        std::string time, source, destination, msgType, slot, message;
        std::string line;  ///< what the text filter searches
        std::string json;  ///< the detail pane
    };
    static Row makeRow(core::ReceivedDatagram d);
    void post(std::function<void()> job);
    void workerLoop();
    void drawMonitor();
    void drawBroadcastForm();

    // Worker thread: monitor start/stop and sends.
    std::mutex m_jobsMutex;
    std::condition_variable m_jobsCv;
    std::deque<std::function<void()>> m_jobs;
    bool m_stopWorker = false;
    std::thread m_worker;

    // State shared with the worker.
    mutable std::mutex m_stateMutex;
    std::shared_ptr<net::DatagramMonitor> m_monitor;
    std::string m_monitorStatus = "stopped";
    std::string m_sendStatus;
    bool m_busy = false;

    // UI state.
    std::deque<Row> m_rows;  ///< newest last, bounded
    std::uint64_t m_rowsAdded = 0;
    std::vector<int> m_shown;  ///< indices into m_rows that pass the filters, newest first
    std::uint64_t m_shownFor = ~std::uint64_t{0};
    std::size_t m_shownRowCount = 0;
    std::string m_shownFilter;
    int m_port = 138;
    char m_filter[128] = {};
    char m_slotFilter[128] = {};
    bool m_hideMalformed = false;
    int m_selected = -1;
    char m_target[256] = "\\\\*\\mailslot\\ipcscope-test";
    char m_message[1024] = "hello from ipcscope";
    char m_domain[64] = {};
    char m_iface[64] = {};
    int m_priority = 0;
};

}  // namespace ipcscope::gui
