// D-Bus: every unique and well-known name on the system bus and the session buses ipcscope
// can find, with the owner's PID and UID, and the activatable names that are not running.
// Spoken through libdbus-1 (the D-Bus reference library), never by hand.
//
// Every bus is asked on a worker thread of its own, and every call carries a timeout; a bus
// that does not answer within kBusDeadline is reported as an error while its worker finishes
// on its own (the calls time out), and that bus is skipped until it has.

#include "platform/linux/collectors.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <dirent.h>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sys/stat.h>
#include <system_error>
#include <thread>

#if IPCSCOPE_HAVE_DBUS
#include <dbus/dbus.h>
#endif

namespace ipcscope::lnx {

#if IPCSCOPE_HAVE_DBUS
namespace {

constexpr int kCallTimeoutMs = 1000;
constexpr auto kBusDeadline = std::chrono::milliseconds(3000);
constexpr const char* kDaemon = "org.freedesktop.DBus";
constexpr const char* kDaemonPath = "/org/freedesktop/DBus";

struct Bus {
    std::string label;  ///< "system", "session", "session uid 1000", or the address given
    std::string address;
};

struct NameInfo {
    std::string name;
    bool running = false;
    bool activatable = false;
    std::string owner;  ///< unique name owning a well-known name
    std::optional<std::int64_t> pid;
    std::optional<std::uint32_t> uid;
    std::optional<std::string> error;  ///< the credentials query failed
};

struct BusResult {
    std::vector<NameInfo> names;
    std::optional<core::Error> error;
};

core::Error busError(const DBusError& e, const Bus& bus, const char* what) {
    const std::string name = e.name ? e.name : "";
    core::Errc code = core::Errc::Io;
    if (name == DBUS_ERROR_FILE_NOT_FOUND || name == DBUS_ERROR_NO_SERVER || name == DBUS_ERROR_SERVICE_UNKNOWN)
        code = core::Errc::NotFound;
    else if (name == DBUS_ERROR_NO_REPLY || name == DBUS_ERROR_TIMEOUT || name == DBUS_ERROR_TIMED_OUT)
        code = core::Errc::Timeout;
    else if (name == DBUS_ERROR_ACCESS_DENIED || name == DBUS_ERROR_AUTH_FAILED)
        code = core::Errc::PermissionDenied;
    else if (name == DBUS_ERROR_NOT_SUPPORTED)
        code = core::Errc::NotSupported;
    return core::Error::make(code, bus.label + " bus (" + bus.address + "): " + what + ": " +
                                       (e.message ? e.message : "failed") + (name.empty() ? "" : " [" + name + "]"));
}

struct Message {
    DBusMessage* m = nullptr;
    explicit Message(DBusMessage* msg) : m(msg) {}
    Message(const Message&) = delete;
    Message& operator=(const Message&) = delete;
    ~Message() {
        if (m) dbus_message_unref(m);
    }
};

DBusMessage* daemonCall(const char* method, const char* arg) {
    DBusMessage* m = dbus_message_new_method_call(kDaemon, kDaemonPath, kDaemon, method);
    if (m && arg) dbus_message_append_args(m, DBUS_TYPE_STRING, &arg, DBUS_TYPE_INVALID);
    return m;
}

std::optional<std::vector<std::string>> stringArray(DBusMessage* reply) {
    DBusError err;
    dbus_error_init(&err);
    char** items = nullptr;
    int n = 0;
    if (!dbus_message_get_args(reply, &err, DBUS_TYPE_ARRAY, DBUS_TYPE_STRING, &items, &n, DBUS_TYPE_INVALID)) {
        dbus_error_free(&err);
        return std::nullopt;
    }
    std::vector<std::string> out(items, items + n);
    dbus_free_string_array(items);
    return out;
}

// GetConnectionCredentials answers a{sv}: ProcessID and UnixUserID are uint32 (D-Bus spec,
// "Method: org.freedesktop.DBus.GetConnectionCredentials").
void readCredentials(DBusMessage* reply, NameInfo& info) {
    DBusMessageIter it, dict;
    if (!dbus_message_iter_init(reply, &it) || dbus_message_iter_get_arg_type(&it) != DBUS_TYPE_ARRAY) return;
    dbus_message_iter_recurse(&it, &dict);
    for (; dbus_message_iter_get_arg_type(&dict) == DBUS_TYPE_DICT_ENTRY; dbus_message_iter_next(&dict)) {
        DBusMessageIter entry, value;
        dbus_message_iter_recurse(&dict, &entry);
        if (dbus_message_iter_get_arg_type(&entry) != DBUS_TYPE_STRING) continue;
        const char* key = nullptr;
        dbus_message_iter_get_basic(&entry, &key);
        if (!dbus_message_iter_next(&entry) || dbus_message_iter_get_arg_type(&entry) != DBUS_TYPE_VARIANT) continue;
        dbus_message_iter_recurse(&entry, &value);
        if (dbus_message_iter_get_arg_type(&value) != DBUS_TYPE_UINT32) continue;
        dbus_uint32_t v = 0;
        dbus_message_iter_get_basic(&value, &v);
        if (std::string_view(key) == "ProcessID") info.pid = v;
        else if (std::string_view(key) == "UnixUserID") info.uid = v;
    }
}

// A call sent now and answered later: the queries for every name go out before the first
// answer is awaited, so a bus with many names costs about one round trip, not one per name.
class Pending {
public:
    Pending(DBusConnection* c, DBusMessage* call) {
        if (call && !dbus_connection_send_with_reply(c, call, &m_call, kCallTimeoutMs)) m_call = nullptr;
    }
    Pending(const Pending&) = delete;
    Pending& operator=(const Pending&) = delete;
    ~Pending() {
        if (m_call) dbus_pending_call_unref(m_call);
    }
    /// The reply (a method return), or null with the error text set.
    DBusMessage* wait(std::string& error) {
        if (!m_call) {
            error = "out of memory or disconnected";
            return nullptr;
        }
        dbus_pending_call_block(m_call);  // ends at the reply or the call's timeout
        m_reply = std::make_unique<Message>(dbus_pending_call_steal_reply(m_call));
        if (!m_reply->m) {
            error = "no reply";
            return nullptr;
        }
        if (dbus_message_get_type(m_reply->m) == DBUS_MESSAGE_TYPE_ERROR) {
            DBusError err;
            dbus_error_init(&err);
            dbus_set_error_from_message(&err, m_reply->m);
            error = err.message ? err.message : (err.name ? err.name : "error reply");
            dbus_error_free(&err);
            return nullptr;
        }
        return m_reply->m;
    }

private:
    DBusPendingCall* m_call = nullptr;
    std::unique_ptr<Message> m_reply;
};

BusResult queryBus(const Bus& bus) {
    BusResult out;
    DBusError err;
    dbus_error_init(&err);
    DBusConnection* c = dbus_connection_open_private(bus.address.c_str(), &err);
    if (!c) {
        out.error = busError(err, bus, "cannot connect");
        dbus_error_free(&err);
        return out;
    }
    dbus_connection_set_exit_on_disconnect(c, FALSE);
    auto call = [&](const char* method, const char* what) -> std::unique_ptr<Message> {
        Message m(daemonCall(method, nullptr));
        DBusMessage* reply = m.m ? dbus_connection_send_with_reply_and_block(c, m.m, kCallTimeoutMs, &err) : nullptr;
        if (!reply && !out.error) out.error = busError(err, bus, what);
        dbus_error_free(&err);
        return reply ? std::make_unique<Message>(reply) : nullptr;
    };
    // Hello first: the daemon answers nothing else before it (D-Bus spec, "Message Bus Messages").
    if (call("Hello", "Hello")) {
        auto listed = call("ListNames", "ListNames");
        auto activatable = call("ListActivatableNames", "ListActivatableNames");
        std::map<std::string, NameInfo> names;
        if (listed)
            for (auto& n : stringArray(listed->m).value_or(std::vector<std::string>{})) {
                names[n].name = n;
                names[n].running = true;
            }
        if (activatable)
            for (auto& n : stringArray(activatable->m).value_or(std::vector<std::string>{})) {
                names[n].name = n;
                names[n].activatable = true;
            }
        struct Ask {
            NameInfo* info;
            std::unique_ptr<Pending> credentials, owner;
        };
        std::vector<Ask> asks;
        for (auto& [n, info] : names) {
            if (!info.running) continue;
            Message cred(daemonCall("GetConnectionCredentials", n.c_str()));
            Ask a{&info, std::make_unique<Pending>(c, cred.m), nullptr};
            if (n.front() != ':') {
                Message owner(daemonCall("GetNameOwner", n.c_str()));
                a.owner = std::make_unique<Pending>(c, owner.m);
            }
            asks.push_back(std::move(a));
        }
        dbus_connection_flush(c);
        for (auto& a : asks) {
            std::string e;
            if (DBusMessage* r = a.credentials->wait(e)) readCredentials(r, *a.info);
            else a.info->error = "GetConnectionCredentials: " + e;
            if (a.owner) {
                const char* unique = nullptr;
                if (DBusMessage* r = a.owner->wait(e);
                    r && dbus_message_get_args(r, nullptr, DBUS_TYPE_STRING, &unique, DBUS_TYPE_INVALID) && unique)
                    a.info->owner = unique;
            }
        }
        for (auto& [n, info] : names) out.names.push_back(std::move(info));
    }
    dbus_connection_close(c);
    dbus_connection_unref(c);
    return out;
}

// The buses to ask: the system bus, our own session bus, every user's /run/user/UID/bus, and
// the addresses given; each address once.
std::vector<Bus> busesToAsk(const core::Snapshot& snap) {
    std::vector<Bus> buses;
    auto add = [&](std::string label, std::string address) {
        if (address.empty()) return;
        for (const auto& b : buses)
            if (b.address == address) return;
        buses.push_back({std::move(label), std::move(address)});
    };
    const char* system = std::getenv("DBUS_SYSTEM_BUS_ADDRESS");
    add("system", system && *system ? system : "unix:path=/run/dbus/system_bus_socket");
    if (const char* session = std::getenv("DBUS_SESSION_BUS_ADDRESS"); session && *session) add("session", session);
    if (DIR* d = ::opendir("/run/user")) {
        std::vector<std::string> uids;
        while (dirent* de = ::readdir(d))
            if (parseUnsigned(de->d_name)) uids.emplace_back(de->d_name);
        ::closedir(d);
        std::sort(uids.begin(), uids.end());
        for (const auto& uid : uids) {
            const std::string path = "/run/user/" + uid + "/bus";
            struct stat st {};
            if (::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) add("session uid " + uid, "unix:path=" + path);
        }
    }
    for (const auto& a : snap.dbusAddresses) add(a, a);
    return buses;
}

// Buses whose worker outlived its deadline: not asked again until it ends. A worker is
// detached and may still be running when the program exits, so the set and its mutex are
// never destroyed: a static destructor would race with that worker's last erase.
std::mutex& busyMutex() {
    static auto* m = new std::mutex;
    return *m;
}
std::set<std::string>& busyBuses() {
    static auto* s = new std::set<std::string>;
    return *s;
}

void addRows(const ProcScan& scan, const Bus& bus, BusResult& result, core::Snapshot& out) {
    for (auto& n : result.names) {
        core::IpcObject obj;
        obj.kind = core::Kind::DbusName;
        obj.name = n.name;
        Details d(obj.details, 8);
        d.add("bus", bus.label);
        d.add("address", bus.address);
        d.add("state", n.running ? "running" : "activatable");
        d.add("activatable", n.activatable);
        if (!n.owner.empty()) d.add("owner", n.owner);
        if (n.pid) d.add("pid", *n.pid);
        if (n.uid) {
            d.add("uid", *n.uid);
            d.add("user", userName(*n.uid));
        }
        if (n.pid) obj.addHolder({*n.pid, scan.command(*n.pid), "owns it on the " + bus.label + " bus"});
        obj.error = std::move(n.error);
        out.objects.push_back(std::move(obj));
    }
}

}  // namespace

void collectDbus(const ProcScan& scan, core::Snapshot& out) {
    dbus_threads_init_default();
    struct Job {
        Bus bus;
        std::future<BusResult> result;
    };
    std::vector<Job> jobs;
    for (auto& bus : busesToAsk(out)) {
        {
            std::lock_guard lock(busyMutex());
            if (busyBuses().count(bus.address)) {
                out.errors.push_back({core::Family::Services, core::Kind::DbusName,
                                      core::Error::make(core::Errc::Timeout, bus.label + " bus (" + bus.address +
                                                                                 "): still not answering an earlier query")});
                continue;
            }
            busyBuses().insert(bus.address);
        }
        auto promise = std::make_shared<std::promise<BusResult>>();
        Job job{bus, promise->get_future()};
        try {
            std::thread([promise, bus] {
                promise->set_value(queryBus(bus));
                std::lock_guard lock(busyMutex());
                busyBuses().erase(bus.address);
            }).detach();
        } catch (const std::system_error& e) {
            std::lock_guard lock(busyMutex());
            busyBuses().erase(bus.address);
            out.errors.push_back({core::Family::Services, core::Kind::DbusName,
                                  core::Error::make(core::Errc::Io, "no thread to ask the " + bus.label + " bus: " + e.what())});
            continue;
        }
        jobs.push_back(std::move(job));
    }
    const auto deadline = std::chrono::steady_clock::now() + kBusDeadline;
    for (auto& job : jobs) {
        if (job.result.wait_until(deadline) != std::future_status::ready) {
            out.errors.push_back({core::Family::Services, core::Kind::DbusName,
                                  core::Error::make(core::Errc::Timeout,
                                                    job.bus.label + " bus (" + job.bus.address + "): no answer within " +
                                                        std::to_string(kBusDeadline.count()) + " ms")});
            continue;
        }
        BusResult r = job.result.get();
        if (r.error) out.errors.push_back({core::Family::Services, core::Kind::DbusName, std::move(*r.error)});
        addRows(scan, job.bus, r, out);
    }
}

#else

void collectDbus(const ProcScan&, core::Snapshot& out) {
    out.errors.push_back({core::Family::Services, core::Kind::DbusName,
                          core::Error::make(core::Errc::NotSupported, "this build of ipcscope has no D-Bus support (libdbus-1)")});
}

#endif

}  // namespace ipcscope::lnx
