// The X11 clipboard: for CLIPBOARD and PRIMARY, the owner window, its process, and every
// target it offers with the size of each. ICCCM section 2 describes the selection protocol:
// ask the owner to convert TARGETS, then each target, into a property of our own window.
// We read only the property's length, never its content, and leave INCR transfers unstarted.

#include "platform/linux/collectors.h"
#include "platform/linux/x11_targets.h"

#if IPCSCOPE_HAVE_X11

#include <fmt/format.h>
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#if IPCSCOPE_HAVE_XRES
#include <X11/extensions/XRes.h>
#endif

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <poll.h>

namespace ipcscope::lnx {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kPerRequest = std::chrono::milliseconds(500);
constexpr auto kBudget = std::chrono::seconds(3);  // for all requests of one snapshot
constexpr std::size_t kMaxTargets = 128;

// X errors on our connection (a window that vanished, a refused request) are expected and are
// ignored; errors of other connections in the process go to the handler that was there before.
Display* g_ours = nullptr;  // guarded by g_mutex
std::mutex g_mutex;
XErrorHandler g_previous = nullptr;

int onXError(Display* d, XErrorEvent* e) {
    if (d == g_ours) return 0;
    return g_previous ? g_previous(d, e) : 0;
}

// NOTE: without this Xlib exits the process when the X server goes away mid-query.
void onIoExit(Display*, void* lost) { *static_cast<bool*>(lost) = true; }

std::string hexId(unsigned long v) {
    return fmt::format("0x{:x}", v);
}

class XSession {
public:
    XSession(Display* d) : m_d(d) {
        XSetIOErrorExitHandler(m_d, onIoExit, &m_lost);
        m_window = XCreateWindow(m_d, DefaultRootWindow(m_d), 0, 0, 1, 1, 0, CopyFromParent, InputOnly, CopyFromParent, 0, nullptr);
        m_targets = atom("TARGETS");
        m_incr = atom("INCR");
        m_deadline = Clock::now() + kBudget;
    }
    ~XSession() {
        if (!m_lost) XDestroyWindow(m_d, m_window);
    }

    Atom atom(const char* name) { return XInternAtom(m_d, name, False); }
    std::string atomName(Atom a) {
        if (a == None) return "None";
        char* n = XGetAtomName(m_d, a);
        std::string s = n ? n : "atom " + std::to_string(a);
        if (n) XFree(n);
        return s;
    }
    bool lost() const { return m_lost; }
    bool budgetLeft() const { return Clock::now() < m_deadline; }

    /// Asks the owner to convert; returns the property holding the answer, None if refused,
    /// or nullopt on timeout.
    std::optional<Atom> convert(Atom selection, Atom target, Atom property) {
        XDeleteProperty(m_d, m_window, property);
        XConvertSelection(m_d, selection, target, property, m_window, CurrentTime);
        XFlush(m_d);
        const auto until = std::min(Clock::now() + kPerRequest, m_deadline);
        for (;;) {
            XEvent ev;
            while (!m_lost && XCheckTypedWindowEvent(m_d, m_window, SelectionNotify, &ev)) {
                const auto& s = ev.xselection;
                if (s.selection == selection && s.target == target) return s.property;
            }
            if (m_lost) return std::nullopt;
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
            if (left <= 0) return std::nullopt;
            pollfd p{ConnectionNumber(m_d), POLLIN, 0};
            ::poll(&p, 1, static_cast<int>(left));
            XEventsQueued(m_d, QueuedAfterReading);
        }
    }

    struct PropInfo {
        Atom type = None;
        int format = 0;
        unsigned long bytes = 0;
        std::vector<unsigned char> data;  // only when asked for
    };
    /// Type, format and length of a property of our window; the data only up to `maxBytes`.
    std::optional<PropInfo> property(Atom property, long maxBytes) {
        PropInfo info;
        unsigned long items = 0, after = 0;
        unsigned char* data = nullptr;
        const long longs = (maxBytes + 3) / 4;
        if (XGetWindowProperty(m_d, m_window, property, 0, longs, False, AnyPropertyType, &info.type, &info.format, &items,
                               &after, &data) != Success)
            return std::nullopt;
        const unsigned long unit = info.format == 32 ? sizeof(long) : static_cast<unsigned long>(info.format / 8);
        if (data) {
            info.data.assign(data, data + items * unit);
            XFree(data);
        }
        // `after` counts bytes of the property (32-bit items count 4 each on the wire).
        info.bytes = items * (info.format == 32 ? 4 : unit) + after;
        return info;
    }

    std::vector<Atom> targets(Atom selection, Atom property, std::string& why) {
        auto p = convert(selection, m_targets, property);
        if (!p) {
            why = "the owner did not answer TARGETS in time";
            return {};
        }
        if (*p == None) {
            why = "the owner refused TARGETS";
            return {};
        }
        auto info = this->property(*p, static_cast<long>(kMaxTargets * 4));
        if (!info || info->format != 32) {
            why = "the TARGETS reply is not a list of atoms";
            return {};
        }
        std::vector<Atom> out;
        for (std::uint64_t a : decodeTargetList(info->data, info->format, kMaxTargets)) out.push_back(static_cast<Atom>(a));
        return out;
    }

    std::optional<std::int64_t> windowPid(Window w) {
        Atom type;
        int format;
        unsigned long items, after;
        unsigned char* data = nullptr;
        std::optional<std::int64_t> pid;
        if (XGetWindowProperty(m_d, w, atom("_NET_WM_PID"), 0, 1, False, XA_CARDINAL, &type, &format, &items, &after, &data) ==
                Success &&
            data && format == 32 && items == 1) {
            long v;
            std::memcpy(&v, data, sizeof v);
            pid = v;
        }
        if (data) XFree(data);
        return pid;
    }

    std::optional<std::int64_t> clientPid(Window w) {
#if IPCSCOPE_HAVE_XRES
        // The X-Resource extension (1.2) knows the PID of local clients even when the window
        // carries no _NET_WM_PID, as with xclip.
        int ev, err;
        if (!XResQueryExtension(m_d, &ev, &err)) return std::nullopt;
        XResClientIdSpec spec{w, XRES_CLIENT_ID_PID_MASK};
        long n = 0;
        XResClientIdValue* ids = nullptr;
        std::optional<std::int64_t> pid;
        if (XResQueryClientIds(m_d, 1, &spec, &n, &ids) == Success) {
            for (long i = 0; i < n && !pid; ++i)
                if (auto p = XResGetClientPid(&ids[i]); p > 0) pid = p;
            XResClientIdsDestroy(n, ids);
        }
        return pid;
#else
        (void)w;
        return std::nullopt;
#endif
    }

    std::string windowClass(Window w) {
        XClassHint hint{};
        std::string out;
        if (XGetClassHint(m_d, w, &hint)) {
            if (hint.res_class) out = hint.res_class;
            if (hint.res_name) XFree(hint.res_name);
            if (hint.res_class) XFree(hint.res_class);
        }
        return out;
    }

    Atom incr() const { return m_incr; }
    Display* display() const { return m_d; }

private:
    Display* m_d;
    Window m_window = None;
    Atom m_targets = None, m_incr = None;
    Clock::time_point m_deadline;
    bool m_lost = false;
};

void collectSelection(XSession& x, const ProcScan& scan, const char* selName, core::Snapshot& out) {
    const Atom sel = x.atom(selName);
    const Window owner = XGetSelectionOwner(x.display(), sel);
    if (owner == None) return;  // nobody owns it: nothing offered
    auto pid = x.windowPid(owner);
    const char* pidSource = "_NET_WM_PID";
    if (!pid) {
        pid = x.clientPid(owner);
        pidSource = "X-Resource";
    }
    const std::string ownerClass = x.windowClass(owner);

    const Atom listProp = x.atom("IPCSCOPE_TARGETS");
    std::string why;
    const auto targets = x.targets(sel, listProp, why);
    if (targets.empty()) {
        out.errors.push_back({core::Family::Clipboard, core::Kind::ClipboardFormat,
                              core::Error::make(why.empty() ? core::Errc::NotFound : core::Errc::Timeout,
                                                std::string(selName) + ": " + (why.empty() ? "the owner offers no targets" : why))});
        return;
    }
    std::size_t index = 0;
    for (Atom t : targets) {
        const std::string name = x.atomName(t);
        if (isMetaTarget(name)) continue;
        core::IpcObject obj;
        obj.kind = core::Kind::ClipboardFormat;
        obj.name = std::string(selName) + " " + name;
        auto& d = obj.details;
        d["selection"] = selName;
        d["target"] = name;
        d["atom"] = static_cast<std::uint64_t>(t);
        d["mime"] = name.find('/') != std::string::npos;
        d["owner_window"] = hexId(owner);
        if (!ownerClass.empty()) d["owner_class"] = ownerClass;
        if (pid) {
            d["pid_source"] = pidSource;
            const std::string& cmd = scan.command(*pid);
            // X-Resource knows the process that opened the connection; a client that
            // daemonized after connecting (xclip does) keeps it in a child, and the PID is stale.
            if (cmd.empty() && std::string_view(pidSource) == "X-Resource") {
                d["connecting_pid"] = *pid;
                d["connecting_pid_exited"] = true;
            } else {
                obj.addHolder({*pid, cmd, "owner of " + std::string(selName) + " (window " + hexId(owner) + ")"});
            }
        }
        if (!x.budgetLeft() || x.lost()) {
            d["size_error"] = "not fetched: the time budget of the snapshot is spent";
        } else {
            // A property per request: an INCR transfer we leave unstarted must not collide with
            // the next answer.
            const Atom prop = x.atom(("IPCSCOPE_SEL_" + std::to_string(index++)).c_str());
            auto answer = x.convert(sel, t, prop);
            if (!answer) {
                d["size_error"] = "timeout";
            } else if (*answer == None) {
                d["size_error"] = "refused by the owner";
            } else if (auto info = x.property(*answer, 4)) {
                d["type"] = x.atomName(info->type);
                d["format"] = info->format;
                if (info->type == x.incr()) {
                    // INCR: the owner sends the data in chunks; the property holds a lower bound.
                    d["incr"] = true;
                    if (info->data.size() >= sizeof(long)) {
                        long v;
                        std::memcpy(&v, info->data.data(), sizeof v);
                        obj.size = static_cast<std::uint64_t>(v);
                    }
                } else {
                    obj.size = info->bytes;
                }
            } else {
                d["size_error"] = "the answer vanished";
            }
        }
        out.objects.push_back(std::move(obj));
    }
}

}  // namespace

void collectClipboard(const ProcScan& scan, core::Snapshot& out) {
    const char* env = std::getenv("DISPLAY");
    if (!env || !*env) {
        out.errors.push_back({core::Family::Clipboard, std::nullopt,
                              core::Error::make(core::Errc::NotSupported,
                                                "no X display (DISPLAY is not set): the X11 clipboard cannot be read")});
        return;
    }
    Display* d = XOpenDisplay(nullptr);
    if (!d) {
        out.errors.push_back({core::Family::Clipboard, std::nullopt,
                              core::Error::make(core::Errc::Io, std::string("cannot open the X display ") + env)});
        return;
    }
    std::lock_guard lock(g_mutex);  // one clipboard query at a time in the process
    g_ours = d;
    XErrorHandler prev = XSetErrorHandler(onXError);
    if (prev != onXError) g_previous = prev;
    bool lost = false;
    {
        XSession x(d);
        collectSelection(x, scan, "CLIPBOARD", out);
        if (!x.lost()) collectSelection(x, scan, "PRIMARY", out);
        lost = x.lost();
    }
    if (lost)
        out.errors.push_back({core::Family::Clipboard, std::nullopt,
                              core::Error::make(core::Errc::Io, std::string("the X display ") + env + " went away")});
    else
        XSync(d, False);
    XCloseDisplay(d);
    g_ours = nullptr;
}

}  // namespace ipcscope::lnx

#else

namespace ipcscope::lnx {

void collectClipboard(const ProcScan&, core::Snapshot& out) {
    out.errors.push_back({core::Family::Clipboard, std::nullopt,
                          core::Error::make(core::Errc::NotSupported, "this build has no X11 support (libx11-dev was missing)")});
}

}  // namespace ipcscope::lnx

#endif
