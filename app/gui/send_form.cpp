#include "gui/send_form.h"

#include "gui/test_hook.h"

#include "core/inject.h"
#include "core/message.h"
#include "core/target.h"
#include "net/socket_io.h"
#include "wire/bytes.h"

#include <imgui.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace ipcscope::gui {

SendForm::~SendForm() {
    if (m_worker.joinable()) m_worker.join();  // bounded: every send has a timeout
}

void SendForm::open(const std::string& target) {
    m_target = target;
    m_open = true;
}

void SendForm::draw() {
    if (!m_open) return;
    ImGui::SetNextWindowSize(ImVec2(520, 360), ImGuiCond_FirstUseEver);
    if (!ImGui::Begin("Send test message", &m_open)) {
        ImGui::End();
        return;
    }
    ImGui::Text("To %s", m_target.c_str());
    ImGui::RadioButton("Text", &m_hex, 0);
    ImGui::SameLine();
    ImGui::RadioButton("Hex", &m_hex, 1);
    ImGui::InputTextMultiline("##message", m_input, sizeof m_input, ImVec2(-1, ImGui::GetTextLineHeight() * 5));
    noteItem("send-input", "");
    std::vector<std::uint8_t> bytes;
    const bool valid = !m_hex || wire::fromHex(m_input, bytes);
    const std::size_t count = m_hex ? bytes.size() : std::char_traits<char>::length(m_input);
    if (valid) ImGui::Text("%zu bytes", count);
    else ImGui::TextColored(ImVec4(0.9f, 0.4f, 0.4f, 1), "not hex: pairs of digits, e.g. 48656c6c6f");
    ImGui::SetNextItemWidth(120);
    ImGui::InputInt("repeat", &m_repeat);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(120);
    ImGui::InputInt("interval ms", &m_intervalMs, 100);
    ImGui::SetNextItemWidth(120);
    ImGui::InputInt("timeout ms", &m_timeoutMs, 500);
    ImGui::SameLine();
    ImGui::Checkbox("expect reply", &m_expectReply);
    noteItem("send-option", "expect reply");
    m_repeat = std::clamp(m_repeat, 1, 1000);
    m_intervalMs = std::clamp(m_intervalMs, 0, 60000);
    m_timeoutMs = std::clamp(m_timeoutMs, 1, 60000);
    const bool busy = m_busy.load();
    ImGui::BeginDisabled(busy || !valid);
    if (ImGui::Button(busy ? "Sending..." : "Send")) start();
    noteItem("send-button", busy ? "Sending..." : "Send");
    ImGui::EndDisabled();
    ImGui::Separator();
    drawLines();
    ImGui::End();
}

void SendForm::drawResult(const std::string& target) {
    std::lock_guard lock(m_mutex);
    if (m_resultTarget != target || m_lines.empty()) return;
    ImGui::TextDisabled("last test message");
    for (const auto& l : m_lines) ImGui::TextWrapped("%s", l.c_str());
}

void SendForm::drawLines() {
    std::lock_guard lock(m_mutex);
    if (m_resultTarget != m_target) return;
    for (const auto& l : m_lines) {
        ImGui::TextWrapped("%s", l.c_str());
        noteItem("send-result", l);
    }
}

void SendForm::start() {
    if (m_busy.exchange(true)) return;
    if (m_worker.joinable()) m_worker.join();
    std::vector<std::uint8_t> bytes;
    if (m_hex) (void)wire::fromHex(m_input, bytes);
    else bytes.assign(m_input, m_input + std::char_traits<char>::length(m_input));
    platform::SendOptions o;
    o.timeout = std::chrono::milliseconds(m_timeoutMs);
    o.expectReply = m_expectReply;
    const std::string text = m_target;
    const int repeat = m_repeat, intervalMs = m_intervalMs;
    {
        std::lock_guard lock(m_mutex);
        m_resultTarget = text;
        m_lines.clear();
    }
    m_worker = std::thread([this, text, bytes, o, repeat, intervalMs] {
        auto report = [&](std::string line, bool failed) {
            if (failed) spdlog::warn("send {}: {}", text, line);
            else spdlog::info("{}", line);
            {
                std::lock_guard lock(m_mutex);
                m_lines.push_back(std::move(line));
            }
            if (m_onResult) m_onResult();
        };
        auto target = core::parseTarget(text);
        auto sender = target ? net::openSender(*target, o) : core::Result<std::unique_ptr<platform::Sender>>(target.error());
        if (!sender) {
            report(sender.error().message(), true);
        } else {
            for (int i = 0; i < repeat; ++i) {
                auto r = (*sender)->send(bytes);
                if (!r) {
                    report(r.error().message(), true);
                    break;
                }
                report(core::renderLine(core::SentRecord{text, static_cast<std::size_t>(i + 1), r->written, r->elapsed, r->via, r->reply}),
                       false);
                if (i + 1 < repeat && intervalMs > 0) std::this_thread::sleep_for(std::chrono::milliseconds(intervalMs));
            }
        }
        m_busy.store(false);
        if (m_onResult) m_onResult();  // the Send button comes back
    });
}

}  // namespace ipcscope::gui
