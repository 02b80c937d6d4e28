// Named pipes and mailslots: a client that writes in the pipe's own mode, a pipe server and a
// mailslot server for `listen`. Every wait is bounded: overlapped I/O with a timed wait, then
// CancelIo (Win32 "Synchronous and Asynchronous I/O").

#include "platform/windows/families.h"
#include "platform/windows/inject_win.h"

#include <windows.h>

#include <algorithm>
#include <chrono>

namespace ipcscope::win {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

DWORD leftMs(Clock::time_point deadline) {
    const auto ms = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    return ms <= 0 ? 0 : static_cast<DWORD>(ms);
}

/// An overlapped ReadFile/WriteFile/ConnectNamedPipe waited for until the deadline. On
/// timeout the I/O is cancelled and ERROR_TIMEOUT is returned; otherwise the call's error
/// (0 on success) and the byte count.
struct Overlapped {
    OVERLAPPED ov{};
    Overlapped() { ov.hEvent = CreateEventW(nullptr, TRUE, FALSE, nullptr); }
    ~Overlapped() { CloseHandle(ov.hEvent); }
    Overlapped(const Overlapped&) = delete;
    Overlapped& operator=(const Overlapped&) = delete;

    DWORD finish(HANDLE h, BOOL started, DWORD timeoutMs, DWORD& bytes) {
        bytes = 0;
        if (started) return GetOverlappedResult(h, &ov, &bytes, FALSE) ? 0 : GetLastError();
        const DWORD err = GetLastError();
        if (err != ERROR_IO_PENDING) return err;
        if (WaitForSingleObject(ov.hEvent, timeoutMs) != WAIT_OBJECT_0) {
            CancelIo(h);
            GetOverlappedResult(h, &ov, &bytes, TRUE);  // the cancelled I/O must finish before `ov` goes away
            return ERROR_TIMEOUT;
        }
        return GetOverlappedResult(h, &ov, &bytes, FALSE) ? 0 : GetLastError();
    }
};

DWORD writeWithin(HANDLE h, std::span<const std::uint8_t> bytes, DWORD timeoutMs, DWORD& written) {
    Overlapped o;
    const BOOL ok = WriteFile(h, bytes.data(), static_cast<DWORD>(bytes.size()), nullptr, &o.ov);
    return o.finish(h, ok, timeoutMs, written);
}

/// One read; ERROR_MORE_DATA (a message longer than the buffer) is returned as is.
DWORD readWithin(HANDLE h, std::vector<std::uint8_t>& buf, DWORD timeoutMs, DWORD& got) {
    Overlapped o;
    const BOOL ok = ReadFile(h, buf.data(), static_cast<DWORD>(buf.size()), nullptr, &o.ov);
    return o.finish(h, ok, timeoutMs, got);
}

/// Reads one whole message (message mode) or one chunk (byte mode) into `out`.
DWORD readMessage(HANDLE h, std::vector<std::uint8_t>& out, Clock::time_point deadline) {
    std::vector<std::uint8_t> buf(65536);
    for (;;) {
        DWORD got = 0;
        const DWORD err = readWithin(h, buf, leftMs(deadline), got);
        out.insert(out.end(), buf.begin(), buf.begin() + got);
        if (err != ERROR_MORE_DATA) return err;
    }
}

core::Error timeoutError(const std::string& what, milliseconds timeout) {
    return core::Error{core::Errc::Timeout, core::NativeKind::Win32, ERROR_TIMEOUT, what + " within " + std::to_string(timeout.count()) + " ms"};
}

class PipeSender final : public platform::Sender {
public:
    PipeSender(HANDLE h, std::string target, bool message, const platform::SendOptions& o)
        : m_h(h), m_target(std::move(target)), m_message(message), m_options(o) {}
    ~PipeSender() override { CloseHandle(m_h); }

    core::Result<platform::SendResult> send(std::span<const std::uint8_t> bytes) override {
        const auto start = Clock::now();
        DWORD written = 0;
        DWORD err = writeWithin(m_h, bytes, static_cast<DWORD>(m_options.timeout.count()), written);
        if (err == ERROR_TIMEOUT) return timeoutError(m_target + " did not take the message (nobody reads it)", m_options.timeout);
        if (err == ERROR_NO_DATA || err == ERROR_BROKEN_PIPE || err == ERROR_PIPE_NOT_CONNECTED)
            return core::Error::fromWin32(err, m_target + " was closed by its server");
        if (err != 0) return core::Error::fromWin32(err, "cannot write to " + m_target);
        platform::SendResult r;
        r.written = written;
        r.via = m_message ? "message mode" : "byte mode";
        if (m_options.expectReply) {
            std::vector<std::uint8_t> reply;
            const auto deadline = Clock::now() + m_options.timeout;
            while (reply.size() < std::max<std::size_t>(1, m_options.replyBytes)) {
                err = readMessage(m_h, reply, deadline);
                if (err != 0 || m_message) break;
            }
            if (reply.empty()) {
                if (err == ERROR_TIMEOUT) return timeoutError("no reply from " + m_target, m_options.timeout);
                return core::Error::fromWin32(err, "cannot read the reply from " + m_target);
            }
            if (m_options.replyBytes > 0 && reply.size() > m_options.replyBytes) reply.resize(m_options.replyBytes);
            r.reply = std::move(reply);
        }
        r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
        return r;
    }

private:
    HANDLE m_h;
    std::string m_target;
    bool m_message;
    platform::SendOptions m_options;
};

class PipeListener final : public platform::Listener {
public:
    PipeListener(HANDLE h, std::string endpoint, bool message) : m_h(h), m_endpoint(std::move(endpoint)), m_message(message) {}
    // Closed, not disconnected: DisconnectNamedPipe drops what the client has not read yet (the
    // last echo), while a closed server end lets the client read it and then see a broken pipe.
    ~PipeListener() override { CloseHandle(m_h); }  // the last server handle: the pipe name goes away
    std::string endpoint() const override { return m_endpoint; }

    core::Result<std::optional<platform::Received>> receive(milliseconds timeout) override {
        const auto deadline = Clock::now() + timeout;
        if (!m_connected) {
            if (!m_connecting) {
                m_connect = std::make_unique<Overlapped>();
                if (ConnectNamedPipe(m_h, &m_connect->ov) || GetLastError() == ERROR_PIPE_CONNECTED) {
                    m_connected = true;
                } else if (GetLastError() == ERROR_IO_PENDING) {
                    m_connecting = true;
                } else {
                    return core::Error::fromWin32(GetLastError(), "cannot wait for a client on " + m_endpoint);
                }
            }
            if (m_connecting) {
                if (WaitForSingleObject(m_connect->ov.hEvent, leftMs(deadline)) != WAIT_OBJECT_0) return std::optional<platform::Received>();
                DWORD ignored = 0;
                m_connecting = false;
                if (!GetOverlappedResult(m_h, &m_connect->ov, &ignored, FALSE) && GetLastError() != ERROR_PIPE_CONNECTED)
                    return core::Error::fromWin32(GetLastError(), "cannot accept a client on " + m_endpoint);
                m_connected = true;
            }
            ULONG pid = 0;
            m_from = GetNamedPipeClientProcessId(m_h, &pid) ? "pid " + std::to_string(pid) : std::string();
        }
        platform::Received msg;
        const DWORD err = readMessage(m_h, msg.bytes, deadline);
        if (err == ERROR_TIMEOUT) return std::optional<platform::Received>();
        if (err == ERROR_BROKEN_PIPE || err == ERROR_PIPE_NOT_CONNECTED || (err == 0 && msg.bytes.empty())) {
            DisconnectNamedPipe(m_h);  // the client went away: wait for the next one
            m_connected = false;
            if (msg.bytes.empty()) return std::optional<platform::Received>();
        } else if (err != 0) {
            return core::Error::fromWin32(err, "cannot read from " + m_endpoint);
        }
        msg.from = m_from;
        return std::optional<platform::Received>(std::move(msg));
    }

    core::Status reply(const platform::Received&, std::span<const std::uint8_t> bytes) override {
        if (!m_connected) return core::Error::make(core::Errc::NotFound, "the client has gone");
        DWORD written = 0;
        const DWORD err = writeWithin(m_h, bytes, 5000, written);
        if (err != 0) return core::Error::fromWin32(err, "cannot echo on " + m_endpoint);
        return core::okStatus();
    }

private:
    HANDLE m_h;
    std::string m_endpoint;
    bool m_message;
    bool m_connected = false;
    bool m_connecting = false;
    std::unique_ptr<Overlapped> m_connect;
    std::string m_from;
};

class MailslotListener final : public platform::Listener {
public:
    MailslotListener(HANDLE h, std::string endpoint) : m_h(h), m_endpoint(std::move(endpoint)) {}
    ~MailslotListener() override { CloseHandle(m_h); }
    std::string endpoint() const override { return m_endpoint; }

    core::Result<std::optional<platform::Received>> receive(milliseconds timeout) override {
        // The read timeout of a mailslot is its own property (SetMailslotInfo); ReadFile then
        // fails with ERROR_SEM_TIMEOUT when nothing came.
        SetMailslotInfo(m_h, static_cast<DWORD>(timeout.count()));
        DWORD next = 0;
        GetMailslotInfo(m_h, nullptr, &next, nullptr, nullptr);
        std::vector<std::uint8_t> buf(next == MAILSLOT_NO_MESSAGE || next == 0 ? 65536 : next);
        DWORD got = 0;
        if (!ReadFile(m_h, buf.data(), static_cast<DWORD>(buf.size()), &got, nullptr)) {
            const DWORD err = GetLastError();
            if (err == ERROR_SEM_TIMEOUT) return std::optional<platform::Received>();
            return core::Error::fromWin32(err, "cannot read from " + m_endpoint);
        }
        buf.resize(got);
        return std::optional<platform::Received>(platform::Received{std::move(buf), {}, 0});
    }
    core::Status reply(const platform::Received&, std::span<const std::uint8_t>) override {
        return core::Error::make(core::Errc::NotSupported, "a mailslot has no way back to the writer");
    }

private:
    HANDLE m_h;
    std::string m_endpoint;
};

}  // namespace

core::Result<std::unique_ptr<platform::Sender>> openPipeSender(const core::Target& t, const platform::SendOptions& o) {
    const std::string text = core::formatTarget(t);
    const std::wstring path = widen("\\\\" + t.host + "\\pipe\\" + t.name);
    const auto deadline = Clock::now() + o.timeout;
    HANDLE h = INVALID_HANDLE_VALUE;
    for (;;) {
        h = CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE | FILE_READ_ATTRIBUTES, 0, nullptr, OPEN_EXISTING,
                        FILE_FLAG_OVERLAPPED, nullptr);
        if (h == INVALID_HANDLE_VALUE && GetLastError() == ERROR_ACCESS_DENIED && !o.expectReply)
            // An inbound pipe (the server only reads) gives its clients write access alone.
            h = CreateFileW(path.c_str(), GENERIC_WRITE | FILE_READ_ATTRIBUTES, 0, nullptr, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr);
        if (h != INVALID_HANDLE_VALUE) break;
        const DWORD err = GetLastError();
        if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND || err == ERROR_BAD_NETPATH)
            return core::Error{core::Errc::NotFound, core::NativeKind::Win32, err, text + " does not exist"};
        if (err != ERROR_PIPE_BUSY) return core::Error::fromWin32(err, "cannot open " + text);
        // Every instance is connected: WaitNamedPipe waits for one to free up, bounded.
        const DWORD wait = leftMs(deadline);
        if (wait == 0 || !WaitNamedPipeW(path.c_str(), wait)) {
            if (Clock::now() >= deadline || GetLastError() == ERROR_SEM_TIMEOUT)
                return core::Error{core::Errc::Timeout, core::NativeKind::Win32, ERROR_PIPE_BUSY,
                                   text + " refused the connection: every instance stayed busy for " + std::to_string(o.timeout.count()) + " ms"};
        }
    }
    // Write in the pipe's own mode: a message pipe keeps each write as one message, and
    // replies are read as messages (PIPE_READMODE_MESSAGE) so they come back whole.
    DWORD flags = 0;
    GetNamedPipeInfo(h, &flags, nullptr, nullptr, nullptr);
    const bool message = (flags & PIPE_TYPE_MESSAGE) != 0;
    if (message) {
        DWORD mode = PIPE_READMODE_MESSAGE;
        SetNamedPipeHandleState(h, &mode, nullptr, nullptr);
    }
    return std::unique_ptr<platform::Sender>(std::make_unique<PipeSender>(h, text, message, o));
}

core::Result<std::unique_ptr<platform::Listener>> openPipeListener(const core::Target& t, bool messageMode) {
    const std::string text = core::formatTarget(t);
    const std::wstring path = widen("\\\\.\\pipe\\" + t.name);
    const DWORD mode = (messageMode ? PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE : PIPE_TYPE_BYTE | PIPE_READMODE_BYTE) | PIPE_WAIT;
    HANDLE h = CreateNamedPipeW(path.c_str(), PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE, mode, 1,
                                65536, 65536, 0, nullptr);
    if (h == INVALID_HANDLE_VALUE) return core::Error::fromWin32(GetLastError(), "cannot create the pipe " + text);
    return std::unique_ptr<platform::Listener>(std::make_unique<PipeListener>(h, text, messageMode));
}

core::Result<std::unique_ptr<platform::Listener>> openMailslotListener(const core::Target& t) {
    const std::string text = core::formatTarget(t);
    const std::wstring path = widen("\\\\.\\mailslot\\" + t.name);
    HANDLE h = CreateMailslotW(path.c_str(), 0, 0, nullptr);
    if (h == INVALID_HANDLE_VALUE) return core::Error::fromWin32(GetLastError(), "cannot create the mailslot " + text);
    return std::unique_ptr<platform::Listener>(std::make_unique<MailslotListener>(h, text));
}

}  // namespace ipcscope::win
