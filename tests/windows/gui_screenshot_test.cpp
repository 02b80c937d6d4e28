// The Windows build's GUI, rendered under Wine with SDL's software renderer: the mappings tab
// must show the sections a helper process holds. The picture is checked as on Linux: not
// blank, an active tab, a table header band, table rows.

#include "families_process.h"

#include <windows.h>

#include <gtest/gtest.h>

#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#include <stb_image.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <cstdlib>
#include <memory>
#include <set>

using namespace ipcscope::test;

namespace {

struct Image {
    int w = 0, h = 0;
    std::unique_ptr<unsigned char, void (*)(void*)> px{nullptr, stbi_image_free};
    const unsigned char* at(int x, int y) const { return px.get() + (static_cast<std::size_t>(y) * w + x) * 3; }
};

bool isNear(const unsigned char* p, int r, int g, int b, int tol) {
    return std::abs(p[0] - r) <= tol && std::abs(p[1] - g) <= tol && std::abs(p[2] - b) <= tol;
}

std::string tempPng() {
    wchar_t dir[MAX_PATH] = {};
    GetTempPathW(MAX_PATH, dir);
    std::string out;
    for (const wchar_t* c = dir; *c; ++c) out += static_cast<char>(*c);
    return out + "ipcscope-gui-" + std::to_string(GetCurrentProcessId()) + ".png";
}

}  // namespace

TEST(WinGuiScreenshot, MappingsTabShowsTheHelpersSections) {
    HelperProcess helper(wineVisiblePath(IPCSCOPE_FAMILIES_HELPER), {});
    ASSERT_TRUE(helper.ready()) << helper.transcript();
    const std::string png = tempPng();
    std::remove(png.c_str());
    // The software renderer: the same pixels with or without a GPU, and no GL needed under Wine.
    SetEnvironmentVariableW(L"SDL_RENDER_DRIVER", L"software");
    const auto r = runProgram(wineVisiblePath(IPCSCOPE_BIN),
                              {L"gui", L"--screenshot", std::wstring(png.begin(), png.end()), L"--frames", L"10",
                               L"--tab", L"mappings", L"--size", L"1024x640"},
                              120000);
    ASSERT_EQ(r.exitCode, 0) << r.err;

    Image img;
    int n = 0;
    img.px.reset(stbi_load(png.c_str(), &img.w, &img.h, &n, 3));
    ASSERT_TRUE(img.px) << "not a PNG: " << png;
    EXPECT_EQ(img.w, 1024);
    EXPECT_EQ(img.h, 640);

    std::set<unsigned> colours;
    std::size_t background = 0;
    for (int y = 0; y < img.h; ++y)
        for (int x = 0; x < img.w; ++x) {
            const auto* p = img.at(x, y);
            colours.insert(static_cast<unsigned>(p[0] << 16 | p[1] << 8 | p[2]));
            background += isNear(p, 15, 15, 15, 3);
        }
    EXPECT_GT(colours.size(), 30u);
    EXPECT_LT(background, static_cast<std::size_t>(img.w) * img.h * 98 / 100);

    // The active tab (Dear ImGui dark style TabActive, 0.20/0.41/0.68) in the tab bar.
    int activeTab = 0;
    for (int y = 20; y < 70; ++y)
        for (int x = 0; x < img.w; ++x) activeTab += isNear(img.at(x, y), 51, 105, 173, 8);
    EXPECT_GT(activeTab, 200) << "no active tab";

    // A table header band (TableHeaderBg 0.19/0.19/0.20) spanning most of the width.
    int headerRows = 0, headerEnd = 0;
    for (int y = 0; y < img.h / 2; ++y) {
        int run = 0;
        for (int x = 0; x < img.w; ++x) run += isNear(img.at(x, y), 48, 48, 51, 3);
        if (run > img.w / 2) {
            ++headerRows;
            headerEnd = y;
        }
    }
    EXPECT_GE(headerRows, 8) << "no table header band";

    // Rows: light text in the Kind and Name columns between the header and the log panel
    // (the lower 30 % of the window); the helper's two sections and its DLL make three rows
    // of about ten pixel lines each. An empty table has none.
    int textLines = 0;
    for (int y = headerEnd + 1; y < img.h * 7 / 10; ++y) {
        int light = 0;
        for (int x = 0; x < 400; ++x) light += img.at(x, y)[0] > 200;
        textLines += light > 8;
    }
    EXPECT_GE(textLines, 20) << "the table shows too few rows (header ends at y=" << headerEnd << ")";
    std::remove(png.c_str());
}

namespace {
/// Pixels of one transport's line colour inside the Throughput chart's plot (shm orange, tcp
/// blue): right of the y axis labels, left of the legend (top right) and above the x axis, so
/// neither the legend's swatches nor the rows' markers below the chart count.
int chartPixels(const Image& img, int r, int g, int b) {
    int n = 0;
    for (int y = 80; y < img.h - 250; ++y)
        for (int x = 60; x < img.w - 140; ++x) n += isNear(img.at(x, y), r, g, b, 12);
    return n;
}

Image shoot(const std::vector<std::wstring>& extra, std::string& err) {
    const std::string png = tempPng();
    std::remove(png.c_str());
    SetEnvironmentVariableW(L"SDL_RENDER_DRIVER", L"software");
    std::vector<std::wstring> args{L"gui", L"--screenshot", std::wstring(png.begin(), png.end()), L"--frames", L"5",
                                   L"--tab", L"throughput", L"--size", L"1024x640"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = runProgram(wineVisiblePath(IPCSCOPE_BIN), args, 120000);
    Image img;
    if (r.exitCode != 0) {
        err = r.err;
        return img;
    }
    int n = 0;
    img.px.reset(stbi_load(png.c_str(), &img.w, &img.h, &n, 3));
    std::remove(png.c_str());
    return img;
}
}  // namespace

TEST(WinGuiScreenshot, ThroughputTabGraphsShmAndTcpOnOneChart) {
    std::string err;
    const Image idle = shoot({}, err);
    ASSERT_TRUE(idle.px) << err;
    // The shm probe (a named section) and the tcp probe started at launch, one after the other;
    // the picture is taken when both finished. Each line has its own colour. Each runs for two
    // seconds (with a byte count no machine reaches in that time), so each line has about 40
    // samples however fast the machine is: shm under Wine moves 1 GiB in under 100 ms.
    const Image live = shoot({L"--probe", L"shm,tcp", L"--probe-mib", L"1048576", L"--probe-seconds", L"2"}, err);
    ASSERT_TRUE(live.px) << err;
    const int shmBefore = chartPixels(idle, 230, 140, 40), shmAfter = chartPixels(live, 230, 140, 40);
    const int tcpBefore = chartPixels(idle, 70, 150, 240), tcpAfter = chartPixels(live, 70, 150, 240);
    EXPECT_GT(shmAfter, shmBefore + 300) << "no shm line: " << shmBefore << " orange pixels idle, " << shmAfter << " after the runs";
    EXPECT_GT(tcpAfter, tcpBefore + 300) << "no tcp line: " << tcpBefore << " blue pixels idle, " << tcpAfter << " after the runs";
}

namespace {

/// The items a test script dumped under "== NAME": role -> texts.
std::map<std::string, std::multimap<std::string, std::string>> readDumps(const std::string& path) {
    std::map<std::string, std::multimap<std::string, std::string>> dumps;
    std::ifstream in(path);
    std::multimap<std::string, std::string>* cur = nullptr;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("== ", 0) == 0) {
            cur = &dumps[line.substr(3)];
            continue;
        }
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const auto tab = line.find('\t');
        if (!cur || tab == std::string::npos) continue;
        std::size_t text = tab;
        for (int i = 0; i < 4 && text != std::string::npos; ++i) text = line.find('\t', text + 1);
        if (text != std::string::npos) cur->emplace(line.substr(0, tab), line.substr(text + 1));
    }
    return dumps;
}

bool hasText(const std::multimap<std::string, std::string>& d, const std::string& role, const std::string& part) {
    auto [b, e] = d.equal_range(role);
    for (auto it = b; it != e; ++it)
        if (it->second.find(part) != std::string::npos) return true;
    return false;
}

std::wstring wide(const std::string& s) { return std::wstring(s.begin(), s.end()); }

}  // namespace

// Every other view of the Windows build in one Wine process, driven by the GUI's test hook as a
// user would click through it: each dump must show its tab active and the helper's objects
// (its section in the mappings table, its TCP sockets, the helper itself in the process view and
// in the graph); the final frame is checked for not being blank.
TEST(WinGuiScreenshot, EveryViewShowsTheHelpersObjects) {
    HelperProcess helper(wineVisiblePath(IPCSCOPE_FAMILIES_HELPER), {});
    ASSERT_TRUE(helper.ready()) << helper.transcript();
    const std::string section = helper.value("local_section"), pid = helper.value("pid");
    ASSERT_NE(section.find("ipcscope-test-local-"), std::string::npos) << helper.transcript();
    const std::string tag = section.substr(section.find("ipcscope-test-local-"));
    const std::string base = tempPng();
    const std::string png = base, script = base + ".script", out = base + ".out";
    std::ofstream(script) << "wait-data\nframes 3\ndump overview\n"
                             "click tab sockets\nframes 3\ndump sockets\n"
                             "click tab pipes\nframes 3\ndump pipes\n"
                             "click tab mailslots\nframes 3\ndump mailslots\n"
                             "click tab Changes\nframes 3\ndump changes\n"
                             "click tab mappings\nframes 3\nclick filter\nframes 2\ntype " + tag + "\nframes 3\ndump mappings\n"
                             "click tab Processes\nframes 3\nclick process-search\nframes 2\ntype " + pid + "\nframes 3\n"
                             "click process " + pid + "  *\nframes 3\ndump processes\n"
                             "click tab Graph\nframes 4\ndump graph\n";
    SetEnvironmentVariableW(L"SDL_RENDER_DRIVER", L"software");
    const auto r = runProgram(wineVisiblePath(IPCSCOPE_BIN),
                              {L"gui", L"--screenshot", wide(png), L"--test-script", wide(script), L"--test-output", wide(out),
                               L"--interval", L"600000", L"--size", L"1024x640"},
                              180000);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto dumps = readDumps(out);
    const std::pair<const char*, const char*> tabs[] = {{"overview", "Overview"}, {"sockets", "sockets"},  {"pipes", "pipes"},
                                                        {"mailslots", "mailslots"}, {"changes", "Changes"}, {"mappings", "mappings"},
                                                        {"processes", "Processes"}, {"graph", "Graph"}};
    for (const auto& [dump, tab] : tabs) {
        ASSERT_TRUE(dumps.count(dump)) << "no dump " << dump << "\n" << r.err;
        EXPECT_TRUE(hasText(dumps.at(dump), "tab-selected", tab)) << dump << ": the " << tab << " tab is not active";
    }
    EXPECT_TRUE(hasText(dumps.at("overview"), "card", "mappings"));
    EXPECT_TRUE(hasText(dumps.at("overview"), "card-text", "objects"));
    EXPECT_TRUE(hasText(dumps.at("sockets"), "cell", "127.0.0.1")) << "the helper's TCP sockets are not in the sockets tab";
    EXPECT_TRUE(hasText(dumps.at("pipes"), "rows", " rows"));
    EXPECT_TRUE(hasText(dumps.at("mappings"), "cell", tag)) << "the helper's section is not in the mappings table";
    EXPECT_TRUE(hasText(dumps.at("processes"), "process-title", pid + " ")) << "the process view does not show the helper";
    EXPECT_TRUE(hasText(dumps.at("graph"), "node", pid)) << "the graph has no node for the helper";

    Image img;
    int n = 0;
    img.px.reset(stbi_load(png.c_str(), &img.w, &img.h, &n, 3));
    ASSERT_TRUE(img.px) << "not a PNG: " << png;
    std::set<unsigned> colours;
    for (int y = 0; y < img.h; ++y)
        for (int x = 0; x < img.w; ++x) {
            const auto* p = img.at(x, y);
            colours.insert(static_cast<unsigned>(p[0] << 16 | p[1] << 8 | p[2]));
        }
    EXPECT_GT(colours.size(), 30u) << "the graph frame is blank";
    for (const auto& f : {png, script, out}) std::remove(f.c_str());
}
