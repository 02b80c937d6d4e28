// A small X11 selection owner for the clipboard test: owns CLIPBOARD, sets _NET_WM_PID on its
// window, and serves TARGETS plus three targets of known sizes until it is killed. Prints
// "ready" on stdout once it owns the selection. An argument adds a fourth target of that name
// (any bytes: atom names are not checked for UTF-8) serving 5 bytes.

#include <X11/Xatom.h>
#include <X11/Xlib.h>

#include <cstdio>
#include <string>
#include <unistd.h>
#include <vector>

int main(int argc, char** argv) {
    Display* d = XOpenDisplay(nullptr);
    if (!d) {
        std::fprintf(stderr, "clip_owner: cannot open the display\n");
        return 1;
    }
    const Window w = XCreateSimpleWindow(d, DefaultRootWindow(d), 0, 0, 1, 1, 0, 0, 0);
    const long pid = ::getpid();
    XChangeProperty(d, w, XInternAtom(d, "_NET_WM_PID", False), XA_CARDINAL, 32, PropModeReplace,
                    reinterpret_cast<const unsigned char*>(&pid), 1);
    const Atom clipboard = XInternAtom(d, "CLIPBOARD", False);
    const Atom targets = XInternAtom(d, "TARGETS", False);
    struct Offer {
        Atom atom;
        std::string data;
    };
    std::vector<Offer> offers{
        {XInternAtom(d, "text/plain", False), "hello world"},                               // 11 bytes
        {XInternAtom(d, "UTF8_STRING", False), "h\xc3\xa9llo w\xc3\xb6rld"},                // 13 bytes
        {XInternAtom(d, "application/x-ipcscope-test", False), std::string(3000, 'z')},  // 3000 bytes
    };
    if (argc > 1) offers.push_back({XInternAtom(d, argv[1], False), "extra"});
    XSetSelectionOwner(d, clipboard, w, CurrentTime);
    if (XGetSelectionOwner(d, clipboard) != w) {
        std::fprintf(stderr, "clip_owner: could not take CLIPBOARD\n");
        return 1;
    }
    std::printf("ready\n");
    std::fflush(stdout);
    for (;;) {
        XEvent ev;
        XNextEvent(d, &ev);
        if (ev.type != SelectionRequest) continue;
        const XSelectionRequestEvent& req = ev.xselectionrequest;
        XSelectionEvent reply{};
        reply.type = SelectionNotify;
        reply.display = d;
        reply.requestor = req.requestor;
        reply.selection = req.selection;
        reply.target = req.target;
        reply.time = req.time;
        reply.property = None;
        const Atom prop = req.property != None ? req.property : req.target;  // ICCCM 2.2: obsolete clients
        if (req.target == targets) {
            std::vector<long> list{static_cast<long>(targets)};
            for (const auto& o : offers) list.push_back(static_cast<long>(o.atom));
            XChangeProperty(d, req.requestor, prop, XA_ATOM, 32, PropModeReplace,
                            reinterpret_cast<const unsigned char*>(list.data()), static_cast<int>(list.size()));
            reply.property = prop;
        } else {
            for (const auto& o : offers)
                if (o.atom == req.target) {
                    XChangeProperty(d, req.requestor, prop, o.atom, 8, PropModeReplace,
                                    reinterpret_cast<const unsigned char*>(o.data.data()), static_cast<int>(o.data.size()));
                    reply.property = prop;
                }
        }
        XSendEvent(d, req.requestor, False, 0, reinterpret_cast<XEvent*>(&reply));
        XFlush(d);
    }
}
