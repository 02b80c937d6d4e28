#include "core/table_export.h"

#include "core/render.h"

namespace ipcscope::core {
namespace {

void csvCell(std::string& out, const std::string& cell) {
    if (cell.find_first_of(",\"\r\n") == std::string::npos) {
        out += cell;
        return;
    }
    out += '"';
    for (char c : cell) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

}  // namespace

std::string renderCsv(const std::vector<Column>& columns, const std::vector<const IpcObject*>& rows) {
    std::string out;
    for (std::size_t c = 0; c < columns.size(); ++c) {
        if (c) out += ',';
        csvCell(out, columns[c].header);
    }
    out += "\r\n";
    for (const IpcObject* o : rows) {
        for (std::size_t c = 0; c < columns.size(); ++c) {
            if (c) out += ',';
            csvCell(out, columns[c].text(*o));
        }
        out += "\r\n";
    }
    return out;
}

std::string renderJsonRows(const std::vector<const IpcObject*>& rows) {
    auto array = nlohmann::ordered_json::array();
    for (const IpcObject* o : rows) array.push_back(toJson(*o));
    return array.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace ipcscope::core
