#pragma once
// "Send test message...": a form for the row's TARGET (text or hex with a byte counter, repeat,
// interval, expect reply). Sending runs on a worker thread; the result and the reply show in
// the form, in the detail pane and in the log.

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ipcscope::gui {

class SendForm {
public:
    SendForm() = default;
    ~SendForm();
    SendForm(const SendForm&) = delete;
    SendForm& operator=(const SendForm&) = delete;

    /// Called on the worker thread after each result line (the GUI wakes its frame loop).
    void setOnResult(std::function<void()> onResult) { m_onResult = std::move(onResult); }
    /// Opens the form for this TARGET.
    void open(const std::string& target);
    /// Draws the form window when it is open.
    void draw();
    /// The last result for `target` (detail pane), nothing when there is none.
    void drawResult(const std::string& target);

private:
    void start();
    void drawLines();

    bool m_open = false;
    std::string m_target;
    int m_hex = 0;  // 0 text, 1 hex
    char m_input[4096] = {};
    int m_repeat = 1;
    int m_intervalMs = 0;
    int m_timeoutMs = 5000;
    bool m_expectReply = false;

    std::function<void()> m_onResult;
    std::thread m_worker;
    std::atomic<bool> m_busy{false};
    std::mutex m_mutex;  // guards the two below
    std::string m_resultTarget;
    std::vector<std::string> m_lines;  // one per message, or the error
};

}  // namespace ipcscope::gui
