// Renders the monitor under Xvfb and checks the picture: not blank, the pipes tab active,
// a table header band, and table rows.

#include "run_cmd.h"

#include <gtest/gtest.h>
#include <stb_image.h>

#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <memory>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

using namespace ipcscope::test;

namespace {

struct Image {
    int w = 0, h = 0;
    std::unique_ptr<unsigned char, void (*)(void*)> px{nullptr, stbi_image_free};
    const unsigned char* at(int x, int y) const { return px.get() + (static_cast<std::size_t>(y) * w + x) * 3; }
};

Image load(const std::string& path) {
    Image img;
    int n = 0;
    img.px.reset(stbi_load(path.c_str(), &img.w, &img.h, &n, 3));
    return img;
}

bool near(const unsigned char* p, int r, int g, int b, int tol = 6) {
    return std::abs(p[0] - r) <= tol && std::abs(p[1] - g) <= tol && std::abs(p[2] - b) <= tol;
}

CmdResult runGui(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"xvfb-run", "-a", "-s", "-screen 0 1280x800x24", IPCSCOPE_BIN, "gui"};
    argv.insert(argv.end(), args.begin(), args.end());
    return runCmd(argv, 120);
}

}  // namespace

TEST(GuiScreenshot, ShowsThePipesTable) {
    // A FIFO held open so the pipes table certainly has rows.
    char dir[] = "/tmp/ipcscope-gui-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    const std::string fifo = std::string(dir) + "/gui-fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    int keep = ::open(fifo.c_str(), O_RDWR);
    ASSERT_GE(keep, 0);
    const std::string png = std::string(dir) + "/shot.png";
    // The test hook names the tab drawn as selected and where it is; the picture must show it there.
    const std::string script = std::string(dir) + "/script.txt", out = std::string(dir) + "/out.txt";
    std::FILE* sf = std::fopen(script.c_str(), "w");
    ASSERT_NE(sf, nullptr);
    std::fputs("wait-data\nframes 10\ndump shot\n", sf);
    std::fclose(sf);

    auto r = runGui({"--screenshot", png, "--tab", "pipes", "--size", "1280x800", "--test-script", script, "--test-output", out});
    ::close(keep);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    Image img = load(png);
    ASSERT_TRUE(img.px) << "not a PNG: " << png;
    EXPECT_EQ(img.w, 1280);
    EXPECT_EQ(img.h, 800);

    // Not blank: many colours (anti-aliased text), and far from one flat colour.
    std::set<unsigned> colours;
    std::size_t background = 0;
    for (int y = 0; y < img.h; ++y)
        for (int x = 0; x < img.w; ++x) {
            const auto* p = img.at(x, y);
            colours.insert(static_cast<unsigned>(p[0] << 16 | p[1] << 8 | p[2]));
            background += near(p, 15, 15, 15, 3);
        }
    EXPECT_GT(colours.size(), 30u);
    EXPECT_LT(background, static_cast<std::size_t>(img.w) * img.h * 98 / 100);

    // The pipes tab is the one drawn selected, and the picture shows the active tab colour
    // (Dear ImGui dark style TabActive, 0.20/0.41/0.68) on its rectangle and on no other tab.
    std::FILE* of = std::fopen(out.c_str(), "r");
    ASSERT_NE(of, nullptr);
    int x0 = -1, y0 = 0, x1 = 0, y1 = 0, otherX0 = -1, otherX1 = 0;
    char line[512];
    while (std::fgets(line, sizeof line, of)) {
        char label[128] = {};
        int a = 0, b = 0, c = 0, d = 0;
        if (std::sscanf(line, "tab-selected\t%d\t%d\t%d\t%d\t%127[^\n]", &a, &b, &c, &d, label) == 5) {
            EXPECT_STREQ(label, "pipes");
            x0 = a, y0 = b, x1 = c, y1 = d;
        } else if (std::sscanf(line, "tab\t%d\t%d\t%d\t%d\t%127[^\n]", &a, &b, &c, &d, label) == 5 && otherX0 < 0) {
            otherX0 = a, otherX1 = c;  // the first unselected tab (Overview)
        }
    }
    std::fclose(of);
    ASSERT_GE(x0, 0) << "no tab drawn as selected";
    ASSERT_GE(otherX0, 0);
    auto activePixels = [&](int from, int to) {
        int n = 0;
        // Inside the tab's edges: the tab bar's line in the active colour runs under every tab.
        for (int y = y0 + 2; y < y1 - 2; ++y)
            for (int x = from + 2; x < to - 2; ++x) n += near(img.at(x, y), 51, 105, 173, 8);
        return n;
    };
    EXPECT_GT(activePixels(x0, x1), (x1 - x0) * (y1 - y0) / 3) << "the pipes tab is not drawn active";
    EXPECT_LT(activePixels(otherX0, otherX1), 20) << "another tab is drawn active";

    // A table header band (TableHeaderBg 0.19/0.19/0.20) spanning most of the width.
    int headerRows = 0;
    for (int y = 0; y < img.h / 2; ++y) {
        int run = 0;
        for (int x = 0; x < img.w; ++x) run += near(img.at(x, y), 48, 48, 51, 3);
        if (run > img.w / 2) ++headerRows;
    }
    EXPECT_GE(headerRows, 8) << "no table header band";

    // Table rows: light text pixels on several distinct lines below the header.
    int textLines = 0;
    for (int y = 100; y < 600; ++y) {
        int light = 0;
        for (int x = 0; x < 400; ++x) light += img.at(x, y)[0] > 200;
        textLines += light > 8;
    }
    EXPECT_GT(textLines, 30) << "the table shows no rows";
    for (const std::string& f : {png, fifo, script, out}) std::remove(f.c_str());
    ::rmdir(dir);
}

TEST(GuiScreenshot, UnwritablePathFailsWithOneLine) {
    auto r = runGui({"--screenshot", "/nonexistent-dir/x.png", "--frames", "2"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("cannot write the screenshot to /nonexistent-dir/x.png"), std::string::npos) << r.err;
    std::size_t ipcLines = 0;
    for (std::size_t pos = 0; (pos = r.err.find("ipcscope: ", pos)) != std::string::npos; ++pos) ++ipcLines;
    EXPECT_EQ(ipcLines, 1u) << r.err;
}

namespace {
/// Pixels of one transport's line colour inside the Throughput chart's plot (shm orange, tcp
/// blue): right of the y axis labels, left of the legend (top right) and above the x axis, so
/// neither the legend's swatches nor the rows' markers below the chart count.
int chartPixels(const Image& img, int r, int g, int b) {
    int n = 0;
    for (int y = 80; y < img.h - 250; ++y)
        for (int x = 60; x < img.w - 140; ++x) n += near(img.at(x, y), r, g, b, 12);
    return n;
}
}  // namespace

TEST(GuiScreenshot, ThroughputTabGraphsTwoTransportsOnOneChart) {
    char dir[] = "/tmp/ipcscope-gui-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    const std::string idle = std::string(dir) + "/idle.png";
    const std::string live = std::string(dir) + "/probe.png";
    auto r0 = runGui({"--screenshot", idle, "--frames", "5", "--tab", "throughput", "--size", "1280x800"});
    ASSERT_EQ(r0.exitCode, 0) << r0.err;
    // The shm and tcp probes started at launch, one after the other; the screenshot is taken
    // once both finished. Each runs for one second (with a byte count no machine reaches in
    // that time), so each line has about 20 samples however fast the machine moves data: a
    // byte count alone gave shm two or three samples where it moves 8 GiB in 150 ms.
    auto r1 = runGui({"--screenshot", live, "--frames", "5", "--tab", "throughput", "--probe", "shm,tcp", "--probe-mib", "1048576",
                      "--probe-seconds", "1", "--size", "1280x800"});
    ASSERT_EQ(r1.exitCode, 0) << r1.err;
    EXPECT_EQ(r1.err.find("probe shm: failed"), std::string::npos) << "the probe failed: " << r1.err;
    EXPECT_EQ(r1.err.find("probe tcp: failed"), std::string::npos) << "the probe failed: " << r1.err;
    Image a = load(idle), b = load(live);
    ASSERT_TRUE(a.px && b.px);
    // Each line in its own colour, in the plot itself.
    const int shmBefore = chartPixels(a, 230, 140, 40), shmAfter = chartPixels(b, 230, 140, 40);
    const int tcpBefore = chartPixels(a, 70, 150, 240), tcpAfter = chartPixels(b, 70, 150, 240);
    EXPECT_GT(shmAfter, shmBefore + 200) << "no shm line: " << shmBefore << " orange pixels idle, " << shmAfter << " after the runs";
    EXPECT_GT(tcpAfter, tcpBefore + 200) << "no tcp line: " << tcpBefore << " blue pixels idle, " << tcpAfter << " after the runs";
    std::remove(idle.c_str());
    std::remove(live.c_str());
    ::rmdir(dir);
}

// "Send test message..." opened for a FIFO row's target: the form window (its active title
// bar, Dear ImGui dark style TitleBgActive 0.16/0.29/0.48) is in the picture, and not without it.
TEST(GuiScreenshot, SendFormOpensForARowTarget) {
    char dir[] = "/tmp/ipcscope-gui-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    const std::string plain = std::string(dir) + "/plain.png", form = std::string(dir) + "/form.png";
    auto a = runGui({"--screenshot", plain, "--frames", "10", "--tab", "pipes", "--size", "1280x800"});
    ASSERT_EQ(a.exitCode, 0) << a.err;
    auto b = runGui({"--screenshot", form, "--frames", "10", "--tab", "pipes", "--size", "1280x800", "--send-form",
                     std::string("fifo:") + dir + "/f"});
    ASSERT_EQ(b.exitCode, 0) << b.err;
    Image pa = load(plain), pb = load(form);
    ASSERT_TRUE(pa.px && pb.px);
    auto titleBar = [](const Image& img) {
        int n = 0;
        for (int y = 0; y < img.h; ++y)
            for (int x = 0; x < img.w; ++x) n += near(img.at(x, y), 41, 74, 122, 4);
        return n;
    };
    EXPECT_GT(titleBar(pb), titleBar(pa) + 5000) << "no form window in " << form;
    std::remove(plain.c_str());
    std::remove(form.c_str());
    ::rmdir(dir);
}
