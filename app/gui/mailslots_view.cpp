#include "gui/mailslots_view.h"

#include "gui/hex_view.h"
#include "gui/test_hook.h"
#include "gui/views.h"

#include "base/json.h"
#include "base/text.h"
#include "core/columns.h"
#include "core/platform.h"
#include "net/mailslot_client.h"
#include "net/monitor.h"
#include "wire/mailslot.h"

#include <imgui.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

namespace ipcscope::gui {
namespace {

constexpr std::size_t kMaxRows = 2000;

using base::containsNoCase;

std::string field(const nlohmann::ordered_json& j, const char* key) {
    if (!j.contains(key)) return {};
    return j[key].is_string() ? j[key].get<std::string>() : base::dumpJson(j[key]);
}

std::string nameWithSuffix(const nlohmann::ordered_json& j, const char* name, const char* suffix) {
    const std::string s = field(j, suffix);
    return field(j, name) + "<" + s.substr(std::min<std::size_t>(2, s.size())) + ">";
}

}  // namespace

// The cells of a datagram, taken from its JSON once when it arrives, never per frame.
MailslotsView::Row MailslotsView::makeRow(core::ReceivedDatagram d) {
    const auto j = core::toJson(d, platform::oemCodePage());
    Row r;
    const std::string time = field(j, "time");
    r.time = time.size() > 11 ? time.substr(11, 12) : time;
    r.source = nameWithSuffix(j, "source_name", "source_suffix");
    r.destination = nameWithSuffix(j, "dest_name", "dest_suffix");
    r.msgType = field(j, "msg_type");
    r.slot = field(j, "slot");
    if (d.malformed()) r.message = "malformed: " + d.inspection.error->message();
    else if (j.contains("browser") && j["browser"].contains("type")) r.message = field(j["browser"], "type");
    else if (j.contains("data_text")) r.message = field(j, "data_text");
    else r.message = field(j, "size") + " bytes binary";
    r.line = core::renderLine(d, platform::oemCodePage());
    r.json = base::dumpJson(j, 2);
    r.datagram = std::move(d);
    return r;
}

MailslotsView::MailslotsView() {
    const std::string wg = net::defaultWorkgroup();
    m_domain[wg.copy(m_domain, sizeof m_domain - 1)] = '\0';
    m_worker = std::thread([this] { workerLoop(); });
}

MailslotsView::~MailslotsView() {
    {
        std::lock_guard lock(m_jobsMutex);
        m_stopWorker = true;
    }
    m_jobsCv.notify_all();
    if (m_worker.joinable()) m_worker.join();
    std::lock_guard lock(m_stateMutex);
    m_monitor.reset();
}

void MailslotsView::post(std::function<void()> job) {
    {
        std::lock_guard lock(m_jobsMutex);
        m_jobs.push_back(std::move(job));
    }
    m_jobsCv.notify_one();
}

void MailslotsView::workerLoop() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(m_jobsMutex);
            m_jobsCv.wait(lock, [&] { return m_stopWorker || !m_jobs.empty(); });
            if (m_stopWorker) return;
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        job();
    }
}

void MailslotsView::startMonitor(int port) {
    {
        std::lock_guard lock(m_stateMutex);
        m_monitorStatus = "starting...";
    }
    post([this, port] {
        net::MonitorOptions o;
        o.port = static_cast<std::uint16_t>(port);
        auto m = net::DatagramMonitor::start(o);
        std::lock_guard lock(m_stateMutex);
        if (!m) {
            m_monitorStatus = "failed: " + m.error().message();
            spdlog::warn("mailslot monitor: {}", m.error().message());
            return;
        }
        m_monitor = std::shared_ptr<net::DatagramMonitor>(std::move(m).value());
        m_monitorStatus = "listening on UDP " + m_monitor->bound().text();
        spdlog::info("mailslot monitor {}", m_monitorStatus);
    });
}

void MailslotsView::draw(const core::Snapshot* snap, ObjectsView& objects) {
    const auto here = platform::current();
    if (ImGui::CollapsingHeader("Local mailslots", core::familySupported(core::Family::Mailslots, here) ? ImGuiTreeNodeFlags_DefaultOpen : 0)) {
        if (!core::kindSupported(core::Kind::Mailslot, here))
            ImGui::TextDisabled("Local mailslots exist only on Windows. The LAN monitor and the broadcast form below work here.");
        else if (!snap)
            ImGui::TextDisabled("taking the first snapshot...");
        else {
            ImGui::BeginChild("local-mailslots", ImVec2(0, 180), true);
            objects.draw(*snap, core::Family::Mailslots);
            ImGui::EndChild();
        }
    }
    if (ImGui::CollapsingHeader("Broadcast", ImGuiTreeNodeFlags_DefaultOpen)) drawBroadcastForm();
    if (ImGui::CollapsingHeader("LAN datagrams (NetBIOS UDP 138)", ImGuiTreeNodeFlags_DefaultOpen)) drawMonitor();
}

void MailslotsView::drawBroadcastForm() {
    ImGui::SetNextItemWidth(320);
    ImGui::InputText("target", m_target, sizeof m_target);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(120);
    ImGui::InputText("domain", m_domain, sizeof m_domain);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(120);
    ImGui::InputText("interface", m_iface, sizeof m_iface);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(90);
    ImGui::InputInt("priority", &m_priority);
    m_priority = std::clamp(m_priority, 0, 65535);
    ImGui::InputTextMultiline("message", m_message, sizeof m_message, ImVec2(-FLT_MIN, ImGui::GetTextLineHeight() * 3));

    // Live byte counter against the limit for this slot.
    const std::size_t size = std::strlen(m_message);
    auto target = wire::parseTarget(m_target);
    const std::size_t limit = target ? wire::messageLimit(target->slot) : wire::kBroadcastDataLimit;
    const bool over = size > limit;
    if (over) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.4f, 0.35f, 1.0f));
    ImGui::Text("%zu / %zu bytes", size, limit);
    if (over) ImGui::PopStyleColor();
    ImGui::SameLine();
    if (!target) ImGui::TextColored(ImVec4(1.0f, 0.6f, 0.3f, 1.0f), "%s", target.error().context.c_str());
    bool busy;
    std::string status;
    {
        std::lock_guard lock(m_stateMutex);
        busy = m_busy;
        status = m_sendStatus;
    }
    ImGui::BeginDisabled(over || !target || busy);
    ImGui::SameLine();
    if (ImGui::Button("Send")) {
        net::SendRequest r;
        r.target = m_target;
        r.data.assign(m_message, m_message + size);
        r.domain = m_domain;
        r.iface = m_iface;
        r.priority = static_cast<std::uint16_t>(m_priority);
        {
            std::lock_guard lock(m_stateMutex);
            // \\.\ on Linux goes to a local listener: the monitor's port when it runs.
            if (target->kind == wire::TargetKind::Local && m_monitor) r.port = m_monitor->bound().port;
            m_busy = true;
            m_sendStatus = "sending...";
        }
        post([this, r] {
            auto sent = net::sendMailslot(r);
            std::lock_guard lock(m_stateMutex);
            m_busy = false;
            if (sent) {
                m_sendStatus = "sent " + std::to_string(sent->dataBytes) + " bytes as " + sent->msgType + " to " +
                               (sent->destName.empty() ? sent->destination : sent->destName + " (" + sent->destination + ")");
                spdlog::info("{}", m_sendStatus);
            } else {
                m_sendStatus = sent.error().message();
                spdlog::warn("send: {}", m_sendStatus);
            }
        });
    }
    ImGui::EndDisabled();
    if (!status.empty()) {
        ImGui::SameLine();
        ImGui::TextDisabled("%s", status.c_str());
    }
}

void MailslotsView::drawMonitor() {
    std::shared_ptr<net::DatagramMonitor> mon;
    std::string status;
    {
        std::lock_guard lock(m_stateMutex);
        mon = m_monitor;
        status = m_monitorStatus;
    }
    if (mon) {
        for (auto& d : mon->drain(512)) {
            m_rows.push_back(makeRow(std::move(d)));
            ++m_rowsAdded;
            if (m_rows.size() > kMaxRows) {
                m_rows.pop_front();
                if (m_selected >= 0) --m_selected;
            }
        }
    }
    if (!mon) {
        ImGui::SetNextItemWidth(100);
        ImGui::InputInt("port", &m_port, 0);
        noteItem("monitor-port", std::to_string(m_port));
        m_port = std::clamp(m_port, 1, 65535);
        ImGui::SameLine();
        if (ImGui::Button("Start monitor")) startMonitor(m_port);
        noteItem("button", "Start monitor");
    } else if (ImGui::Button("Stop monitor")) {
        post([this] {
            std::lock_guard lock(m_stateMutex);
            m_monitor.reset();
            m_monitorStatus = "stopped";
        });
    }
    ImGui::SameLine();
    ImGui::TextDisabled("%s", status.c_str());
    if (mon) {
        const auto c = mon->counters();
        ImGui::SameLine();
        ImGui::Text("| %s", net::summaryText(c).c_str());
    }
    ImGui::SetNextItemWidth(220);
    ImGui::InputTextWithHint("##dgfilter", "filter (name, address, text)", m_filter, sizeof m_filter);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(160);
    ImGui::InputTextWithHint("##slotfilter", "slot, e.g. BROWSE", m_slotFilter, sizeof m_slotFilter);
    ImGui::SameLine();
    ImGui::Checkbox("hide malformed", &m_hideMalformed);
    ImGui::SameLine();
    if (ImGui::Button("Clear")) {
        m_rows.clear();
        m_selected = -1;
    }

    // The shown rows, newest first, recomputed only when rows arrive or a filter changes.
    const std::string filterKey = std::string(m_filter) + '\x1f' + m_slotFilter + (m_hideMalformed ? "\x1fh" : "");
    if (m_shownFor != m_rowsAdded || m_shownFilter != filterKey || m_shownRowCount != m_rows.size()) {
        m_shown.clear();
        for (int i = static_cast<int>(m_rows.size()) - 1; i >= 0; --i) {
            const Row& r = m_rows[static_cast<std::size_t>(i)];
            if (m_hideMalformed && r.datagram.malformed()) continue;
            if (!core::slotMatches(r.datagram, m_slotFilter) || !containsNoCase(r.line, m_filter)) continue;
            m_shown.push_back(i);
        }
        m_shownFor = m_rowsAdded;
        m_shownFilter = filterKey;
        m_shownRowCount = m_rows.size();
    }

    const float detailHeight = m_selected >= 0 ? 160.0f : 0.0f;
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_Resizable |
                                  ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp;
    if (ImGui::BeginTable("datagrams", 7, flags, ImVec2(0, -detailHeight - ImGui::GetFrameHeightWithSpacing()))) {
        ImGui::TableSetupScrollFreeze(0, 1);
        for (const char* h : {"time", "from", "source", "destination", "type", "slot", "message"}) ImGui::TableSetupColumn(h);
        ImGui::TableHeadersRow();
        ImGuiListClipper clipper;
        clipper.Begin(static_cast<int>(m_shown.size()));
        while (clipper.Step()) {
            for (int k = clipper.DisplayStart; k < clipper.DisplayEnd; ++k) {
                const int i = m_shown[static_cast<std::size_t>(k)];
                const Row& r = m_rows[static_cast<std::size_t>(i)];
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::PushID(i);
                if (ImGui::Selectable(r.time.c_str(), m_selected == i, ImGuiSelectableFlags_SpanAllColumns)) m_selected = i;
                ImGui::PopID();
                for (const std::string* cell : {&r.datagram.peerIp, &r.source, &r.destination, &r.msgType, &r.slot}) {
                    ImGui::TableNextColumn();
                    ImGui::TextUnformatted(cell->c_str());
                }
                ImGui::TableNextColumn();
                if (r.datagram.malformed()) ImGui::TextColored(ImVec4(1.0f, 0.5f, 0.3f, 1.0f), "%s", r.message.c_str());
                else ImGui::TextUnformatted(r.message.c_str());
                noteItem("datagram", r.message);
            }
        }
        ImGui::EndTable();
    }
    ImGui::Text("%zu of %zu datagrams shown", m_shown.size(), m_rows.size());
    if (m_selected >= 0 && m_selected < static_cast<int>(m_rows.size())) {
        const Row& r = m_rows[static_cast<std::size_t>(m_selected)];
        ImGui::BeginChild("datagram-detail", ImVec2(0, detailHeight), true);
        if (ImGui::SmallButton("Copy as JSON")) ImGui::SetClipboardText(r.json.c_str());
        // The decoded fields on the left, the datagram's bytes on the right.
        if (ImGui::BeginTable("datagram-split", 2, ImGuiTableFlags_Resizable | ImGuiTableFlags_BordersInnerV)) {
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(0);
            ImGui::BeginChild("datagram-json");
            ImGui::TextUnformatted(r.json.c_str());
            ImGui::EndChild();
            ImGui::TableSetColumnIndex(1);
            drawHexView("datagram-hex", r.datagram.bytes);
            ImGui::EndTable();
        }
        ImGui::EndChild();
    }
}

}  // namespace ipcscope::gui
