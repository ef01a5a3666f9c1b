#include "core/io/run_notes.h"

#include "core/common/error.h"
#include "core/io/durable_file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace tau::core {

namespace {

std::string notesPath(const std::string& runDirectory)
{
    return runDirectory + "/notes.json";
}

} // namespace

RunNotes readRunNotes(const std::string& runDirectory)
{
    const std::string path = notesPath(runDirectory);
    std::ifstream stream(path, std::ios::binary);
    if (!stream) {
        return {};
    }
    const std::string text((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
    const nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    const auto tags = json.is_object() ? json.find("tags") : json.end();
    const auto note = json.is_object() ? json.find("note") : json.end();
    if (!json.is_object() || (tags != json.end() && !tags->is_array()) || (note != json.end() && !note->is_string())) {
        throw DataError(path + ": expected {\"tags\": [strings], \"note\": string}");
    }
    RunNotes notes;
    if (tags != json.end()) {
        for (const auto& tag : *tags) {
            if (!tag.is_string()) {
                throw DataError(path + ": expected every tag to be a string, got " + tag.dump());
            }
            notes.tags.push_back(tag.get<std::string>());
        }
    }
    notes.note = note != json.end() ? note->get<std::string>() : std::string();
    return notes;
}

void writeRunNotes(const std::string& runDirectory, const RunNotes& notes)
{
    const std::string path = notesPath(runDirectory);
    if (notes.tags.empty() && notes.note.empty()) {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
        return;
    }
    writeFileAtomically(path, nlohmann::json{{"tags", notes.tags}, {"note", notes.note}}.dump(2) + "\n");
}

std::vector<std::string> parseTags(const std::string& text)
{
    std::vector<std::string> tags;
    size_t at = 0;
    while (at <= text.size()) {
        const size_t comma = std::min(text.find(',', at), text.size());
        std::string tag = text.substr(at, comma - at);
        const size_t first = tag.find_first_not_of(" \t"), last = tag.find_last_not_of(" \t");
        tag = first == std::string::npos ? std::string() : tag.substr(first, last - first + 1);
        if (!tag.empty() && std::find(tags.begin(), tags.end(), tag) == tags.end()) {
            tags.push_back(tag);
        }
        at = comma + 1;
    }
    return tags;
}

} // namespace tau::core
