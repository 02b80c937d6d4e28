// DDE through DDEML ("Dynamic Data Exchange Management Library", Win32 docs): a client that
// pokes an item (XTYP_POKE, CF_TEXT) or sends an execute string (XTYP_EXECUTE), and a server
// for `listen` that registers SERVICE, accepts TOPIC and takes pokes and executes. With
// --expect-reply the client requests the poked item back (XTYP_REQUEST); a `listen --echo`
// server answers it with the last message. Every transaction carries the timeout; DDEML
// gives up on its own (DMLERR_*ACKTIMEOUT).
// NOTE: the instance is initialised ANSI (DdeInitializeA): DDEML then passes a poke's and an
// execute's bytes unchanged to an ANSI server and converts execute text for a Unicode one.

#include "platform/windows/families.h"
#include "platform/windows/inject_win.h"
#include "platform/windows/message_window.h"

#include <windows.h>
#include <ddeml.h>

#include <chrono>
#include <deque>

namespace ipcscope::win {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

HDDEDATA CALLBACK clientCallback(UINT, UINT, HCONV, HSZ, HSZ, HDDEDATA, ULONG_PTR, ULONG_PTR) { return nullptr; }

std::string ddeErrorText(UINT err) {
    switch (err) {
    case DMLERR_NO_CONV_ESTABLISHED: return "no DDE server answers";
    case DMLERR_POKEACKTIMEOUT:
    case DMLERR_EXECACKTIMEOUT:
    case DMLERR_DATAACKTIMEOUT: return "the server did not answer in time";
    case DMLERR_NOTPROCESSED: return "the server did not process it";
    case DMLERR_BUSY: return "the server is busy";
    case DMLERR_SERVER_DIED: return "the server went away";
    default: return "DDEML error " + std::to_string(err);
    }
}

core::Errc ddeErrc(UINT err) {
    switch (err) {
    case DMLERR_NO_CONV_ESTABLISHED: return core::Errc::NotFound;
    case DMLERR_POKEACKTIMEOUT:
    case DMLERR_EXECACKTIMEOUT:
    case DMLERR_DATAACKTIMEOUT: return core::Errc::Timeout;
    default: return core::Errc::Io;
    }
}

/// A DDEML instance and its string handles, released in reverse order.
class Instance {
public:
    Instance() = default;
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;
    ~Instance() {
        for (HSZ h : m_strings) DdeFreeStringHandle(m_id, h);
        if (m_id) DdeUninitialize(m_id);
    }
    bool init(PFNCALLBACK callback, DWORD flags) { return DdeInitializeA(&m_id, callback, flags, 0) == DMLERR_NO_ERROR; }
    HSZ string(const std::string& text) {
        HSZ h = DdeCreateStringHandleW(m_id, widen(text).c_str(), CP_WINUNICODE);
        if (h) m_strings.push_back(h);
        return h;
    }
    [[nodiscard]] DWORD id() const { return m_id; }
    [[nodiscard]] UINT lastError() const { return DdeGetLastError(m_id); }

private:
    DWORD m_id = 0;
    std::vector<HSZ> m_strings;
};

std::vector<std::uint8_t> dataBytes(HDDEDATA data) {
    std::vector<std::uint8_t> out;
    if (!data) return out;
    const DWORD size = DdeGetData(data, nullptr, 0, 0);
    out.resize(size);
    if (size > 0) DdeGetData(data, out.data(), size, 0);
    return out;
}

class DdeSender final : public platform::Sender {
public:
    DdeSender(std::string target, const platform::SendOptions& o) : m_target(std::move(target)), m_options(o) {}
    ~DdeSender() override {
        if (m_conv) DdeDisconnect(m_conv);
    }

    core::Status init(const core::Target& t) {
        if (!m_dde.init(clientCallback, APPCMD_CLIENTONLY)) return core::Error::make(core::Errc::Io, "cannot start DDEML");
        HSZ service = m_dde.string(t.name), topic = m_dde.string(t.topic);
        m_item = t.item.empty() ? nullptr : m_dde.string(t.item);
        m_conv = DdeConnect(m_dde.id(), service, topic, nullptr);
        if (!m_conv) {
            const UINT err = m_dde.lastError();
            return core::Error{ddeErrc(err), core::NativeKind::None, static_cast<std::int64_t>(err),
                               "cannot reach " + m_target + ": " + ddeErrorText(err)};
        }
        return core::okStatus();
    }

    core::Result<platform::SendResult> send(std::span<const std::uint8_t> bytes) override {
        const auto start = Clock::now();
        const DWORD timeout = static_cast<DWORD>(m_options.timeout.count());
        std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
        if (m_options.execute) data.push_back(0);  // an execute string is NUL-terminated
        DWORD status = 0;
        HDDEDATA ok = DdeClientTransaction(data.data(), static_cast<DWORD>(data.size()), m_conv,
                                           m_options.execute ? nullptr : m_item, m_options.execute ? 0 : CF_TEXT,
                                           m_options.execute ? XTYP_EXECUTE : XTYP_POKE, timeout, &status);
        if (!ok) return failure(m_options.execute ? "execute" : "poke");
        platform::SendResult r;
        r.written = bytes.size();
        r.via = m_options.execute ? "DDE execute" : "DDE poke";
        if (m_options.expectReply) {
            HDDEDATA reply = DdeClientTransaction(nullptr, 0, m_conv, m_item, CF_TEXT, XTYP_REQUEST, timeout, &status);
            if (!reply) return failure("request of the item");
            r.reply = dataBytes(reply);
            DdeFreeDataHandle(reply);
        }
        r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
        return r;
    }

private:
    core::Error failure(const std::string& what) {
        const UINT err = m_dde.lastError();
        return core::Error{ddeErrc(err), core::NativeKind::None, static_cast<std::int64_t>(err),
                           "the DDE " + what + " to " + m_target + " failed: " + ddeErrorText(err)};
    }

    std::string m_target;
    platform::SendOptions m_options;
    Instance m_dde;
    HSZ m_item = nullptr;
    HCONV m_conv = nullptr;
};

/// The server's state, reached from the DDEML callback (one listener per process: the
/// callback has no user pointer).
struct Server {
    Instance dde;
    HSZ service = nullptr;
    HSZ topic = nullptr;
    std::deque<platform::Received> inbox;
    std::vector<std::uint8_t> echo;  ///< what a request of any item returns (--echo)
    bool haveEcho = false;
    std::uint64_t nextChannel = 0;
};
Server* g_server = nullptr;

HDDEDATA CALLBACK serverCallback(UINT type, UINT format, HCONV conv, HSZ hsz1, HSZ hsz2, HDDEDATA data, ULONG_PTR, ULONG_PTR) {
    Server* s = g_server;
    if (!s) return nullptr;
    switch (type) {
    case XTYP_CONNECT:
        // hsz1 topic, hsz2 service.
        return reinterpret_cast<HDDEDATA>(static_cast<ULONG_PTR>(DdeCmpStringHandles(hsz1, s->topic) == 0 ? TRUE : FALSE));
    case XTYP_POKE:
    case XTYP_EXECUTE: {
        platform::Received r;
        r.bytes = dataBytes(data);
        if (type == XTYP_EXECUTE && !r.bytes.empty() && r.bytes.back() == 0) r.bytes.pop_back();
        char item[256] = {};
        if (type == XTYP_POKE) DdeQueryStringA(s->dde.id(), hsz2, item, sizeof item, CP_WINANSI);
        CONVINFO info{};
        info.cb = sizeof info;
        std::string from = type == XTYP_POKE ? std::string("poke ") + item : std::string("execute");
        if (DdeQueryConvInfo(conv, QID_SYNC, &info)) {
            DWORD pid = 0;
            if (GetWindowThreadProcessId(info.hwndPartner, &pid)) from += ", pid " + std::to_string(pid);
        }
        r.from = std::move(from);
        r.channel = ++s->nextChannel;
        (void)format;
        s->inbox.push_back(std::move(r));
        return reinterpret_cast<HDDEDATA>(static_cast<ULONG_PTR>(DDE_FACK));
    }
    case XTYP_REQUEST:
        if (!s->haveEcho) return nullptr;
        return DdeCreateDataHandle(s->dde.id(), s->echo.data(), static_cast<DWORD>(s->echo.size()), 0, hsz2, format, 0);
    default: return nullptr;
    }
}

class DdeListener final : public platform::Listener {
public:
    explicit DdeListener(std::string endpoint) : m_endpoint(std::move(endpoint)) {}
    ~DdeListener() override {
        if (m_registered) DdeNameService(m_server.dde.id(), m_server.service, nullptr, DNS_UNREGISTER);
        if (g_server == &m_server) g_server = nullptr;
    }

    core::Status init(const core::Target& t) {
        if (g_server) return core::Error::make(core::Errc::InvalidArgument, "one DDE server per process");
        g_server = &m_server;
        if (!m_server.dde.init(serverCallback, APPCLASS_STANDARD | CBF_SKIP_REGISTRATIONS | CBF_SKIP_UNREGISTRATIONS))
            return core::Error::make(core::Errc::Io, "cannot start DDEML");
        m_server.service = m_server.dde.string(t.name);
        m_server.topic = m_server.dde.string(t.topic);
        if (!DdeNameService(m_server.dde.id(), m_server.service, nullptr, DNS_REGISTER)) {
            const UINT err = m_server.dde.lastError();
            return core::Error{core::Errc::Io, core::NativeKind::None, static_cast<std::int64_t>(err),
                               "cannot register the DDE service " + t.name + ": " + ddeErrorText(err)};
        }
        m_registered = true;
        return core::okStatus();
    }
    std::string endpoint() const override { return m_endpoint; }

    core::Result<std::optional<platform::Received>> receive(milliseconds timeout) override {
        // Dispatch one message at a time and stop at the first one that arrives: a request that
        // follows a poke waits in the queue until reply() has set what it returns.
        if (!pumpMessagesUntil([this] { return !m_server.inbox.empty(); }, Clock::now() + timeout))
            return std::optional<platform::Received>();
        platform::Received r = std::move(m_server.inbox.front());
        m_server.inbox.pop_front();
        return std::optional<platform::Received>(std::move(r));
    }

    core::Status reply(const platform::Received&, std::span<const std::uint8_t> bytes) override {
        m_server.echo.assign(bytes.begin(), bytes.end());
        m_server.haveEcho = true;
        return core::okStatus();
    }

private:
    std::string m_endpoint;
    Server m_server;
    bool m_registered = false;
};

}  // namespace

core::Result<std::unique_ptr<platform::Sender>> openDdeSender(const core::Target& t, const platform::SendOptions& o) {
    const std::string text = core::formatTarget(t);
    if (o.execute && !t.item.empty())
        return core::Error::make(core::Errc::InvalidArgument, "--execute takes dde:SERVICE|TOPIC without an item: " + text);
    if (!o.execute && t.item.empty())
        return core::Error::make(core::Errc::InvalidArgument, "a poke needs an item, dde:SERVICE|TOPIC!ITEM (or use --execute): " + text);
    if (o.execute && o.expectReply)
        return core::Error::make(core::Errc::InvalidArgument, "a DDE execute has no reply: --expect-reply applies to pokes");
    auto s = std::make_unique<DdeSender>(text, o);
    if (auto st = s->init(t); !st) return st.error();
    return std::unique_ptr<platform::Sender>(std::move(s));
}

core::Result<std::unique_ptr<platform::Listener>> openDdeListener(const core::Target& t) {
    if (!t.item.empty()) return core::Error::make(core::Errc::InvalidArgument, "listen takes dde:SERVICE|TOPIC without an item");
    auto l = std::make_unique<DdeListener>(core::formatTarget(t));
    if (auto st = l->init(t); !st) return st.error();
    return std::unique_ptr<platform::Listener>(std::move(l));
}

}  // namespace ipcscope::win
