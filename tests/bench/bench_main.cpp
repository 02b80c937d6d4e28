// ipcscope_bench: creates many Unix sockets and FIFOs across a few processes, then times a full
// `ipcscope list --json` against `ss -xp` and `lsof -U` on the same objects (median of several
// runs each, interleaved). Not a ctest test: run it by hand, see docs/benchmarks.md.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

struct Options {
    int pairs = 5000;
    int fifos = 1000;
    int procs = 4;
    int runs = 11;
    int lsofRuns = 3;
    int holdSeconds = 0;  ///< keep the objects for this long instead of timing (for profiling)
    std::string ipcscope = IPCSCOPE_BIN;
};

volatile sig_atomic_t g_interrupted = 0;
void onSignal(int) { g_interrupted = 1; }

void raiseFdLimit() {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
}

bool readByte(int fd) {
    char c;
    return ::read(fd, &c, 1) == 1 && c == 'y';
}
void writeByte(int fd, bool ok) {
    const char c = ok ? 'y' : 'n';
    (void)!::write(fd, &c, 1);
}

// A child that holds its share of the objects until it is killed.
struct Child {
    pid_t pid = -1;
    int toChild = -1;
    int fromChild = -1;
};

Child spawnHolder(int index, const Options& opt, const std::string& dir) {
    int down[2], up[2];
    if (::pipe(down) != 0 || ::pipe(up) != 0) return {};
    Child c;
    c.pid = ::fork();
    if (c.pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive an interrupted benchmark
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGTERM, SIG_DFL);
        ::close(down[1]);
        ::close(up[0]);
        raiseFdLimit();
        bool ok = true;
        // Socket pairs: this child's share.
        for (int i = index; i < opt.pairs && ok; i += opt.procs) {
            int sv[2];
            ok = ::socketpair(AF_UNIX, i % 2 ? SOCK_DGRAM : SOCK_STREAM, 0, sv) == 0;
        }
        // FIFO read ends first (a non-blocking writer needs a reader), then write ends once
        // every child holds its read ends.
        for (int i = index; i < opt.fifos && ok; i += opt.procs)
            ok = ::open((dir + "/f" + std::to_string(i)).c_str(), O_RDONLY | O_NONBLOCK) >= 0;
        writeByte(up[1], ok);
        ok = ok && readByte(down[0]);
        for (int i = (index + 1) % opt.procs; i < opt.fifos && ok; i += opt.procs)
            ok = ::open((dir + "/f" + std::to_string(i)).c_str(), O_WRONLY | O_NONBLOCK) >= 0;
        writeByte(up[1], ok);
        for (;;) ::pause();
    }
    ::close(down[0]);
    ::close(up[1]);
    c.toChild = down[1];
    c.fromChild = up[0];
    return c;
}

struct Timing {
    double wallMs = -1;
    double cpuMs = -1;  ///< user + system time of the command
};

Timing runOnce(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    const auto start = std::chrono::steady_clock::now();
    pid_t pid;
    Timing t;
    if (posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ) != 0) return t;
    int status = 0;
    rusage ru{};
    ::wait4(pid, &status, 0, &ru);
    const auto end = std::chrono::steady_clock::now();
    posix_spawn_file_actions_destroy(&fa);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return t;
    t.wallMs = std::chrono::duration<double, std::milli>(end - start).count();
    auto ms = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) * 1000.0 + static_cast<double>(tv.tv_usec) / 1000.0; };
    t.cpuMs = ms(ru.ru_utime) + ms(ru.ru_stime);
    return t;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

std::string capture(const std::string& cmd) {
    std::string out;
    if (FILE* p = ::popen(cmd.c_str(), "r")) {
        char buf[65536];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
        ::pclose(p);
    }
    return out;
}

std::size_t countOf(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
    return n;
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        const int v = std::atoi(argv[i + 1]);
        if (k == "--pairs") opt.pairs = v;
        else if (k == "--fifos") opt.fifos = v;
        else if (k == "--procs") opt.procs = std::max(1, v);
        else if (k == "--runs") opt.runs = std::max(1, v);
        else if (k == "--lsof-runs") opt.lsofRuns = v;
        else if (k == "--hold") opt.holdSeconds = std::clamp(v, 0, 3600);
        else if (k == "--ipcscope") opt.ipcscope = argv[i + 1];
        else {
            std::fprintf(stderr, "usage: ipcscope_bench [--pairs N] [--fifos N] [--procs N] [--runs N] [--lsof-runs N] "
                                 "[--hold SECONDS] [--ipcscope PATH]\n");
            return 2;
        }
    }
    // More than 1024 objects per process need the hard limit.
    const long perChild = 2L * opt.pairs / opt.procs + 2L * opt.fifos / opt.procs + 64;
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_max != RLIM_INFINITY && static_cast<long>(rl.rlim_max) < perChild) {
        std::fprintf(stderr, "each holder needs %ld fds but the hard limit is %llu: use more --procs\n", perChild,
                     static_cast<unsigned long long>(rl.rlim_max));
        return 1;
    }

    // Ctrl-C or kill ends a hold or the timing early, but the FIFOs and holders are still
    // cleaned up (the holders also die with this process: PR_SET_PDEATHSIG).
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);

    char tmpl[] = "/tmp/ipcscope-bench-XXXXXX";
    const char* d = ::mkdtemp(tmpl);
    if (!d) return 1;
    const std::string dir = d;
    for (int i = 0; i < opt.fifos; ++i) ::mkfifo((dir + "/f" + std::to_string(i)).c_str(), 0600);

    std::vector<Child> kids;
    bool ok = true;
    for (int i = 0; i < opt.procs; ++i) kids.push_back(spawnHolder(i, opt, dir));
    for (auto& k : kids) ok = readByte(k.fromChild) && ok;
    for (auto& k : kids) writeByte(k.toChild, ok);
    for (auto& k : kids) ok = ok && readByte(k.fromChild);

    int rc = 0;
    if (ok && opt.holdSeconds > 0) {
        std::printf("holding %d unix sockets and %d fifos for %d s\n", 2 * opt.pairs, opt.fifos, opt.holdSeconds);
        std::fflush(stdout);
        ::sleep(static_cast<unsigned>(opt.holdSeconds));
    } else if (!ok) {
        std::fprintf(stderr, "the holder processes could not create every object\n");
        rc = 1;
    } else {
        // What each tool sees, once, so the comparison is on the same objects.
        const std::string json = capture(opt.ipcscope + " list --json 2>/dev/null");
        const std::string ss = capture("ss -xp 2>/dev/null");
        std::printf("objects: %d unix sockets (%d pairs), %d fifos, %d holder processes\n", 2 * opt.pairs, opt.pairs,
                    opt.fifos, opt.procs);
        std::printf("ipcscope saw %zu unix-socket rows and %zu fifo rows; ss -xp printed %zu lines\n",
                    countOf(json, "\"kind\": \"unix-socket\""), countOf(json, "\"kind\": \"fifo\""), countOf(ss, "\n"));

        std::vector<Timing> tIpc, tSs, tLsof;
        const std::vector<std::string> ipc{opt.ipcscope, "list", "--json"}, ssCmd{"ss", "-xp"}, lsof{"lsof", "-U"};
        for (int r = 0; r < opt.runs && !g_interrupted; ++r) {
            tIpc.push_back(runOnce(ipc));
            tSs.push_back(runOnce(ssCmd));
            if (r < opt.lsofRuns) tLsof.push_back(runOnce(lsof));
        }
        auto failedRun = [](const std::vector<Timing>& v) {
            return std::any_of(v.begin(), v.end(), [](const Timing& t) { return t.wallMs < 0; });
        };
        auto med = [](const std::vector<Timing>& v, bool cpu) {
            std::vector<double> x;
            for (const auto& t : v) x.push_back(cpu ? t.cpuMs : t.wallMs);
            return median(x);
        };
        const bool failed = failedRun(tIpc) || failedRun(tSs);
        std::printf("runs: %zu (lsof: %zu), medians            wall       cpu (user+sys)\n", tIpc.size(), tLsof.size());
        std::printf("  ipcscope list --json  %8.1f ms  %8.1f ms\n", med(tIpc, false), med(tIpc, true));
        std::printf("  ss -xp                %8.1f ms  %8.1f ms\n", med(tSs, false), med(tSs, true));
        if (!tLsof.empty()) std::printf("  lsof -U               %8.1f ms  %8.1f ms\n", med(tLsof, false), med(tLsof, true));
        const double ws = med(tSs, false), cs = med(tSs, true);
        std::printf("ratio ipcscope / ss: wall %.2f, cpu %.2f\n", ws > 0 ? med(tIpc, false) / ws : 0.0,
                    cs > 0 ? med(tIpc, true) / cs : 0.0);
        if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
            char buf[128] = {};
            if (std::fgets(buf, sizeof buf, f)) std::printf("load average at the end: %s", buf);
            std::fclose(f);
        }
        if (failed) {
            std::fprintf(stderr, "a timed command failed\n");
            rc = 1;
        }
    }
    for (auto& k : kids) {
        ::kill(k.pid, SIGKILL);
        ::waitpid(k.pid, nullptr, 0);
    }
    for (int i = 0; i < opt.fifos; ++i) ::unlink((dir + "/f" + std::to_string(i)).c_str());
    ::rmdir(dir.c_str());
    return rc;
}
