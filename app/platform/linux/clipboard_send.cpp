// clipboard:TARGET on X11: own the CLIPBOARD selection and answer conversion requests for
// TARGETS and for TARGET with the message bytes (ICCCM 2.2 "Responsibilities of the Selection
// Owner"), until another client takes the selection or the time is up.

#include "platform/linux/inject_x11.h"

#if IPCSCOPE_HAVE_X11

#include <X11/Xatom.h>
#include <X11/Xlib.h>

#include <poll.h>

#include <chrono>

namespace ipcscope::lnx {
namespace {

using Clock = std::chrono::steady_clock;

class ClipboardSender final : public platform::Sender {
public:
    ClipboardSender(Display* d, std::string target, std::string format, const platform::SendOptions& o)
        : m_display(d), m_target(std::move(target)), m_format(std::move(format)), m_options(o) {}
    ~ClipboardSender() override {
        if (m_window) XDestroyWindow(m_display, m_window);
        XCloseDisplay(m_display);
    }

    core::Result<platform::SendResult> send(std::span<const std::uint8_t> bytes) override {
        const auto start = Clock::now();
        // NOTE: one ChangeProperty carries at most the request size; larger data needs INCR,
        // which this sender does not speak.
        const std::size_t limit = static_cast<std::size_t>(XMaxRequestSize(m_display)) * 4 - 1024;
        if (bytes.size() > limit)
            return core::Error::make(core::Errc::TooLarge, "the clipboard takes at most " + std::to_string(limit) +
                                                               " bytes in one piece; the message has " + std::to_string(bytes.size()));
        const Atom clipboard = XInternAtom(m_display, "CLIPBOARD", False);
        const Atom targets = XInternAtom(m_display, "TARGETS", False);
        const Atom format = XInternAtom(m_display, m_format.c_str(), False);
        if (!m_window) m_window = XCreateSimpleWindow(m_display, DefaultRootWindow(m_display), 0, 0, 1, 1, 0, 0, 0);
        XSetSelectionOwner(m_display, clipboard, m_window, CurrentTime);
        XFlush(m_display);
        if (XGetSelectionOwner(m_display, clipboard) != m_window)
            return core::Error::make(core::Errc::Io, "the X server did not give " + m_target + " the CLIPBOARD selection");
        const auto hold = m_options.holdFor.count() > 0 ? m_options.holdFor : m_options.timeout;
        const auto deadline = start + hold;
        std::size_t served = 0;
        bool replaced = false;
        while (!replaced && Clock::now() < deadline) {
            if (XPending(m_display) == 0) {
                pollfd p{ConnectionNumber(m_display), POLLIN, 0};
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
                ::poll(&p, 1, static_cast<int>(std::max<long long>(1, std::min<long long>(left, 200))));
                continue;
            }
            XEvent e;
            XNextEvent(m_display, &e);
            if (e.type == SelectionClear) {
                replaced = true;
            } else if (e.type == SelectionRequest) {
                const XSelectionRequestEvent& req = e.xselectionrequest;
                XSelectionEvent reply{};
                reply.type = SelectionNotify;
                reply.display = req.display;
                reply.requestor = req.requestor;
                reply.selection = req.selection;
                reply.target = req.target;
                reply.time = req.time;
                reply.property = req.property == None ? req.target : req.property;
                if (req.target == targets) {
                    const Atom offered[] = {targets, format};
                    XChangeProperty(m_display, req.requestor, reply.property, XA_ATOM, 32, PropModeReplace,
                                    reinterpret_cast<const unsigned char*>(offered), 2);
                } else if (req.target == format) {
                    XChangeProperty(m_display, req.requestor, reply.property, format, 8, PropModeReplace, bytes.data(),
                                    static_cast<int>(bytes.size()));
                    ++served;
                } else {
                    reply.property = None;  // a target we do not offer
                }
                XSendEvent(m_display, req.requestor, False, NoEventMask, reinterpret_cast<XEvent*>(&reply));
                XFlush(m_display);
            }
        }
        if (!replaced) XSetSelectionOwner(m_display, clipboard, None, CurrentTime);
        XFlush(m_display);
        platform::SendResult r;
        r.written = bytes.size();
        r.via = "CLIPBOARD, " + std::to_string(served) + (served == 1 ? " request" : " requests") + " served" +
                (replaced ? ", then another owner took it" : "");
        r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
        return r;
    }

private:
    Display* m_display;
    std::string m_target, m_format;
    platform::SendOptions m_options;
    Window m_window = 0;
};

}  // namespace

core::Result<std::unique_ptr<platform::Sender>> openClipboardSender(const core::Target& t, const platform::SendOptions& o) {
    const std::string text = core::formatTarget(t);
    if (o.expectReply) return core::Error::make(core::Errc::InvalidArgument, "the clipboard has no way back: --expect-reply does not apply to " + text);
    Display* d = XOpenDisplay(nullptr);
    if (!d) return core::Error::make(core::Errc::NotFound, "no X display to own the clipboard on (is DISPLAY set?)");
    return std::unique_ptr<platform::Sender>(std::make_unique<ClipboardSender>(d, text, t.name, o));
}

}  // namespace ipcscope::lnx

#else

namespace ipcscope::lnx {

core::Result<std::unique_ptr<platform::Sender>> openClipboardSender(const core::Target&, const platform::SendOptions&) {
    return core::Error::make(core::Errc::NotSupported, "this build has no X11 support for clipboard targets");
}

}  // namespace ipcscope::lnx

#endif
