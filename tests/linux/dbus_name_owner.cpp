// Test helper: connects to the D-Bus bus at ADDRESS, owns NAME, prints "ready NAME UNIQUE"
// and serves the bus until killed (or for at most 10 minutes).

#include <dbus/dbus.h>

#include <chrono>
#include <cstdio>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: dbus_name_owner ADDRESS NAME\n");
        return 2;
    }
    DBusError err;
    dbus_error_init(&err);
    DBusConnection* c = dbus_connection_open_private(argv[1], &err);
    if (!c || !dbus_bus_register(c, &err)) {
        std::fprintf(stderr, "dbus_name_owner: %s\n", err.message ? err.message : "cannot connect");
        return 1;
    }
    if (dbus_bus_request_name(c, argv[2], DBUS_NAME_FLAG_DO_NOT_QUEUE, &err) != DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER) {
        std::fprintf(stderr, "dbus_name_owner: cannot own %s: %s\n", argv[2], err.message ? err.message : "taken");
        return 1;
    }
    std::printf("ready %s %s\n", argv[2], dbus_bus_get_unique_name(c));
    std::fflush(stdout);
    const auto end = std::chrono::steady_clock::now() + std::chrono::minutes(10);
    while (std::chrono::steady_clock::now() < end && dbus_connection_read_write_dispatch(c, 1000)) {
    }
    return 0;
}
